"""Linli's URLs plus two ceiling views, for benchmarks only (never routed in production).

- ``POST /bench/ping/``: the whole middleware stack (sessions, CSRF, locale, login-required
  exemption, security headers) and a small JSON answer; no database.
- ``POST /bench/insert/``: the same plus one ``INSERT … RETURNING id`` of a small row into
  ``bench_insert`` (created by the benchmark), in autocommit — the least a view that stores
  something can do. The ticket path is compared with it.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

INSERT_TABLE = "bench_insert"


def create_insert_table() -> None:
    """The ceiling's table (id, at, note), created if missing."""
    key = (
        "id BIGSERIAL PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {INSERT_TABLE} ({key},"
            " at TIMESTAMP WITH TIME ZONE NOT NULL, note VARCHAR(20) NOT NULL)"
        )


@login_not_required
@require_POST
def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "queue": request.POST.get("queue", "")}, status=201)


@login_not_required
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (at, note) VALUES (%s, %s) RETURNING id",
            [timezone.now(), request.POST.get("queue", "")[:20]],
        )
        pk = cursor.fetchone()[0]
    return JsonResponse({"id": pk}, status=201)


urlpatterns: list[Any] = [
    path("bench/ping/", ping),
    path("bench/insert/", insert),
    path("", include("linli.urls")),
]
