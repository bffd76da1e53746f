"""Production: PostgreSQL, Redis, several app servers behind a reverse proxy (docs/deploy.md)."""

import os

from .base import *  # noqa: F403
from .keys import refuse_published

DEBUG = False
# Every key set, none of them one of the published development/test constants.
refuse_published(globals())

SESSION_COOKIE_SECURE = os.environ.get("LINLI_HTTPS", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
