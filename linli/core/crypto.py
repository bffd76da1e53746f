"""Protection of personal data at rest: a keyed hash for look-up, a cipher for the copy.

Two cipher suites (``settings.LINLI_CRYPTO_SUITE``, docs/privacy.md): ``aes`` (the default:
AES-256-GCM and HMAC-SHA256) and ``sm``, the national algorithms government deployments are
assessed for (密评): SM4 in GCM mode where the OpenSSL build offers it, else SM4-CBC with an
HMAC-SM3 (encrypt-then-MAC), and HMAC-SM3 for keyed hashes. Tokens carry the algorithm and
key id, so values written under either suite and any configured key stay readable while
``linli rekey`` moves them to the current ones. Keyed hashes are bare hex (both digests are 256
bits): during a move, look-ups compute them under every accepted suite (``keyed_hashes``;
``LINLI_CRYPTO_SUITE_PREVIOUS``) and ``linli rekey`` recomputes the stored ones that have an
encrypted copy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
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


def sm3(data: bytes) -> bytes:
    """The SM3 digest (GB/T 32905-2016)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC (RFC 2104) with SM3 as the hash function."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def _derive(key: bytes, label: bytes) -> bytes:
    """A 128-bit SM4 key of its own for one use of a data key, so the same key material is never
    used raw by two algorithms (AES and SM4) or two roles (encryption and MAC)."""
    return hmac_sm3(key, b"linli " + label)[:16]


class Sm4GcmCipher:
    """SM4 (GB/T 32907-2016) in GCM mode (RFC 8998), a random 96-bit nonce in front, the
    128-bit tag at the end; the key is derived from the 256-bit data key."""

    name = "sm4gcm"

    def __init__(self, key: bytes) -> None:
        self._key = _derive(key, b"sm4-gcm")

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + sm4_gcm_seal(self._key, nonce, plaintext, associated)

    def decrypt(self, blob: bytes, associated: bytes) -> bytes:
        if len(blob) < 28:
            raise InvalidTag
        return sm4_gcm_open(self._key, blob[:12], blob[12:], associated)


def sm4_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """SM4-GCM (RFC 8998): the ciphertext followed by the 128-bit tag."""
    encryptor = _Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def sm4_gcm_open(key: bytes, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext of ``sm4_gcm_seal``'s output; ``InvalidTag`` when anything was changed."""
    body, tag = sealed[:-16], sealed[-16:]
    decryptor = _Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated)
    return decryptor.update(body) + decryptor.finalize()


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One 128-bit SM4 block (GB/T 32907-2016): the primitive the standard's examples test."""
    encryptor = _Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (one block: the primitive)
    return encryptor.update(block) + encryptor.finalize()


class Sm4CbcSm3Cipher:
    """SM4-CBC with PKCS#7 padding, then HMAC-SM3 over the associated data, IV and ciphertext
    (encrypt-then-MAC): the authenticated mode for OpenSSL builds without SM4-GCM."""

    name = "sm4cbc-sm3"

    def __init__(self, key: bytes) -> None:
        self._enc = _derive(key, b"sm4-cbc enc")
        self._mac = hmac_sm3(key, b"linli sm4-cbc mac")

    def _tag(self, associated: bytes, iv: bytes, body: bytes) -> bytes:
        return hmac_sm3(self._mac, len(associated).to_bytes(8, "big") + associated + iv + body)

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = _Cipher(algorithms.SM4(self._enc), modes.CBC(iv)).encryptor()
        body = encryptor.update(padded) + encryptor.finalize()
        return iv + body + self._tag(associated, iv, body)

    def decrypt(self, blob: bytes, associated: bytes) -> bytes:
        if len(blob) < 64 or (len(blob) - 48) % 16:
            raise InvalidTag
        iv, body, tag = blob[:16], blob[16:-32], blob[-32:]
        if not hmac.compare_digest(self._tag(associated, iv, body), tag):
            raise InvalidTag
        decryptor = _Cipher(algorithms.SM4(self._enc), modes.CBC(iv)).decryptor()
        padded = decryptor.update(body) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()


# Every cipher a token may name, so values written under either suite stay readable.
CIPHERS: dict[str, str] = {
    AesGcmCipher.name: "linli.core.crypto.AesGcmCipher",
    Sm4GcmCipher.name: "linli.core.crypto.Sm4GcmCipher",
    Sm4CbcSm3Cipher.name: "linli.core.crypto.Sm4CbcSm3Cipher",
}
SUITES = ("aes", "sm")
# The digest of keyed hashes and of the audit chain, by suite.
SUITE_DIGEST = {"aes": "sha256", "sm": "sm3"}


