"""The API docs pages, served entirely by Linli under the strict Content-Security-Policy."""

from __future__ import annotations

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the local sidecar files; its start-up script is a separate request,
    so the page needs no inline script."""


class RedocView(SpectacularRedocView):
    """ReDoc from the local sidecar file, without the web fonts drf-spectacular's own
    template loads from the internet, and without an inline script."""

    template_name = "core/redoc.html"
