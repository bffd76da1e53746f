"""The catalogue of notice kinds: who they are for, their text, SMS template and channels.

Texts are written in Chinese with named placeholders and marked for translation; a notice is
rendered in Chinese when it is created (that is what residents receive), while the staff inbox
shows it again in the reader's language. The SMS template id of each resident kind is the one
the provider approved (settings ``LINLI_SMS_TEMPLATES``); the default ids below are placeholders
to be replaced by the real ones at installation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N

from . import rules
from .errors import ParamsInvalid, UnknownKind

# "staff_code": a one-time code for a staff member's own phone (the second factor at log-in).
Audience = Literal["staff", "resident", "staff_code"]
INBOX, EMAIL, SMS = "inbox", "email", "sms"
STAFF_CHANNELS = (INBOX, EMAIL)
RESIDENT_CHANNELS = (SMS, EMAIL)
# Parameters any kind may carry besides its placeholders: a link to what it is about.
OPTIONAL_PARAMS = ("url",)


@dataclass(frozen=True)
class Kind:
    key: str
    audience: Audience
    title: str  # msgid, marked with gettext_noop
    text: str  # msgid with %(name)s placeholders
    channels: tuple[str, ...]

    @property
    def placeholders(self) -> tuple[str, ...]:
        return rules.placeholders(self.text)

    @property
    def sms_template(self) -> str:
        """The provider's template id for this kind (empty for kinds that never go by SMS)."""
        if SMS not in self.channels:
            return ""
        configured: Mapping[str, str] = getattr(settings, "LINLI_SMS_TEMPLATES", {}) or {}
        return configured.get(self.key) or "SMS_LINLI_" + self.key.upper().replace(".", "_")

    def check(self, params: Mapping[str, object]) -> None:
        problems = rules.check_params(self.placeholders, params, OPTIONAL_PARAMS)
        url = params.get("url")
        if isinstance(url, str) and url and not rules.safe_link(url):
            problems.append("parameter 'url' must be a path on this site (starting with /)")
        if problems:
            raise ParamsInvalid(
                f"notice {self.key}: " + "; ".join(problems),
                field=next((p.split("'")[1] for p in problems if "'" in p), "params"),
            )

    def render(self, params: Mapping[str, str], language: str | None = None) -> str:
        """The text with its parameters, in ``language`` (the active language when None)."""
        values = {name: params[name] for name in self.placeholders}
        if language is None:
            return gettext(self.text) % values
        with translation.override(language):
            return gettext(self.text) % values

    def render_title(self, language: str | None = None) -> str:
        if language is None:
            return gettext(self.title)
        with translation.override(language):
            return gettext(self.title)


def _staff(key: str, title: str, text: str) -> Kind:
    return Kind(key, "staff", title, text, STAFF_CHANNELS)


def _staff_sms(key: str, title: str, text: str) -> Kind:
    """A code for a staff member's own phone: SMS only, at any hour (no quiet hours)."""
    return Kind(key, "staff_code", title, text, (SMS,))


def _resident(key: str, title: str, text: str) -> Kind:
    return Kind(key, "resident", title, text, RESIDENT_CHANNELS)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        # Residents: one SMS each (70 characters with the signature), see tests.
        _resident(
            "hall.pickup_ready",
            N("办件材料可取件"),
            N("您的办件材料已存入%(locker)s号柜，取件码%(code)s，请尽快凭取件码和本人身份证取件。"),
        ),
        _resident(
            "hall.case_done",
            N("办件已办结"),
            N("您办理的%(item)s（办件编号%(case)s）已办结。"),
        ),
        _resident(
            "hall.appointment_reminder",
            N("预约提醒"),
            N("提醒：您已预约%(date)s %(time)s到%(hall)s办理%(item)s，请携带身份证准时到达。"),
        ),
        _resident(
            "community.promoted",
            N("候补转正"),
            N("您报名的%(activity)s已由候补转为正式名额，时间%(when)s。如不能参加请告知居委。"),
        ),
        _resident(
            "elevator.vote_notice",
            N("加装电梯表决通知"),
            N("%(project)s加装电梯意见征询已开始，请于%(deadline)s前完成表决，详情请咨询居委。"),
        ),
        # Staff: a log-in code by SMS (the second factor, docs/security.md).
        _staff_sms(
            "core.login_code",
            N("登录验证码"),
            N("邻里登录验证码%(code)s，%(minutes)s分钟内有效，请勿告诉他人。"),
        ),
        # Staff: the inbox, and e-mail where the account has an address.
        _staff(
            "hall.case_deadline",
            N("办件即将到期"),
            N("办件%(case)s（%(item)s）的承诺办结日期为%(due)s，请及时办理。"),
        ),
        _staff(
            "hall.rating_followup",
            N("差评待回访"),
            N("%(window)s收到%(stars)s星评价（%(item)s），请在%(due)s前回访整改。"),
        ),
        _staff(
            "elevator.stage_clock",
            N("加梯阶段时限提醒"),
            N("%(project)s的“%(stage)s”阶段将于%(due)s到期，请跟进。"),
        ),
        _staff(
            "elevator.vote_deadline",
            N("加梯表决即将截止"),
            N("%(project)s的意见征询将于%(deadline)s截止，尚有%(missing)s户未表决。"),
        ),
        _staff(
            "fire.equipment_due",
            N("消防设施即将到期"),
            N("%(unit)s有%(count)s件消防设施将在%(days)s天内到期（检查、维保或报废），请安排。"),
        ),
        _staff(
            "fire.equipment_overdue",
            N("消防设施已超期"),
            N("%(unit)s有%(count)s件消防设施已超期未检查、未维保或应报废，请尽快处理。"),
        ),
        _staff(
            "fire.plan_issued",
            N("收到分批送修更换计划"),
            N("送修更换计划“%(plan)s”已下发给本单位，共%(count)s具灭火器，请按批次完成并登记。"),
        ),
        _staff(
            "risk.hazard_due",
            N("隐患整改即将到期"),
            N("隐患“%(hazard)s”的整改期限为%(due)s，请按期完成整改。"),
        ),
        _staff(
            "risk.hazard_today",
            N("隐患整改今日到期"),
            N("隐患“%(hazard)s”今天到达整改期限，请完成整改并上传整改材料。"),
        ),
        _staff(
            "risk.hazard_overdue",
            N("隐患整改已超期"),
            N("隐患“%(hazard)s”的整改期限%(due)s已过%(days)s天，已升级督办。"),
        ),
        _staff(
            "jobs.done",
            N("后台任务已完成"),
            N("后台任务“%(job)s”已完成。"),
        ),
        _staff(
            "jobs.failed",
            N("后台任务失败"),
            N("后台任务“%(job)s”失败：%(error)s"),
        ),
    )
}


def kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise UnknownKind(f"unknown notice kind {key!r}", field="kind") from None
