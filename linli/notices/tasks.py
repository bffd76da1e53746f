"""Celery tasks of the notice service: they load ids and call ``services``; nothing else.

``deliver`` is acknowledged late (a worker killed mid-task leaves the message to be redelivered)
and idempotent (the row lock and the state make a second run do nothing). ``flush_due`` runs on
a schedule and re-queues notices whose own message was lost; ``purge`` (daily) deletes
finished notices past their keeping time.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import services


@shared_task(name="linli.notices.tasks.deliver", acks_late=True, ignore_result=True)
def deliver(notice_id: int) -> dict[str, Any]:
    done = services.do_deliver_notice(int(notice_id))
    if done.retry_at is not None:
        # Quiet hours or a back-off: run again then (flush_due is the safety net).
        deliver.apply_async((done.notice_id,), eta=done.retry_at)
    return {"notice": done.notice_id, "state": done.state, "acted": done.acted}


@shared_task(name="linli.notices.tasks.flush_due", ignore_result=True)
def flush_due() -> dict[str, int]:
    failed = services.do_fail_stale_sending()
    ids = services.due_notice_ids()
    for notice_id in ids:
        deliver.delay(notice_id)
    return {"queued": len(ids), "failed_stale": failed}


@shared_task(name="linli.notices.tasks.purge", ignore_result=True)
def purge() -> dict[str, int]:
    return {"deleted": services.do_purge_old_notices()}
