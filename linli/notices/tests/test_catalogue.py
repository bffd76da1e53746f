"""The catalogue: every kind the modules use, its parameters, one SMS per resident notice."""

from __future__ import annotations

from typing import Any

import pytest

from linli.notices import catalogue, rules
from linli.notices.errors import ParamsInvalid, UnknownKind

REQUIRED = {
    "hall.pickup_ready", "hall.case_done", "hall.appointment_reminder", "hall.case_deadline",
    "hall.rating_followup", "community.promoted", "elevator.vote_notice", "elevator.stage_clock",
    "fire.equipment_due", "fire.equipment_overdue", "risk.hazard_due", "risk.hazard_today",
    "risk.hazard_overdue", "jobs.done", "jobs.failed",
}  # fmt: skip
RESIDENT = {"hall.pickup_ready", "hall.case_done", "hall.appointment_reminder",
            "community.promoted", "elevator.vote_notice"}  # fmt: skip

# Long but realistic values: a resident notice must still fit one SMS with the signature.
LONG = {
    "code": "483920", "locker": "12", "item": "城乡居民基本医疗保险参保登记", "case": "HN20261202031",
    "date": "12月24日", "time": "14:30", "hall": "社区事务受理服务中心",
    "activity": "重阳节敬老午餐会", "when": "10月11日11:00", "project": "长乐路100弄3号",
    "deadline": "12月20日",
}  # fmt: skip


def test_the_catalogue_has_every_kind_the_modules_send() -> None:
    assert set(catalogue.KINDS) >= REQUIRED
    assert {k for k, v in catalogue.KINDS.items() if v.audience == "resident"} == RESIDENT
    for key, kind in catalogue.KINDS.items():
        assert kind.key == key
        if kind.audience == "resident":
            assert kind.channels == ("sms", "email")
        elif kind.audience == "staff_code":  # a log-in code: to the staff member's phone only
            assert key == "core.login_code" and kind.channels == ("sms",)
        else:
            assert kind.channels == ("inbox", "email")
            assert kind.sms_template == ""


@pytest.mark.parametrize("key", sorted(RESIDENT))
def test_resident_notices_fit_one_sms_with_the_signature(key: str) -> None:
    kind = catalogue.KINDS[key]
    params = {name: LONG[name] for name in kind.placeholders}
    text = kind.render(params, "zh-hans")
    assert rules.sms_segments(text, "湖南路街道") == 1, (len(text), text)


def test_render_fills_the_placeholders() -> None:
    kind = catalogue.kind("hall.pickup_ready")
    assert kind.placeholders == ("locker", "code")
    text = kind.render({"code": "483920", "locker": "12"}, "zh-hans")
    assert text == "您的办件材料已存入12号柜，取件码483920，请尽快凭取件码和本人身份证取件。"


def test_missing_param_is_named() -> None:
    kind = catalogue.kind("hall.pickup_ready")
    with pytest.raises(ParamsInvalid, match="missing parameter 'locker'") as caught:
        kind.check({"code": "483920"})
    assert caught.value.field == "locker"
    with pytest.raises(ParamsInvalid, match="unknown parameter 'cabinet'"):
        kind.check({"code": "1", "locker": "2", "cabinet": "3"})
    with pytest.raises(ParamsInvalid, match="'url' must be a path"):
        kind.check({"code": "1", "locker": "2", "url": "https://evil.example/"})
    kind.check({"code": "1", "locker": "2", "url": "/hall/cases/1/"})


def test_unknown_kind() -> None:
    with pytest.raises(UnknownKind, match=r"hall\.pickup"):
        catalogue.kind("hall.pickup")


def test_template_ids_default_and_come_from_settings(settings: Any) -> None:
    kind = catalogue.kind("hall.pickup_ready")
    settings.LINLI_SMS_TEMPLATES = {}
    assert kind.sms_template == "SMS_LINLI_HALL_PICKUP_READY"
    settings.LINLI_SMS_TEMPLATES = {"hall.pickup_ready": "SMS_153055065"}
    assert kind.sms_template == "SMS_153055065"
