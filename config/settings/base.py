"""Fengling settings, read from the environment (django-environ).

Every variable is documented in `.env.example`. A `.env` file at the repository root is read
when present; `make demo` writes one for the demo with freshly generated secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The demo (`make demo`) turns on conveniences that must never reach production.
DEMO = env.bool("FENGLING_DEMO", default=False)
DEBUG = env.bool("FENGLING_DEBUG", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment or in .env (see .env.example); "
            "`make demo` generates one for the demo."
        )
    return value


SECRET_KEY = _required("FENGLING_SECRET_KEY")
# Key for personal data encrypted at rest (ID numbers): a Fernet key, urlsafe base64 of 32 bytes.
FIELD_ENCRYPTION_KEY = _required("FENGLING_FIELD_KEY")

ALLOWED_HOSTS = env.list("FENGLING_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("FENGLING_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "template_partials",
    "django_htmx",
    "ninja",
    "axes",
    "fengling.core",
    "fengling.organizations",
    "fengling.accounts",
    "fengling.members",
    "fengling.development",
    "fengling.meetings",
    "fengling.reports",
    "fengling.training",
    "fengling.dues",
    "fengling.demo",
    "fengling.bench",
    "fengling.notifications",
    "fengling.birthdays",
    "fengling.alerts",
    "fengling.jobs",
    "fengling.evaluation",
    "fengling.record",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fengling.core.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fengling.core.middleware.SecurityHeadersMiddleware",
    # Axes last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengling.core.context_processors.shell",
                "fengling.notifications.context_processors.inbox",
            ],
        },
    }
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fengling.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The default database lives in var/, which a fresh clone does not have yet.
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers and one writer work side by side; NORMAL is safe with WAL.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The working set (a district's members) fits in memory: a random page read costs
    # about what a sequential one does. With the default (4) the planner reads the whole
    # member table to join a few hundred search matches instead of looking them up by id.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c random_page_cost=1.1")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (等保 2.0 habit): 5 failures lock the username for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Deliberate: an account locks whatever address the guesses come from (axes.W006 warns
# that rotating addresses could otherwise bypass a per-address limit).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# A 30-minute idle timeout: requests push the expiry forward, at most once a minute
# (core.middleware.SlidingSessionMiddleware), so that reading a page writes nothing.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HTTPS = env.bool("FENGLING_HTTPS", default=False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# static/vendor/ is filled from the npm registry at set-up (see Makefile); never committed.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("FENGLING_LOG_LEVEL", default="WARNING")},
}

# API tokens live this long after they are issued.
API_TOKEN_TTL = timedelta(days=env.int("FENGLING_API_TOKEN_DAYS", default=7))
# Password shown for demo accounts when FENGLING_DEMO_PASSWORD is not set.
DEMO_PASSWORD = env.str("FENGLING_DEMO_PASSWORD", default="Fengling-demo-2026")

# Notifications (docs/notifications.md). Outbound channels that are on (the in-app inbox always
# is): any of email, sms, wechat. Each channel's sender class; e-mail goes to files under
# var/notifications/ until FENGLING_NOTIFY_EMAIL_SENDER names
# fengling.notifications.senders.EmailSender (Django's EMAIL_* settings then apply).
NOTIFY_CHANNELS = env.list("FENGLING_NOTIFY_CHANNELS", default=["email"])
NOTIFY_SENDERS = {
    "email": env.str("FENGLING_NOTIFY_EMAIL_SENDER",
                     default="fengling.notifications.senders.FileSender"),
    "sms": env.str("FENGLING_NOTIFY_SMS_SENDER",
                   default="fengling.notifications.senders.SmsSender"),
    "wechat": env.str("FENGLING_NOTIFY_WECHAT_SENDER",
                      default="fengling.notifications.senders.WeChatSender"),
}
NOTIFY_FILE_DIR = env.path("FENGLING_NOTIFY_DIR", default=VAR_DIR / "notifications")
# Drain the outbox in a background thread after each commit that queued something (off:
# cron runs `fengling send_notifications --once` every minute).
NOTIFY_DRAIN_ON_COMMIT = env.bool("FENGLING_NOTIFY_DRAIN_ON_COMMIT", default=False)
NOTIFY_MAX_ATTEMPTS = 5
# Links in outbound messages are made absolute with this address.
NOTIFY_SITE_URL = env.str("FENGLING_SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("FENGLING_FROM_EMAIL", default="fengling@localhost")
# --- Personal data and the change history (docs/privacy.md) ---------------------------------

# Reverse proxies whose X-Forwarded-For is believed (core.net.client_ip); empty: REMOTE_ADDR.
TRUSTED_PROXIES = env.list("FENGLING_TRUSTED_PROXIES", default=[])

# django-auditlog keeps who changed which field of every model, old → new. It is installed
# before core, whose ready() then tightens what it records (core.audit_trail).
INSTALLED_APPS.insert(INSTALLED_APPS.index("fengling.core"), "auditlog")
# After authentication: the actor and the client address of every change.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "fengling.core.middleware.AuditTrailMiddleware",
)
# Every model, so models added later are tracked without a line here; these are not:
# the logs themselves, sessions, login attempts, permissions, content types, API tokens
# (hashes; `last_used_at` changes on every call). A model can also say `audit_trail = False`.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "core.AuditEntry",
    "sessions",
    "axes",
    "auth.Permission",
    "contenttypes",
    "accounts.ApiToken",
)
# Never written to the history, on any model. Fields named *_cipher are excluded and *_digest
# are hidden too, whatever the model (core.audit_trail); the masked ID number is kept.
AUDITLOG_EXCLUDE_TRACKING_FIELDS = (
    "password", "last_login", "session_data", "digest", "id_number_cipher",
    "created_at", "updated_at", "name_pinyin", "name_initials", "phone_last4", "id_last4",
)
# Recorded as changed, never with a value: the keyed hash of the ID number.
AUDITLOG_MASK_TRACKING_FIELDS = ("id_number_digest",)
AUDITLOG_MASK_CALLABLE = "fengling.core.audit_trail.hidden"
AUDITLOG_STORE_JSON_CHANGES = True
# No correlation id from a request header: it would be the client's to write, unchecked.
AUDITLOG_CID_HEADER = None
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# A CJK font for certificate PDFs (TTF/OTF/TTC path); empty: the npm Noto Sans SC installed
# by `make assets`, then Debian's fonts-noto-cjk (see docs/training.md).
CJK_FONT = env.str("FENGLING_CJK_FONT", default="")
# Background jobs (Excel imports): "thread" runs them in the web process (the default, no
# extra process), "worker" leaves them to `fengling run_jobs`. See docs/jobs.md.
FENGLING_JOBS_MODE = env.str("FENGLING_JOBS", default="thread")
# Largest spreadsheet accepted for an import, in megabytes.
FENGLING_IMPORT_MAX_MB = env.int("FENGLING_IMPORT_MAX_MB", default=20)

# The cockpit (驾驶舱): how long its figures are kept (seconds; shared by everyone who may see
# the organization, one entry per organization, day and language) and how often an open
# cockpit refetches them.
COCKPIT_CACHE_SECONDS = env.int("FENGLING_COCKPIT_CACHE_SECONDS", default=300)
# Organization scores and stars of a year (rankings, star map), shared by every viewer of a
# unit: any rating or designation written clears them at once (evaluation.scores).
SCORES_CACHE_SECONDS = env.int("FENGLING_SCORES_CACHE_SECONDS", default=300)
COCKPIT_REFRESH_SECONDS = env.int("FENGLING_COCKPIT_REFRESH_SECONDS", default=300)
