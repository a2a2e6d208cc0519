"""Non-secret defaults. Secrets come from the environment or ``instance/``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'academy.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    COURSES_ROOT = ROOT / "courses"
    QUIZ_ROOT = ROOT / "quiz"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    DISPLAY_TIMEZONE = "Asia/Shanghai"
    ITEM_FLAG_MIN_ATTEMPTS = 5  # answers a question needs before the flagged-questions list shows it
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set FLASK_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # the cookie; the session row decides (below)
    SESSION_REFRESH_EACH_REQUEST = False  # the cookie is not re-sent with every page
    SESSION_IDLE_MINUTES = 30  # a signed-in browser unused this long is signed out
    SESSION_LIFETIME_HOURS = 12  # and any session ends this long after its login, used or not
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_IP_MAX_FAILURES = 30  # failed logins from one address, any names, before it must pause
    LOGIN_IP_WINDOW_MINUTES = 15
    LOGIN_ACCOUNT_MAX_FAILURES = 20  # failures on one account from all addresses together: the account locks
    MIN_PASSWORD_LENGTH = 10
    # the public certificate check: serials that match nothing, per address, before it must pause
    VERIFY_MAX_MISSES = 20
    VERIFY_WINDOW_MINUTES = 10
    PASSWORD_RESET_MINUTES = 30  # a reset link by e-mail works once, within this time
    PASSWORD_HISTORY = 5  # a new password may not be any of the last this many
    PASSWORD_MAX_AGE_DAYS = 0  # 0: passwords do not expire; else a change is asked for after this many days
    MAIL_SERVER = "127.0.0.1"  # SMTP relay; credentials (MAIL_USERNAME/MAIL_PASSWORD) from the environment
    MAIL_PORT = 25
    MAIL_FROM = "QS Academy <no-reply@qs-academy.local>"
    MAIL_STARTTLS = False
    HOURS_TARGET_PER_HEAD: float | None = None  # training hours per head a year, shown on the HR home when set
    # external training and certificates: where scans are kept (None: instance/scans), the largest scan,
    # and the hours an approved item credits by kind: {"fixed": h} whatever was claimed, or {"cap": h}
    # for the hours claimed up to h
    SCAN_FOLDER: str | None = None
    SCAN_MAX_BYTES = 5 * 1024 * 1024
    EXTERNAL_HOURS_RULES: ClassVar[dict[str, dict[str, float]]] = {
        "cqe": {"fixed": 40}, "internal-auditor": {"fixed": 24}, "black-belt": {"fixed": 80},
        "metrology": {"fixed": 24}, "other": {"cap": 40},
    }
    REMINDER_DAYS = (7, 1)  # due-date reminders this many days before
    CERTIFICATE_ISSUER = ""  # the issuing organisation printed on certificates; empty: the academy's name
    CERTIFICATE_SEAL = ""  # optional seal image under static/, e.g. "img/seal.png"
    CERTIFICATE_SIGNER = ""  # optional name or title above the signature line
    CERTIFICATE_WARNING_DAYS = (90, 30, 7)  # certificate-expiry warnings this many days before
    REDIS_URL = ""  # e.g. redis://127.0.0.1:6379/0: live pages get pushed updates, limits are shared
    # Streams hold a connection per phone: offered with Redis under gevent workers ("auto"), or always (True)
    # when the server holds many connections otherwise; False keeps every page polling.
    LIVE_STREAMS: bool | str = "auto"
    ROUND_HOST_REFRESH_SECONDS = 20  # an online round's host page re-reads participation this often
    # answers accepted through Redis reach the database in batches this often (per process);
    # "auto": a drainer in gevent workers, as for streams; closing a question always drains first
    LIVE_DRAIN_BACKGROUND: bool | str = "auto"
    LIVE_DRAIN_SECONDS = 0.15
    # (attempts, seconds) per player and event; a phone sends one answer per question
    LIVE_RATE_LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "answer": (5, 10), "buzz": (5, 10), "stake": (5, 10), "join": (6, 60),
        # quizzes, exams and online rounds: a person saves one answer every few seconds and
        # changes a multiple choice a few times; forty in ten seconds is a script or a stuck page
        "quiz_save": (40, 10), "quiz_start": (10, 60),
        # departures from a certification exam's page: a person switches away a few times a minute at most
        "quiz_away": (30, 60)}
    # The address people use, e.g. "https://academy.example.com": absolute links (certificate
    # verification, the live final's QR code) are built on it, never on the request's Host header.
    PUBLIC_URL = ""
    # Content-Security-Policy: scripts and styles only from our own files, no inline code, no framing by others
    CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                               "form-action 'self'; frame-ancestors 'self'")
    HSTS_SECONDS = 31_536_000  # sent over HTTPS only
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # the largest request: a people file of 100,000 rows is about 10 MB
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024  # form fields other than files
    LIVE_MAX_BODY = 4096  # bytes of JSON a phone sends with one answer, buzz or stake
    AUDIT_RETENTION_DAYS = 365  # `flask audit purge` keeps this many days (never fewer than 180)
    IMPORT_KEEP_HOURS = 24  # a previewed people file waits this long for "apply", in the database
    # How people sign in: any of "local" (passwords kept here), "ldap" (the group's directory),
    # "oidc" (an OpenID Connect identity platform). Accounts keeping a local password (break-glass
    # administrators) sign in with it whenever "local" is on, even when the directory is down.
    LOGIN_METHODS: ClassVar[tuple[str, ...]] = ("local",)
    LDAP_URL = ""  # ldaps://dc.example.com or ldap://… with LDAP_START_TLS
    LDAP_START_TLS = False
    LDAP_CA_FILE = ""  # the CA that signed the directory's certificate; empty: the system's
    LDAP_BASE_DN = ""
    LDAP_BIND_DN = ""  # the read-only service account; LDAP_BIND_PASSWORD comes from the environment
    LDAP_ATTRIBUTES: ClassVar[dict[str, str]] = {}  # overrides of directory.DEFAULT_ATTRIBUTES
    LDAP_DEPARTMENT_FROM = "attribute"  # or "dn": the unit path from the entry's ou= parts
    LDAP_GROUP_ROLES: ClassVar[list[dict[str, str]]] = []  # [{"group": DN, "role": "hr", "scope": "集团/华东公司"}]
    OIDC_DISCOVERY_URL = ""  # https://idp.example.com/.well-known/openid-configuration
    OIDC_CLIENT_ID = ""  # OIDC_CLIENT_SECRET comes from the environment
    OIDC_SCOPES = "openid profile email"
    OIDC_EMPLOYEE_CLAIM = "employee_number"  # the claim that carries the employee number
    # Roles that must sign in with a second factor (an authenticator app); anyone may switch it on.
    TWO_FACTOR_ROLES: ClassVar[tuple[str, ...]] = ("admin", "hr")
    TWO_FACTOR_ISSUER = "QS Academy"  # the name the authenticator app shows
    TWO_FACTOR_TRUST_OIDC = True  # sign-ins through the OIDC platform bring the platform's own second factor
    # Personal information: raise the version when the privacy notice changes, and everyone reads
    # it again at their next sign-in; leavers are anonymised this many days after deactivation
    # (flask privacy anonymise, daily).
    PRIVACY_NOTICE_VERSION = 1
    LEAVER_ANONYMISE_DAYS = 3 * 365
