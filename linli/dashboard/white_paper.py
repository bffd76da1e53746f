"""White-paper sections contributed by the top layer (risk reads them by dotted path).

Enable with ``LINLI_WHITE_PAPER_SECTIONS = ["linli.dashboard.white_paper.equipment_work"]``.
A section is ``{"title": str, "items": [str], "note": str}``; risk renders the sections under
the priority actions of the committee white paper (web and PDF).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.fire import queries as fire_queries


def equipment_work(user: Any, rnd: Any, committee: Any) -> list[dict[str, Any]]:
    """The committee's fire-equipment work from the registry, as of today."""
    if not fire_queries.can_read(user) or fire_queries.is_partner(user):
        return []
    on = timezone.localdate()
    work = fire_queries.equipment_work(user, committee.pk, on)
    lines = [
        (work["replace"], _("灭火器到期报废更换 %(n)s 具")),
        (work["maintain"], _("灭火器逾期送修 %(n)s 具")),
        (work["sprinkler_faults"], _("简易喷淋故障维修 %(n)s 个门牌")),
        (work["sprinklers_overdue"], _("简易喷淋检查逾期 %(n)s 个门牌")),
        (work["sprinklers_planned"], _("简易喷淋待安装 %(n)s 个门牌")),
    ]
    items = [text % {"n": n} for n, text in lines if n]
    return [
        {
            "title": _("消防设施整改（来自消防设施登记册）"),
            "items": items or [_("登记册中没有到期或逾期的消防设施。")],
            "note": _("统计日期 %(on)s") % {"on": on.isoformat()},
        }
    ]
