"""A window takes only its own hall's queues: drop skills that cross halls.

A hall A window taking a hall B queue called hall B numbers that hall B's board never showed
and hall A's board showed at that window; set-up now refuses such skills.
"""

from django.db import migrations
from django.db.models import F


def drop_cross_hall_skills(apps, schema_editor):
    through = apps.get_model("hall", "Window").skills.through
    through.objects.exclude(window__hall_id=F("queue__hall_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("hall", "0006_calendar_into_core")]

    operations = [migrations.RunPython(drop_cross_hall_skills, migrations.RunPython.noop)]
