"""API of lift projects and votes: read-only, scoped, paginated; tallies from the records."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import filters, queries, services
from ..models import Project, Vote
from . import serializers as s


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    read_permission = "elevator.view"
    write_permission = "elevator.manage"
    serializer_class = s.LiftProjectSerializer
    filterset_class = filters.ProjectFilter
    ordering_fields = ["name", "stage"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return queries.projects(self.request.user).order_by("pk")


class VoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    read_permission = "elevator.view"
    write_permission = "elevator.manage"
    serializer_class = s.LiftVoteSerializer
    filterset_class = filters.VoteFilter
    ordering_fields = ["opens"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Vote.objects.none()
        return queries.votes(self.request.user)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def tally(self, request: Request, pk: str | None = None) -> Response:
        """The tally computed now from the current ballots (same shape as the CLI)."""
        vote = self.get_object()
        return Response(services.tally_vote(vote).as_dict())

    @extend_schema(responses=s.LiftBallotSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ballots(self, request: Request, pk: str | None = None) -> Response:
        """Every ballot of the vote, changes included, oldest first (paginated)."""
        vote = self.get_object()
        page = self.paginate_queryset(queries.ballots(vote))
        return self.get_paginated_response(s.LiftBallotSerializer(page, many=True).data)
