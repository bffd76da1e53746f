"""Seed the working-day calendar from the ``chinesecalendar`` package (2004 to its last year).

Later years come with a newer package through ``linli calendar sync`` (also run daily).
"""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    stored = set(CalendarDay.objects.values_list("day", flat=True))
    rows = [
        CalendarDay(day=day, kind=kind, name=NAMES.get(name, name)[:60], source="package")
        for kind, days in (("holiday", constants.holidays), ("workday", constants.workdays))
        for day, name in days.items()
        if day not in stored
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0008_work_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
