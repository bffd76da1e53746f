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
    AUDITOR = "auditor"  # 审计员 = 审计管理员, the audit administrator of 三员分立
    SYSTEM_ADMIN = "system_admin"  # 系统管理员: accounts and platform settings
    SECURITY_ADMIN = "security_admin"  # 安全管理员: roles, grants and security settings


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
        "users.manage",  # accounts and roles (superseded by the two below; held by no role)
        # 三员分立 (MLPS 2.0): account administration and role administration are separate.
        "accounts.manage",  # create, deactivate, rename accounts; reset passwords
        "roles.manage",  # assign roles, departments, committees, organisations (grants)
        # Safety risk assessment (risk/)
        "risk.view",  # rounds, grades, heat tables, white papers
        "risk.manage",  # method versions, rounds, the draw, assigning inspectors, publishing
        "risk.inspect",  # fill in the checklists of samples assigned to oneself
        "risk.rectify",  # act on hazard cases (own committee, or cases assigned to one's body)
        "risk.signoff",  # sign off the closing of A and B hazards
        # Fire-safety facilities (fire/)
        "fire.view",  # the registry, due lists, programmes, coverage
        "fire.change",  # registry edits and imports, programmes
        "fire.record",  # inspection and maintenance records
        # Service centre (hall/)
        "hall.view",  # statistics, catalogue, staffing advisor
        "hall.manage",  # catalogue, halls, windows, staff on duty, business hours
        "hall.serve",  # a window: call, serve, transfer, escalate, open cases
        "hall.backoffice",  # the back office (中台): resolve and return escalated tickets
        "hall.supervise",  # call a specific ticket by number (audited)
        # Elevator retrofit (elevator/)
        "elevator.view",  # projects, owner rolls, tallies, mediation records
        "elevator.manage",  # projects, stages, ballots entered by staff, mediation, money
        # Background jobs and schedules (jobs/); everyone sees the jobs they asked for
        "jobs.view_all",  # every user's jobs (cancel, retry), not their result files
        "jobs.schedule",  # the schedules of periodic work (reminders, sweeps, backups)
        # Notices (notices/); every account reads its own inbox without a permission
        "notices.log",  # the delivery log of every notice (recipients masked)
        "notices.optout",  # record and withdraw residents' SMS opt-outs
        # Party-mass service network and community life (community/)
        "community.view",  # orders, sign-up lists (phones masked), volunteers, projects
        "community.manage",  # network, menus, events, orders, wishes, volunteers' hours, projects
        "community.serve",  # the counter: sign-ups and orders taken by phone, QR check-in
        "community.alliance",  # a school or cultural unit: its own alliance orders
    }
)

_STAFF_READ = {"geo.view", "people.view"}
# The administration of accounts and grants: the system and security administrators only.
ADMINISTRATION = frozenset({"users.manage", "accounts.manage", "roles.manage"})
_STREET_READ = {"risk.view", "fire.view", "hall.view", "elevator.view", "community.view"}

MATRIX: dict[Role, frozenset[str]] = {
    # The street admin runs the platform but does not read the audit log: MLPS 2.0 separates
    # system administration from audit.
    Role.STREET_ADMIN: frozenset(
        PERMISSIONS
        - {"audit.view", "risk.inspect", "hall.serve", "hall.backoffice", "community.alliance"}
        - ADMINISTRATION
    ),
    # Street staff read every module; what they may change comes from their department.
    Role.STREET_STAFF: frozenset(
        _STAFF_READ | _STREET_READ | {"geo.change", "people.change", "notices.optout"}
    ),
    Role.COMMITTEE_STAFF: frozenset(
        _STAFF_READ
        | {"geo.change", "people.change", "people.view_identity"}
        | {"risk.view", "risk.rectify", "risk.signoff", "fire.view", "fire.change", "fire.record"}
        | {"elevator.view", "elevator.manage"}
        | {"notices.optout"}
        | {"community.view", "community.manage", "community.serve"}
    ),
    Role.INSPECTOR: frozenset({"geo.view", "risk.inspect"}),
    Role.WINDOW_CLERK: frozenset({"geo.view", "hall.serve", "notices.optout"}),
    Role.BACKOFFICE_CLERK: frozenset({"geo.view", "hall.backoffice"}),
    # Partners see and act on the work assigned to their organisation only (object scope).
    Role.PARTNER: frozenset({"risk.rectify", "fire.record", "community.alliance"}),
    Role.AUDITOR: frozenset({"audit.view"}),
    # 三员分立: the system and security administrators read no personal data, not even
    # masked lists, and not the audit log.
    Role.SYSTEM_ADMIN: frozenset({"accounts.manage", "jobs.view_all", "jobs.schedule"}),
    Role.SECURITY_ADMIN: frozenset({"roles.manage"}),
}

