"""Schemathesis over every operation of docs/api/openapi.yaml, as the street admin and as
committee staff: no answer is a server error, and every documented answer matches its schema.

Stateless, derandomised (the same requests every run) and bounded: ``LINLI_FUZZ_EXAMPLES``
valid and as many invalid requests per operation (default 6). The figures of the last run are
in docs/security.md.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _token(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return str(Token.objects.get_or_create(user=user)[0].key)


@pytest.mark.parametrize("account", ["street_admin", "committee_staff"])
def test_no_server_error_and_no_schema_violation(users: dict[str, Any], account: str) -> None:
    # Like Django's test client: the WSGI handler must not close the test's database connection
    # at the end of each request (PostgreSQL would lose the test's transaction).
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        _fuzz(users, account)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        # Requests with a generated Accept-Language leave their language active in this
        # thread; later tests in the same worker expect the default.
        from django.utils import translation

        translation.deactivate()


def _fuzz(users: dict[str, Any], account: str) -> None:
    schema = schemathesis.openapi.from_path(str(SCHEMA))
    schema.app = WSGIHandler()
    headers = {"Authorization": f"Token {_token(users[account])}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                from django.core.cache import cache

                cache.clear()  # rate limits are not what this test is about
                case.headers = {**(case.headers or {}), **headers}
                status = 0
                try:
                    response = case.call()
                    status = response.status_code
                    statuses[status] += 1
                    case.validate_response(response, checks=CHECKS)
                except BaseException as exc:
                    detail = " ".join(str(exc).split())[:400]
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query or ''} -> {status}: {detail}"
                    )

            run()
    total = sum(statuses.values())
    if os.environ.get("LINLI_FUZZ_REPORT"):
        print(f"\n{account}: {total} requests, statuses {dict(sorted(statuses.items()))}")
    assert total > 0
    assert failures == [], f"{len(failures)} of {total} requests failed:\n" + "\n".join(
        sorted(set(failures))[:80]
    )
