"""Question banks and exams as content sync published them: every instance serves these rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from academy.database import UTCDateTime, db, utcnow


class QuizSource(db.Model):
    """One bank or exam file, its text as last published.

    A file that stops passing ``content check`` keeps the row it had, so learners go on drawing
    from the last good version; a removed file is retired, never deleted. Papers freeze the
    questions they drew (``QuestionVersion``), so a later publication never changes an attempt.
    """

    __tablename__ = "quiz_source"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # bank | exam
    name: Mapped[str] = mapped_column(String(80))  # the bank id or exam id (the file name)
    path: Mapped[str] = mapped_column(String(255))  # as problems name it: quiz/<bank>.md, quiz/exams/<id>.md
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuizFile(db.Model):
    """An image imported beside a bank (``quiz/<bank>-files/<name>``), published with its bank.

    Only names and bytes that ``bankfiles.content_type`` accepts are published; an image that
    is gone from the folder is retired with the bank's next publication.
    """

    __tablename__ = "quiz_file"
    __table_args__ = (UniqueConstraint("bank", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when the image is asked for
    digest: Mapped[str] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