# What a street department adds to the street-staff row.
DEPARTMENT_GRANTS: dict[Department, frozenset[str]] = {
    Department.SAFETY: frozenset(
        {"risk.manage", "risk.rectify", "risk.signoff", "fire.change", "fire.record"}
    ),
    Department.SERVICE_CENTRE: frozenset({"hall.manage", "hall.supervise"}),
    Department.PARTY_MASS: frozenset({"community.manage", "community.serve"}),
    Department.HOUSING: frozenset({"elevator.manage", "fire.change"}),
    Department.SELF_GOVERNANCE: frozenset({"elevator.manage"}),
}

# Roles whose reach is one committee rather than the whole street.
COMMITTEE_SCOPED: frozenset[Role] = frozenset({Role.COMMITTEE_STAFF})


def allows(
    role: Role | str | None, permission: str, department: Department | str | None = None
) -> bool:
    """True when the role (and, for street staff, the department) holds the permission.

    Unknown permissions are a programming error.
    """
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if role is None:
        return False
    try:
        role = Role(role)
    except ValueError:
        return False
    if permission in MATRIX[role]:
        return True
    if role == Role.STREET_STAFF and department:
        try:
            return permission in DEPARTMENT_GRANTS[Department(department)]
        except ValueError:
            return False
    return False


# 三员分立 (MLPS 2.0, GB/T 22239-2019): the three administrator duties and the permission
# that makes a role hold each one. No role -- and so no account, which has one role -- may hold
# two, and none of the three may read personal data.
ADMIN_DUTIES: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "accounts.manage",
    Role.SECURITY_ADMIN: "roles.manage",
    Role.AUDITOR: "audit.view",
}
PERSONAL_DATA: frozenset[str] = frozenset({"people.view", "people.change", "people.view_identity"})


def duties_of(permissions: frozenset[str] | set[str]) -> frozenset[Role]:
    """Which of the three administrator duties a set of permissions amounts to."""
    return frozenset(duty for duty, perm in ADMIN_DUTIES.items() if perm in permissions)


def separation_problems(matrix: dict[Role, frozenset[str]] | None = None) -> list[str]:
    """Every breach of 三员分立 in a matrix (the real one by default): a role holding two
    administrator duties, or an administrator role holding personal-data permissions."""
    problems = []
    for role, permissions in (matrix if matrix is not None else MATRIX).items():
        duties = duties_of(permissions)
        if len(duties) > 1:
            names = ", ".join(sorted(d.value for d in duties))
            problems.append(f"{role.value} holds several administrator duties: {names}")
        if role in ADMIN_DUTIES and permissions & PERSONAL_DATA:
            problems.append(f"{role.value} is an administrator and reads personal data")
    return problems


def assignment_problem(
    actor_role: Role | str | None,
    actor_is_target: bool,
    old_role: Role | str | None,
    new_role: Role | str | None,
) -> str | None:
    """Why the actor may not give an account ``new_role`` (None when they may).

    The security administrator assigns roles; nobody changes their own role (an administrator
    cannot take a second duty or leave theirs for another)."""
    if (old_role or "") == (new_role or ""):
        return None
    if not allows(actor_role, "roles.manage"):
        return "not_security_admin"
    if actor_is_target:
        return "own_role"
    return None
