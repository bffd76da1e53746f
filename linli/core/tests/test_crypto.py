import pytest
from cryptography.exceptions import InvalidTag

from linli.core import crypto


def test_encrypt_round_trip_and_no_plain_text_in_the_token() -> None:
    token = crypto.encrypt("11010519491231002X", "resident.id_number")
    assert "11010519491231002X" not in token
    sm4 = "sm4gcm" if crypto.sm4_gcm_available() else "sm4cbc-sm3"
    assert token.split(":")[0] == {"aes": "aesgcm", "sm": sm4}[crypto.suite()]
    assert crypto.decrypt(token, "resident.id_number") == "11010519491231002X"


def test_same_value_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("x", "p") != crypto.encrypt("x", "p")


def test_a_token_cannot_be_replayed_for_another_purpose() -> None:
    token = crypto.encrypt("13912345678", "resident.phone")
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, "resident.id_number")


def test_keyed_hash_is_stable_and_purpose_bound() -> None:
    a = crypto.keyed_hash("11010519491231002X", "resident.id_number")
    assert a == crypto.keyed_hash("11010519491231002X", "resident.id_number")
    assert a != crypto.keyed_hash("11010519491231002X", "other")
    assert len(a) == 64


# --- Key rotation (issue 10): several keys by id, new writes under the current one ----------

import base64  # noqa: E402
from typing import Any  # noqa: E402

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()


def test_changing_the_key_used_to_make_old_tokens_unreadable_now_it_names_the_key(
    settings: Any,
) -> None:
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = K1, "", ""
    token = crypto.encrypt("11010519491231002X", "resident.id_number")
    assert token.split(":")[1] == "k1"
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS = "", f"k2:{K2}"
    with pytest.raises(ValueError, match="k1"):
        crypto.decrypt(token, "resident.id_number")


def test_new_writes_use_the_newest_key_and_old_tokens_stay_readable(settings: Any) -> None:
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = K1, "", ""
    old = crypto.encrypt("13912345678", "resident.phone")
    settings.LINLI_DATA_KEYS = f"k2:{K2},k1:{K1}"
    new = crypto.encrypt("13912345678", "resident.phone")
    assert (old.split(":")[1], new.split(":")[1]) == ("k1", "k2")
    assert crypto.decrypt(old, "resident.phone") == crypto.decrypt(new, "resident.phone")
    settings.LINLI_DATA_KEY_ID = "k1"  # an operator may name the current key explicitly
    assert crypto.encrypt("x", "p").split(":")[1] == "k1"
