"""Read-only API of the risk module: the same scope as the pages."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission

from linli.core import policy

from .. import filters, queries
from ..models import HazardCase, Round, Sample, Score
from . import serializers as s


class _ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class RoundViewSet(_ReadOnly):
    read_permission = "risk.view"
    serializer_class = s.RoundSerializer
    ordering_fields = ["name", "created_at"]
    filterset_class = filters.RoundFilter

    def get_queryset(self) -> Any:
        if self._fake():
            return Round.objects.none()
        return queries.rounds(self.request.user).order_by("-created_at", "pk")


class ScoreViewSet(_ReadOnly):
    """Stored results; ``?sample__isnull=true&unit=`` gives committee values and grades."""

    read_permission = "risk.view"
    serializer_class = s.ScoreSerializer
    ordering_fields = ["value", "committee__code"]
    filterset_class = filters.ScoreFilter

    def get_queryset(self) -> Any:
        if self._fake():
            return Score.objects.none()
        return queries.scores(self.request.user).order_by(
            "round_id", "committee__code", "sample_id", "unit", "pk"
        )


class SampleViewSet(_ReadOnly):
    read_permission = "risk.view"
    serializer_class = s.SampleSerializer
    ordering_fields = ["committee__code", "label", "state"]
    filterset_class = filters.SampleFilter

    def get_queryset(self) -> Any:
        if self._fake():
            return Sample.objects.none()
        return queries.samples(self.request.user).order_by(
            "round_id", "committee__code", "label", "pk"
        )


class MySampleViewSet(SampleViewSet):
    """An inspector's own samples."""

    read_permission = "risk.inspect"

    def get_queryset(self) -> Any:
        if self._fake():
            return Sample.objects.none()
        return queries.my_samples(self.request.user).order_by(
            "round_id", "committee__code", "label", "pk"
        )


class CaseReaders(BasePermission):
    """Hazard cases are read by whoever sees the risk pages or acts on cases (partners);
    ``queries.cases`` then narrows them to the committee or the organisation."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            request.method in SAFE_METHODS
            and user
            and user.is_authenticated
            and (policy.can(user, "risk.view") or policy.can(user, "risk.rectify"))
        )


class CaseViewSet(_ReadOnly):
    read_permission = "risk.view"
    permission_classes = [CaseReaders]
    serializer_class = s.CaseSerializer
    ordering_fields = ["due_on", "grade", "found_on"]
    filterset_class = filters.CaseFilter

    def get_queryset(self) -> Any:
        if self._fake():
            return HazardCase.objects.none()
        return queries.cases(self.request.user).order_by("grade", "due_on", "pk")
