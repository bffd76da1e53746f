"""Notices across streets: an office reads the opt-outs its own street recorded (here because
the notices app sits below the places it cannot import)."""

from __future__ import annotations

from typing import Any

import pytest

from linli.notices.models import OptOut

pytestmark = pytest.mark.django_db


def test_a_street_reads_only_its_own_streets_opt_outs(client: Any, users: Any) -> None:
    """Two streets in one installation: each office sees the opt-outs its own clerks recorded
    and cannot withdraw the other street's."""
    from linli.core.models import User
    from linli.geo import divisions
    from linli.geo.models import Subdistrict

    streets = {
        "a": Subdistrict.objects.get(code="S1"),
        "b": Subdistrict.objects.create(
            code="S2", name="天平路街道", district=divisions.district("310104")
        ),
    }
    accounts = {}
    for name, street in streets.items():
        for role in ("street_admin", "window_clerk"):
            user = User(username=f"{role}_{name}", role=role, subdistrict=street)
            user.set_password("pw-for-tests-123")
            user.save()
            accounts[f"{role}_{name}"] = user
    for name, phone in (("a", "13811112222"), ("b", "13833334444")):
        client.force_login(accounts[f"window_clerk_{name}"])
        client.post("/notices/opt-outs/", {"phone": phone, "note": ""}, follow=True)
    assert OptOut.objects.count() == 2
    client.force_login(accounts["street_admin_a"])
    page = client.get("/notices/opt-outs/").content.decode()
    assert "138****2222" in page and "138****4444" not in page
    theirs = OptOut.objects.get(recorded_by=accounts["window_clerk_b"])
    assert client.post(f"/notices/opt-outs/{theirs.pk}/withdraw/").status_code == 404
    client.force_login(accounts["street_admin_b"])
    page = client.get("/notices/opt-outs/").content.decode()
    assert "138****4444" in page and "138****2222" not in page
