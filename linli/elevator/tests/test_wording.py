"""The tally's words when a vote passes, and the vote's title (issue #15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.elevator import services
from linli.elevator.models import Owner

pytestmark = pytest.mark.django_db


def test_a_passed_vote_does_not_say_what_is_still_needed(login: Any, block: dict[str, Any]) -> None:
    for owner in Owner.objects.filter(project=block["p1"]):
        services.do_enter_ballot(block["actor"], block["v1"], owner, "agree", "paper")
    page = login("street_admin").get(reverse("elevator:vote", args=[block["v1"].pk]))
    text = page.content.decode()
    assert "已达到通过条件" in text
    assert "尚需：" not in text  # not "尚需：已达到通过条件"
    assert "本幢（本单元）表决" in text
