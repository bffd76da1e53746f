"""The ``linli`` command: one entry point for users and operators.

Pure machine interfaces (``id check``, ``risk score``, ``hall simulate``, ``elevator
tally``, ``fire lifecycle``, ``community signups``) run without Django, so they start fast and
need no database. Everything else is a Django management command run with the settings in
``DJANGO_SETTINGS_MODULE`` (default ``linli.settings.local``: the single-street deployment,
DEBUG off, keys generated on first run into ``var/keys.env``; ``make dev`` sets
``linli.settings.dev``).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Sequence

USAGE = """usage: linli COMMAND [ARGS]

machine interfaces (JSON out; exit 0 ok, 1 invalid id, 2 bad input):
  id check NUMBER            validate a resident identity number
  risk score FILE.json       score one committee's samples (docs/domain/risk-method.md)
  hall simulate FILE.json    simulate a service hall and compare with Erlang C
  elevator tally FILE.json   tally a lift consent vote under a rule set
  fire lifecycle FILE.json   extinguisher maintenance and scrap dates
  community signups FILE.json  replay event sign-ups: seats, wait-list, promotions

platform:
  demo [--district]          build (or rebuild) the deterministic demo street
  geo load-divisions [FILE.json] [--no-streets]
                             cities, districts and streets with their division codes
  serve                      serve the platform (gunicorn; PORT, default 8000)
  worker [--beat]            run a task worker (Celery); --beat adds the scheduler
  beat                       run the scheduler (celery beat, schedules kept in the database)
  jobs list | show ID        background jobs as JSON, newest first
  risk papers --round ID|latest
                             queue a round's white-paper batch; prints {"job": ID}
  audit verify               check the audit log's keyed chain against its anchors
                             (exit 0 intact, 1 tampered, 3 restored from a backup)
  calendar sync              load holidays and 调休 days from the installed chinesecalendar
                             package into the street calendar (street overrides are kept)
  backup [--output PATH]     archive the database, media files and audit anchors
  restore ARCHIVE --yes      put a backup archive back (database and media files)
  rekey [--batch N]          re-encrypt personal data under the current data key
  migrate, createsuperuser, … any Django management command
"""

PURE_APPS = ("risk", "hall", "elevator", "fire", "community")
DEFAULT_SETTINGS = "linli.settings.local"


def id_check(argv: Sequence[str]) -> int:
    from linli.core.identity import check_id_number

    if len(argv) != 1:
        sys.stderr.write("usage: linli id check NUMBER\n")
        return 2
    result = check_id_number(argv[0])
    sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    return 0 if result.valid else 1


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linli", *argv])
    return 0


def serve() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    os.execvp(  # noqa: S606 (replaces this process with gunicorn)
        sys.executable,
        [sys.executable, "-m", "gunicorn", "linli.wsgi", "--bind", f"{host}:{port}",
         "--workers", workers, "--access-logfile", "-"],
    )  # fmt: skip


def _celery(argv: list[str]) -> int:
    """Run Celery with the project's app (``linli.celery``) and settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    os.execvp(sys.executable, [sys.executable, "-m", "celery", "-A", "linli", *argv])  # noqa: S606 (replaces this process with celery)


def worker(argv: list[str]) -> int:
    concurrency = os.environ.get("WORKER_CONCURRENCY", "2")
    return _celery(
        ["worker", "--loglevel", os.environ.get("LOG_LEVEL", "INFO"),
         "--concurrency", concurrency, *argv]
    )  # fmt: skip


def beat(argv: list[str]) -> int:
    return _celery(["beat", "--loglevel", os.environ.get("LOG_LEVEL", "INFO"), *argv])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "id" and rest[:1] == ["check"]:
        return id_check(rest[1:])
    if command == "risk" and rest[:1] == ["papers"]:
        return _django(["risk_papers", *rest[1:]])
    if command == "geo" and rest[:1] == ["load-divisions"]:
        return _django(["load_divisions", *rest[1:]])
    if command in PURE_APPS:
        module = importlib.import_module(f"linli.{command}.cli")
        code: int = module.main(rest)
        return code
    if command == "serve":
        return serve()
    if command == "worker":
        return worker(rest)
    if command == "beat":
        return beat(rest)

    if command == "calendar" and rest[:1] == ["sync"]:
        return _django(["calendar_sync", *rest[1:]])
    if command == "audit" and rest[:1] == ["verify"]:
        return _django(["audit_verify", *rest[1:]])
    return _django(args)


if __name__ == "__main__":
    sys.exit(main())
