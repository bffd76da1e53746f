"""The permission matrix, written out in full: a change to who may do what shows up here."""

import pytest

from linli.core.roles import (
    DEPARTMENT_GRANTS,
    MATRIX,
    PERMISSIONS,
    Department,
    Role,
    allows,
    assignment_problem,
    duties_of,
    separation_problems,
)

ORDER = (
    "geo.view", "geo.change", "people.view", "people.change", "people.view_identity",
    "audit.view", "users.manage", "accounts.manage", "roles.manage",
    "risk.view", "risk.manage", "risk.inspect", "risk.rectify", "risk.signoff",
    "fire.view", "fire.change", "fire.record",
    "hall.view", "hall.manage", "hall.serve", "hall.backoffice", "hall.supervise",
    "elevator.view", "elevator.manage",
    "jobs.view_all", "jobs.schedule",
    "notices.log", "notices.optout",
    "community.view", "community.manage", "community.serve", "community.alliance",
    "calendar.manage", "compare.view",
)  # fmt: skip
EXPECTED = {
    #                    geo   people+id   aud usr acc rol  risk v m i r s  fire v c r  hall v m s b su  elev v m  jobs a s  notices log optout  comm v m s a  cal cmp
    Role.STREET_ADMIN: "1 1  1 1 1   0 0 0 0   1 1 0 1 1   1 1 1   1 1 0 0 1   1 1   1 1   1 1   1 1 1 0   1   1",
    Role.STREET_STAFF: "1 1  1 1 0   0 0 0 0   1 0 0 0 0   1 0 0   1 0 0 0 0   1 0   0 0   0 1   1 0 0 0   0   1",
    Role.COMMITTEE_STAFF: "1 1  1 1 1   0 0 0 0   1 0 0 1 1   1 1 1   0 0 0 0 0   1 1   0 0   0 1   1 1 1 0   0   0",
    Role.INSPECTOR: "0 0  0 0 0   0 0 0 0   0 0 1 0 0   0 0 0   0 0 0 0 0   0 0   0 0   0 0   0 0 0 0   0   0",
    Role.WINDOW_CLERK: "0 0  0 0 0   0 0 0 0   0 0 0 0 0   0 0 0   0 0 1 0 0   0 0   0 0   0 1   0 0 0 0   0   0",
    Role.BACKOFFICE_CLERK: "0 0  0 0 0   0 0 0 0   0 0 0 0 0   0 0 0   0 0 0 1 0   0 0   0 0   0 0   0 0 0 0   0   0",
    Role.PARTNER: "0 0  0 0 0   0 0 0 0   0 0 0 1 0   0 0 1   0 0 0 0 0   0 0   0 0   0 0   0 0 0 1   0   0",
    Role.AUDITOR: "0 0  0 0 0   1 0 0 0   0 0 0 0 0   0 0 0   0 0 0 0 0   0 0   0 0   0 0   0 0 0 0   0   0",
    Role.SYSTEM_ADMIN: "0 0  0 0 0   0 0 1 0   0 0 0 0 0   0 0 0   0 0 0 0 0   0 0   1 1   0 0   0 0 0 0   0   0",
    Role.SECURITY_ADMIN: "0 0  0 0 0   0 0 0 1   0 0 0 0 0   0 0 0   0 0 0 0 0   0 0   0 0   0 0   0 0 0 0   0   0",
    Role.DISTRICT_SAFETY: "1 0  0 0 0   0 0 0 0   1 0 0 0 0   1 0 0   0 0 0 0 0   0 0   0 0   0 0   0 0 0 0   0   1",
    Role.DISTRICT_CIVIL: "1 0  0 0 0   0 0 0 0   0 0 0 0 0   0 0 0   1 0 0 0 0   0 0   0 0   0 0   1 0 0 0   0   1",
    Role.DISTRICT_HOUSING: "1 0  0 0 0   0 0 0 0   0 0 0 0 0   1 0 0   0 0 0 0 0   1 0   0 0   0 0   0 0 0 0   0   1",
    Role.CITY_VIEWER: "0 0  0 0 0   0 0 0 0   1 0 0 0 0   0 0 0   0 0 0 0 0   0 0   0 0   0 0   0 0 0 0   0   1",
}
# What each street department adds to the street-staff row.
DEPARTMENTS = {
    Department.SAFETY: {
        "risk.manage",
        "risk.rectify",
        "risk.signoff",
        "fire.change",
        "fire.record",
    },
    Department.SERVICE_CENTRE: {"hall.manage", "hall.supervise"},
    Department.PARTY_MASS: {"community.manage", "community.serve"},
    Department.HOUSING: {"elevator.manage", "fire.change"},
    Department.SELF_GOVERNANCE: {"elevator.manage"},
}


@pytest.mark.parametrize("role", list(Role))
def test_matrix_row(role: Role) -> None:
    expected = tuple(int(c) for c in EXPECTED[role].split())
    assert tuple(int(allows(role, p)) for p in ORDER) == expected


