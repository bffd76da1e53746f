"""API of the community module: the same scoped queries and the same services as the pages.

Positions, menus and events are public facts (the pages need no login), so any signed-in
account may read them. Sign-ups, orders and volunteers are scoped like the pages: committee
staff see their committee's only, a school or cultural unit only its own alliance orders, and
phones and identity numbers are masked (a reveal is a separate, audited call).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core import policy
from linli.core.api.permissions import PolicyPermission
from linli.core.context import Actor

from .. import filters, queries, services
from ..models import AllianceOrder, Event, MenuItem, ServiceOrder, Signup, Volunteer
from . import serializers as s


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """List and retrieve; writes are explicit actions that call a service."""


class PublicReadPermission(PolicyPermission):
    """Reads of public facts: any signed-in account; writes: the declared permission."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


class AlliancePermission(PolicyPermission):
    """Street roles read every alliance order; a school or unit reads and writes its own."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return policy.can(user, "community.view") or policy.can(user, "community.alliance")
        return policy.can(user, "community.alliance")


class PositionViewSet(ReadOnly):
    """Service positions with their 全岗通 staff and spaces."""

    permission_classes = [PublicReadPermission]
    serializer_class = s.PositionSerializer
    filterset_class = filters.PositionFilter
    ordering_fields = ["sort", "name"]

    def get_queryset(self) -> Any:
        return queries.positions_with_parts().order_by("sort", "name", "pk")


class MenuItemViewSet(ReadOnly):
    """The menus of every position (active items only)."""

    permission_classes = [PublicReadPermission]
    serializer_class = s.MenuItemSerializer
    filterset_class = filters.MenuItemFilter
    ordering_fields = ["title", "family", "capacity"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return MenuItem.objects.none()
        return queries.menu()


class EventViewSet(ReadOnly):
    """Activities with seats taken, waiting and attended (no personal data)."""

    permission_classes = [PublicReadPermission]
    write_permission = "community.serve"
    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["starts_at", "title"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return queries.events_with_counts().order_by("starts_at", "pk")

    @extend_schema(request=s.SignupInputSerializer, responses={201: s.SignupResultSerializer})
    @action(detail=True, methods=["post"])
    def signups(self, request: Request, pk: str | None = None) -> Response:
        """Sign a person up through the engine: ``staff`` takes a held seat first, ``online``
        relays a resident's own sign-up. Committee staff: their committee's events only."""
        event = get_object_or_404(queries.events_in_scope(request.user), pk=pk)
        body = s.SignupInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        result = services.do_sign_up(
            Actor.from_request(request), event.pk, d["name"], d["phone"], channel=d["channel"]
        )
        data = {
            "result": result.result,
            "waiting_position": result.waiting_position,
            "signup": s.SignupSerializer(result.signup).data,
        }
        return Response(data, status=201)


class SignupViewSet(ReadOnly):
    """Sign-ups of the events in the user's scope; phones masked."""

    read_permission = "community.view"
    write_permission = "community.serve"
    serializer_class = s.SignupSerializer
    filterset_class = filters.SignupFilter
    ordering_fields = ["created", "rank"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Signup.objects.none()
        return queries.signups(self.request.user).order_by("event_id", "rank", "pk")

    @extend_schema(request=None, responses=s.SignupSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel through the engine; the freed seat goes to the first eligible waiting person."""
        signup = self.get_object()
        cancelled = services.do_cancel_signup(Actor.from_request(request), signup.token)
        return Response(s.SignupSerializer(cancelled).data)


class ServiceOrderViewSet(mixins.CreateModelMixin, ReadOnly):
    """Service orders and room bookings in the user's scope; phones masked."""

    read_permission = "community.view"
    write_permission = "community.serve"
    serializer_class = s.ServiceOrderSerializer
    filterset_class = filters.ServiceOrderFilter
    ordering_fields = ["created", "due_by"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ServiceOrder.objects.none()
        return queries.orders(self.request.user).order_by("-created", "-pk")

    @extend_schema(request=s.OrderInputSerializer, responses={201: s.ServiceOrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """下单: an order taken by phone or at the counter, or a room booking (the database
        refuses a double booking)."""
        body = s.OrderInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        committee_id = d.pop("committee", None)
        scope = policy.committee_scope(request.user)
        if scope is not None:
            committee_id = scope
        order = services.do_place_order(Actor.from_request(request), committee_id=committee_id, **d)
        return Response(s.ServiceOrderSerializer(order).data, status=201)

    @extend_schema(request=s.OrderStepSerializer, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """受理 / 派单 / 服务 / 评价 / 不予受理 / 取消 — one step, checked by the service
        (``community.manage``; committee staff their committee's and their station's orders)."""
        order = self.get_object()
        body = s.OrderStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        done = services.do_advance_order(Actor.from_request(request), order.pk, d.pop("step"), **d)
        return Response(s.ServiceOrderSerializer(done).data)


class AllianceOrderViewSet(mixins.CreateModelMixin, ReadOnly):
    """Alliance orders: a school or cultural unit sees its own only."""

    permission_classes = [AlliancePermission]
    serializer_class = s.AllianceOrderSerializer
    filterset_class = filters.AllianceOrderFilter
    ordering_fields = ["created"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AllianceOrder.objects.none()
        return queries.alliance_orders(self.request.user).order_by("-created", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A school orders a project from the menu (菜单式服务)."""
        body = s.AllianceOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        order = services.do_order_alliance_project(
            Actor.from_request(request), d["project"], d["students"], d["grade"], d.get("wish", "")
        )
        return Response(s.AllianceOrderSerializer(order).data, status=201)


class VolunteerViewSet(ReadOnly):
    """Volunteers in the user's scope: masked phone and identity number, approved hours, stars."""

    read_permission = "community.view"
    write_permission = "community.view"  # the only write is the audited reveal
    serializer_class = s.VolunteerSerializer
    filterset_class = filters.VolunteerFilter
    ordering_fields = ["name", "joined"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Volunteer.objects.none()
        return queries.volunteers(self.request.user).order_by("name", "pk")

    @extend_schema(request=s.VolunteerRevealSerializer, responses=s.RevealedVolunteerSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full phone and identity number, for a stated purpose; audited (also refusals)."""
        volunteer = get_object_or_404(queries.volunteer_rows(request.user), pk=pk)
        body = s.VolunteerRevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revealed = services.do_reveal_volunteer(
            Actor.from_request(request), volunteer, body.validated_data["purpose"]
        )
        return Response(s.RevealedVolunteerSerializer(revealed).data)
