"""The platform's periodic work, created once; the street admin edits it afterwards
(the schedules page or the admin), and later migrations never overwrite those edits."""

from django.db import migrations

# name, task, description, schedule: ("every", seconds) or ("cron", minute, hour, day_of_week)
SCHEDULES = [
    ("linli.jobs.sweep", "linli.jobs.tasks.sweep", "重新排队中断的后台任务", ("every", 30)),
    (
        "linli.jobs.purge_results",
        "linli.jobs.tasks.purge_results",
        "删除过期的任务结果文件",
        ("cron", "30", "3", "*"),
    ),
    (
        "linli.notices.flush_due",
        "linli.notices.tasks.flush_due",
        "发送到时的通知（含夜间暂缓的短信）",
        ("every", 60),
    ),
    (
        "linli.fire.equipment_reminders",
        "linli.fire.tasks.equipment_reminders",
        "消防器材 90/30 天到期与逾期提醒（每周一）",
        ("cron", "30", "8", "1"),
    ),
    (
        "linli.risk.hazard_deadlines",
        "linli.risk.tasks.hazard_deadlines",
        "隐患整改期限提醒与逾期升级",
        ("cron", "0", "8", "*"),
    ),
    (
        "linli.hall.case_deadlines",
        "linli.hall.tasks.case_deadlines",
        "办件期限提醒与差评回访",
        ("cron", "15", "8", "*"),
    ),
    (
        "linli.hall.appointment_reminders",
        "linli.hall.tasks.appointment_reminders",
        "预约前一天提醒",
        ("cron", "0", "17", "*"),
    ),
    (
        "linli.hall.expire_lockers",
        "linli.hall.tasks.expire_lockers",
        "智能柜超期处理（每小时）",
        ("cron", "5", "*", "*"),
    ),
    (
        "linli.elevator.stage_clocks",
        "linli.elevator.tasks.stage_clocks",
        "加装电梯阶段时限与表决截止提醒",
        ("cron", "20", "8", "*"),
    ),
    (
        "linli.core.backup",
        "linli.core.tasks.backup",
        "夜间备份（内置 SQLite 部署）",
        ("cron", "0", "2", "*"),
    ),
    (
        "linli.core.anchor_audit",
        "linli.core.tasks.anchor_audit",
        "审计日志链头每日锚定到数据库之外",
        ("cron", "5", "0", "*"),
    ),
]


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    for name, task, description, schedule in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        fields = {"task": task, "description": description, "enabled": True}
        if schedule[0] == "every":
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=schedule[1], period="seconds"
            )
        else:
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=schedule[1],
                hour=schedule[2],
                day_of_week=schedule[3],
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Shanghai",
            )
        PeriodicTask.objects.create(name=name, **fields)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
