"""Services: stored lifecycle equals the engine, records move items off the due lists, audit."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.core.context import Actor
from linli.core.models import AuditRecord, Organisation
from linli.fire import queries, rules, services
from linli.fire.models import CheckRecord, Extinguisher

from .factories import due_extinguisher, extinguisher, sprinkler, today

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def test_stored_lifecycle_is_the_engines(street: Any) -> None:
    on = today()
    for serial, kind, years in (("A", "water", 2), ("B", "powder", 7), ("C", "co2", 11)):
        obj = extinguisher(
            street, serial=serial, type=kind, manufactured=on - timedelta(days=365 * years)
        )
        life = rules.lifecycle(queries.rule_extinguisher(obj), on)
        assert (obj.scrap_date, obj.next_maintenance, obj.next_due) == (
            life.scrap_date,
            life.next_maintenance,
            life.next_due,
        )
        assert obj.next_due_kind == life.next_due_kind


def test_bad_dates_are_refused_with_the_field(street: Any) -> None:
    on = today()
    obj = Extinguisher(
        serial="X", committee=street["c1"], type="powder", manufactured=on + timedelta(days=1),
        placed_on=on,
    )  # fmt: skip
    with pytest.raises(services.FireError) as err:
        services.prepare(obj, on)
    assert err.value.field == "manufactured"
    obj.manufactured = on - timedelta(days=100)
    obj.last_maintained = on - timedelta(days=200)
    with pytest.raises(services.FireError) as err:
        services.prepare(obj, on)
    assert err.value.field == "last_maintained"


def test_monthly_check_leaves_the_inspection_list_and_is_audited(street: Any, users: Any) -> None:
    on = today()
    obj = extinguisher(street, last_inspected=on - timedelta(days=40))
    clerk = users["committee_staff"]
    assert queries.inspection_due(clerk, on).filter(pk=obj.pk).exists()
    services.do_record_check(
        Actor(clerk), obj, services.CheckInput("inspection", on, gauge="green"), _png()
    )
    assert not queries.inspection_due(clerk, on).filter(pk=obj.pk).exists()
    record = CheckRecord.objects.get(extinguisher=obj)
    assert record.photo and record.by == clerk
    audit = AuditRecord.objects.get(action="fire.record.inspection")
    assert audit.object_id == str(obj.pk) and audit.details["photo"] is True


def test_maintenance_moves_the_due_date(street: Any, users: Any) -> None:
    on = today()
    obj = due_extinguisher(street)
    assert (
        queries.due_extinguishers(users["street_admin"], on, "overdue").filter(pk=obj.pk).exists()
    )
    services.do_record_check(
        Actor(users["street_admin"]), obj, services.CheckInput("maintenance", on)
    )
    obj.refresh_from_db()
    assert obj.last_maintained == on and obj.next_due > on + timedelta(days=90)
    assert not queries.due_extinguishers(users["street_admin"], on, "90").filter(pk=obj.pk).exists()


def test_replacement_needs_the_new_date_and_resets_the_unit(street: Any, users: Any) -> None:
    on = today()
    obj = due_extinguisher(street, scrap_condition="was_in_fire")
    actor = Actor(users["street_admin"])
    with pytest.raises(services.FireError):
        services.do_record_check(actor, obj, services.CheckInput("replacement", on))
    services.do_record_check(
        actor, obj, services.CheckInput("replacement", on, new_manufactured=on, new_serial="N1")
    )
    obj.refresh_from_db()
    assert (obj.serial, obj.scrap_condition, obj.manufactured) == ("N1", "", on)


def test_photo_must_be_an_image_and_not_too_big(street: Any, users: Any) -> None:
    obj = extinguisher(street)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(services.FireError) as err:
        services.do_record_check(
            Actor(users["street_admin"]), obj, services.CheckInput("inspection", today()), fake
        )
    assert err.value.code == "photo_type"
    big = SimpleUploadedFile("x.png", b"0" * (services.PHOTO_MAX_BYTES + 1), "image/png")
    with pytest.raises(services.FireError) as err:
        services.do_record_check(
            Actor(users["street_admin"]), obj, services.CheckInput("inspection", today()), big
        )
    assert err.value.code == "photo_too_large"
    assert not CheckRecord.objects.exists()


def test_future_record_is_refused(street: Any, users: Any) -> None:
    obj = extinguisher(street)
    with pytest.raises(services.FireError):
        services.do_record_check(
            Actor(users["street_admin"]),
            obj,
            services.CheckInput("inspection", today() + timedelta(days=1)),
        )


def test_committee_staff_records_only_in_their_committee(street: Any, users: Any) -> None:
    other = extinguisher(street, key="2", serial="E2")
    with pytest.raises(PermissionDenied):
        services.do_record_check(
            Actor(users["committee_staff"]), other, services.CheckInput("inspection", today())
        )


def test_partner_records_only_assigned_work(street: Any, users: Any) -> None:
    org = Organisation.objects.get(name="徐房物业")
    mine = extinguisher(street, serial="M", assigned_to=org)
    theirs = extinguisher(street, serial="T")
    partner = users["partner"]
    assert list(queries.extinguishers(partner)) == [mine]
    services.do_record_check(Actor(partner), mine, services.CheckInput("inspection", today()))
    with pytest.raises(PermissionDenied):
        services.do_record_check(Actor(partner), theirs, services.CheckInput("inspection", today()))
    assert CheckRecord.objects.get().organisation == org


def test_sprinkler_end_of_line_low_pressure_is_a_fault(street: Any, users: Any) -> None:
    from decimal import Decimal

    spr = sprinkler(street, last_visual=today() - timedelta(days=60))
    assert spr.next_check is not None and spr.next_check < today()
    services.do_record_check(
        Actor(users["street_admin"]),
        spr,
        services.CheckInput("end_of_line", today(), pressure=Decimal("0.020")),
    )
    spr.refresh_from_db()
    assert spr.fault and spr.last_pressure == Decimal("0.020")
    assert not CheckRecord.objects.get().passed
    with pytest.raises(services.FireError):
        services.do_record_check(
            Actor(users["street_admin"]), spr, services.CheckInput("end_of_line", today())
        )


def test_save_item_checks_permission_scope_and_audits(street: Any, users: Any) -> None:
    on = today()
    obj = Extinguisher(
        serial="S1", committee=street["c2"], building=street["building2"], type="water",
        manufactured=on - timedelta(days=30), placed_on=on,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.do_save_item(Actor(users["committee_staff"]), obj, ["serial"])
    with pytest.raises(PermissionDenied):
        services.do_save_item(Actor(users["inspector"]), obj, ["serial"])
    services.do_save_item(Actor(users["committee_staff_2"]), obj, ["serial"])
    assert AuditRecord.objects.filter(action="fire.extinguisher.create").count() == 1
    assert obj.next_due is not None


def test_batches_respect_a_quarter_of_the_site(street: Any, users: Any) -> None:
    on = today()
    for i in range(9):
        due_extinguisher(street, serial=f"B{i}")
    for i in range(3):
        extinguisher(street, serial=f"K{i}")
    plans = queries.batch_plans(users["street_admin"], street["c1"].pk, on, 30)
    assert len(plans) == 1
    plan = plans[0].plan
    assert plan.site_size == 12 and plan.limit == 3
    assert [len(b.items) for b in plan.batches] == [3, 3, 3]


def test_due_counts_match_the_engine(street: Any, users: Any) -> None:
    on = today()
    due_extinguisher(street, serial="O1")
    extinguisher(street, serial="F1")
    extinguisher(street, key="2", serial="O2", scrap_condition="was_in_fire")
    counts = {c.committee.code: c for c in queries.due_counts(users["street_admin"], on)}
    engine = rules.due_within(
        [queries.rule_extinguisher(e) for e in Extinguisher.objects.all()], on
    )
    overdue = sum(1 for d in engine if d.window == rules.DueWindow.OVERDUE)
    soon = sum(1 for d in engine if d.window == rules.DueWindow.SOON)
    assert sum(c.overdue for c in counts.values()) == overdue
    assert sum(c.soon for c in counts.values()) == soon
    assert counts["HN01"].total == 2 and counts["HN02"].total == 1


def test_risk_facts_for_the_dashboard(street: Any, users: Any) -> None:
    due_extinguisher(street, serial="R1")
    extinguisher(street, serial="R2")
    facts = queries.risk_facts(users["street_admin"], street["c1"].pk, today())
    assert [f.subunit for f in facts] == ["XF03"]
    assert facts[0].evidence == ("R1",)
    with pytest.raises(PermissionDenied):
        queries.risk_facts(users["committee_staff"], street["c2"].pk, today())


def test_risk_inputs_cover_every_subunit(street: Any, users: Any) -> None:
    from decimal import Decimal

    from linli.fire.models import ChargingSite, EbikeEstimate, Station

    on = today()
    due_extinguisher(street, serial="X1")
    sprinkler(street, fault="喷头被遮挡")
    EbikeEstimate.objects.create(committee=street["c1"], ebikes=40, as_of=on)
    ChargingSite.objects.create(
        committee=street["c1"], name="柜", kind="cabinet", status="in_service", bays=10
    )
    b = street["building1"]
    b.lon, b.lat = Decimal("121.450000"), Decimal("31.210000")
    b.save()
    Station.objects.create(
        committee=street["c2"], name="远站", lon=Decimal("121.430000"), lat=Decimal("31.210000")
    )
    admin = users["street_admin"]
    facts = {f.subunit: f for f in queries.risk_facts(admin, street["c1"].pk, on)}
    assert set(facts) == {"XF03", "XF04", "XF07", "WY05"}
    assert facts["XF07"].defective == 30
    work = queries.equipment_work(admin, street["c1"].pk, on)
    assert work["maintain"] == 1 and work["sprinkler_faults"] == 1
