"""The service centre's error codes are a contract: every one raised is catalogued."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linli.hall import errors
from linli.hall.rules import HallRuleError

HALL = Path(errors.__file__).parent


def _raised_codes() -> set[str]:
    sources = [
        p for p in HALL.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    return {m for p in sources for m in re.findall(r'code="([a-z_]+)"', p.read_text())}


def test_every_code_the_hall_raises_is_catalogued() -> None:
    raised = _raised_codes()
    assert "hall_closed" in raised  # the scan reads the services
    assert raised - errors.CODES == set()


def test_a_rule_refusal_keeps_its_code_and_reads_as_a_sentence() -> None:
    error = errors.rule_error(HallRuleError("recall_limit", "too many recalls"))
    assert isinstance(error, errors.HallError)
    assert error.code == "recall_limit"
    assert error.message == "已达到重呼次数上限，请按过号处理。"


@pytest.mark.parametrize("code", ["forbidden_transition", "recall_limit"])
def test_rule_codes_the_window_shows_are_catalogued(code: str) -> None:
    assert code in errors.CODES
