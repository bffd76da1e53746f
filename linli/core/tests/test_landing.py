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


def test_the_audit_log_names_actions_in_words(client: Any, users: dict[str, Any]) -> None:
    from linli.core import audit
    from linli.core.audit_labels import action_label
    from linli.core.context import Actor

    audit.record(Actor(users["window_clerk"], "test"), "hall.case.open", users["window_clerk"])
    client.force_login(users["auditor"])
    page = client.get(reverse("audit_log")).content.decode()
    assert "受理中心 · 办件 · 开启" in page
    assert "<code" in page and "hall.case.open" in page  # the code stays, for filtering
    assert action_label("risk.case.sign") == "安全风险 · 隐患 · 签字"
    assert action_label("jobs.something_new") == "后台任务 · something_new"


@pytest.mark.parametrize(
    ("kind", "page", "hidden"),
    [
        ("school", "community:alliance", "risk:cases"),
        ("property", "risk:cases", "community:alliance"),
    ],
)
def test_a_partner_lands_on_its_bodys_work_and_sees_no_other(
    client: Any, users: dict[str, Any], kind: str, page: str, hidden: str
) -> None:
    from linli.core.models import Organisation

    partner = users["partner"]
    Organisation.objects.filter(pk=partner.organisation_id).update(kind=kind)
    response = client.post(
        reverse("login"), {"username": partner.username, "password": "pw-for-tests-123"}
    )
    assert response["Location"] == reverse(page)
    assert client.get(reverse(hidden)).status_code == 403
    assert client.get(reverse(page)).status_code == 200
