"""The national algorithms (SM3, SM4) beside AES/SHA-256: standard vectors, the two SM4
ciphers, the suite setting, and values of both suites side by side."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from linli.core import crypto

KEY = base64.b64encode(b"k" * 32).decode()


def test_sm3_of_abc_is_the_gb_t_32905_example() -> None:
    assert crypto.sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm3_of_the_512_bit_message_is_the_gb_t_32905_second_example() -> None:
    assert crypto.sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm4_example_1_of_gb_t_32907() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert crypto.sm4_encrypt_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


@pytest.mark.skipif(not crypto.sm4_gcm_available(), reason="this OpenSSL has no SM4-GCM")
def test_sm4_gcm_is_the_rfc_8998_example() -> None:
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    sealed = crypto.sm4_gcm_seal(key, nonce, plain, aad)
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )
    assert crypto.sm4_gcm_open(key, nonce, sealed, aad) == plain


def test_hmac_sm3_is_rfc_2104_over_sm3() -> None:
    key, message = b"linli-key", b"what is signed"
    block = key.ljust(64, b"\0")
    inner = crypto.sm3(bytes(b ^ 0x36 for b in block) + message)
    expected = crypto.sm3(bytes(b ^ 0x5C for b in block) + inner)
    assert crypto.hmac_sm3(key, message) == expected
    assert crypto.hmac_hex(key, message, "sm3") == expected.hex()
    assert crypto.hmac_hex(key, message, "sha256") != expected.hex()


def _ciphers() -> list[Any]:
    found: list[Any] = [crypto.Sm4CbcSm3Cipher]
    if crypto.sm4_gcm_available():
        found.append(crypto.Sm4GcmCipher)
    return found


@pytest.mark.parametrize("cls", _ciphers())
def test_sm4_ciphers_round_trip_and_refuse_any_change(cls: Any) -> None:
    cipher = cls(b"d" * 32)
    blob = cipher.encrypt(b"11010519491231002X", b"resident.id_number")
    assert b"11010519491231002X" not in blob
    assert cipher.decrypt(blob, b"resident.id_number") == b"11010519491231002X"
    assert cipher.encrypt(b"x", b"p") != cipher.encrypt(b"x", b"p")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, b"resident.phone")  # another purpose
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(InvalidTag):
        cipher.decrypt(flipped, b"resident.id_number")
    inner = bytearray(blob)
    inner[20] ^= 0x80
    with pytest.raises(InvalidTag):
        cipher.decrypt(bytes(inner), b"resident.id_number")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob[:10], b"resident.id_number")


def test_the_sm_suite_encrypts_with_sm4_and_old_aes_tokens_stay_readable(settings: Any) -> None:
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = KEY, "", ""
    settings.LINLI_CIPHER = ""
    settings.LINLI_CRYPTO_SUITE = "aes"
    old = crypto.encrypt("13912345678", "resident.phone")
    settings.LINLI_CRYPTO_SUITE = "sm"
    new = crypto.encrypt("13912345678", "resident.phone")
    sm4 = "sm4gcm" if crypto.sm4_gcm_available() else "sm4cbc-sm3"
    assert (old.split(":")[:2], new.split(":")[:2]) == (["aesgcm", "k1"], [sm4, "k1"])
    assert crypto.decrypt(old, "resident.phone") == crypto.decrypt(new, "resident.phone")
    assert crypto.needs_rekey(old) and not crypto.needs_rekey(new)
    assert crypto.rekey(old, "resident.phone").startswith(f"{sm4}:k1:")
    settings.LINLI_CRYPTO_SUITE = "aes"  # and back: the SM4 token stays readable too
    assert crypto.decrypt(new, "resident.phone") == "13912345678"
    assert crypto.needs_rekey(new)


def test_without_sm4_gcm_the_sm_suite_uses_cbc_with_an_sm3_hmac(
    settings: Any, monkeypatch: Any
) -> None:
    settings.LINLI_CRYPTO_SUITE, settings.LINLI_CIPHER = "sm", ""
    monkeypatch.setattr(crypto, "sm4_gcm_available", lambda: False)
    token = crypto.encrypt("11010519491231002X", "resident.id_number")
    assert token.startswith("sm4cbc-sm3:")
    assert crypto.decrypt(token, "resident.id_number") == "11010519491231002X"


def test_keyed_hash_follows_the_suite_and_lookups_accept_the_previous_one(settings: Any) -> None:
    settings.LINLI_CRYPTO_SUITE, settings.LINLI_CRYPTO_SUITE_PREVIOUS = "aes", ""
    key = crypto.key_bytes(settings.LINLI_HMAC_KEY, "LINLI_HMAC_KEY")
    message = b"resident.id_number:11010519491231002X"
    sha = crypto.keyed_hash("11010519491231002X", "resident.id_number")
    assert sha == hmac.new(key, message, hashlib.sha256).hexdigest()
    settings.LINLI_CRYPTO_SUITE = "sm"
    sm3 = crypto.keyed_hash("11010519491231002X", "resident.id_number")
    assert sm3 == crypto.hmac_sm3(key, message).hex() and sm3 != sha and len(sm3) == 64
    assert crypto.keyed_hashes("11010519491231002X", "resident.id_number") == [sm3]
    settings.LINLI_CRYPTO_SUITE_PREVIOUS = "aes"
    assert crypto.keyed_hashes("11010519491231002X", "resident.id_number") == [sm3, sha]


def test_an_unknown_suite_is_refused_naming_the_setting(settings: Any) -> None:
    settings.LINLI_CRYPTO_SUITE = "des"
    with pytest.raises(RuntimeError, match="LINLI_CRYPTO_SUITE"):
        crypto.encrypt("x", "p")
    settings.LINLI_CRYPTO_SUITE, settings.LINLI_CRYPTO_SUITE_PREVIOUS = "sm", "rot13"
    with pytest.raises(RuntimeError, match="LINLI_CRYPTO_SUITE_PREVIOUS"):
        crypto.keyed_hashes("x", "p")
