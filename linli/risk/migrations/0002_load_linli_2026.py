"""Load the default method ``linli-2026`` from its JSON file as the first method version."""

import json
from pathlib import Path

from django.db import migrations

METHOD_FILE = Path(__file__).resolve().parent.parent / "methods" / "linli-2026.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    MethodVersion = apps.get_model("risk", "MethodVersion")
    data = json.loads(METHOD_FILE.read_text(encoding="utf-8"))
    MethodVersion.objects.update_or_create(
        version=data["version"], defaults={"title": data["title_zh"], "data": data}
    )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("risk", "MethodVersion").objects.filter(version="linli-2026").delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
