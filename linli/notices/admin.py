"""Read-only Django admin of notices and opt-outs: recipients masked, nothing editable here.

Opt-outs are recorded on Linli's own page (audited); deliveries only through the services.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notice, OptOut


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(_ReadOnly):
    list_display = ("created_at", "kind", "channel", "recipient_label", "state", "attempts")
    list_filter = ("state", "channel", "kind")
    list_select_related = ("user",)
    exclude = ("address_cipher", "recipient_hash", "params", "text")
    readonly_fields = ("recipient_label",)


@admin.register(OptOut)
class OptOutAdmin(_ReadOnly):
    list_display = ("phone_masked", "recorded_by", "recorded_at")
    exclude = ("phone_hash",)
