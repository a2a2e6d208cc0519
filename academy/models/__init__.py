"""Typed SQLAlchemy models; importing this package registers every table."""

from .assignment import Assignment, AssignmentCourse, AssignmentTarget, ReminderLog, TargetKind
from .content import ContentProblem, Course, Lesson
from .org import OrgUnit, UnitKind
from .progress import Enrollment, LessonProgress, TrainingCredit
from .user import AuditLog, Role, User, UserRole

__all__ = [
    "AuditLog", "ContentProblem", "Course", "Enrollment", "Lesson", "LessonProgress",
    "OrgUnit", "Role", "TrainingCredit", "UnitKind", "User", "UserRole",
]
__all__ += ["Assignment", "AssignmentCourse", "AssignmentTarget", "ReminderLog", "TargetKind"]  # training assignments
