"""Typed SQLAlchemy models; importing this package registers every table."""

from academy.assessment.models.accommodation import ExamOverride
from academy.assessment.models.certificate import AwardCertificate, Certificate, CertificateState
from academy.assessment.models.integrity import AwayEvent
from academy.assessment.models.quiz import Attempt, AttemptAnswer, AttemptHead, QuestionVersion
from academy.assessment.models.source import QuizFile, QuizSource
from academy.competitions.models.competition import (
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
from academy.learning.models.content import ContentProblem, ContentState, Course, Lesson
from academy.learning.models.evaluation import Evaluation
from academy.learning.models.plan import TrainingPlan
from academy.learning.models.progress import CourseCompletion, Enrollment, LessonProgress, TrainingCredit
from academy.learning.models.training import ClassroomSession, ExternalKind, ExternalRecord, ExternalState, SessionSeat
from academy.people.models.assignment import (
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
from academy.people.models.notice import Notice
from academy.people.models.org import OrgUnit, UnitKind
from academy.people.models.security import ImportColumnMap, ImportUpload, LoginSession
from academy.people.models.trainer import Trainer, TrainerLevel
from academy.people.models.twofactor import RecoveryCode, TwoFactor
from academy.people.models.user import AuditLog, Role, User, UserRole

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
    "QuizFile",
    "QuizSource",
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
