"""Django admin for accounts, split by 三员分立 (docs/permissions.md): the system administrator
(``accounts.manage``) creates, renames and deactivates accounts and resets passwords; the security
administrator (``roles.manage``) assigns roles, departments, committees and organisations. Each
sees the other's fields read-only; nobody else -- a superuser flag included -- manages accounts
here. Domain data is edited in Linli's own pages, which write through the services and the audit
log."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import accountrules, accounts, audit, policy
from .context import Actor
from .models import ROLE_LABELS, Organisation, SecurityPolicy, User
from .roles import assignment_problem

ACCOUNT_FIELDS = ("username", "display_name", "first_name", "last_name", "email", "is_active")
GRANT_FIELDS = ("role", "department", "committee", "organisation")


def _assignment_message(code: str) -> str:
    messages = {
        "not_security_admin": _("只有安全管理员可以分配角色。"),
        "own_role": _("不能更改自己的角色：三员分立要求由另一名安全管理员操作。"),
    }
    return messages[code]


@admin.register(User)
class LinliUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "role", "department", "committee", "is_active")
    list_filter = ("role", "department", "is_active")
    actions = ["reset_two_factor"]
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            gettext_lazy("账号"),
            {"fields": ("display_name", "first_name", "last_name", "email", "is_active")},
        ),
        (gettext_lazy("角色与授权"), {"fields": GRANT_FIELDS}),
        (gettext_lazy("时间"), {"fields": ("last_login", "date_joined")}),
        (
            gettext_lazy("账号安全"),
            {"fields": ("password_changed_at", "password_change_reason")},
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        (gettext_lazy("账号"), {"fields": ("display_name", "email")}),
    )

    # Who may do what here comes from the role matrix, never from Django's own flags.
    def _manages(self, request: HttpRequest) -> bool:
        return policy.administers_accounts(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "accounts.manage")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted: the audit log refers to them

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or policy.can(request.user, "accounts.manage"):
            return fieldsets
        # Passwords are the system administrator's: no reset link for anyone else.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly: tuple[str, ...] = ("last_login", "date_joined", "password_changed_at")
        if obj is None:
            return readonly
        if not policy.can(request.user, "accounts.manage"):
            readonly += ACCOUNT_FIELDS
        if not policy.can(request.user, "roles.manage"):
            readonly += GRANT_FIELDS
        return readonly

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        policy.require(request.user, "accounts.manage")
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                accounts.password_set_by_admin(Actor.from_request(request), user, created=False)
        return response

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        old_role = obj.role if obj is not None else ""
        target_pk = obj.pk if obj is not None else None

        class AssignmentForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                new_role = cleaned.get("role", old_role)
                problem = assignment_problem(
                    policy.role_of(request.user), target_pk == request.user.pk, old_role, new_role
                )
                if problem:
                    raise ValidationError(_assignment_message(problem), code=problem)
                return cleaned

        return AssignmentForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A superuser would hold every duty at once: Linli keeps none, and the admin site is
        # open to the two administrators whose role manages accounts or grants.
        obj.is_superuser = False
        obj.is_staff = policy.administers_accounts(obj)
        super().save_model(request, obj, form, change)
        actor = Actor.from_request(request)
        audit.record(
            actor,
            "core.user.update" if change else "core.user.create",
            obj,
            details={"fields": sorted(form.changed_data), "role": obj.role},
        )
        if not change and obj.has_usable_password():
            # The administrator chose this password: the account sets its own at first log-in.
            accounts.password_set_by_admin(actor, obj, created=True)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not policy.can(request.user, "accounts.manage"):
            actions.pop("reset_two_factor", None)
        return actions

    @admin.action(description=gettext_lazy("重置双因素验证（手机丢失时）"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        policy.require(request.user, "accounts.manage")
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

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "accounts.manage")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "accounts.manage")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "accounts.manage")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "accounts.manage")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    """The street's switch for the second factor of other roles (one row): a security setting,
    so the security administrator's (``roles.manage``)."""

    form = SecurityPolicyForm
    list_display = ("__str__", "two_factor_roles", "updated_at")

    def _secures(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "roles.manage")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._secures(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._secures(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._secures(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._secures(request) and not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = accounts.save_policy(
            Actor.from_request(request), form.cleaned_data["two_factor_roles"]
        )
        obj.pk = saved.pk


# Models other apps register in the Django admin, and which administrator may see them
# (三员分立). Everything else those apps register is closed: Linli has its own audited pages for
# schedules (/jobs/schedules/) and notices (/notices/log/); second-factor devices hold secrets
# and are reset by the system administrator's action above; Django's groups are unused (roles
# are Linli's).
FOREIGN_ADMIN = {"authtoken": "accounts.manage", "axes": "roles.manage"}


def close_foreign_models(site: admin.AdminSite | None = None) -> None:
    """Unregister the other apps' admin pages that no administrator needs, and open the rest
    to one duty each. Called once from ``linli.urls`` (after every app's admin is loaded)."""
    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        label = model._meta.app_label
        if label in ("core",):
            continue
        permission = FOREIGN_ADMIN.get(label)
        if permission is None:
            site.unregister(model)
            continue

        def allowed(request: HttpRequest, obj: Any = None, _p: str = permission) -> bool:
            return policy.can(request.user, _p)

        model_admin.has_module_permission = allowed  # type: ignore[method-assign]
        model_admin.has_view_permission = allowed  # type: ignore[method-assign]
        model_admin.has_change_permission = allowed  # type: ignore[method-assign]
        model_admin.has_add_permission = allowed  # type: ignore[method-assign]
        model_admin.has_delete_permission = allowed  # type: ignore[method-assign]
