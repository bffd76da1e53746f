"""API representations of the fire registry (read) and of an inspection/maintenance record."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    ChargingSite,
    CheckKind,
    CheckRecord,
    Extinguisher,
    Gauge,
    Sprinkler,
    WorkPlan,
    WorkPlanItem,
)


class ExtinguisherSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code", read_only=True)

    class Meta:
        model = Extinguisher
        fields = [
            "id", "serial", "committee", "committee_code", "building", "entrance", "spot",
            "type", "rating", "manufactured", "last_maintained", "last_inspected", "gauge",
            "half_monthly", "scrap_condition", "placed_on", "assigned_to", "scrap_date",
            "next_maintenance", "next_due", "next_due_kind", "next_inspection",
        ]  # fmt: skip
        read_only_fields = fields


class SprinklerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code", read_only=True)

    class Meta:
        model = Sprinkler
        fields = [
            "id", "committee", "committee_code", "entrance", "status", "programme", "heads",
            "households", "installed_on", "contractor", "design_pressure", "last_visual",
            "last_end_of_line", "last_pressure", "last_service", "fault", "next_check",
        ]  # fmt: skip
        read_only_fields = fields


class ChargingSiteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ChargingSite
        fields = [
            "id", "committee", "name", "address", "kind", "status", "programme", "bays",
            "has_sprinkler", "has_detector", "has_camera", "assigned_to",
        ]  # fmt: skip
        read_only_fields = fields


class CheckInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    done_on = serializers.DateField()
    passed = serializers.BooleanField(default=True)
    gauge = serializers.ChoiceField(choices=Gauge.choices, required=False, allow_blank=True)
    pressure = serializers.DecimalField(
        max_digits=5, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    new_manufactured = serializers.DateField(required=False, allow_null=True)
    new_serial = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CheckRecordSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CheckRecord
        fields = [
            "id", "committee", "extinguisher", "sprinkler", "kind", "done_on", "passed",
            "gauge", "pressure", "note", "by", "organisation", "at",
        ]  # fmt: skip
        read_only_fields = fields


class PlanItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    serial = serializers.CharField(source="extinguisher.serial", read_only=True)

    class Meta:
        model = WorkPlanItem
        fields = ["id", "extinguisher", "serial", "site", "batch", "kind", "due_on", "done_on"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee_code = serializers.CharField(source="committee.code", read_only=True)
    items_total = serializers.IntegerField(source="n_items", read_only=True)
    items_done = serializers.IntegerField(source="n_done", read_only=True)
    items_overdue = serializers.IntegerField(source="n_overdue", read_only=True)

    class Meta:
        model = WorkPlan
        fields = [
            "id", "name", "committee", "committee_code", "within_days", "state", "partner",
            "created_at", "issued_at", "items_total", "items_done", "items_overdue",
        ]  # fmt: skip
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "items"]
        read_only_fields = fields
