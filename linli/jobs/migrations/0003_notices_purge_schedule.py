"""Add the daily purge of old notices to the schedules (created once, then the admin's)."""

from django.db import migrations

NAME = "linli.notices.purge"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="linli.notices.tasks.purge",
        crontab=crontab,
        enabled=True,
        description="删除 180 天前已结束的通知记录",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_default_schedules")]

    operations = [migrations.RunPython(create, remove)]