@lru_cache(maxsize=1)
def sm4_gcm_available() -> bool:
    """True when this OpenSSL build offers SM4-GCM (OpenSSL 3 and later usually do)."""
    try:
        Sm4GcmCipher(bytes(32)).encrypt(b"probe", b"")
    except Exception:  # UnsupportedAlgorithm, or an OpenSSL build without SM4
        return False
    return True


def _suite_name(value: str, setting: str) -> str:
    name = (value or "").strip().lower()
    if name not in SUITES:
        raise RuntimeError(f"settings.{setting} must be one of {', '.join(SUITES)}, not {value!r}")
    return name


def suite() -> str:
    """The current cipher suite: ``aes`` (default) or ``sm``."""
    return _suite_name(
        getattr(settings, "LINLI_CRYPTO_SUITE", "aes") or "aes", "LINLI_CRYPTO_SUITE"
    )


def accepted_suites() -> list[str]:
    """The current suite, then the one an installation is moving from (look-ups accept both)."""
    found = [suite()]
    previous = getattr(settings, "LINLI_CRYPTO_SUITE_PREVIOUS", "") or ""
    for item in previous.split(","):
        if item.strip():
            name = _suite_name(item, "LINLI_CRYPTO_SUITE_PREVIOUS")
            if name not in found:
                found.append(name)
    return found


def cipher_path() -> str:
    """The class that encrypts new values: ``LINLI_CIPHER`` when set, else the suite's own."""
    configured = getattr(settings, "LINLI_CIPHER", "") or ""
    if configured:
        return configured
    if suite() == "sm":
        return CIPHERS["sm4gcm" if sm4_gcm_available() else "sm4cbc-sm3"]
    return CIPHERS["aesgcm"]


def hmac_hex(key: bytes, message: bytes, digest: str) -> str:
    """HMAC of ``message`` under ``digest`` (``sha256`` or ``sm3``), as 64 hex characters."""
    if digest == "sm3":
        return hmac_sm3(key, message).hex()
    if digest == "sha256":
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown digest {digest!r}")


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


def _cipher(key_id: str | None = None, name: str | None = None) -> tuple[str, Cipher]:
    """The cipher for a key id: the configured one, or the one a token names."""
    current, keys = data_keys()
    key_id = key_id or current
    if key_id not in keys:
        raise ValueError(f"data key {key_id!r} is not configured (LINLI_DATA_KEYS)")
    path = CIPHERS.get(name or "", "") or cipher_path()
    return key_id, _cipher_for(path, keys[key_id], f"data key {key_id}")


def keyed_hash(value: str, purpose: str, suite_name: str | None = None) -> str:
    """HMAC of a normalised value under the current suite (HMAC-SHA256, or HMAC-SM3 for ``sm``);
    ``purpose`` separates e.g. ID numbers from phones."""
    key = key_bytes(settings.LINLI_HMAC_KEY, "LINLI_HMAC_KEY")
    digest = SUITE_DIGEST[suite_name or suite()]
    return hmac_hex(key, f"{purpose}:{value}".encode(), digest)


def keyed_hashes(value: str, purpose: str) -> list[str]:
    """The value's keyed hash under every accepted suite, the current first: what a look-up
    (``field__in=``) matches while an installation moves from one suite to the other."""
    return [keyed_hash(value, purpose, name) for name in accepted_suites()]


def encrypt(value: str, purpose: str) -> str:
    """Encrypt with the current suite's cipher under the current data key to a text token
    ``alg:key_id:base64``; the purpose is bound as associated data."""
    key_id, cipher = _cipher()
    blob = cipher.encrypt(value.encode(), purpose.encode())
    return f"{cipher.name}:{key_id}:{base64.b64encode(blob).decode()}"


def token_key_id(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str, purpose: str) -> str:
    """Decrypt with the key named in the token, so older keys keep working during rotation."""
    name, key_id, payload = token.split(":", 2)
    _key_id, cipher = _cipher(key_id, name)
    if name != cipher.name:
        raise ValueError(f"token made with {name}, configured cipher is {cipher.name}")
    return cipher.decrypt(base64.b64decode(payload), purpose.encode()).decode()


def current_prefix() -> str:
    """``alg:key_id:`` of what ``encrypt`` writes now: a token without it needs ``rekey``."""
    name = _cipher()[1].name
    return f"{name}:{data_keys()[0]}:"


def needs_rekey(token: str) -> bool:
    """True when the token was written under another key or another suite's cipher."""
    return bool(token) and not token.startswith(current_prefix())


def rekey(token: str, purpose: str) -> str:
    """The same value encrypted under the current key (``linli rekey``)."""
    return encrypt(decrypt(token, purpose), purpose)
