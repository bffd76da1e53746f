"""The test suite: same apps, fast hashing, fixed keys, in-memory cache."""

from .base import *  # noqa: F403
from .base import VAR_DIR
from .keys import TEST

DEBUG = False
SECRET_KEY = TEST["SECRET_KEY"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LINLI_HMAC_KEY = TEST["LINLI_HMAC_KEY"]
LINLI_DATA_KEY = TEST["LINLI_DATA_KEY"]
LINLI_AUDIT_KEY = TEST["LINLI_AUDIT_KEY"]
# Test databases are flushed between transactional tests; test_audit installs the
# append-only triggers itself (inside a rolled-back transaction) to prove they hold.
LINLI_AUDIT_TRIGGERS = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
# Tasks run in the caller's process unless a test starts a real worker (jobs/tests).
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# SMS go to linli.notices.channels.MemorySmsBackend.outbox (e-mail to django.core.mail.outbox).
LINLI_SMS_BACKEND = "linli.notices.channels.MemorySmsBackend"
# Quiet hours off, so a test that sends an SMS behaves the same at any hour; the notice tests
# switch them on where they test them.
LINLI_NOTICES_QUIET_HOURS = ("00:00", "00:00")
