"""Where Linli keeps its data and finds its files does not depend on a source checkout:
variable data goes to LINLI_VAR_DIR (default ./var of the working directory), everything Linli
reads comes from the installed package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import linli

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'var': str(settings.VAR_DIR), 'static': str(settings.STATIC_ROOT),"
    " 'media': str(settings.MEDIA_ROOT), 'locale': [str(p) for p in settings.LOCALE_PATHS],"
    " 'db': str(settings.DATABASES['default']['NAME']), 'broker': settings.CELERY_BROKER_URL}))"
)
KEY = "c2V0dGluZ3MtdGVzdC1rZXktbm90LXNlY3JldC0wMDAwMDAwMDA="


def _settings(cwd: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE_"))}
    clean.pop("REDIS_URL", None)
    clean.pop("CELERY_BROKER_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="linli.settings.prod",
        SECRET_KEY="settings-test",
        LINLI_HMAC_KEY=KEY,
        LINLI_DATA_KEY=KEY,
        LINLI_AUDIT_KEY=KEY,
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=cwd, env=clean, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_without_linli_var_dir_the_data_goes_to_var_of_the_working_directory(
    tmp_path: Path,
) -> None:
    s = _settings(tmp_path)
    var = tmp_path.resolve() / "var"
    assert s["var"] == str(var)
    assert (s["static"], s["media"], s["db"]) == (
        str(var / "static"), str(var / "media"), str(var / "linli.sqlite3"),
    )  # fmt: skip
    assert (var / "broker" / "queue").is_dir()  # the embedded broker's folder


def test_linli_var_dir_and_linli_media_dir_move_the_data(tmp_path: Path) -> None:
    s = _settings(
        tmp_path,
        LINLI_VAR_DIR=str(tmp_path / "data"),
        LINLI_MEDIA_DIR=str(tmp_path / "shared"),
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert s["var"] == str((tmp_path / "data").resolve())
    assert s["media"] == str(tmp_path / "shared")
    assert s["broker"] == "redis://127.0.0.1:6379/9"
    assert not (tmp_path / "data" / "broker").exists()  # Redis is the broker: no folder


def test_translations_come_from_the_package(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    package = Path(linli.__file__).resolve().parent
    assert s["locale"] == [str(package / "locale")]
    assert (package / "locale" / "en" / "LC_MESSAGES" / "django.mo").is_file()
