"""Development (``make dev``): DEBUG on, auto-reload, the published demo keys."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR
from .keys import DEV

DEBUG = True
# Fixed, public keys: fine for the demo street, never for real residents (prod.py refuses them).
SECRET_KEY = SECRET_KEY or DEV["SECRET_KEY"]  # noqa: F405
LINLI_HMAC_KEY = LINLI_HMAC_KEY or DEV["LINLI_HMAC_KEY"]  # noqa: F405
LINLI_DATA_KEY = LINLI_DATA_KEY or DEV["LINLI_DATA_KEY"]  # noqa: F405
LINLI_AUDIT_KEY = LINLI_AUDIT_KEY or DEV["LINLI_AUDIT_KEY"]  # noqa: F405
# Its own database and anchors: the dev keys must not mix with `make run`'s generated ones.
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "dev.sqlite3")  # noqa: F405
LINLI_AUDIT_ANCHOR_FILE = VAR_DIR / "dev-audit-anchors.log"
# The demo keeps its e-mail as files under var/mail (one per message) unless EMAIL_HOST is set.
if not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
