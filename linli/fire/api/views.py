"""API of the fire registry: scoped, paginated, filtered lists; records go through services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api.permissions import PolicyPermission
from linli.core.context import Actor

from .. import filters, queries, services
from ..models import WorkPlan
from . import serializers as s


class FireReadPermission(PolicyPermission):
    """Reads: fire.view, or a partner's assigned work; writes: the declared permission."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return bool(request.user and request.user.is_authenticated) and queries.can_read(
                request.user
            )
        return super().has_permission(request, view)


class RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    permission_classes = [FireReadPermission]
    read_permission = "fire.view"
    write_permission = "fire.record"
    query: Any = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            model: Any = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
            return model.objects.none()
        return type(self).query(self.request.user).order_by("pk")

    def _record(self, request: Request) -> Response:
        item = self.get_object()
        data = s.CheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.do_record_check(
            Actor.from_request(request), item, services.CheckInput(**data.validated_data)
        )
        return Response(s.CheckRecordSerializer(record).data, status=201)


class ExtinguisherViewSet(RegistryViewSet):
    serializer_class = s.ExtinguisherSerializer
    filterset_class = filters.ExtinguisherFilter
    ordering_fields = ["serial", "next_due", "next_inspection", "manufactured"]
    query = staticmethod(queries.extinguishers)

    @extend_schema(request=s.CheckInputSerializer, responses=s.CheckRecordSerializer)
    @action(detail=True, methods=["post"])
    def records(self, request: Request, pk: str | None = None) -> Response:
        """Record an inspection, maintenance or replacement; the due dates are recomputed."""
        return self._record(request)


class SprinklerViewSet(RegistryViewSet):
    serializer_class = s.SprinklerSerializer
    filterset_class = filters.SprinklerFilter
    ordering_fields = ["next_check", "heads", "installed_on"]
    query = staticmethod(queries.sprinklers)

    @extend_schema(request=s.CheckInputSerializer, responses=s.CheckRecordSerializer)
    @action(detail=True, methods=["post"])
    def records(self, request: Request, pk: str | None = None) -> Response:
        """Record a visual check, an end-of-line test or a yearly service."""
        return self._record(request)


class ChargingSiteViewSet(RegistryViewSet):
    serializer_class = s.ChargingSiteSerializer
    filterset_class = filters.ChargingFilter
    ordering_fields = ["name", "bays"]
    query = staticmethod(queries.charging_sites)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Saved batch plans with progress counts; a partner only the plans issued to it."""

    permission_classes = [FireReadPermission]
    read_permission = "fire.view"
    filterset_class = filters.PlanFilter
    ordering_fields = ["created_at", "issued_at", "name"]

    def get_serializer_class(self) -> Any:
        return s.PlanDetailSerializer if self.action == "retrieve" else s.PlanSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WorkPlan.objects.none()
        qs = queries.plans(self.request.user).order_by("-created_at", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related("items__extinguisher")
        return qs
