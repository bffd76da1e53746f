"""API representations: public facts of the network, menus and events; sign-ups, orders and
volunteers with phones and identity numbers only ever masked."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from .. import rules
from ..models import (
    AllianceOrder,
    Event,
    MenuItem,
    Position,
    PositionStaff,
    ServiceOrder,
    Signup,
    Space,
    Volunteer,
    VolunteerTeam,
)


class PositionStaffSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    duties = serializers.ListField(child=serializers.CharField(), source="duty_list")

    class Meta:
        model = PositionStaff
        fields = ["id", "name", "duties"]


class SpaceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Space
        fields = ["id", "name", "capacity", "equipment", "bookable"]


class PositionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    staff = PositionStaffSerializer(many=True, read_only=True)
    spaces = SpaceSerializer(many=True, read_only=True)

    class Meta:
        model = Position
        fields = [
            "id", "kind", "kind_label", "name", "parent", "address", "committee", "map_x",
            "map_y", "hours", "contact", "contact_phone", "description", "staff", "spaces",
        ]  # fmt: skip


class MenuItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    position_name = serializers.CharField(source="position.name", read_only=True)
    family_label = serializers.CharField(source="get_family_display", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)

    class Meta:
        model = MenuItem
        fields = [
            "id", "position", "position_name", "family", "family_label", "title", "description",
            "audience", "capacity", "duration_minutes", "mode", "mode_label", "provider",
            "lead_days",
        ]  # fmt: skip


class EventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What the public calendar shows: no names, no phones."""

    space_name = serializers.CharField(source="space.name", read_only=True)
    position = serializers.IntegerField(source="space.position_id", read_only=True)
    position_name = serializers.CharField(source="space.position.name", read_only=True)
    seats_taken = serializers.IntegerField(source="n_confirmed", read_only=True)
    waiting = serializers.IntegerField(source="n_waiting", read_only=True)
    attended = serializers.IntegerField(source="n_attended", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id", "title", "description", "family", "space", "space_name", "position",
            "position_name", "starts_at", "ends_at", "capacity", "reserved_offline",
            "release_at", "released", "seats_taken", "waiting", "attended", "audience",
            "partner", "series", "committee", "status",
        ]  # fmt: skip


class SignupSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Signup
        fields = [
            "id", "event", "name", "phone_masked", "channel", "state", "seat", "created",
            "promoted_at", "ended_at", "checked_in_at",
        ]  # fmt: skip


class SignupInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    channel = serializers.ChoiceField(choices=list(rules.CHANNELS), default=rules.STAFF)


class SignupResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    result = serializers.ChoiceField(choices=[rules.CONFIRMED, rules.WAITLISTED])
    waiting_position = serializers.IntegerField(allow_null=True)
    signup = SignupSerializer()


class ServiceOrderSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    menu_title = serializers.CharField(source="menu_item.title", read_only=True, default="")
    position_name = serializers.CharField(source="position.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ServiceOrder
        fields = [
            "id", "number", "menu_item", "menu_title", "position", "position_name", "space",
            "starts_at", "ends_at", "requester_kind", "requester_name", "phone_masked",
            "committee", "people", "note", "channel", "status", "due_by", "overdue",
            "dispatched_position", "dispatched_team", "rating", "feedback", "created",
            "delivered_on",
        ]  # fmt: skip

    def get_overdue(self, obj: ServiceOrder) -> bool:
        return obj.status in ServiceOrder.OPEN and obj.due_by < timezone.localdate()


class OrderInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An order taken by phone or at the counter (or relayed from an online form)."""

    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    menu_item = serializers.PrimaryKeyRelatedField(
        queryset=MenuItem.objects.all(), required=False, allow_null=True
    )
    space = serializers.PrimaryKeyRelatedField(
        queryset=Space.objects.all(), required=False, allow_null=True
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    requester_kind = serializers.ChoiceField(choices=ServiceOrder.Requester.choices)
    requester_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    people = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    committee = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.ChoiceField(
        choices=ServiceOrder.Channel.choices, default=ServiceOrder.Channel.PHONE
    )


class OrderStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One step of the loop: accept, dispatch (to a position or a team), deliver, rate,
    decline, cancel."""

    step = serializers.ChoiceField(
        choices=["accept", "dispatch", "deliver", "rate", "decline", "cancel"]
    )
    to_position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), required=False, allow_null=True
    )
    to_team = serializers.PrimaryKeyRelatedField(
        queryset=VolunteerTeam.objects.all(), required=False, allow_null=True
    )
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    feedback = serializers.CharField(required=False, allow_blank=True, default="")


class AllianceOrderSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    project_title = serializers.CharField(source="project.title", read_only=True)
    category = serializers.CharField(source="project.category", read_only=True)
    term = serializers.CharField(source="project.term", read_only=True)
    unit = serializers.IntegerField(source="project.unit_id", read_only=True)
    unit_name = serializers.CharField(source="project.unit.organisation.name", read_only=True)
    school_name = serializers.CharField(source="school.organisation.name", read_only=True)

    class Meta:
        model = AllianceOrder
        fields = [
            "id", "project", "project_title", "category", "term", "unit", "unit_name", "school",
            "school_name", "students", "grade", "wish", "status", "scheduled_at", "place",
            "delivered_on", "rating", "feedback", "created",
        ]  # fmt: skip
        read_only_fields = [
            "school", "status", "scheduled_at", "place", "delivered_on", "rating", "feedback",
            "created",
        ]  # fmt: skip


class VolunteerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    approved_hours = serializers.SerializerMethodField()
    stars = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id", "name", "phone_masked", "id_masked", "committee", "joined", "approved_hours",
            "stars",
        ]  # fmt: skip

    def get_approved_hours(self, obj: Any) -> float:
        return round((obj.approved_minutes or 0) / 60, 1)

    def get_stars(self, obj: Any) -> int:
        return rules.star_level(obj.approved_minutes or 0)


class VolunteerRevealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    purpose = serializers.CharField(max_length=100)


class RevealedVolunteerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    phone = serializers.CharField()
    id_number = serializers.CharField(allow_blank=True)
