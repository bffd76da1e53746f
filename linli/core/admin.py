"""Django admin for accounts (the street admin's user management). Domain data is edited
in Linli's own pages, which write through the services and the audit log."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import accountrules, accounts, audit
from .context import Actor
from .models import ROLE_LABELS, Organisation, SecurityPolicy, User


@admin.register(User)
class LinliUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "role", "department", "committee", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Linli", {"fields": ("display_name", "role", "department", "committee", "organisation")}),
        (
            gettext_lazy("账号安全"),
            {"fields": ("password_changed_at", "password_change_reason")},
        ),
    )
    readonly_fields = ("password_changed_at",)
    actions = ["reset_two_factor"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        actor = Actor.from_request(request)
        audit.record(
            actor,
            "core.user.update" if change else "core.user.create",
            obj,
            details={"fields": sorted(form.changed_data)},
        )
        if not change and obj.has_usable_password():
            # The administrator chose this password: the account sets its own at first log-in.
            accounts.password_set_by_admin(actor, obj, created=True)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                accounts.password_set_by_admin(Actor.from_request(request), user, created=False)
        return response

    @admin.action(description=gettext_lazy("重置双因素验证（手机丢失时）"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        actor = Actor.from_request(request)
        for user in queryset:
            accounts.reset_two_factor(actor, user)
        messages.success(
            request,
            _("已重置 %(n)d 个账号的双因素验证，下次登录时重新启用。") % {"n": len(queryset)},
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "contact")


class SecurityPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    two_factor_roles = forms.MultipleChoiceField(
        label=gettext_lazy("须双因素登录的其他角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (role.value, label)
            for role, label in ROLE_LABELS.items()
            if role.value not in accountrules.ADMINISTRATOR_ROLES
        ],
        help_text=gettext_lazy("管理员角色始终需要双因素登录。"),
    )

    class Meta:
        model = SecurityPolicy
        fields = ["two_factor_roles"]


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The street's switch for the second factor of other roles (one row)."""

    form = SecurityPolicyForm
    list_display = ("__str__", "two_factor_roles", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = accounts.save_policy(
            Actor.from_request(request), form.cleaned_data["two_factor_roles"]
        )
        obj.pk = saved.pk
