"""The wheel carries the whole application: what `pip install` on a server gets.

Runs in the normal suite (one build, ~15 s). The heavy production-shaped test that installs
this wheel and runs it behind nginx is ``test_scaleout.py`` (``make scaleout``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .wheel import ROOT, build_wheel, source_files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    path = build_wheel(tmp_path_factory.mktemp("wheel"))
    with zipfile.ZipFile(path) as zf:
        yield zf


def _names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def test_every_file_of_the_package_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    """Templates, static files, translations, migrations, rule sets, method files: all of it."""
    package = [p for p in source_files() if p.startswith("linli/")]
    assert len(package) > 400
    missing = sorted(set(package) - _names(wheel))
    assert missing == []


@pytest.mark.parametrize(
    ("what", "prefix", "suffix", "at_least"),
    [
        ("templates", "linli/core/templates/core/", ".html", 3),
        ("the base template", "linli/core/templates/core/base.html", "", 1),
        ("fonts", "linli/core/static/linli/fonts/", ".woff2", 3),
        ("JavaScript", "linli/core/static/linli/js/", ".js", 1),
        ("CSS", "linli/core/static/linli/css/", ".css", 1),
        ("the display board's voice clips", "linli/hall/static/hall/voice/", ".wav", 40),
        ("the English catalogue", "linli/locale/en/LC_MESSAGES/django.mo", "", 1),
        ("risk migrations", "linli/risk/migrations/0001", ".py", 1),
        ("the jobs' default schedules", "linli/jobs/migrations/0002", ".py", 1),
        ("lift rule sets", "linli/elevator/rulesets/", ".json", 5),
        ("the risk method", "linli/risk/methods/", ".json", 1),
        ("the management commands", "linli/jobs/management/commands/jobs.py", "", 1),
    ],
)
def test_the_wheel_carries(
    wheel: zipfile.ZipFile, what: str, prefix: str, suffix: str, at_least: int
) -> None:
    found = [n for n in _names(wheel) if n.startswith(prefix) and n.endswith(suffix)]
    assert len(found) >= at_least, what


def test_the_compiled_catalogue_is_the_committed_one(wheel: zipfile.ZipFile) -> None:
    committed = (ROOT / "linli/locale/en/LC_MESSAGES/django.mo").read_bytes()
    assert wheel.read("linli/locale/en/LC_MESSAGES/django.mo") == committed


def test_the_wheel_installs_the_linli_command_and_nothing_but_the_package(
    wheel: zipfile.ZipFile,
) -> None:
    tops = {n.split("/", 1)[0] for n in _names(wheel)}
    assert tops == {"linli", next(t for t in tops if t.endswith(".dist-info"))}
    meta = next(n for n in _names(wheel) if n.endswith(".dist-info/entry_points.txt"))
    assert "linli = linli.cli:main" in wheel.read(meta).decode()
    assert not any(Path(n).name == "manage.py" for n in _names(wheel))
