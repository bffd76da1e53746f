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
    from linli.hall import services
    from linli.hall.models import Hall, Queue, Ticket

    hall = Hall.objects.create(code="A", name="A")
    queue = Queue.objects.create(hall=hall, prefix="A", name="A")
    connection.close()
    errors: list[str] = []
    barrier = threading.Barrier(threads_n)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                services.issue_ticket(queue)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
