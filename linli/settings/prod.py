"""Production: PostgreSQL, Redis, several app servers behind a reverse proxy (docs/deploy.md)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
for _name in ("SECRET_KEY", "LINLI_HMAC_KEY", "LINLI_DATA_KEY"):
    if not globals().get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in the environment")

SESSION_COOKIE_SECURE = os.environ.get("LINLI_HTTPS", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
