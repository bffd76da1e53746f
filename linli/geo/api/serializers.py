"""API representations of places and people; identity numbers appear masked only."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from linli.core.identity import check_id_number

from ..models import Area, Building, Committee, Entrance, Estate, Household, Resident


class AreaSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Area
        fields = ["id", "name"]


class CommitteeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    area_name = serializers.CharField(
        source="area.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Committee
        fields = ["id", "code", "name", "area", "area_name", "address", "map_x", "map_y"]


class EstateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Estate
        fields = ["id", "committee", "name", "kind", "address", "management"]


class BuildingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Building
        fields = [
            "id", "estate", "committee", "name", "address", "housing_type", "structure",
            "year_built", "floors", "heritage_protected", "has_lift", "lon", "lat", "outline",
        ]  # fmt: skip
        read_only_fields = ["committee"]


class EntranceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    committee = serializers.IntegerField(source="building.committee_id", read_only=True)

    class Meta:
        model = Entrance
        fields = ["id", "building", "committee", "number", "address"]


class HouseholdSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Household
        fields = ["id", "entrance", "committee", "room", "floor", "exclusive_area"]
        read_only_fields = ["committee"]


class ResidentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Writes take ``id_number`` and ``phone``; reads only ever return masked forms."""

    id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=18
    )
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=11)

    class Meta:
        model = Resident
        fields = [
            "id", "household", "committee", "name", "relation", "sex", "birth_year",
            "id_masked", "phone_masked", "lives_alone", "id_number", "phone",
        ]  # fmt: skip
        read_only_fields = ["committee", "sex", "birth_year", "id_masked", "phone_masked"]

    def validate_id_number(self, value: str) -> str:
        if not value:
            return value
        checked = check_id_number(value)
        if not checked.valid or checked.number is None:
            raise serializers.ValidationError(f"invalid identity number: {checked.reason}")
        return checked.number

    def validate_phone(self, value: str) -> str:
        if value and not (value.isdigit() and len(value) == 11):
            raise serializers.ValidationError("a mobile number has 11 digits")
        return value


class RevealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    purpose = serializers.CharField(max_length=100)


class RevealedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id_number = serializers.CharField()
    phone = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"id_number": instance.id_number, "phone": instance.phone}
