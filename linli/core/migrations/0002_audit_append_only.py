"""Refuse UPDATE and DELETE on audit records at the database level (append-only)."""

from django.conf import settings
from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
    "CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_auditrecord_no_change BEFORE UPDATE OR DELETE ON core_auditrecord "
    "FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();",
    "CREATE TRIGGER core_auditrecord_no_truncate BEFORE TRUNCATE ON core_auditrecord "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_change ON core_auditrecord;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_append_only();",
]


def install(connection):
    """Create the triggers; also used by the test that proves they refuse changes."""
    with connection.cursor() as cursor:
        for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(connection.vendor, []):
            cursor.execute(sql)


def uninstall(connection):
    with connection.cursor() as cursor:
        for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, []):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    # The test settings leave them out so test databases can be flushed between tests;
    # test_audit installs them itself to prove they work.
    if getattr(settings, "LINLI_AUDIT_TRIGGERS", True):
        install(schema_editor.connection)


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
