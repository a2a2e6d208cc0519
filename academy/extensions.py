"""Extensions, created unbound and initialised in the factory."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from academy.database import db

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]

login_manager = LoginManager()
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
