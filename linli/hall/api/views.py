"""Read-only API of the service centre: the same permission-scoped queries and the same
filter sets (``filters.py``) as the list pages."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from .. import filters, queries
from ..models import Case, Item, Ticket
from . import serializers as s


class ItemViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    read_permission = "hall.view"
    serializer_class = s.HallItemSerializer
    filterset_class = filters.ItemFilter
    ordering_fields = ["code", "name", "promised_days"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Item.objects.none()
        return queries.items(self.request.user).order_by("code")


class TicketViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    read_permission = "hall.view"
    serializer_class = s.HallTicketSerializer
    filterset_class = filters.TicketFilter
    ordering_fields = ["issued_at", "number"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return queries.tickets(self.request.user).order_by("-day", "issued_at", "pk")


class CaseViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    read_permission = "hall.view"
    serializer_class = s.HallCaseSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = ["number", "due_on", "accepted_on"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return queries.cases(self.request.user).order_by("-accepted_on", "-pk")
