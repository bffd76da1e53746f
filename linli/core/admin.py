"""Django admin for accounts (the street admin's user management). Domain data is edited
in Linli's own pages, which write through the services and the audit log."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from . import audit
from .context import Actor
from .models import Organisation, User


@admin.register(User)
class LinliUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "role", "department", "committee", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Linli", {"fields": ("display_name", "role", "department", "committee", "organisation")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            Actor.from_request(request),
            "core.user.update" if change else "core.user.create",
            obj,
            details={"fields": sorted(form.changed_data)},
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "contact")
