"""Add the daily anonymisation of the service hall's old personal data to the schedules
(created once, then the administrators')."""

from django.db import migrations

NAME = "linli.hall.purge_personal_data"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="4",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="linli.hall.tasks.purge_personal_data",
        crontab=crontab,
        enabled=True,
        description="受理中心过期个人信息去标识化（保留统计）",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0004_community_release_schedule")]

    operations = [migrations.RunPython(create, remove)]
