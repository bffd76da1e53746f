"""Run in a fresh process against a file SQLite database (the test database is in memory,
where SQLite's shared cache refuses concurrent writers instead of queueing them).

``python -m linli.hall.tests.concurrency_probe THREADS PER_THREAD`` prints JSON:
``{"issued", "distinct", "min", "max", "errors"}``.
"""

from __future__ import annotations

import json
import sys
import threading


def main(threads_n: int, per_thread: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    import datetime as dt

    from django.utils import timezone

    from linli.core.models import CalendarDay
    from linli.hall import services
    from linli.hall.models import Hall, Queue, Ticket

    # Open all day today (a 调休 working day too), so the kiosk path can issue at any time.
    hall = Hall.objects.create(
        code="A", name="A", opens_at=dt.time(0, 0), closes_at=dt.time(23, 59, 59, 999999)
    )
    CalendarDay.objects.update_or_create(
        day=timezone.localdate(), defaults={"kind": "workday", "source": "street"}
    )
    queue = Queue.objects.create(hall=hall, prefix="A", name="A")
    connection.close()
    errors: list[str] = []
    barrier = threading.Barrier(threads_n)

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                if (i + k) % 2:  # the kiosk's path: cached checks, version-guarded numbering
                    services.do_issue_kiosk_ticket("A", "A")
                else:
                    services.do_issue_ticket(queue)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    done = threading.Event()

    def staff() -> None:
        """Meanwhile staff keep changing the configuration: kiosks reload, numbers stay whole."""
        from django.db import transaction

        try:
            while not done.wait(0.01):
                with transaction.atomic():
                    services.config_changed()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads_n)]
    changer = threading.Thread(target=staff)
    changer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    changer.join()
    seqs = list(Ticket.objects.filter(queue=queue).values_list("seq", flat=True))
    numbers = set(Ticket.objects.filter(queue=queue).values_list("number", flat=True))
    return {
        "issued": len(seqs),
        "distinct": len(numbers),
        "min": min(seqs, default=0),
        "max": max(seqs, default=0),
        "gaps": sorted(set(range(1, max(seqs, default=0) + 1)) - set(seqs)),
        "errors": errors,
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))) + "\n")
