"""The single-street deployment (``make run``): one machine, SQLite under var/, DEBUG off,
keys generated on first run into ``var/keys.env`` (the environment wins where it sets one).
``make dev`` uses ``linli.settings.dev`` instead (DEBUG on, the published dev keys)."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR
from .keys import load_or_create

DEBUG = False
_keys = load_or_create(VAR_DIR / "keys.env")
SECRET_KEY = os.environ.get("SECRET_KEY") or _keys["SECRET_KEY"]
LINLI_HMAC_KEY = os.environ.get("LINLI_HMAC_KEY") or _keys["LINLI_HMAC_KEY"]
LINLI_DATA_KEY = os.environ.get("LINLI_DATA_KEY") or _keys["LINLI_DATA_KEY"]
LINLI_AUDIT_KEY = os.environ.get("LINLI_AUDIT_KEY") or _keys["LINLI_AUDIT_KEY"]
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
