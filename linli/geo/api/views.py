"""API views of places and people: the same filters and scope as the list pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core import policy
from linli.core.context import Actor

from .. import filters, queries, services
from ..models import Resident
from . import serializers as s


class PlaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Writes go through ``services.do_save_place`` so they are permission-checked and audited."""

    read_permission = "geo.view"
    write_permission = "geo.change"
    query: Any = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            model: Any = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
            return model.objects.none()
        return type(self).query(self.request.user).order_by("pk")

    def perform_create(self, serializer: Any) -> None:
        instance = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = services.do_save_place(
            Actor.from_request(self.request), instance, list(serializer.validated_data)
        )

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        services.do_save_place(
            Actor.from_request(self.request), instance, list(serializer.validated_data)
        )


class CommitteeViewSet(PlaceViewSet):
    serializer_class = s.CommitteeSerializer
    filterset_class = filters.CommitteeFilter
    ordering_fields = ["code", "name"]
    query = staticmethod(queries.committees)


class EstateViewSet(PlaceViewSet):
    serializer_class = s.EstateSerializer
    filterset_class = filters.EstateFilter
    ordering_fields = ["name", "committee"]
    query = staticmethod(queries.estates)


class BuildingViewSet(PlaceViewSet):
    serializer_class = s.BuildingSerializer
    filterset_class = filters.BuildingFilter
    ordering_fields = ["name", "year_built", "floors", "committee"]
    query = staticmethod(queries.buildings)


class EntranceViewSet(PlaceViewSet):
    serializer_class = s.EntranceSerializer
    filterset_class = filters.EntranceFilter
    ordering_fields = ["number", "address"]
    query = staticmethod(queries.entrances)


class HouseholdViewSet(PlaceViewSet):
    serializer_class = s.HouseholdSerializer
    filterset_class = filters.HouseholdFilter
    ordering_fields = ["room", "floor", "exclusive_area"]
    query = staticmethod(queries.households)


class ResidentViewSet(PlaceViewSet):
    read_permission = "people.view"
    write_permission = "people.change"
    serializer_class = s.ResidentSerializer
    filterset_class = filters.ResidentFilter
    ordering_fields = ["name", "birth_year"]
    query = staticmethod(queries.residents)

    def _save(self, serializer: Any, instance: Resident) -> None:
        data = dict(serializer.validated_data)
        id_number = data.pop("id_number", "") or None
        phone = data.pop("phone", "") or None
        for key, value in data.items():
            setattr(instance, key, value)
        serializer.instance = services.do_save_resident(
            Actor.from_request(self.request), instance, id_number=id_number, phone=phone,
            changed=list(data),
        )  # fmt: skip

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, Resident())

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)

    @extend_schema(request=s.RevealSerializer, responses=s.RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The unmasked identity number and phone, for a stated purpose; audited."""
        resident = get_object_or_404(self.get_queryset(), pk=pk)
        body = s.RevealSerializer(data=request.data)
        if not body.is_valid() and not policy.can(request.user, "people.view_identity"):
            # A refused attempt is audited and answered 403, whatever the body says.
            services.do_reveal_identity(Actor.from_request(request), resident, "")
        body.is_valid(raise_exception=True)
        revealed = services.do_reveal_identity(
            Actor.from_request(request), resident, body.validated_data["purpose"]
        )
        return Response(s.RevealedSerializer(revealed).data)
