"""Fixtures of the risk web layer: a street with several buildings per committee, a drawn round."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.context import Actor
from linli.core.models import User
from linli.geo.models import Building


def png(name: str = "p.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def safety(users: dict[str, Any]) -> User:
    user: User = users["street_staff"]
    user.department = "safety"
    user.save()
    return user


@pytest.fixture
def buildings(street: dict[str, Any]) -> dict[str, list[Building]]:
    """Four buildings per committee, two housing types (strata)."""
    out: dict[str, list[Building]] = {}
    for key in ("1", "2"):
        committee, estate = street[f"c{key}"], street[f"estate{key}"]
        made = [street[f"building{key}"]]
        for i, kind in enumerate(("lane", "public", "public")):
            made.append(
                Building.objects.create(
                    estate=estate,
                    committee=committee,
                    name=f"{i + 2}号楼",
                    housing_type=kind,
                    structure="brick_concrete",
                    floors=5,
                    has_lift=kind == "public",
                )
            )
        out[key] = made
    return out


@pytest.fixture
def drawn(street: dict[str, Any], users: dict[str, Any], safety: User, buildings: Any) -> Any:
    """A drawn round over both committees; every sample assigned to the test inspector."""
    from linli.risk import services

    actor = Actor(safety)
    rnd = services.do_create_round(
        actor,
        name="2026 年度",
        method=services.default_version(),
        committees=[street["c1"], street["c2"]],
        seed="test-seed",
    )
    samples = services.do_draw_round(actor, rnd)
    for s in samples:
        services.do_assign_inspector(actor, s, users["inspector"])
    return rnd


def fill(sample: Any, user: Any, findings: dict[str, list[int]] | None = None) -> None:
    """Inspect a sample through the services: clean everything except the given findings."""
    from linli.risk import services

    actor = Actor(user)
    findings = findings or {}
    services.do_save_check_statuses(
        actor,
        sample,
        {
            c.code: "clean"
            for c in sample.checks.all()
            if c.code not in findings and c.status == "open"
        },
    )
    for code, levels in findings.items():
        for level in levels:
            services.do_add_finding(
                actor, sample, code, likelihood=level, description=f"{code} 问题"
            )
