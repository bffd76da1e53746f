"""Method versions: copy a version, edit one no round uses yet, and the shipped default."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor

from .. import rules
from ..errors import (
    MethodRejected,
)
from ..models import (
    MethodVersion,
)


def do_copy_method(actor: Actor, base: MethodVersion, version: str, title: str) -> MethodVersion:
    policy.require(actor.user, "risk.manage")
    if MethodVersion.objects.filter(version=version).exists():
        raise MethodRejected(_("版本号已存在"), field="version")
    data = dict(base.data)
    data["version"] = version
    with transaction.atomic():
        mv = MethodVersion.objects.create(version=version, title=title, data=data, based_on=base)
        audit.record(actor, "risk.method.copy", mv, details={"based_on": base.version})
    return mv


def do_edit_method(actor: Actor, mv: MethodVersion, text: str) -> MethodVersion:
    """Replace a version's data with edited JSON; refused once a round uses the version."""
    policy.require(actor.user, "risk.manage")
    if mv.rounds.exists():
        raise MethodRejected(_("该版本已被评估轮次使用，不能修改；请复制为新版本。"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MethodRejected(
            _("JSON 格式错误：第 %(line)s 行 %(col)s 列") % {"line": exc.lineno, "col": exc.colno}
        ) from None
    if not isinstance(data, dict):
        raise MethodRejected(_("方法数据必须是 JSON 对象"))
    data["version"] = mv.version
    try:
        rules.load_method(data)
    except rules.MethodError as exc:
        raise MethodRejected(str(exc)) from None
    with transaction.atomic():
        mv.data = data
        mv.save(update_fields=["data"])
        audit.record(actor, "risk.method.edit", mv)
    return mv


def default_version() -> MethodVersion:
    """The shipped ``linli-2026`` as a stored version (loaded by migration; restored if missing)."""
    method_file = rules.default_method().version
    mv = MethodVersion.objects.filter(version=method_file).first()
    if mv is None:
        from pathlib import Path

        path = Path(__file__).resolve().parent.parent / "methods" / f"{method_file}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        mv = MethodVersion.objects.create(
            version=data["version"], title=data["title_zh"], data=data
        )
    return mv
