"""Password validators: three of four character classes, not the user name, not one of the
account's last passwords (settings AUTH_PASSWORD_VALIDATORS; rules in ``accountrules``).

Django's own validators stay in front: minimum length, similarity to the account's fields,
the list of 20,000 common passwords, all digits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import accountrules


def history_depth() -> int:
    return int(getattr(settings, "LINLI_PASSWORD_HISTORY", accountrules.HISTORY_DEPTH))


class ComplexityValidator:
    def __init__(self, min_classes: int = accountrules.MIN_CLASSES) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        username = user.get_username() if user is not None else ""
        problems = accountrules.complexity_problems(
            password, username, min_length=0, min_classes=self.min_classes
        )
        errors = []
        if "too_few_classes" in problems:
            errors.append(
                ValidationError(
                    _("密码须包含小写字母、大写字母、数字、符号四类中的至少 %(n)d 类。")
                    % {"n": self.min_classes},
                    code="password_too_simple",
                )
            )
        if "is_username" in problems:
            errors.append(ValidationError(_("密码不能包含用户名。"), code="password_is_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("至少包含小写字母、大写字母、数字、符号中的 %(n)d 类，且不含用户名。") % {
            "n": self.min_classes
        }


class HistoryValidator:
    """Refuses any of the account's last ``LINLI_PASSWORD_HISTORY`` passwords (their hashes
    are kept in ``PasswordHistory``) and records each new password when it is saved."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        depth = history_depth()
        if depth <= 0:
            return
        from .models import PasswordHistory

        hashes = [
            *PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                :depth
            ]
        ]
        current = (
            get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        )
        if current and current not in hashes:
            hashes.insert(0, current)
        if any(check_password(password, h) for h in hashes[:depth]):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": depth}, code="password_reused"
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django after a new password was saved: keep its hash, note the date."""
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        now = timezone.now()
        get_user_model().objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = max(history_depth(), 1)
        old = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)d 次用过的密码相同。") % {"n": history_depth()}
