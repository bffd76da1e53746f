"""The street operations screen, mounted at /ops/ (docs/ops.md)."""

from django.urls import path

from . import ops_views

app_name = "ops"

urlpatterns = [
    path("", ops_views.screen, name="screen"),
    path("data/", ops_views.data, name="data"),
]
