"""Residents: identity numbers hashed, encrypted, masked; unmasked reads audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditRecord
from linli.geo.models import Resident

pytestmark = pytest.mark.django_db
NUMBER = "11010519491231002X"


def _create(client: Any, household: Any, number: str = NUMBER) -> Any:
    return client.post(
        "/api/v1/residents/",
        {"household": household.pk, "name": "王芳", "relation": "head", "id_number": number,
         "phone": "13912345678"},
        content_type="application/json",
    )  # fmt: skip


def test_number_is_never_stored_or_returned_in_plain_text(login: Any, street: Any) -> None:
    response = _create(login("committee_staff"), street["household1"], NUMBER.lower())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_masked"] == "110105********002X"
    assert body["phone_masked"] == "139****5678"
    assert NUMBER not in response.content.decode()
    resident = Resident.objects.get()
    assert NUMBER not in resident.id_cipher and resident.id_hash and resident.sex == "female"
    assert resident.birth_year == 1949
    record = AuditRecord.objects.get(action="people.resident.create")
    assert NUMBER not in str(record.details) and "13912345678" not in str(record.details)


def test_invalid_number_is_refused_naming_the_field(login: Any, street: Any) -> None:
    response = _create(login("committee_staff"), street["household1"], "11010519491231002")
    assert response.status_code == 400
    assert "id_number" in response.json()["fields"]
    assert not Resident.objects.exists()


def test_the_same_person_cannot_be_registered_twice(login: Any, street: Any) -> None:
    client = login("street_admin")
    assert _create(client, street["household1"]).status_code == 201
    second = _create(client, street["household2"])
    assert second.status_code == 400
    assert second.json()["code"] == "identity_number_taken"


def test_reveal_is_audited_and_scoped(login: Any, street: Any) -> None:
    _create(login("street_admin"), street["household1"])
    resident = Resident.objects.get()
    client = login("committee_staff")
    page = client.get(reverse("geo:detail", args=["residents", resident.pk])).content.decode()
    assert "110105********002X" in page and NUMBER not in page
    shown = client.post(reverse("geo:reveal", args=[resident.pk]), {"purpose": "核对低保"})
    assert NUMBER in shown.content.decode() and "13912345678" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    record = AuditRecord.objects.filter(action="people.resident.view_identity").latest("seq")
    assert record.outcome == "ok" and record.actor_name == "committee_staff"
    assert record.details == {"purpose": "核对低保"}
    other = login("committee_staff_2").post(
        reverse("geo:reveal", args=[resident.pk]), {"purpose": "x"}
    )
    assert other.status_code == 403


def test_street_staff_see_residents_masked_but_cannot_reveal(login: Any, street: Any) -> None:
    _create(login("street_admin"), street["household1"])
    resident = Resident.objects.get()
    client = login("street_staff")
    assert client.get(reverse("geo:list", args=["residents"])).status_code == 200
    response = client.post(f"/api/v1/residents/{resident.pk}/reveal/", {"purpose": "x"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    denied = AuditRecord.objects.get(action="people.resident.view_identity")
    assert denied.outcome == "denied"


def test_api_reveal_returns_the_number(login: Any, street: Any) -> None:
    client = login("street_admin")
    _create(client, street["household1"])
    resident = Resident.objects.get()
    response = client.post(f"/api/v1/residents/{resident.pk}/reveal/", {"purpose": "核对"},
                           content_type="application/json")  # fmt: skip
    assert response.json() == {"id_number": NUMBER, "phone": "13912345678"}


def test_full_width_digits_are_the_same_person(login: Any, street: Any) -> None:
    client = login("street_admin")
    assert _create(client, street["household1"]).status_code == 201
    full_width = NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    second = _create(client, street["household2"], full_width)
    assert second.status_code == 400
    assert second.json()["code"] == "identity_number_taken"
    arabic = _create(client, street["household2"], "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
    assert arabic.status_code == 400
    assert "id_number" in arabic.json()["fields"]
    assert Resident.objects.count() == 1


def test_a_duplicate_in_another_committee_does_not_say_where(login: Any, street: Any) -> None:
    assert _create(login("committee_staff"), street["household1"]).status_code == 201
    second = _create(login("committee_staff_2"), street["household2"])
    assert second.status_code == 400
    body = second.content.decode()
    assert second.json()["code"] == "identity_number_taken"
    assert street["c1"].name not in body and "其他居委" not in body
    assert "街道" in second.json()["message"]
