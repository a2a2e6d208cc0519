"""Password reset by e-mail: a signed link that works once, for a short time.

The token signs the account id and a fingerprint of the current password hash. Setting a new
password changes the hash, so a used link (or any older one) no longer verifies: no table of
issued tokens is needed, and every instance can check a link.
"""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from academy.database import db
from academy.models import User
from academy.people.services import accounts, passwords
from academy.people.services.reminders import MailSettings
from academy.services import audit

SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    return str(_serializer().dumps({"u": user.id, "p": _fingerprint(user)}))


def user_for(token: str) -> User | None:
    """The account a link is for, or None: altered, expired, already used, or the account gone or disabled."""
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["PASSWORD_RESET_MINUTES"]) * 60)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("p") != _fingerprint(user):
        return None
    return user


def send_link(user: User, link: str, *, ip: str = "") -> None:
    """Mail the link to the account's address, in the person's language."""
    settings = MailSettings.from_config(current_app.config)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = str(user.email)
        message["Subject"] = _("Reset your QS Academy password")
        message.set_content(_("Hello %(name)s,\n\nOpen this link within %(minutes)d minutes to choose a new password. "
                              "It works once.\n\n%(link)s\n\nIf you did not ask for this, ignore this message: your "
                              "password stays as it is.", name=user.name,
                              minutes=int(current_app.config["PASSWORD_RESET_MINUTES"]), link=link))
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
    audit.record("password_reset_requested", actor=user, ip=ip)
    db.session.commit()


def reset(user: User, new: str, *, ip: str = "") -> None:
    """Set the password chosen through a link (the policy applies); ends every session."""
    passwords.check(new, user, min_length=int(current_app.config["MIN_PASSWORD_LENGTH"]))
    accounts.set_password(user, new, actor=user, ip=ip)
