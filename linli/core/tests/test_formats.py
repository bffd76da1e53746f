"""Every date is written YYYY-MM-DD, in Chinese and in English (GB/T 7408, docs/accessibility.md)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_and_times_render_as_iso_in_both_languages(language: str) -> None:
    template = Template("{{ day }}|{{ moment }}|{{ day|date:'SHORT_DATE_FORMAT' }}")
    moment = datetime.datetime(2026, 3, 4, 5, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    with translation.override(language):
        text = template.render(Context({"day": datetime.date(2026, 3, 4), "moment": moment}))
    assert text == "2026-03-04|2026-03-04 05:06|2026-03-04"