@pytest.mark.parametrize("department", list(Department))
def test_department_grants_for_street_staff(department: Department) -> None:
    base = {p for p in ORDER if allows(Role.STREET_STAFF, p)}
    granted = {p for p in ORDER if allows(Role.STREET_STAFF, p, department)}
    assert granted - base == DEPARTMENTS[department]
    assert set(DEPARTMENT_GRANTS[department]) == DEPARTMENTS[department]


def test_departments_grant_nothing_to_other_roles() -> None:
    assert not allows(Role.INSPECTOR, "risk.manage", Department.SAFETY)
    assert not allows(Role.WINDOW_CLERK, "hall.manage", Department.SERVICE_CENTRE)


def test_matrix_covers_every_permission_and_role() -> None:
    assert set(ORDER) == PERMISSIONS
    assert set(MATRIX) == set(Role)


def test_only_the_auditor_reads_the_audit_log_and_nothing_else() -> None:
    assert [r for r in Role if allows(r, "audit.view")] == [Role.AUDITOR]
    assert MATRIX[Role.AUDITOR] == frozenset({"audit.view"})


def test_unknown_role_department_or_none_gets_nothing() -> None:
    assert not allows(None, "geo.view")
    assert not allows("mayor", "geo.view")
    assert not allows(Role.STREET_STAFF, "hall.manage", "finance")


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        allows(Role.STREET_ADMIN, "geo.fly")


# 三员分立 (MLPS 2.0): the pure rule.
def test_no_role_holds_two_administrator_duties_or_reads_personal_data() -> None:
    assert separation_problems() == []
    assert duties_of(MATRIX[Role.SYSTEM_ADMIN]) == {Role.SYSTEM_ADMIN}
    assert duties_of(MATRIX[Role.SECURITY_ADMIN]) == {Role.SECURITY_ADMIN}
    assert duties_of(MATRIX[Role.AUDITOR]) == {Role.AUDITOR}
    assert [r for r in Role if duties_of(MATRIX[r])] == [
        Role.AUDITOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN
    ]  # fmt: skip


def test_the_rule_names_a_role_that_would_hold_two_duties_or_read_personal_data() -> None:
    bad = dict(MATRIX)
    bad[Role.SYSTEM_ADMIN] = MATRIX[Role.SYSTEM_ADMIN] | {"roles.manage"}
    bad[Role.AUDITOR] = MATRIX[Role.AUDITOR] | {"people.view"}
    assert separation_problems(bad) == [
        "auditor is an administrator and reads personal data",
        "system_admin holds several administrator duties: security_admin, system_admin",
    ]


def test_the_street_admin_no_longer_manages_accounts_or_roles() -> None:
    for permission in ("users.manage", "accounts.manage", "roles.manage", "audit.view"):
        assert not allows(Role.STREET_ADMIN, permission)
    assert [r for r in Role if allows(r, "accounts.manage")] == [Role.SYSTEM_ADMIN]
    assert [r for r in Role if allows(r, "roles.manage")] == [Role.SECURITY_ADMIN]
    assert [r for r in Role if allows(r, "users.manage")] == []


@pytest.mark.parametrize(
    ("actor", "is_target", "old", "new", "problem"),
    [
        (Role.SECURITY_ADMIN, False, Role.WINDOW_CLERK, Role.AUDITOR, None),
        (Role.SECURITY_ADMIN, True, Role.SECURITY_ADMIN, Role.AUDITOR, "own_role"),
        (Role.SYSTEM_ADMIN, False, Role.WINDOW_CLERK, Role.SYSTEM_ADMIN, "not_security_admin"),
        (Role.SYSTEM_ADMIN, True, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, "not_security_admin"),
        (Role.STREET_ADMIN, False, Role.WINDOW_CLERK, Role.STREET_STAFF, "not_security_admin"),
        (Role.SYSTEM_ADMIN, False, Role.WINDOW_CLERK, Role.WINDOW_CLERK, None),  # role unchanged
        (Role.SYSTEM_ADMIN, False, "", "", None),  # a new account starts without a role
    ],
)
def test_who_may_assign_a_role(
    actor: Role, is_target: bool, old: str, new: str, problem: str | None
) -> None:
    assert assignment_problem(actor, is_target, old, new) == problem


def test_an_unknown_or_missing_role_has_no_reach() -> None:
    from linli.core.roles import Level, reach_of

    assert reach_of("mayor") is None
    assert reach_of(None) is None
    assert reach_of("street_admin") == Level.STREET


@pytest.mark.parametrize(
    ("kind", "granted"),
    [
        ("school", {"community.alliance"}),
        ("cultural", {"community.alliance"}),
        ("property", {"risk.rectify", "fire.record"}),
        ("contractor", {"risk.rectify", "fire.record"}),
        ("other", {"risk.rectify", "fire.record", "community.alliance"}),
        (None, {"risk.rectify", "fire.record", "community.alliance"}),
    ],
)
def test_a_partners_kind_of_body_narrows_its_work(kind: str | None, granted: set[str]) -> None:
    assert {p for p in PERMISSIONS if allows(Role.PARTNER, p, kind)} == granted
    # A kind of body never widens another role.
    assert not allows(Role.INSPECTOR, "community.alliance", kind)
