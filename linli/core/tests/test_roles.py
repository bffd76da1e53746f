"""The permission matrix, written out in full: a change to who may do what shows up here."""

import pytest

from linli.core.roles import MATRIX, PERMISSIONS, Role, allows

EXPECTED = {
    # role:              geo.view geo.change people.view people.change view_identity audit users
    Role.STREET_ADMIN: (1, 1, 1, 1, 1, 0, 1),
    Role.STREET_STAFF: (1, 1, 1, 1, 0, 0, 0),
    Role.COMMITTEE_STAFF: (1, 1, 1, 1, 1, 0, 0),
    Role.INSPECTOR: (1, 0, 0, 0, 0, 0, 0),
    Role.WINDOW_CLERK: (1, 0, 0, 0, 0, 0, 0),
    Role.BACKOFFICE_CLERK: (1, 0, 0, 0, 0, 0, 0),
    Role.PARTNER: (0, 0, 0, 0, 0, 0, 0),
    Role.AUDITOR: (0, 0, 0, 0, 0, 1, 0),
}
ORDER = ("geo.view", "geo.change", "people.view", "people.change", "people.view_identity",
         "audit.view", "users.manage")  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_matrix_row(role: Role) -> None:
    assert tuple(int(allows(role, p)) for p in ORDER) == EXPECTED[role]


def test_matrix_covers_every_permission_and_role() -> None:
    assert set(ORDER) == PERMISSIONS
    assert set(MATRIX) == set(Role)


def test_only_the_auditor_reads_the_audit_log_and_nothing_else() -> None:
    assert [r for r in Role if allows(r, "audit.view")] == [Role.AUDITOR]
    assert MATRIX[Role.AUDITOR] == frozenset({"audit.view"})


def test_unknown_role_or_none_gets_nothing() -> None:
    assert not allows(None, "geo.view")
    assert not allows("mayor", "geo.view")


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        allows(Role.STREET_ADMIN, "geo.fly")
