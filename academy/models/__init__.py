"""Typed SQLAlchemy models; importing this package registers every table."""

from .accommodation import ExamOverride
from .assignment import (
    Assignment,
    AssignmentCourse,
    AssignmentRound,
    AssignmentState,
    AssignmentTarget,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    LearnerHours,
    LearnerStatus,
    ReminderLog,
    TargetKind,
)
from .certificate import AwardCertificate, Certificate, CertificateState
from .competition import (
    Competition,
    EventStatus,
    LiveAdjustment,
    LiveAnswer,
    LiveBuzz,
    LiveEvent,
    LiveJudge,
    LivePlayer,
    LiveQuestion,
    LiveStake,
    LiveTeam,
    QState,
    RoundKind,
    Stage,
)
from .content import ContentProblem, ContentState, Course, Lesson
from .evaluation import Evaluation
from .integrity import AwayEvent
from .notice import Notice
from .org import OrgUnit, UnitKind
from .plan import TrainingPlan
from .progress import CourseCompletion, Enrollment, LessonProgress, TrainingCredit
from .quiz import Attempt, AttemptAnswer, AttemptHead, QuestionVersion
from .security import ImportColumnMap, ImportUpload, LoginSession
from .trainer import Trainer, TrainerLevel
from .training import ClassroomSession, ExternalKind, ExternalRecord, ExternalState, SessionSeat
from .twofactor import RecoveryCode, TwoFactor
from .user import AuditLog, Role, User, UserRole

__all__ = [
    "Assignment",
    "AssignmentCourse",
    "AssignmentRound",
    "AssignmentState",
    "AssignmentTarget",
    "Attempt",
    "AttemptAnswer",
    "AttemptHead",
    "AuditLog",
    "AwardCertificate",
    "AwayEvent",
    "Certificate",
    "CertificateState",
    "ClassroomSession",
    "Competition",
    "ContentProblem",
    "ContentState",
    "Course",
    "CourseCompletion",
    "Enrollment",
    "Evaluation",
    "EventStatus",
    "ExamOverride",
    "ExternalKind",
    "ExternalRecord",
    "ExternalState",
    "ImportColumnMap",
    "ImportUpload",
    "LearnerCertificationStatus",
    "LearnerCourseStatus",
    "LearnerHours",
    "LearnerStatus",
    "Lesson",
    "LessonProgress",
    "LiveAdjustment",
    "LiveAnswer",
    "LiveBuzz",
    "LiveEvent",
    "LiveJudge",
    "LivePlayer",
    "LiveQuestion",
    "LiveStake",
    "LiveTeam",
    "LoginSession",
    "Notice",
    "OrgUnit",
    "QState",
    "QuestionVersion",
    "RecoveryCode",
    "ReminderLog",
    "Role",
    "RoundKind",
    "SessionSeat",
    "Stage",
    "TargetKind",
    "Trainer",
    "TrainerLevel",
    "TrainingCredit",
    "TrainingPlan",
    "TwoFactor",
    "UnitKind",
    "User",
    "UserRole",
]
