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
    # District offices read the streets of their district; the city reader reads aggregates.
    DISTRICT_SAFETY = "district_safety"  # 区应急管理局/安全办
    DISTRICT_CIVIL = "district_civil"  # 区民政局
    DISTRICT_HOUSING = "district_housing"  # 区房管局
    CITY_VIEWER = "city_viewer"  # 市级查看: aggregates only, no personal data


class Level(StrEnum):
    """How far an account reaches: the place it is assigned (``User.committee``,
    ``.subdistrict``, ``.district``, ``.city``) at its role's level, or only the objects
    assigned to it (inspectors, partners: they may work for several streets)."""

    COMMITTEE = "committee"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"
    OBJECT = "object"


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
        "calendar.manage",  # the street's working-day calendar: holidays and 调休 overrides
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
        # District comparisons (dashboard/): streets' aggregate figures side by side; a street
        # account reads its own street's row, its ranks and the district average only
        "compare.view",
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
        _STAFF_READ
        | _STREET_READ
        | {"geo.change", "people.change", "notices.optout", "compare.view"}
    ),
    Role.COMMITTEE_STAFF: frozenset(
        _STAFF_READ
        | {"geo.change", "people.change", "people.view_identity"}
        | {"risk.view", "risk.rectify", "risk.signoff", "fire.view", "fire.change", "fire.record"}
        | {"elevator.view", "elevator.manage"}
        | {"notices.optout"}
        | {"community.view", "community.manage", "community.serve"}
    ),
    # The inspector sees the samples assigned to them and, on those pages, their places; the
    # window and the back office work in the hall. None of them lists the street's households.
    Role.INSPECTOR: frozenset({"risk.inspect"}),
    Role.WINDOW_CLERK: frozenset({"hall.serve", "notices.optout"}),
    Role.BACKOFFICE_CLERK: frozenset({"hall.backoffice"}),
    # Partners see and act on the work assigned to their organisation only (object scope).
    Role.PARTNER: frozenset({"risk.rectify", "fire.record", "community.alliance"}),
    Role.AUDITOR: frozenset({"audit.view"}),
    # 三员分立: the system and security administrators read no personal data, not even
    # masked lists, and not the audit log.
    Role.SYSTEM_ADMIN: frozenset({"accounts.manage", "jobs.view_all", "jobs.schedule"}),
    Role.SECURITY_ADMIN: frozenset({"roles.manage"}),
    # District offices mostly read, and read no residents: places, not people.
    Role.DISTRICT_SAFETY: frozenset({"geo.view", "risk.view", "fire.view", "compare.view"}),
    Role.DISTRICT_CIVIL: frozenset({"geo.view", "hall.view", "community.view", "compare.view"}),
    Role.DISTRICT_HOUSING: frozenset({"geo.view", "elevator.view", "fire.view", "compare.view"}),
    # The city reads the risk rounds' grades and papers: no places list (households), no
    # people, no hall cases, no owner rolls, no sign-up lists, no fire stations' members.
    # The district comparison is aggregates too (its risk figures: the only domain it reads).
    Role.CITY_VIEWER: frozenset({"risk.view", "compare.view"}),
}

# Each role's reach (see ``Level``). The three administrators and the auditor administer the
# whole installation; their permissions hold no personal data (三员分立).
REACH: dict[Role, Level] = {
    Role.STREET_ADMIN: Level.STREET,
    Role.STREET_STAFF: Level.STREET,
    Role.COMMITTEE_STAFF: Level.COMMITTEE,
    Role.INSPECTOR: Level.OBJECT,
    Role.WINDOW_CLERK: Level.STREET,
    Role.BACKOFFICE_CLERK: Level.STREET,
    Role.PARTNER: Level.OBJECT,
    Role.AUDITOR: Level.CITY,
    Role.SYSTEM_ADMIN: Level.CITY,
    Role.SECURITY_ADMIN: Level.CITY,
    Role.DISTRICT_SAFETY: Level.DISTRICT,
    Role.DISTRICT_CIVIL: Level.DISTRICT,
    Role.DISTRICT_HOUSING: Level.DISTRICT,
    Role.CITY_VIEWER: Level.CITY,
}

