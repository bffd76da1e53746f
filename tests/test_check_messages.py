"""The message check finds Chinese shown to users without gettext, and reads .po entries."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _check() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_messages", ROOT / "scripts" / "check_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_messages"] = module
    spec.loader.exec_module(module)
    return module


def test_unwrapped_chinese_in_errors_and_messages_is_found(tmp_path: Path) -> None:
    source = tmp_path / "services.py"
    source.write_text(
        "from django.utils.translation import gettext as _\n"
        "def f(request, n):\n"
        "    messages.success(request, '已保存')\n"
        "    raise ShopError(f'人数不能超过 {n}。', field='people')\n"
        "    raise ShopError(_('已翻译'))\n"
        "    raise RowError(2, '身份证号', _('无效'))\n"
        "    raise ShopError('保留原文')  # i18n: keep — a court's wording\n"
        "    label = '数据里的中文'\n",
        encoding="utf-8",
    )
    found = _check().unwrapped(source)
    assert len(found) == 2
    assert "success('已保存')" in found[0] and ":3:" in found[0]
    assert "ShopError('人数不能超过 。')" in found[1] and ":4:" in found[1]


def test_a_pure_module_is_not_checked(tmp_path: Path) -> None:
    source = tmp_path / "rules.py"
    source.write_text("def f():\n    raise RuleError('须为正数')\n", encoding="utf-8")
    assert _check().unwrapped(source) == []


def test_po_entries_untranslated_and_fuzzy() -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\nmsgid "已保存"\nmsgstr "Saved"\n\n'
        '#: b.py:2\nmsgid "办结"\nmsgstr ""\n\n'
        '#: c.py:3\n#, fuzzy, python-format\nmsgid "再有 %(n)s 位"\nmsgstr "%(n)s more"\n\n'
        '#~ msgid "旧"\n#~ msgstr ""\n'
    )
    entries = _check()._entries(po)
    assert [(e["msgid"], e["translated"]) for e in entries] == [
        ("已保存", True),
        ("办结", False),
        ("再有 %(n)s 位", True),
    ]
    assert "fuzzy" in entries[2]["flags"] and entries[1]["refs"] == ["b.py:2"]
