"""Run in a fresh process against a file SQLite database or a fresh PostgreSQL database.

``python -m linli.community.tests.concurrency_probe THREADS PER_THREAD CAPACITY`` prints JSON:
``{"attempts", "confirmed", "waitlisted", "distinct_people", "capacity", "errors"}``.
Every thread signs up distinct people (and cancels every fifth) for one event at once.
"""

from __future__ import annotations

import json
import sys
import threading


def main(threads_n: int, per_thread: int, capacity: int) -> dict[str, object]:
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from linli.community import services
    from linli.community.models import Event, Position, Signup, Space
    from linli.core.context import Actor

    centre = Position.objects.create(kind="centre", name="中心", address="高邮路7号")
    hall = Space.objects.create(position=centre, name="多功能厅", capacity=capacity)
    start = timezone.now() + timedelta(days=1)
    event = Event.objects.create(
        title="晚间一小时", space=hall, starts_at=start, ends_at=start + timedelta(hours=1),
        capacity=capacity, reserved_offline=0,
    )  # fmt: skip
    connection.close()
    errors: list[str] = []
    barrier = threading.Barrier(threads_n)
    public = Actor(None, "probe")

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                result = services.do_sign_up(public, event.pk, f"居民{t}-{i}", f"138{t:04d}{i:04d}")
                if i % 5 == 4:
                    services.do_cancel_signup(public, result.signup.token)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    live = Signup.objects.filter(event=event)
    confirmed = live.filter(state="confirmed").count()
    waiting = live.filter(state="waitlisted").count()
    # Nobody waits while a seat is free.
    return {
        "attempts": live.count(),
        "confirmed": confirmed,
        "waitlisted": waiting,
        "cancelled": live.filter(state__in=["cancelled", "left_waitlist"]).count(),
        "distinct_people": live.values("person_key").distinct().count(),
        "capacity": capacity,
        "errors": errors,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    sys.stdout.write(json.dumps(main(*args)) + "\n")
