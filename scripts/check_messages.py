"""Fail when the English catalogue lags the code, or when code shows Chinese it did not wrap.

1. The catalogue: ``makemessages`` runs in a scratch copy of the tree (the repository's own
   ``linli/locale`` is never touched); every message of the fresh catalogue must have an
   English translation that is not marked fuzzy. Lists each missing or fuzzy message with where
   it is used.
2. Unwrapped Chinese: Python modules under ``linli/`` (not tests, migrations or demo data) must
   not pass a Chinese string literal straight to what a user reads: an exception or error
   (``…Error(…)``, ``…Denied(…)``, ``ValidationError``), a flash message (``messages.*``), a
   form error (``add_error``); a ``RowError``'s message (its column names the file's own,
   Chinese, header). Modules that do not import Django (the pure rules) are not checked: they
   cannot translate, and what they raise is shown by code. Wrap it in ``gettext`` or
   ``gettext_lazy`` (``_``). A line that really must stay as it is carries ``# i18n: keep``
   with the reason.

Exit status 0 when clean, 1 with the list otherwise. Run by ``scripts/check-messages.sh``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
GETTEXT = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
    "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip
SKIP_PARTS = {"tests", "migrations", "__pycache__", "locale", "static", "templates"}
SKIP_NAMES = re.compile(r"^(demo.*|.*_demo|simulation_data|conftest)\.py$")
USER_FACING = re.compile(r"(Error|Denied|Exception|Rejected)$")
MESSAGE_CALLS = {"success", "error", "info", "warning", "debug", "add_error", "ValidationError"}


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _chinese_literal(node: ast.expr) -> str | None:
    """The text of a literal (or f-string) with Chinese in it, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        text = "".join(str(p) for p in parts)
        if CJK.search(text):
            return text
    return None


def unwrapped(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    if not re.search(r"^\s*(from|import) django\b", source, re.M):
        return []  # a pure module (rules): it cannot translate; its callers show codes in words
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        if name in GETTEXT:
            continue
        if not (USER_FACING.search(name) or name in MESSAGE_CALLS):
            continue
        args = node.args
        if name == "RowError":  # (row, column, message): the column is the file's own header
            args = args[2:]
        for arg in [*args, *(k.value for k in node.keywords if k.arg == "message")]:
            text = _chinese_literal(arg)
            if text is None:
                continue
            line = lines[arg.lineno - 1] if arg.lineno <= len(lines) else ""
            if "# i18n: keep" in line:
                continue
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(f"{where}:{arg.lineno}: {name}({text[:60]!r}) is not wrapped in _()")
    return found


def python_modules() -> list[Path]:
    out = []
    for path in sorted((ROOT / "linli").rglob("*.py")):
        rel = path.relative_to(ROOT / "linli")
        if SKIP_PARTS & set(rel.parts[:-1]) or SKIP_NAMES.match(path.name):
            continue
        out.append(path)
    return out


def _entries(po: str) -> list[dict[str, object]]:
    """Entries of a .po file: msgid, msgstr (joined), flags, references (header skipped)."""
    entries: list[dict[str, object]] = []
    for block in po.split("\n\n"):
        flags: list[str] = []
        refs: list[str] = []
        fields: dict[str, list[str]] = {}
        current = ""
        obsolete = False
        for raw in block.splitlines():
            if raw.startswith("#~"):
                obsolete = True
            elif raw.startswith("#,"):
                flags += [f.strip() for f in raw[2:].split(",")]
            elif raw.startswith("#:"):
                refs += raw[2:].split()
            elif raw.startswith("msg"):
                key, _, rest = raw.partition(" ")
                current = key
                fields.setdefault(key, []).append(ast.literal_eval(rest))
            elif raw.startswith('"') and current:
                fields[current].append(ast.literal_eval(raw))
        if obsolete or "msgid" not in fields:
            continue
        msgid = "".join(fields["msgid"])
        if not msgid:
            continue  # the header
        strs = ["".join(v) for k, v in fields.items() if k.startswith("msgstr")]
        entries.append({"msgid": msgid, "translated": all(strs), "flags": flags, "refs": refs})
    return entries


def stale_catalogue() -> list[str]:
    """Run makemessages on a scratch copy; report untranslated and fuzzy messages."""
    with tempfile.TemporaryDirectory(prefix="linli-messages-") as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(
            ROOT / "linli", copy / "linli",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
        )  # fmt: skip
        manage = ROOT / ".venv" / "bin" / "linli"
        command = [str(manage) if manage.exists() else "linli", "makemessages", "-l", "en"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linli.settings.dev",
               "PYTHONPATH": str(copy)}  # fmt: skip
        subprocess.run([*command, "--ignore", "tests", "-v", "0"], cwd=copy, env=env, check=True)
        po = (copy / "linli" / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    out = []
    for e in _entries(po):
        refs = " ".join(str(r) for r in e["refs"][:2])  # type: ignore[index]
        if "fuzzy" in e["flags"]:  # type: ignore[operator]
            out.append(f"fuzzy: {e['msgid'][:70]!r} ({refs})")  # type: ignore[index]
        elif not e["translated"]:
            out.append(f"untranslated: {e['msgid'][:70]!r} ({refs})")  # type: ignore[index]
    return out


def main(argv: list[str]) -> int:
    problems: list[str] = []
    if "--no-catalogue" not in argv:
        problems += stale_catalogue()
    for path in python_modules():
        problems += unwrapped(path)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} message problem(s): translate with `make messages` and the .po,"
              " or wrap the strings in _().", file=sys.stderr)  # fmt: skip
        return 1
    print("messages: every string is wrapped and translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
