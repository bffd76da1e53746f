"""Keys: the published development and test constants, and first-run generation into var/.

The constants are in the repository, so they protect nothing: dev and test use them for the
synthetic demo residents only, and production refuses them (``refuse_published``). The
single-street deployment (``make run``, ``linli.settings.local``) generates its own keys on
first run into ``var/keys.env`` (mode 0600, never committed) and keeps them there.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEV = {
    "SECRET_KEY": "dev-only-not-secret-linli",
    "LINLI_HMAC_KEY": "ZGV2LWhtYWMta2V5LWxpbmxpLW5vdC1zZWNyZXQtMDAwMDA=",
    "LINLI_DATA_KEY": "ZGV2LWRhdGEta2V5LWxpbmxpLW5vdC1zZWNyZXQtMDA=",
    "LINLI_AUDIT_KEY": "ZGV2LWF1ZGl0LWtleS1saW5saS1ub3Qtc2VjcmV0LTAwMDA=",
}
TEST = {
    "SECRET_KEY": "test-only-not-secret",
    "LINLI_HMAC_KEY": "dGVzdC1obWFjLWtleS1saW5saS1ub3Qtc2VjcmV0LTAwMDA=",
    "LINLI_DATA_KEY": "dGVzdC1kYXRhLWtleS1saW5saS1ub3Qtc2VjcmV0LTAwMDA=",
    "LINLI_AUDIT_KEY": "dGVzdC1hdWRpdC1rZXktbGlubGktbm90LXNlY3JldC0wMDA=",
}
# Every key value that is public because it is written in this repository.
PUBLISHED = frozenset(DEV.values()) | frozenset(TEST.values())
NAMES = ("SECRET_KEY", "LINLI_HMAC_KEY", "LINLI_DATA_KEY", "LINLI_AUDIT_KEY")


def _random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def load_or_create(path: Path) -> dict[str, str]:
    """Read ``NAME=value`` lines from ``path``, creating it (mode 0600) with fresh random keys
    when it does not exist. Concurrent first starts (several gunicorn workers) agree: the file
    is created exclusively and a loser reads the winner's keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fresh = {"SECRET_KEY": secrets.token_urlsafe(50)}
        fresh.update({name: _random_key() for name in NAMES[1:]})
        text = "".join(f"{name}={value}\n" for name, value in fresh.items())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("# Linli keys, generated on first run. Keep secret; back up apart\n")
                handle.write("# from the data (docs/deploy.md). Never commit this file.\n")
                handle.write(text)
    keys: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            keys[name.strip()] = value.strip()
    missing = [name for name in NAMES if not keys.get(name)]
    if missing:
        raise ImproperlyConfigured(f"{path} lacks {', '.join(missing)}")
    return keys


def refuse_published(values: Mapping[str, object]) -> None:
    """Production must not run on a key that is written in the repository."""
    for name in NAMES:
        value = values.get(name)
        if name == "LINLI_DATA_KEY" and not value and values.get("LINLI_DATA_KEYS"):
            continue
        if not value:
            raise ImproperlyConfigured(f"{name} must be set in the environment")
        if value in PUBLISHED:
            raise ImproperlyConfigured(
                f"{name} is one of the published development/test keys; generate a secret one "
                '(python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())")'
            )
    for _key_id, value in data_key_pairs(str(values.get("LINLI_DATA_KEYS") or "")):
        if value in PUBLISHED:
            raise ImproperlyConfigured("LINLI_DATA_KEYS holds a published development/test key")


def data_key_pairs(text: str) -> list[tuple[str, str]]:
    """Parse ``LINLI_DATA_KEYS`` = ``id:base64,id:base64`` (newest first)."""
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, value = item.partition(":")
        if not sep or not key_id or not value:
            raise ImproperlyConfigured("LINLI_DATA_KEYS entries are id:base64, comma-separated")
        pairs.append((key_id.strip(), value.strip()))
    return pairs