# What a street department adds to the street-staff row.
# A partner account works for one body; what kind of body it is narrows the partner
# permissions to the work such bodies are given: schools and cultural units take part in the
# aesthetic-education alliance, property companies and contractors rectify hazards and look
# after equipment. A body of another kind (or none) keeps every partner permission.
PARTNER_WORK: dict[str, frozenset[str]] = {
    "school": frozenset({"community.alliance"}),
    "cultural": frozenset({"community.alliance"}),
    "property": frozenset({"risk.rectify", "fire.record"}),
    "contractor": frozenset({"risk.rectify", "fire.record"}),
}

DEPARTMENT_GRANTS: dict[Department, frozenset[str]] = {
    Department.SAFETY: frozenset(
        {"risk.manage", "risk.rectify", "risk.signoff", "fire.change", "fire.record"}
    ),
    Department.SERVICE_CENTRE: frozenset({"hall.manage", "hall.supervise"}),
    Department.PARTY_MASS: frozenset({"community.manage", "community.serve"}),
    Department.HOUSING: frozenset({"elevator.manage", "fire.change"}),
    Department.SELF_GOVERNANCE: frozenset({"elevator.manage"}),
}

# Roles whose reach is one committee rather than a street or more.
COMMITTEE_SCOPED: frozenset[Role] = frozenset(r for r, lv in REACH.items() if lv == Level.COMMITTEE)


