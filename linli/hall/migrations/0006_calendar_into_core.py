"""Move the hall's holiday table into the street's one calendar (``core.CalendarDay``).

A day the package already has with the same kind is dropped (the package covers it); any other
day the hall's staff entered becomes a street entry (``source = street``), which syncs from the
package leave alone. The hall's table then goes: the hall has no closures of its own (a hall
closed for works is handled by its business hours or a notice, not by the public calendar).
"""

from django.db import migrations


def move(apps, schema_editor):
    from chinese_calendar import constants

    Old = apps.get_model("hall", "CalendarDay")
    New = apps.get_model("core", "CalendarDay")
    package = dict.fromkeys(constants.holidays, "holiday")
    package.update(dict.fromkeys(constants.workdays, "workday"))
    for old in Old.objects.order_by("day"):
        if package.get(old.day) == old.kind:
            continue
        New.objects.update_or_create(
            day=old.day,
            defaults={"kind": old.kind, "name": (old.note or "")[:60], "source": "street"},
        )


def move_back(apps, schema_editor):
    Old = apps.get_model("hall", "CalendarDay")
    New = apps.get_model("core", "CalendarDay")
    Old.objects.bulk_create(
        Old(day=c.day, kind=c.kind, note=c.name) for c in New.objects.order_by("day")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0005_merge_phones_and_kiosk_config"),
        ("core", "0009_seed_work_calendar"),
    ]

    operations = [
        migrations.RunPython(move, move_back),
        migrations.DeleteModel(name="CalendarDay"),
    ]
