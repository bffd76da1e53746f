"""Local development and `make run`: one machine, SQLite under var/, demo keys."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-linli"  # noqa: F405
# Fixed, public keys: fine for the demo street, never for real residents (prod.py refuses them).
LINLI_HMAC_KEY = LINLI_HMAC_KEY or "ZGV2LWhtYWMta2V5LWxpbmxpLW5vdC1zZWNyZXQtMDAwMDA="  # noqa: F405
LINLI_DATA_KEY = LINLI_DATA_KEY or "ZGV2LWRhdGEta2V5LWxpbmxpLW5vdC1zZWNyZXQtMDA="  # noqa: F405
# The demo keeps its e-mail as files under var/mail (one per message) unless EMAIL_HOST is set.
if not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
