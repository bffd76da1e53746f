"""Data key rotation end to end: encrypt with k1, add k2, rekey, remove k1, still readable."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import call_command

from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.geo import services
from linli.geo.models import Resident

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()


@pytest.mark.django_db
def test_rekey_moves_every_value_to_the_new_key(settings: Any, users: Any, street: Any) -> None:
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = K1, "", ""
    actor = Actor(users["street_admin"])
    for i, number in enumerate(["11010519491231002X", "440524188001010014"]):
        services.do_save_resident(
            actor, Resident(household=street["household1"], name=f"王{i}", relation="head"),
            id_number=number, phone=f"1391234567{i}",
        )  # fmt: skip
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS = K1, f"k2:{K2}"  # add k2, newest
    out = io.StringIO()
    call_command("rekey", "--batch", "1", stdout=out)
    assert "geo.Resident.id_cipher: 2/2" in out.getvalue()
    assert "geo.Resident.phone_cipher: 2/2" in out.getvalue()
    tokens = Resident.objects.values_list("id_cipher", "phone_cipher")
    assert {t.split(":")[1] for pair in tokens for t in pair} == {"k2"}
    settings.LINLI_DATA_KEY = ""  # remove k1
    revealed = {
        services.do_reveal_identity(actor, r, "核对").id_number for r in Resident.objects.all()
    }
    assert revealed == {"11010519491231002X", "440524188001010014"}
    assert AuditRecord.objects.get(action="core.data_key.rekey").details["key"] == "k2"
    again = io.StringIO()
    call_command("rekey", stdout=again)
    assert "done: 0 values" in again.getvalue()


@pytest.mark.django_db
def test_moving_to_the_sm_suite_keeps_duplicates_found_and_values_readable(
    settings: Any, users: Any, street: Any
) -> None:
    from linli.core import crypto
    from linli.geo.services import IdentityNumberInvalid

    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = K1, "", ""
    settings.LINLI_CIPHER, settings.LINLI_CRYPTO_SUITE = "", "aes"
    settings.LINLI_CRYPTO_SUITE_PREVIOUS = ""
    actor = Actor(users["street_admin"])
    number = "11010519491231002X"
    services.do_save_resident(
        actor, Resident(household=street["household1"], name="王芳", relation="head"),
        id_number=number, phone="13912345670",
    )  # fmt: skip
    aes_hash = Resident.objects.get().id_hash
    # The switch: new writes under SM4/SM3, look-ups accept the AES-suite hashes meanwhile.
    settings.LINLI_CRYPTO_SUITE, settings.LINLI_CRYPTO_SUITE_PREVIOUS = "sm", "aes"
    with pytest.raises(IdentityNumberInvalid) as taken:
        services.do_save_resident(
            actor, Resident(household=street["household2"], name="王芳", relation="head"),
            id_number=number,
        )  # fmt: skip
    assert taken.value.code == "identity_number_taken"
    out = io.StringIO()
    call_command("rekey", stdout=out)
    assert "geo.Resident.id_hash: 1/1" in out.getvalue()
    resident = Resident.objects.get()
    sm4 = "sm4gcm" if crypto.sm4_gcm_available() else "sm4cbc-sm3"
    assert resident.id_cipher.startswith(f"{sm4}:k1:")
    assert resident.phone_cipher.startswith(f"{sm4}:k1:")
    assert resident.id_hash == crypto.keyed_hash(number, "resident.id_number") != aes_hash
    # The move is over: only the SM suite is accepted, and nothing was lost.
    settings.LINLI_CRYPTO_SUITE_PREVIOUS = ""
    with pytest.raises(IdentityNumberInvalid):
        services.do_save_resident(
            actor, Resident(household=street["household2"], name="王芳", relation="head"),
            id_number=number,
        )  # fmt: skip
    assert services.do_reveal_identity(actor, resident, "核对").id_number == number
    rekeyed = AuditRecord.objects.get(action="core.data_key.rekey")
    assert rekeyed.details["suite"] == "sm" and rekeyed.details["geo.Resident.id_hash"] == 1
    again = io.StringIO()
    call_command("rekey", stdout=again)
    assert "done: 0 values" in again.getvalue()


@pytest.mark.django_db
def test_rekey_also_moves_notice_addresses(settings: Any) -> None:
    """Residents' phones and e-mail addresses kept with notices are re-encrypted too."""
    from django.utils import timezone

    from linli.core import crypto
    from linli.notices.models import Notice

    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS, settings.LINLI_DATA_KEY_ID = K1, "", ""
    for channel, address, purpose in (
        ("sms", "13912345678", "notice.phone"),
        ("email", "wang@example.cn", "notice.email"),
    ):
        Notice.objects.create(
            kind="hall.case_done", channel=channel, address_cipher=crypto.encrypt(address, purpose),
            recipient_hash=channel, key=f"k-{channel}", text="t", state="sent",
            created_at=timezone.now(),
        )  # fmt: skip
    settings.LINLI_DATA_KEY, settings.LINLI_DATA_KEYS = K1, f"k2:{K2}"
    out = io.StringIO()
    call_command("rekey", stdout=out)
    assert "notices.Notice.address_cipher[sms]: 1/1" in out.getvalue()
    assert "notices.Notice.address_cipher[email]: 1/1" in out.getvalue()
    settings.LINLI_DATA_KEY = ""  # remove k1: both still read
    sms = Notice.objects.get(channel="sms")
    email = Notice.objects.get(channel="email")
    assert sms.address_cipher.split(":")[1] == "k2"
    assert crypto.decrypt(sms.address_cipher, "notice.phone") == "13912345678"
    assert crypto.decrypt(email.address_cipher, "notice.email") == "wang@example.cn"
