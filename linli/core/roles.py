"""Roles and the permission matrix: the one place that decides who may see and do what.

Pure data and functions (no Django), so the matrix is tested exhaustively and printed in
docs/permissions.md. ``linli.core.policy`` applies it to users, querysets and views.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STREET_ADMIN = "street_admin"  # 街道管理员
    STREET_STAFF = "street_staff"  # 街道工作人员 (per department)
    COMMITTEE_STAFF = "committee_staff"  # 居委工作人员 (their committee only)
    INSPECTOR = "inspector"  # 第三方检查员
    WINDOW_CLERK = "window_clerk"  # 窗口受理员
    BACKOFFICE_CLERK = "backoffice_clerk"  # 中台人员
    PARTNER = "partner"  # 合作单位 (school, cultural unit, property company, contractor)
    AUDITOR = "auditor"  # 审计员


class Department(StrEnum):
    SAFETY = "safety"  # 平安办/应急办
    SERVICE_CENTRE = "service_centre"  # 社区事务受理服务中心
    PARTY_MASS = "party_mass"  # 党群
    HOUSING = "housing"  # 房管
    SELF_GOVERNANCE = "self_governance"  # 自治办


# Permission names are "<area>.<verb>". Areas of later modules are added here, with tests.
PERMISSIONS: frozenset[str] = frozenset(
    {
        "geo.view",  # places: committees, estates, buildings, entrances, households
        "geo.change",  # create, edit, import places
        "people.view",  # residents, identity numbers masked
        "people.change",  # create, edit, import residents
        "people.view_identity",  # unmasked identity numbers and phones (each read audited)
        "audit.view",  # the audit log
        "users.manage",  # accounts and roles
    }
)

_STAFF_READ = {"geo.view", "people.view"}

MATRIX: dict[Role, frozenset[str]] = {
    # The street admin runs the platform but does not read the audit log: MLPS 2.0 separates
    # system administration from audit.
    Role.STREET_ADMIN: frozenset(PERMISSIONS - {"audit.view"}),
    Role.STREET_STAFF: frozenset(_STAFF_READ | {"geo.change", "people.change"}),
    Role.COMMITTEE_STAFF: frozenset(
        _STAFF_READ | {"geo.change", "people.change", "people.view_identity"}
    ),
    Role.INSPECTOR: frozenset({"geo.view"}),
    Role.WINDOW_CLERK: frozenset({"geo.view"}),
    Role.BACKOFFICE_CLERK: frozenset({"geo.view"}),
    Role.PARTNER: frozenset(),
    Role.AUDITOR: frozenset({"audit.view"}),
}

# Roles whose reach is one committee rather than the whole street.
COMMITTEE_SCOPED: frozenset[Role] = frozenset({Role.COMMITTEE_STAFF})


def allows(role: Role | str | None, permission: str) -> bool:
    """True when the role holds the permission; unknown permissions are a programming error."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if role is None:
        return False
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False
