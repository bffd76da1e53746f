"""Build Linli's wheel from the files of the checkout, as `pip wheel --no-deps .` does.

The build runs in a copy of the checkout's files (those git tracks, plus new files git does not
ignore), so it never writes ``build/`` or ``*.egg-info`` into the working tree and never picks up
stale files from an earlier build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", "*.pyc", ".*_cache",
    "node_modules", "test-results",
)  # fmt: skip


def source_files(root: Path = ROOT) -> list[str]:
    """The checkout's files, relative to ``root`` (git's view when git is there)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return []
    return [p for p in out.decode().split("\0") if p and (root / p).is_file()]


def build_wheel(dest: Path, root: Path = ROOT, timeout: float = 180) -> Path:
    """Build the wheel into ``dest`` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="linli-src-") as tmp:
        src = Path(tmp) / "linli"
        files = source_files(root)
        if files:
            for rel in files:
                (src / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / rel, src / rel)
        else:  # not a git checkout (an unpacked source archive)
            shutil.copytree(root, src, ignore=IGNORED)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
             "--disable-pip-version-check", "--wheel-dir", str(dest), "."],
            cwd=src, check=True, timeout=timeout,
        )  # fmt: skip
    wheels = sorted(dest.glob("linli-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {dest}, found {wheels}")
    return wheels[0]
