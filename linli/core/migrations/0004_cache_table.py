"""The database cache table of the embedded default (shared rate-limit counters)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Does nothing when the cache is Redis or in memory (the CACHES setting decides).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_keyed_chain")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
