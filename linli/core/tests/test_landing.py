"""Each role lands on its work page after logging in (issue #15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("window_clerk", "hall:window_choose"),
        ("backoffice_clerk", "hall:backoffice"),
        ("inspector", "risk:my_samples"),
        ("auditor", "audit_log"),
        ("street_admin", "home"),
        ("committee_staff", "home"),
    ],
)
def test_each_role_lands_on_its_work_page(
    client: Any, users: dict[str, Any], role: str, page: str
) -> None:
    response = client.post(
        reverse("login"), {"username": users[role].username, "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(page)


def test_next_still_wins(client: Any, users: dict[str, Any]) -> None:
    response = client.post(
        reverse("login") + "?next=/hall/cases/",
        {"username": "window_clerk", "password": "pw-for-tests-123", "next": "/hall/cases/"},
    )
    assert response["Location"] == "/hall/cases/"
