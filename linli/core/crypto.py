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
from functools import cache
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string


class Cipher(Protocol):
    name: str

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes: ...

    def decrypt(self, blob: bytes, associated: bytes) -> bytes: ...


def _key_bytes(value: str, setting: str) -> bytes:
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


@cache
def _cipher() -> Cipher:
    cls = import_string(settings.LINLI_CIPHER)
    cipher: Cipher = cls(_key_bytes(settings.LINLI_DATA_KEY, "LINLI_DATA_KEY"))
    return cipher


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value; ``purpose`` separates e.g. ID numbers from phones."""
    key = _key_bytes(settings.LINLI_HMAC_KEY, "LINLI_HMAC_KEY")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def encrypt(value: str, purpose: str) -> str:
    """Encrypt to a text token ``alg:key_id:base64``; the purpose is bound as associated data."""
    cipher = _cipher()
    blob = cipher.encrypt(value.encode(), purpose.encode())
    return f"{cipher.name}:{settings.LINLI_DATA_KEY_ID}:{base64.b64encode(blob).decode()}"


def decrypt(token: str, purpose: str) -> str:
    cipher = _cipher()
    name, _key_id, payload = token.split(":", 2)
    if name != cipher.name:
        raise ValueError(f"token made with {name}, configured cipher is {cipher.name}")
    return cipher.decrypt(base64.b64decode(payload), purpose.encode()).decode()
