"""The schedules of periodic work (celery beat, kept in the database by django-celery-beat):
listed for the street admin, who may switch one off, change when it runs, or run it now.

Each change goes through ``update`` (validated, audited); saving the row tells a running beat
to reload its schedule.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from django_celery_beat.validators import day_of_week_validator, hour_validator, minute_validator

from linli.core import audit, policy
from linli.core.context import Actor

from . import rules
from .errors import JobError


@dataclass(frozen=True)
class Change:
    enabled: bool
    minute: str = ""
    hour: str = ""
    day_of_week: str = ""
    every_seconds: int | None = None


# The platform's schedules by name, in the reader's language (the rows' descriptions are the
# Chinese the migrations wrote; a schedule an admin added shows its own description).
LABELS = {
    "linli.jobs.sweep": gettext_lazy("重新排队中断的后台任务"),
    "linli.jobs.purge_results": gettext_lazy("删除过期的任务结果文件"),
    "linli.notices.flush_due": gettext_lazy("发送到时的通知（含夜间暂缓的短信）"),
    "linli.notices.purge": gettext_lazy("删除 180 天前已结束的通知记录"),
    "linli.fire.equipment_reminders": gettext_lazy("消防器材 90/30 天到期与逾期提醒（每周一）"),
    "linli.risk.hazard_deadlines": gettext_lazy("隐患整改期限提醒与逾期升级"),
    "linli.hall.case_deadlines": gettext_lazy("办件期限提醒与差评回访"),
    "linli.hall.appointment_reminders": gettext_lazy("预约前一天提醒"),
    "linli.hall.expire_lockers": gettext_lazy("智能柜超期处理（每小时）"),
    "linli.hall.purge_personal_data": gettext_lazy("受理中心过期个人信息去标识化（保留统计）"),
    "linli.elevator.stage_clocks": gettext_lazy("加装电梯阶段时限与表决截止提醒"),
    "linli.community.release_due": gettext_lazy("到点释放活动保留名额并由候补递补"),
    "linli.core.backup": gettext_lazy("夜间备份（内置 SQLite 部署）"),
    "linli.core.anchor_audit": gettext_lazy("审计日志链头每日锚定到数据库之外"),
    "linli.core.sync_calendar": gettext_lazy("从节假日数据包更新工作日历"),
}


def label(task: PeriodicTask) -> str:
    return str(LABELS.get(task.name) or task.description or task.name)


def listing() -> QuerySet[PeriodicTask]:
    qs: QuerySet[PeriodicTask] = PeriodicTask.objects.select_related("crontab", "interval")
    return qs.order_by("name")


def weekday_name(day: int) -> str:
    return [_("周日"), _("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六")][day % 7]


def describe(task: PeriodicTask) -> str:
    """When it runs, in words (Shanghai time)."""
    if task.interval_id:
        every = task.interval.every
        if every % 60 == 0:
            return _("每 %(n)s 分钟") % {"n": every // 60}
        return _("每 %(n)s 秒") % {"n": every}
    if not task.crontab_id:
        return "—"
    c = task.crontab
    when = rules.describe_cron(c.minute, c.hour, c.day_of_week)
    clock = f"{when.hour:02d}:{when.minute:02d}"
    if when.shape == "hourly":
        return _("每小时第 %(m)s 分") % {"m": when.minute}
    if when.shape == "daily":
        return _("每天 %(t)s") % {"t": clock}
    if when.shape == "weekly":
        # Translators: joins weekday names in a list ("周一、周三").
        days = _("、").join(weekday_name(d) for d in when.days)
        return _("每%(days)s %(t)s") % {"days": days, "t": clock}
    if when.shape == "weekdays_range":
        first, last = when.days
        return _("每%(first)s至%(last)s %(t)s") % {
            "first": weekday_name(first),
            "last": weekday_name(last),
            "t": clock,
        }
    return _("cron 表达式 %(e)s") % {"e": when.expression}


def do_update_schedule(actor: Actor, task: PeriodicTask, change: Change) -> PeriodicTask:
    policy.require(actor.user, "jobs.schedule")
    before = {"enabled": task.enabled, "schedule": describe(task)}
    with transaction.atomic():
        if task.interval_id and change.every_seconds is not None:
            if not 10 <= change.every_seconds <= 7 * 86400:
                raise JobError(_("间隔须在 10 秒到 7 天之间"), field="every_seconds")
            task.interval, _created = IntervalSchedule.objects.get_or_create(
                every=change.every_seconds, period=IntervalSchedule.SECONDS
            )
        elif task.crontab_id:
            for name, value, check in (
                ("minute", change.minute, minute_validator),
                ("hour", change.hour, hour_validator),
                ("day_of_week", change.day_of_week, day_of_week_validator),
            ):
                try:
                    check(value)
                except (ValidationError, ValueError) as exc:
                    raise JobError(
                        _("“%(value)s”不是有效的取值") % {"value": value[:20]}, field=name
                    ) from exc
            task.crontab, _created = CrontabSchedule.objects.get_or_create(
                minute=change.minute,
                hour=change.hour,
                day_of_week=change.day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Shanghai",
            )
        task.enabled = change.enabled
        task.save()
        audit.record(
            actor,
            "jobs.schedule.change",
            task,
            details={
                "before": before,
                "after": {"enabled": task.enabled, "schedule": describe(task)},
            },
        )
    return task


def do_run_schedule_now(actor: Actor, task: PeriodicTask) -> None:
    """Send the scheduled task at once (it runs on a worker, as when beat sends it)."""
    from linli.celery import app

    policy.require(actor.user, "jobs.schedule")
    with transaction.atomic():
        audit.record(actor, "jobs.schedule.run", task)
    importlib.import_module(task.task.rpartition(".")[0])
    app.tasks[task.task].apply_async()


def as_form_initial(task: PeriodicTask) -> dict[str, Any]:
    initial: dict[str, Any] = {"enabled": task.enabled}
    if task.interval_id:
        initial["every_seconds"] = task.interval.every
    if task.crontab_id:
        initial.update(
            minute=task.crontab.minute, hour=task.crontab.hour, day_of_week=task.crontab.day_of_week
        )
    return initial
