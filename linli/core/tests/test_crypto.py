import pytest
from cryptography.exceptions import InvalidTag

from linli.core import crypto


def test_encrypt_round_trip_and_no_plain_text_in_the_token() -> None:
    token = crypto.encrypt("11010519491231002X", "resident.id_number")
    assert "11010519491231002X" not in token
    assert token.startswith("aesgcm:")
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
