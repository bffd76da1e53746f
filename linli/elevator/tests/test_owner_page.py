"""The owner page shows what the owner votes on: the design, their own cost share, the
project's documents — their own project's only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from linli.core.models import AuditRecord
from linli.elevator import rules, services
from linli.elevator.models import Document, Project

from .conftest import id_number
from .test_views import owner

pytestmark = pytest.mark.django_db

ROOMS = ["101", "102", "201", "202", "301", "302", "401", "402", "501", "502", "601", "602"]
PLAN = {
    "cost": "600000",
    "subsidy": "市级补贴,1,240000",
    "method": "coefficients",
    "coefficients": "0.6,0.8,1.0,1.2,1.4",
    "exempt_ground_floor": "on",
    "maintenance": "6000",
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _doc(block: dict[str, Any], key: str, kind: str, name: str, body: bytes) -> Document:
    return services.do_add_document(
        block["actor"], block[f"p{key}"], kind, SimpleUploadedFile(name, body), title=""
    )


def _owner_client(block: dict[str, Any], room: str) -> Client:
    issued = {o.pk: code for o, code in services.do_issue_codes(block["actor"], block["p1"])}
    client = Client()
    response = client.post(
        reverse("elevator:owner_login"),
        {"code": issued[owner(block, room).pk], "tail": id_number(ROOMS.index(room) + 1)[-4:]},
    )
    assert response.status_code == 302
    return client


def test_owner_sees_no_share_until_a_plan_is_published(block: dict[str, Any]) -> None:
    page = _owner_client(block, "601").get(reverse("elevator:owner_ballot")).content.decode()
    assert "费用分摊方案尚未公示" in page
    assert "设计图纸尚未上传" in page and "还没有可以查看的材料" in page


def test_staff_publish_the_plan_and_each_owner_sees_their_own_share(
    login: Any, block: dict[str, Any]
) -> None:
    p1: Project = block["p1"]
    Project.objects.filter(pk=p1.pk).update(
        lift_position="北侧楼梯间外", stops="平层入户，停靠 1–6 层"
    )
    staff = login("committee_staff")
    response = staff.post(reverse("elevator:costs", args=[p1.pk]), PLAN)
    assert response.status_code == 302
    p1.refresh_from_db()
    assert p1.cost_plan["method"] == "coefficients" and p1.cost_plan_published is not None
    record = AuditRecord.objects.get(action="elevator.cost_plan.publish")
    assert record.details["plan"]["cost"] == "600000"
    page = _owner_client(block, "601").get(reverse("elevator:owner_ballot")).content.decode()
    # 360000 shared by coefficient × area from the 2nd floor up: floor 6 pays 1.4/10 per flat
    assert '<b id="my-share-amount">50400.00</b>' in page
    assert "600000.00" in page and "240000.00" in page and "360000.00" in page
    assert "北侧楼梯间外" in page and "平层入户，停靠 1–6 层" in page
    assert "业主1602" not in page  # the split shows flats, never a neighbour's name
    ground = _owner_client(block, "101").get(reverse("elevator:owner_ballot")).content.decode()
    assert '<b id="my-share-amount">0.00</b>' in ground
    second = _owner_client(block, "201").get(reverse("elevator:owner_ballot")).content.decode()
    assert '<b id="my-share-amount">21600.00</b>' in second


def test_a_bad_plan_is_refused_naming_the_field(login: Any, block: dict[str, Any]) -> None:
    staff = login("committee_staff")
    url = reverse("elevator:costs", args=[block["p1"].pk])
    page = staff.post(url, {**PLAN, "coefficients": "0.6,x"}, follow=True).content.decode()
    assert "coefficients[3]" in page
    block["p1"].refresh_from_db()
    assert block["p1"].cost_plan == {}
    assert not AuditRecord.objects.filter(action="elevator.cost_plan.publish").exists()


def test_only_managers_publish_a_plan(login: Any, block: dict[str, Any]) -> None:
    viewer = login("street_staff")
    assert viewer.post(reverse("elevator:costs", args=[block["p1"].pk]), PLAN).status_code == 403
    block["p1"].refresh_from_db()
    assert block["p1"].cost_plan == {}


def test_owner_opens_their_projects_documents_only(block: dict[str, Any]) -> None:
    drawing = _doc(block, "1", "preliminary_design", "design.png", _png())
    agreement = _doc(block, "1", "retrofit_agreement", "agreement.pdf", _pdf())
    ballots = _doc(block, "1", "consultation_ballots", "ballots.pdf", _pdf())
    other = _doc(block, "2", "retrofit_agreement", "other.pdf", _pdf())
    client = _owner_client(block, "601")
    page = client.get(reverse("elevator:owner_ballot")).content.decode()
    url = lambda d: reverse("elevator:owner_document", args=[d.pk])  # noqa: E731
    assert f'<img src="{url(drawing)}?view=1"' in page
    assert url(agreement) in page
    assert url(ballots) not in page and url(other) not in page
    image = client.get(f"{url(drawing)}?view=1")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content == _png()
    download = client.get(url(agreement))
    assert download.status_code == 200 and download.content == _pdf()
    assert download["Content-Disposition"].startswith("attachment;")
    assert client.get(url(ballots)).status_code == 404  # other owners' details
    assert client.get(url(other)).status_code == 404  # another project's
    opened = AuditRecord.objects.filter(action="elevator.document.owner_open")
    assert sorted(r.object_id for r in opened) == sorted([str(drawing.pk), str(agreement.pk)])
    assert Client().get(url(agreement)).status_code == 302  # signed out: to the log-in


@pytest.mark.parametrize(
    ("name", "image"),
    [("a.png", True), ("plan.JPG", True), ("x.jpeg", True), ("a.pdf", False), ("png", False)],
)
def test_is_image(name: str, image: bool) -> None:
    assert rules.is_image(name) is image
