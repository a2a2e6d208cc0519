"""Forms. Every POST carries a CSRF token (Flask-WTF, app-wide CSRFProtect)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class EmptyForm(FlaskForm):
    """For button-only POSTs (mark done, sync, log out): the token is the whole form."""


class LoginForm(FlaskForm):
    identifier = StringField(_l("Employee number or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class UserRolesForm(FlaskForm):
    author = BooleanField(_l("Author"))
    host = BooleanField(_l("Competition host"))
    hr = BooleanField(_l("HR / training administrator"))
    admin = BooleanField(_l("Administrator"))
    hr_scope = SelectField(_l("HR manages the people of"), coerce=int, choices=[], validate_choice=True)
    active = BooleanField(_l("Account active"))
