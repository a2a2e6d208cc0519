"""What a new password must be: long enough, of several kinds of character, not a common one,
not built on the employee number or e-mail, and none of the person's last few.

Pure checks (no writes), shared by the change form, a reset by e-mail and a reset by an admin.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from werkzeug.security import check_password_hash

if TYPE_CHECKING:
    from academy.models import User

COMMON_LIST = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt.gz"


class PasswordRejected(Exception):
    def __init__(self, reason: str, seconds: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seconds = seconds  # "too_many": how long until the next try


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _kinds(password: str) -> int:
    return sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))


def _stem(password: str) -> str:
    """The password without digits and symbols at its ends: "Password12!" → "password"."""
    return re.sub(r"^[^a-z]+|[^a-z]+$", "", password.lower())


def check(new: str, user: User, *, min_length: int = 10) -> None:
    """Raise ``PasswordRejected`` with a reason code when ``new`` is not acceptable for ``user``."""
    if len(new) < min_length:
        raise PasswordRejected("short")
    if len(new) > 128:
        raise PasswordRejected("long")
    lowered = new.lower()
    if lowered in _common() or _stem(new) in _common() or len(set(new)) < 5:
        raise PasswordRejected("common")
    if _kinds(new) < 2:
        raise PasswordRejected("kinds")
    personal = [user.employee_no.lower(), (user.email or "").split("@")[0].lower()]
    if any(part and len(part) >= 3 and part in lowered for part in personal):
        raise PasswordRejected("personal")
    earlier = [user.password_hash, *(user.password_history or [])][: 1 + int(current_app.config["PASSWORD_HISTORY"])]
    if any(old and check_password_hash(old, new) for old in earlier):
        raise PasswordRejected("reused")
