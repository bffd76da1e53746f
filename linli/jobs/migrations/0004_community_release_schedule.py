"""Add the release of held activity seats to the schedules (created once, then the admin's)."""

from django.db import migrations

NAME = "linli.community.release_due"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every, _ = IntervalSchedule.objects.get_or_create(every=300, period="seconds")
    PeriodicTask.objects.create(
        name=NAME,
        task="linli.community.tasks.release_due",
        interval=every,
        enabled=True,
        description="到点释放活动保留名额并由候补递补",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_notices_purge_schedule")]

    operations = [migrations.RunPython(create, remove)]
