"""Typed SQLAlchemy models; importing this package registers every table."""

from .assignment import Assignment, AssignmentCourse, AssignmentTarget, TargetKind
from .content import ContentProblem, Course, Lesson
from .org import OrgUnit, UnitKind
from .progress import Enrollment, LessonProgress, TrainingCredit
from .user import AuditLog, Role, User, UserRole

__all__ = [
    "Assignment", "AssignmentCourse", "AssignmentTarget", "AuditLog", "ContentProblem", "Course", "Enrollment", "Lesson", "LessonProgress",
    "OrgUnit", "Role", "TrainingCredit", "TargetKind", "UnitKind", "User", "UserRole",
]
