"""Add the daily calendar sync (holiday package → the street calendar) to the schedules
(created once, then the administrators')."""

from django.db import migrations

NAME = "linli.core.sync_calendar"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="5",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="linli.core.tasks.sync_calendar",
        crontab=crontab,
        enabled=True,
        description="从节假日数据包更新工作日历",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0005_hall_retention_schedule")]

    operations = [migrations.RunPython(create, remove)]