def allows(role: Role | str | None, permission: str, unit: Department | str | None = None) -> bool:
    """True when the role holds the permission, given the account's ``unit``: a street staff
    member's department (which adds grants) or a partner's kind of body (which narrows the
    partner permissions, ``PARTNER_WORK``).

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
        if role == Role.PARTNER and unit in PARTNER_WORK:
            return permission in PARTNER_WORK[str(unit)]
        return True
    if role == Role.STREET_STAFF and unit:
        try:
            return permission in DEPARTMENT_GRANTS[Department(unit)]
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


# --- Routes: what opening each page or API route needs ------------------------------------------
PUBLIC = "public"  # no account: kiosks, boards, the terminal, residents' pages, the login page
LOGIN = "login"  # any signed-in account (its own jobs, its own inbox, the home page)
ADMIN_SITE = "admin_site"  # Django's admin: the system and security administrators

NOBODY = "nobody"  # answered with 403 to everyone (the API's index pages)
# ``"<permission>@street"``: the permission, held at street level exactly (not by
# committee-scoped roles, nor by district or city readers); ``@district`` likewise
STREET_LEVEL = "street"

Rule = str | tuple[str, ...]

_RISK_READ = ("risk.view", "risk.inspect", "risk.rectify")
_FIRE_READ = ("fire.view", "fire.record")
_HALL_ANY = ("hall.view", "hall.manage", "hall.serve", "hall.backoffice", "hall.supervise")
_HALL_CASES = ("hall.view", "hall.serve", "hall.backoffice")
_HALL_TICKETS = ("hall.view", "hall.manage", "hall.supervise", "hall.serve")
# The street operations screen: a module's read held for a street or a district's streets (not
# a committee's staff, not the city reader, who reads aggregates elsewhere; docs/ops.md)
_OPS = tuple(
    f"{p}@{level}"
    for p in ("hall.view", "risk.view", "fire.view", "elevator.view", "community.view")
    for level in (STREET_LEVEL, "district")
)

# Every named route (Django URL name; ``name[kind]`` for one kind of a list route) and what a
# GET of it needs. ``dashboard/tests/test_route_access.py`` walks Django's URL resolver and
# fails for a route missing here, and checks every role's and anonymous' answer against this
# table. A permission here is the entry condition; which objects the page then shows is
# narrowed by committee scope and assignment (``policy``).
ROUTES: dict[str, Rule] = {
    "home": LOGIN, "login": PUBLIC, "logout": LOGIN, "set_language": PUBLIC,
    "large_type": PUBLIC, "module": LOGIN, "audit_log": "audit.view",
    "work_calendar": "calendar.manage", "ops:screen": _OPS, "ops:data": _OPS,
    "choice_search": "geo.view",  # the search boxes of forms: places of the account's reach
    # Places and people
    "geo:divisions_import": "accounts.manage", "geo:divisions_template": "accounts.manage",
    "geo:divisions_errors": "accounts.manage",
    "geo:list": "geo.view", "geo:list[residents]": "people.view",
    "geo:export": "geo.view", "geo:export[residents]": "people.view",
    "geo:detail": "geo.view", "geo:detail[residents]": "people.view",
    "geo:import": "geo.change", "geo:import[residents]": "people.change",
    "geo:import_template": "geo.change", "geo:import_template[residents]": "people.change",
    "geo:import_errors": "geo.change", "geo:import_errors[residents]": "people.change",
    "geo:create": "geo.change", "geo:create[residents]": "people.change",
    "geo:edit": "geo.change", "geo:edit[residents]": "people.change",
    "geo:delete": "geo.change", "geo:delete[residents]": "people.change",
    "geo:reveal": "people.view_identity",
    # Safety risk
    "risk:index": _RISK_READ, "risk:method": "risk.manage", "risk:method_copy": "risk.manage",
    "risk:round_create": "risk.manage", "risk:round": "risk.view",
    "risk:street_paper": "risk.view", "risk:street_paper_pdf": "risk.view",
    "risk:survey": "risk.view", "risk:survey_qr": "risk.view", "risk:survey_online": PUBLIC,
    "risk:papers": "risk.manage", "risk:paper_file": "risk.view", "risk:round_draw": "risk.manage",
    "risk:samples": "risk.view", "risk:committee": "risk.view", "risk:paper": "risk.view",
    "risk:paper_pdf": "risk.view", "risk:my_samples": "risk.inspect",
    "risk:sample": "risk.inspect", "risk:sample_unit": "risk.inspect",
    "risk:sample_statuses": "risk.inspect", "risk:sample_finding_add": "risk.inspect",
    "risk:sample_finding_delete": "risk.inspect",
    "risk:sample_template": "risk.inspect", "risk:sample_import": "risk.inspect",
    "risk:sample_submit": "risk.inspect", "risk:sample_assign": "risk.manage",
    "risk:photo": ("risk.view", "risk.inspect", "risk.rectify"),
    "risk:cases": ("risk.view", "risk.rectify"),
    "risk:cases_refresh": "risk.manage", "risk:case": ("risk.view", "risk.rectify"),
    "risk:case_assign": ("risk.manage", "risk.rectify"), "risk:case_start": "risk.rectify",
    "risk:case_request_reinspection": "risk.rectify", "risk:case_sign": "risk.signoff",
    "risk:case_approve": "risk.signoff", "risk:case_reject": "risk.signoff",
    "risk:case_defer": "risk.rectify", "risk:case_resume": "risk.rectify",
    "risk:case_close_on_spot": "risk.rectify",
    "dashboard:sample_facts": ("risk.view", "risk.inspect"),
    # District comparisons: aggregates per street (a street account: its own row and ranks)
    "district": "compare.view", "district_pdf": "compare.view",
    # Fire-safety facilities
    "fire:index": _FIRE_READ, "fire:due": _FIRE_READ, "fire:due_export": _FIRE_READ,
    "fire:batches": _FIRE_READ, "fire:batches_export": _FIRE_READ, "fire:programme": _FIRE_READ,
    "fire:coverage": _FIRE_READ, "fire:ebikes": "fire.change", "fire:extinguisher": _FIRE_READ,
    "fire:sprinkler": _FIRE_READ, "fire:station": _FIRE_READ, "fire:station_add": "fire.change",
    "fire:station_remove": "fire.change", "fire:kit_check": _FIRE_READ, "fire:photo": _FIRE_READ,
    "fire:list": _FIRE_READ, "fire:export": _FIRE_READ, "fire:import": "fire.change",
    "fire:import_errors": "fire.change", "fire:import_template": "fire.change",
    "fire:create": "fire.change", "fire:edit": "fire.change",
    "fire:plans": _FIRE_READ, "fire:plan": _FIRE_READ, "fire:plan_save": "fire.change",
    "fire:plan_issue": "fire.change",
    # Service centre: residents' pages are public; the window, the back office and the staff
    "hall:kiosk": PUBLIC, "hall:kiosk_ticket": PUBLIC, "hall:status": PUBLIC, "hall:slip": PUBLIC,
    "hall:rate": PUBLIC, "hall:board": PUBLIC, "hall:board_data": PUBLIC, "hall:book": PUBLIC,
    "hall:book_cancel": PUBLIC, "hall:terminal": PUBLIC, "hall:terminal_consult": PUBLIC,
    "hall:terminal_item": PUBLIC, "hall:terminal_query": PUBLIC, "hall:terminal_apply": PUBLIC,
    "hall:terminal_rate": PUBLIC, "hall:terminal_pickup": PUBLIC,
    "hall:index": _HALL_ANY, "hall:items": _HALL_ANY, "hall:item_export": _HALL_ANY,
    "hall:item": _HALL_ANY, "hall:item_import": "hall.manage",
    "hall:item_import_template": "hall.manage", "hall:slots": "hall.manage",
    "hall:setup": "hall.manage", "hall:window_choose": "hall.serve", "hall:window": "hall.serve",
    "hall:setup_hall": "hall.manage", "hall:setup_queue": "hall.manage",
    "hall:setup_locker": "hall.manage", "hall:setup_window": "hall.manage",
    "hall:setup_hours": "hall.manage",
    "hall:window_take": "hall.serve", "hall:window_call": "hall.serve",
    "hall:window_recall": "hall.serve", "hall:window_start": "hall.serve",
    "hall:window_finish": "hall.serve", "hall:window_no_show": "hall.serve",
    "hall:window_requeue": "hall.serve", "hall:window_transfer": "hall.serve",
    "hall:window_escalate": "hall.serve", "hall:window_open_case": "hall.serve",
    "hall:backoffice": "hall.backoffice", "hall:backoffice_return": "hall.backoffice",
    "hall:backoffice_finish": "hall.backoffice", "hall:supervise": "hall.supervise",
    "hall:cases": _HALL_CASES, "hall:case_export": _HALL_CASES, "hall:case": _HALL_CASES,
    "hall:ratings": ("hall.view", "hall.manage"), "hall:stats": "hall.view",
    "hall:stats_export": "hall.view", "hall:staffing": "hall.view",
    "hall:tickets": _HALL_TICKETS, "hall:ticket_export": _HALL_TICKETS,
    "hall:ticket": _HALL_TICKETS, "hall:lockers": ("hall.serve", "hall.backoffice", "hall.view"),
    # Elevator retrofit
    "elevator:owner_login": PUBLIC, "elevator:owner_ballot": PUBLIC, "elevator:guide": PUBLIC,
    "elevator:owner_document": PUBLIC,  # the signed-in owner's own project only (session)
    "elevator:owner_confirm": PUBLIC, "elevator:owner_logout": PUBLIC,  # the owner's session
    "elevator:index": "elevator.view", "elevator:export": "elevator.view",
    "elevator:reminders": "elevator.view", "elevator:project": "elevator.view",
    "elevator:document_file": "elevator.view", "elevator:roll": "elevator.view",
    "elevator:costs": "elevator.view", "elevator:annex": "elevator.view",
    "elevator:vote": "elevator.view", "elevator:vote_json": "elevator.view",
    "elevator:objection": "elevator.view", "elevator:consultations": "elevator.view",
    "elevator:project_new": "elevator.manage", "elevator:project_edit": "elevator.manage",
    "elevator:member_add": "elevator.manage", "elevator:stage_move": "elevator.manage",
    "elevator:document_add": "elevator.manage", "elevator:vote_open": "elevator.manage",
    "elevator:roll_build": "elevator.manage", "elevator:codes": "elevator.manage",
    "elevator:roll_merge": "elevator.manage", "elevator:roll_developer": "elevator.manage",
    "elevator:vote_close": "elevator.manage", "elevator:objection_settle": "elevator.manage",
    "elevator:objection_add": "elevator.manage", "elevator:round_table_add": "elevator.manage",
    "elevator:maintenance_add": "elevator.manage", "elevator:consultation_new": "elevator.manage",
    "elevator:consultation_edit": "elevator.manage",
    # Party-mass service network: residents' pages are public
    "community:index": PUBLIC, "community:network": PUBLIC, "community:position": PUBLIC,
    "community:order_new": PUBLIC, "community:menu": PUBLIC, "community:calendar": PUBLIC,
    "community:event": PUBLIC, "community:ticket": PUBLIC, "community:wish": PUBLIC,
    "community:projects": PUBLIC, "community:project": PUBLIC, "community:screen": PUBLIC,
    "community:screen_data": PUBLIC,
    "community:events_staff": "community.view", "community:event_new": "community.manage",
    "community:release_due": "community.manage", "community:series": "community.manage",
    "community:project_new": "community.manage", "community:project_edit": "community.manage",
    "community:project_manage": "community.view", "community:roster": "community.view",
    "community:door": "community.serve", "community:checkin": "community.serve",
    "community:orders": "community.view", "community:order": "community.view",
    "community:order_accept": "community.view", "community:order_decline": "community.view",
    "community:order_dispatch": "community.view", "community:order_deliver": "community.view",
    "community:order_rate": "community.view", "community:order_cancel": "community.view",
    "community:wishes": "community.view", "community:wish_adopt": "community.manage",
    "community:wish_decline": "community.manage", "community:volunteers": "community.view",
    "community:volunteers_export": "community.view", "community:shift": "community.serve",
    "community:certificate": "community.view",
    "community:alliance": ("community.view", "community.alliance"),
    "community:alliance_accept": ("community.view", "community.alliance"),
    "community:alliance_decline": ("community.view", "community.alliance"),
    "community:alliance_schedule": ("community.view", "community.alliance"),
    "community:alliance_deliver": ("community.view", "community.alliance"),
    "community:alliance_feedback": ("community.view", "community.alliance"),
    "community:network_manage": "community.manage", "community:position_new": "community.manage",
    "community:position_edit": "community.manage",
    "community:position_manage": "community.manage",
    "community:position_staff_save": "community.manage",
    "community:position_staff_remove": "community.manage",
    "community:position_space_save": "community.manage",
    "community:position_menu_save": "community.manage",
    "community:project_milestone_add": "community.manage",
    "community:project_milestone_done": "community.manage",
    "community:project_contribution_add": "community.manage",
    "community:project_decision_add": "community.manage",
    "community:roster_signup": "community.serve", "community:roster_release": "community.serve",
    "community:hours_decide": "community.manage",
    "community:correction_decide": "community.manage",
    "community:volunteer_code": "community.manage",
    "community:series_new": "community.manage@street",
    "community:series_edit": "community.manage@street",
    # A volunteer's own page: no staff account, a personal code and phone tail (its own log-in)
    "community:me": PUBLIC, "community:me_login": PUBLIC, "community:me_certificate": PUBLIC,
    "community:me_hours": PUBLIC, "community:me_correction": PUBLIC, "community:me_logout": PUBLIC,
    # Everyone's own jobs and inbox
    "jobs:list": LOGIN, "jobs:status": LOGIN, "jobs:cancel": LOGIN, "jobs:retry": LOGIN,
    "jobs:download": LOGIN, "jobs:schedules": "jobs.schedule", "jobs:schedule": "jobs.schedule",
    "jobs:schedule_run": "jobs.schedule",
    "notices:inbox": LOGIN, "notices:open": LOGIN, "notices:read_all": LOGIN,
    "notices:log": "notices.log", "notices:opt_outs": "notices.optout",
    "notices:withdraw": "notices.optout",
    # One's own account: password, second factor, sessions, the idle clock
    "account": LOGIN, "account_password": LOGIN, "account_sessions": LOGIN,
    "account_session_revoke": LOGIN, "account_idle": LOGIN, "two_factor": LOGIN,
    "two_factor_setup": LOGIN, "recovery_codes": LOGIN,
    # REST API (/api/v1/): the same permissions as the pages
    "api-root": NOBODY,
    "committee-list": "geo.view", "committee-detail": "geo.view",
    "estate-list": "geo.view", "estate-detail": "geo.view",
    "building-list": "geo.view", "building-detail": "geo.view",
    "entrance-list": "geo.view", "entrance-detail": "geo.view",
    "household-list": "geo.view", "household-detail": "geo.view",
    "resident-list": "people.view", "resident-detail": "people.view",
    "resident-reveal": "people.view_identity",
    "risk-round-list": "risk.view", "risk-round-detail": "risk.view",
    "risk-score-list": "risk.view", "risk-score-detail": "risk.view",
    "risk-sample-list": "risk.view", "risk-sample-detail": "risk.view",
    "risk-my-sample-list": "risk.inspect", "risk-my-sample-detail": "risk.inspect",
    "risk-case-list": ("risk.view", "risk.rectify"),
    "risk-case-detail": ("risk.view", "risk.rectify"),
    "fire-extinguisher-list": _FIRE_READ, "fire-extinguisher-detail": _FIRE_READ,
    "fire-extinguisher-records": _FIRE_READ, "fire-sprinkler-list": _FIRE_READ,
    "fire-sprinkler-detail": _FIRE_READ, "fire-sprinkler-records": _FIRE_READ,
    "fire-charging-site-list": _FIRE_READ, "fire-charging-site-detail": _FIRE_READ,
    "fire-plan-list": _FIRE_READ, "fire-plan-detail": _FIRE_READ,
    "hall-item-list": "hall.view", "hall-item-detail": "hall.view",
    "hall-ticket-list": "hall.view", "hall-ticket-detail": "hall.view",
    "hall-case-list": "hall.view", "hall-case-detail": "hall.view",
    "elevator-project-list": "elevator.view", "elevator-project-detail": "elevator.view",
    "elevator-vote-list": "elevator.view", "elevator-vote-detail": "elevator.view",
    "elevator-vote-ballots": "elevator.view", "elevator-vote-tally": "elevator.view",
    "community-position-list": LOGIN, "community-position-detail": LOGIN,
    "community-menu-list": LOGIN, "community-menu-detail": LOGIN,
    "community-event-list": LOGIN, "community-event-detail": LOGIN,
    "community-event-signups": "community.serve",
    "community-signup-list": "community.view", "community-signup-detail": "community.view",
    "community-signup-cancel": "community.serve",
    "community-order-list": "community.view", "community-order-detail": "community.view",
    "community-order-advance": "community.view",
    "community-alliance-order-list": ("community.view", "community.alliance"),
    "community-alliance-order-detail": ("community.view", "community.alliance"),
    "community-volunteer-list": "community.view", "community-volunteer-detail": "community.view",
    "community-volunteer-reveal": "community.view",
    # The API's schema and its documentation (no data); Django's admin
    "schema": PUBLIC, "api-docs": PUBLIC, "api-redoc": PUBLIC,
    "admin:*": ADMIN_SITE,
    # Pages of the admin open to one of the two administrators only (the rest: both)
    "admin:core_user_add": "accounts.manage", "admin:core_organisation_*": "accounts.manage",
    "admin:core_securitypolicy_*": "roles.manage", "admin:authtoken_*": "accounts.manage",
    "admin:axes_*": "roles.manage", "admin:app_list[authtoken]": "accounts.manage",
    "admin:app_list[axes]": "roles.manage",
}  # fmt: skip


def reach_of(role: Role | str | None) -> Level | None:
    """The reach level of a role (None for no or an unknown role)."""
    try:
        return REACH[Role(role)] if role else None
    except ValueError:
        return None


def route_allows(role: Role | str | None, unit: Department | str | None, rule: Rule) -> bool:
    """True when a signed-in account of ``role`` (and ``unit``, see ``allows``) may open a
    route with ``rule`` (GET)."""
    if rule in (PUBLIC, LOGIN):
        return True
    if rule == NOBODY:
        return False
    if rule == ADMIN_SITE:  # 三员分立: the system and security administrators only
        return role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    wanted = (rule,) if isinstance(rule, str) else rule
    for p in wanted:
        permission, _at, level = p.partition("@")
        if level and reach_of(role) != Level(level):
            continue
        if allows(role, permission, unit):
            return True
    return False
