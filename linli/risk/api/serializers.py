"""API shapes of the risk module (read-only; writes go through the pages' services)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import HazardCase, Round, Sample, Score


class RoundSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    method = serializers.CharField(source="method.version")

    class Meta:
        model = Round
        fields = ["id", "name", "method", "samples_per_committee", "seed", "status", "drawn_at"]


class ScoreSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code")
    committee_name = serializers.CharField(source="committee.name")
    value = serializers.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        model = Score
        fields = [
            "id",
            "round",
            "committee",
            "committee_code",
            "committee_name",
            "sample",
            "unit",
            "value",
            "grade",
            "band_grade",
        ]


class SampleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code")
    building_name = serializers.CharField(source="building.__str__")
    inspector = serializers.CharField(source="inspector.username", default=None)

    class Meta:
        model = Sample
        fields = [
            "id",
            "round",
            "committee",
            "committee_code",
            "label",
            "building",
            "building_name",
            "stratum",
            "inspector",
            "state",
            "inspected_on",
            "draw_record",
        ]


class CaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code")
    description = serializers.CharField(source="finding.description")

    class Meta:
        model = HazardCase
        fields = [
            "id",
            "round",
            "committee",
            "committee_code",
            "subunit",
            "grade",
            "state",
            "description",
            "responsible",
            "organisation",
            "found_on",
            "due_on",
            "closed_on",
            "escalation",
        ]
