"""Protection of personal data at rest: a keyed hash for look-up, a cipher for the copy.

The cipher is pluggable (settings.LINLI_CIPHER) because government deployments often
require the national algorithms (SM4); the default is AES-256-GCM. Tokens carry the
algorithm and key id so keys can be rotated without losing old records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string


class Cipher(Protocol):
    name: str

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes: ...

    def decrypt(self, blob: bytes, associated: bytes) -> bytes: ...


def key_bytes(value: str, setting: str) -> bytes:
    if not value:
        raise RuntimeError(f"settings.{setting} is not set")
    raw = base64.b64decode(value)
    if len(raw) < 32:
        raise RuntimeError(f"settings.{setting} must decode to at least 32 bytes")
    return raw[:32]


class AesGcmCipher:
    """AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext."""

    name = "aesgcm"

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def decrypt(self, blob: bytes, associated: bytes) -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], associated)


@lru_cache(maxsize=16)
def _cipher_for(cipher_path: str, key: str, setting: str) -> Cipher:
    cls = import_string(cipher_path)
    cipher: Cipher = cls(key_bytes(key, setting))
    return cipher


def data_keys() -> tuple[str, dict[str, str]]:
    """The current data key's id and every configured key by id (settings, docs/privacy.md).

    ``LINLI_DATA_KEYS`` = ``id:base64,id:base64``, the newest first; ``LINLI_DATA_KEY_ID``,
    when set, names the current one instead. ``LINLI_DATA_KEY`` alone is the key with id
    ``LINLI_DATA_KEY_ID`` (default ``k1``); with ``LINLI_DATA_KEYS`` it is kept as an older key
    so records written under it stay readable until ``linli rekey`` has run."""
    keys: dict[str, str] = {}
    for item in (getattr(settings, "LINLI_DATA_KEYS", "") or "").split(","):
        key_id, sep, value = item.strip().partition(":")
        if sep and key_id and value:
            keys.setdefault(key_id.strip(), value.strip())
    named = getattr(settings, "LINLI_DATA_KEY_ID", "") or ""
    single = settings.LINLI_DATA_KEY
    if single:
        keys.setdefault(named or "k1", single)
    if not keys:
        raise RuntimeError("settings.LINLI_DATA_KEY (or LINLI_DATA_KEYS) is not set")
    current = named or next(iter(keys))
    if current not in keys:
        raise RuntimeError(f"settings.LINLI_DATA_KEY_ID names {current!r}, which is not configured")
    return current, keys


def _cipher(key_id: str | None = None) -> tuple[str, Cipher]:
    current, keys = data_keys()
    key_id = key_id or current
    if key_id not in keys:
        raise ValueError(f"data key {key_id!r} is not configured (LINLI_DATA_KEYS)")
    return key_id, _cipher_for(settings.LINLI_CIPHER, keys[key_id], f"data key {key_id}")


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value; ``purpose`` separates e.g. ID numbers from phones."""
    key = key_bytes(settings.LINLI_HMAC_KEY, "LINLI_HMAC_KEY")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def encrypt(value: str, purpose: str) -> str:
    """Encrypt under the current data key to a text token ``alg:key_id:base64``; the purpose
    is bound as associated data."""
    key_id, cipher = _cipher()
    blob = cipher.encrypt(value.encode(), purpose.encode())
    return f"{cipher.name}:{key_id}:{base64.b64encode(blob).decode()}"


def token_key_id(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str, purpose: str) -> str:
    """Decrypt with the key named in the token, so older keys keep working during rotation."""
    name, key_id, payload = token.split(":", 2)
    _key_id, cipher = _cipher(key_id)
    if name != cipher.name:
        raise ValueError(f"token made with {name}, configured cipher is {cipher.name}")
    return cipher.decrypt(base64.b64decode(payload), purpose.encode()).decode()


def needs_rekey(token: str) -> bool:
    """True when the token was written under a key other than the current one."""
    return bool(token) and token_key_id(token) != data_keys()[0]


def rekey(token: str, purpose: str) -> str:
    """The same value encrypted under the current key (``linli rekey``)."""
    return encrypt(decrypt(token, purpose), purpose)
