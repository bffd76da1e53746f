"""API errors: a stable ``code`` and a message, for domain errors and DRF's own."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from linli.core.errors import DomainError, ImportRejected


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ImportRejected):
        return Response(
            {
                "code": exc.code,
                "message": exc.message,
                "errors": [
                    {"row": e.row, "column": e.column, "message": e.message} for e in exc.errors
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "code" not in response.data:
        detail = response.data.get("detail")
        code = getattr(detail, "code", None) or (
            "invalid" if response.status_code == 400 else "error"
        )
        response.data = {
            "code": str(code),
            "message": str(detail) if detail else "",
            **({"fields": response.data} if detail is None else {}),
        }
    return response
