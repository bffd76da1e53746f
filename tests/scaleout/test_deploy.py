"""The files in deploy/ are the ones production runs: nginx accepts the site file, the systemd
units start commands Linli has, the environment example names settings Linli reads.
(Normal suite; the scale-out test runs them for real.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from linli.cli import USAGE

from .nginx import SITE, main_config, site_for_test

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS = Path(__file__).resolve().parents[2] / "linli" / "settings"


def test_the_loopback_configuration_keeps_the_production_proxying() -> None:
    site = SITE.read_text()
    test = site_for_test(18080, [18001, 18002])
    assert "server 127.0.0.1:18001" in test and "server 127.0.0.1:18002" in test
    assert "listen 127.0.0.1:18080;" in test
    assert "ssl_certificate" not in test and "443" not in test
    for directive in (
        "client_max_body_size 12m;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header Host $host;",
    ):
        assert directive in site and directive in test


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    conf = main_config(tmp_path, 18080, [18001, 18002])
    done = subprocess.run(
        ["nginx", "-t", "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("unit", ["linli-web", "linli-worker", "linli-beat"])
def test_each_unit_starts_a_linli_command(unit: str) -> None:
    text = (DEPLOY / "systemd" / f"{unit}.service").read_text()
    command = re.search(r"^ExecStart=/opt/linli/bin/linli (\w+)", text, flags=re.MULTILINE)
    assert command is not None
    assert f"  {command.group(1)} " in USAGE
    assert "EnvironmentFile=/etc/linli/linli.env" in text
    assert "KillMode=mixed" in text  # SIGTERM to the main process only


def test_the_environment_example_names_only_settings_linli_reads() -> None:
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "linli.env.example").read_text(), re.MULTILINE)
    read = "".join(p.read_text() for p in SETTINGS.glob("*.py"))
    read += (Path(__file__).resolve().parents[2] / "linli" / "cli.py").read_text()
    unknown = [n for n in names if n != "DJANGO_SETTINGS_MODULE" and f'"{n}"' not in read]
    assert unknown == []
