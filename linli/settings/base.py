"""Settings shared by every environment; everything that varies comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

# The installed package (code, templates, static files, translations, migrations, rule sets):
# everything Linli reads ships inside it, so a wheel installed anywhere serves the whole platform.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The variable data (SQLite file, uploads, job results, the embedded broker, collected static
# files, backups): LINLI_VAR_DIR, or ./var of the working directory (never the installed package).
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR") or Path.cwd() / "var").resolve()

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "linli.core",
    "linli.jobs",
    "linli.geo",
    "linli.notices",
    "linli.risk",
    "linli.fire",
    "linli.hall",
    "linli.elevator",
    "linli.community",
    "linli.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linli.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout, the second factor and forced password changes (docs/security.md).
    "linli.core.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linli.core.middleware.SecurityHeadersMiddleware",
    "linli.core.middleware.DisplayPreferencesMiddleware",
    "linli.core.middleware.BadNumberMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Login throttling (django-axes) first: counters in the database, shared by every worker.
    "linli.core.auth.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 10 failed log-ins per user name from one address, or 10 from one address whatever the name,
# lock for 15 minutes: an attacker's address does not lock the user out for everyone else.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "linli.core.context.client_address"
AXES_LOCKOUT_CALLABLE = "linli.core.views.locked_out"
AXES_VERBOSE = False

# The reverse proxies in front of the app servers (addresses or networks, comma-separated):
# behind them the client address is the right-most X-Forwarded-For entry not in this list.
# It decides the address for login throttling, rate limits and the audit log.
LINLI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("LINLI_TRUSTED_PROXIES", "").split(",") if p.strip()
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.core.context_processors.shell",
                "linli.notices.context_processors.inbox",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'linli.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # instead of failing on a lock upgrade; WAL lets readers go on during a write. Connections
    # persist like PostgreSQL's (CONN_MAX_AGE from DATABASE_URL): opening one per request
    # doubled the server's CPU per issued ticket (docs/hall.md).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Covering indexes (``Index(include=…)``: sign-up counts, survey totals) are a PostgreSQL
    # optimisation; SQLite builds them as plain indexes, which is all a street needs. Without
    # this every command on the default database would print that warning.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Three of four character classes, not the user name (linli.core.accountrules).
    {"NAME": "linli.core.passwords.ComplexityValidator"},
    # None of the last LINLI_PASSWORD_HISTORY passwords; records each new one.
    {"NAME": "linli.core.passwords.HistoryValidator"},
]

# Identity authentication (MLPS 2.0 level 3; docs/security.md, docs/deploy.md).
# Roles that log in with a second factor besides the administrator roles (always), comma-
# separated role names; the street admin may switch on more in the stored security policy.
LINLI_TWO_FACTOR_ROLES = [
    r.strip() for r in os.environ.get("LINLI_TWO_FACTOR_ROLES", "").split(",") if r.strip()
]
# What an authenticator app shows next to the account.
LINLI_TWO_FACTOR_ISSUER = os.environ.get("LINLI_TWO_FACTOR_ISSUER", "Linli")
OTP_TOTP_ISSUER = LINLI_TWO_FACTOR_ISSUER
# Codes by SMS: who sends them (the notice channel) and how long one is valid.
LINLI_TWO_FACTOR_SMS_SENDER = "linli.notices.services.do_send_login_code"
LINLI_TWO_FACTOR_SMS_VALID_SECONDS = 300
LINLI_TWO_FACTOR_RECOVERY_CODES = 10
# Passwords expire after this many days (0: never), with a warning this many days before.
LINLI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("LINLI_PASSWORD_MAX_AGE_DAYS", "90"))
LINLI_PASSWORD_WARN_DAYS = int(os.environ.get("LINLI_PASSWORD_WARN_DAYS", "14"))
# A new password may not be any of the account's last this many.
LINLI_PASSWORD_HISTORY = int(os.environ.get("LINLI_PASSWORD_HISTORY", "5"))
# A signed-in session ends after this many minutes without a request (0: never); the page
# warns LINLI_IDLE_WARNING_SECONDS before.
LINLI_IDLE_TIMEOUT_MINUTES = int(os.environ.get("LINLI_IDLE_TIMEOUT_MINUTES", "30"))
LINLI_IDLE_WARNING_SECONDS = int(os.environ.get("LINLI_IDLE_WARNING_SECONDS", "120"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Dates as YYYY-MM-DD in both languages (linli/formats/).
FORMAT_MODULE_PATH = ["linli.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
# Uploads and job results; on several machines, a folder every app server and worker shares.
MEDIA_ROOT = Path(os.environ.get("LINLI_MEDIA_DIR") or VAR_DIR / "media")
WHITENOISE_USE_FINDERS = True
# Source maps are for developers: not worth compressing (halves `collectstatic`).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The embedded default: a cache table in the database (created by `linli migrate`), so
    # rate-limit counters are shared by every gunicorn worker, unlike a per-process cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "linli_cache",
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an integration with a bad token gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["linli.core.api.permissions.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "linli.core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "linli.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Linli (邻里) API",
    "DESCRIPTION": "The sub-district platform's REST API. Session auth for the UI, token auth "
    "(`Authorization: Token …`) for integrations. Errors carry a stable `code` and a message.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a field named "kind"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "EstateKindEnum": "linli.geo.models.Estate.Kind",
        "ChargingKindEnum": "linli.fire.models.ChargingKind",
        "CheckKindEnum": "linli.fire.models.CheckKind",
        "NextDueKindEnum": "linli.fire.models.DueKind",
        "PlanStateEnum": "linli.fire.models.PlanState",
        "GradeEnum": "linli.risk.models.GRADES",
        "SignupChannelEnum": "linli.community.models.Signup.Channel",
        "OrderChannelEnum": "linli.community.models.ServiceOrder.Channel",
    },
}

# Sections other modules add to the risk white paper, by dotted path (risk never imports them):
# the fire registry's equipment work among the priority actions (docs/link.md).
LINLI_WHITE_PAPER_SECTIONS = ["linli.dashboard.white_paper.equipment_work"]
# The registry facts the inspector's checklist shows, adoptable before submitting (docs/link.md).
LINLI_SAMPLE_FACTS = "linli.dashboard.link.checklist_facts"

# Personal data protection (see docs/privacy.md). Keys come from the environment in
# production; dev and test set fixed, clearly non-secret keys.
LINLI_HMAC_KEY = os.environ.get("LINLI_HMAC_KEY", "")
LINLI_DATA_KEY = os.environ.get("LINLI_DATA_KEY", "")
LINLI_DATA_KEY_ID = os.environ.get("LINLI_DATA_KEY_ID", "")
# Key rotation: several data keys by id, "id:base64,id:base64", the newest (current) first
# unless LINLI_DATA_KEY_ID names another; LINLI_DATA_KEY alone is the key LINLI_DATA_KEY_ID.
LINLI_DATA_KEYS = os.environ.get("LINLI_DATA_KEYS", "")
# The audit chain's HMAC key (docs/privacy.md): outside the database, like the keys above.
LINLI_AUDIT_KEY = os.environ.get("LINLI_AUDIT_KEY", "")
# Every encrypted column, for ``linli rekey``: (model, field, purpose bound as associated data,
# the rows it applies to).
LINLI_ENCRYPTED_FIELDS: list[tuple[str, str, str, dict[str, str]]] = [
    ("geo.Resident", "id_cipher", "resident.id_number", {}),
    ("geo.Resident", "phone_cipher", "resident.phone", {}),
    ("notices.Notice", "address_cipher", "notice.phone", {"channel": "sms"}),
    ("notices.Notice", "address_cipher", "notice.email", {"channel": "email"}),
    ("community.Wish", "phone_cipher", "community.phone", {}),
    ("community.ServiceOrder", "phone_cipher", "community.phone", {}),
    ("community.Signup", "phone_cipher", "community.phone", {}),
    ("community.Volunteer", "phone_cipher", "community.phone", {}),
    ("community.Volunteer", "id_cipher", "community.volunteer_id", {}),
    ("hall.Case", "phone_cipher", "hall.phone", {}),
    ("hall.Appointment", "phone_cipher", "hall.phone", {}),
    ("elevator.Owner", "phone_cipher", "resident.phone", {}),
]
# Every keyed hash kept beside an encrypted copy of its value, for ``linli rekey`` to compute
# again under the current cipher suite: (model, hash field, encrypted field, purpose of both).
# Hashes without a copy (hall tickets, appointments and cases by ID, lift owners' codes, SMS
# opt-outs) are looked up under every accepted suite (LINLI_CRYPTO_SUITE_PREVIOUS) instead.
LINLI_HASHED_FIELDS: list[tuple[str, str, str, str]] = [
    ("geo.Resident", "id_hash", "id_cipher", "resident.id_number"),
    ("community.Volunteer", "phone_hash", "phone_cipher", "community.phone"),
    ("community.Signup", "person_key", "phone_cipher", "community.phone"),
]
# The cipher suite (docs/privacy.md): "aes" (AES-256-GCM, HMAC-SHA256) or "sm" (SM4-GCM, or
# SM4-CBC with HMAC-SM3, and HMAC-SM3). While moving from one to the other, the previous suite
# stays accepted for look-ups until `linli rekey` has run and older records are purged.
LINLI_CRYPTO_SUITE = os.environ.get("LINLI_CRYPTO_SUITE", "aes")
LINLI_CRYPTO_SUITE_PREVIOUS = os.environ.get("LINLI_CRYPTO_SUITE_PREVIOUS", "")
# A cipher class of its own; empty: the suite's (AES-256-GCM, or SM4).
LINLI_CIPHER = os.environ.get("LINLI_CIPHER", "")
LINLI_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Background work (docs/deploy.md). Production: Redis as the broker (RabbitMQ works too:
# amqp://…). The embedded default needs no server: kombu's filesystem transport keeps each
# message as a file under var/broker/, which the web server, the worker and beat share.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # An idle worker looks for new message files this often (kombu's default is 1 s, which
        # caps a worker at one short job a second; listing a small folder costs next to nothing).
        "polling_interval": 0.1,
    }
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True  # a message is acknowledged when its task ends, not when it starts
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool process puts its message back
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long jobs: a worker holds one message at a time
CELERY_TASK_IGNORE_RESULT = True  # the Job record is the result; no result backend
CELERY_RESULT_EXPIRES = None  # so beat adds no result-cleanup task of its own
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False
# Called in each worker process as it starts (linli/celery.py): the first white paper a
# worker renders is then no slower than the rest.
LINLI_WORKER_WARMUPS = ["linli.risk.paper.warm_pdf"]
# A running job whose worker has been silent this long is put back in the queue.
LINLI_JOB_STALE_SECONDS = int(os.environ.get("LINLI_JOB_STALE_SECONDS", "120"))
LINLI_JOB_MAX_ATTEMPTS = 3
LINLI_JOB_RESULT_DAYS = 7
DJANGO_CELERY_BEAT_TZ_AWARE = True

# Notices (docs/notices.md): SMS through a gateway adapter, e-mail through Django's mail.
# The file backend writes the demo's SMS to VAR_DIR/sms/outbox.jsonl; production sets
# LINLI_SMS_BACKEND=linli.notices.channels.HttpSmsBackend and the gateway's URL and keys.
LINLI_SMS_BACKEND = os.environ.get("LINLI_SMS_BACKEND", "linli.notices.channels.FileSmsBackend")
LINLI_SMS_URL = os.environ.get("LINLI_SMS_URL", "")
LINLI_SMS_SIGN_NAME = os.environ.get("LINLI_SMS_SIGN_NAME", "湖南路街道")
LINLI_SMS_ACCESS_KEY_ID = os.environ.get("LINLI_SMS_ACCESS_KEY_ID", "")
LINLI_SMS_ACCESS_KEY_SECRET = os.environ.get("LINLI_SMS_ACCESS_KEY_SECRET", "")
# Notice kind -> the template id the provider approved; unset kinds use SMS_LINLI_<KIND>.
LINLI_SMS_TEMPLATES: dict[str, str] = {}
# No SMS to residents in this window (street time); "00:00-00:00" switches it off.
LINLI_NOTICES_QUIET_HOURS = tuple(
    os.environ.get("LINLI_NOTICES_QUIET_HOURS", "21:00-08:00").split("-", 1)
)
# Retention (docs/hall.md): ticket, case, appointment and locker personal data is anonymised
# after this many days (at least 8), statistics kept.
LINLI_HALL_RETENTION_DAYS = int(os.environ.get("LINLI_HALL_RETENTION_DAYS", "180"))
LINLI_NOTICES_MAX_ATTEMPTS = 5
LINLI_NOTICES_RETRY_BASE_SECONDS = 60
LINLI_BASE_URL = os.environ.get("LINLI_BASE_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "linli@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A worker logs at INFO: keep the PDF renderer's page-by-page progress and the font
    # subsetter's report of every table it prunes out of it; only their problems matter.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
