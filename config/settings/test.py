"""Test settings: fixed keys, fast hashing, no network."""

import os

os.environ.setdefault("FENGLING_SECRET_KEY", "test-secret-key-not-for-production")
# A fixed Fernet key for tests only.
os.environ.setdefault("FENGLING_FIELD_KEY", "0vGdMpaxLtsuKEGOWSNh1M2QdE_UitKAkGDcbc4JmKo=")

from .base import *  # noqa: E402,F403
from .base import DATABASES, env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use their own database: SQLite in memory unless DATABASE_URL names PostgreSQL.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.str(
    "DATABASE_URL", default=""
):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["OPTIONS"] = {}

# Notifications: nothing leaves the process; files go to a temporary folder.
import tempfile  # noqa: E402

NOTIFY_FILE_DIR = tempfile.mkdtemp(prefix="fengling-notify-")
NOTIFY_DRAIN_ON_COMMIT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Background jobs run at once, in the test's thread and transaction.
FENGLING_JOBS_MODE = "inline"
# The cockpit computes its figures on every request in tests (one test caches on purpose).
COCKPIT_CACHE_SECONDS = 0
SCORES_CACHE_SECONDS = 0
