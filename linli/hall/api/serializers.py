"""API representations: catalogue, tickets (no hash, no age), cases."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Case, Item, Ticket


class HallItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    hall = serializers.CharField(source="hall.code", read_only=True)
    queue = serializers.CharField(source="queue.prefix", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id", "code", "name", "aliases", "pinyin", "category", "hall", "queue",
            "channel_window", "channel_self_service", "channel_online", "channel_citywide",
            "materials", "fee", "promised_days", "legal_basis", "active",
        ]  # fmt: skip


class HallTicketSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    queue = serializers.CharField(source="queue.prefix", read_only=True)
    window = serializers.IntegerField(source="window.number", read_only=True, default=None)
    item = serializers.CharField(source="item.code", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "queue", "day", "state", "priority", "source", "item", "window",
            "issued_at", "first_called_at", "called_at", "recalls", "started_at", "ended_at",
            "parent",
        ]  # fmt: skip


class HallCaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    item = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "item", "status", "citywide", "accepted_on", "due_on", "closed_on",
            "ticket",
        ]  # fmt: skip
