"""API representations of lift projects and votes; owners appear without personal data."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Ballot, Project, Vote


class LiftProjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "committee",
            "committee_code",
            "building",
            "entrance",
            "stage",
            "stage_label",
            "uses_shared_ground",
            "party_branch",
        ]


class LiftVoteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Vote
        fields = ["id", "project", "scope", "rule", "title", "opens", "closes", "open"]


class LiftBallotSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Ballot
        fields = ["id", "owner", "choice", "channel", "cast", "current", "confirmed", "replaces"]
