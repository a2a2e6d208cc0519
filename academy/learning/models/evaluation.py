"""Course and session evaluations (Kirkpatrick level 1): four ratings and a comment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User

# the fixed items, in the order the form asks them
ITEMS = ("content", "delivery", "organisation", "overall")


class Evaluation(db.Model):
    __tablename__ = "evaluation"
    # one answer per person and course, and per person and session (NULLs never collide)
    __table_args__ = (UniqueConstraint("course_id", "user_id"), UniqueConstraint("session_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("classroom_session.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # the session's, frozen
    content: Mapped[int] = mapped_column(SmallInteger)
    delivery: Mapped[int] = mapped_column(SmallInteger)
    organisation: Mapped[int] = mapped_column(SmallInteger)
    overall: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def mean(self) -> float:
        return sum(int(getattr(self, item)) for item in ITEMS) / len(ITEMS)


__all__ = ["ITEMS", "Evaluation"]
