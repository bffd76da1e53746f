"""What every page's shell needs: the modules, the user's role, display preferences."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import ROLE_LABELS
from .roles import ROUTES

# The five domain modules, in the order of the article. A module is shown as live when its
# AppConfig says ``live = True`` (set by the module itself when its pages are usable).
MODULES = [
    {
        "key": "risk",
        "nav": _("安全风险"),
        "title": _("安全风险评估"),
        "subtitle": _("三色预警、白皮书、隐患整改"),
    },
    {
        "key": "fire",
        "nav": _("消防设施"),
        "title": _("消防设施"),
        "subtitle": _("灭火器、简易喷淋、充电柜、微型消防站"),
    },
    {
        "key": "hall",
        "nav": _("受理中心"),
        "title": _("社区事务受理"),
        "subtitle": _("一网通办、取号叫号、24小时自助"),
    },
    {
        "key": "elevator",
        "nav": _("加装电梯"),
        "title": _("加装电梯"),
        "subtitle": _("意见征询、表决、调解、费用分摊"),
    },
    {
        "key": "community",
        "nav": _("党群服务"),
        "title": _("党群服务与社区生活"),
        "subtitle": _("服务阵地、活动、志愿者、美育联盟"),
    },
]


def modules() -> list[dict[str, Any]]:
    """The module cards and nav entries, each with its live flag and its page."""
    out = []
    for m in MODULES:
        config: Any = apps.app_configs.get(str(m["key"]))
        live = bool(getattr(config, "live", False))
        out.append(
            {**m, "ready": live, "url": f"/{m['key']}/" if config else f"/modules/{m['key']}/"}
        )
    return out


def _idle(user: Any) -> dict[str, int]:
    """The idle timeout the page's script counts down (docs/security.md)."""
    from django.conf import settings

    from .accountrules import warning_at

    if user is None or not user.is_authenticated:
        return {"seconds": 0, "warn_at": 0}
    seconds = int(getattr(settings, "LINLI_IDLE_TIMEOUT_MINUTES", 30)) * 60
    warn = int(getattr(settings, "LINLI_IDLE_WARNING_SECONDS", 120))
    return {"seconds": seconds, "warn_at": warning_at(seconds, warn)}


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = policy.role_of(user)
    # Only the modules the user may open (their index route in roles.ROUTES); a module that is
    # not installed keeps its placeholder card.
    offered = [
        m
        for m in modules()
        if f"{m['key']}:index" not in ROUTES or policy.can_open(user, f"{m['key']}:index")
    ]
    return {
        "idle": _idle(user),
        "modules": offered,
        "large_type": getattr(request, "large_type", False),
        "role_label": ROLE_LABELS.get(role, "") if role else "",
        "can": {
            **{
                perm.replace(".", "_"): policy.can(user, perm)
                for perm in ("geo.view", "geo.change", "people.view", "people.change", "audit.view")
            },
            "district": policy.can_open(user, "district"),
            "ops": policy.can_open(user, "ops:screen"),
            # The system and security administrators' accounts and roles (三员分立).
            "administer_accounts": policy.administers_accounts(user),
        },
    }
