"""Test helpers for the second factor: what a test needs to log in as an account that must
use one, without weakening the rule for anyone else.

``verify_session`` marks a test client's session as verified by a second factor (the suite's
``force_login`` calls it for accounts that need one, see ``conftest.py``); the dedicated tests
of ``linli/core/tests/test_two_factor.py`` go through the real pages instead. ``enrol_totp`` and
``totp_code`` give a browser test an authenticator whose codes it computes itself."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accounts

TEST_DEVICE = "test-login"


def verify_session(client: Any, user: Any) -> None:
    """After ``client.force_login(user)``: the session counts as verified by a (token-less)
    device that exists only for this purpose, when the account needs a second factor."""
    if not (accounts.needs_two_factor(user) or accounts.has_second_factor(user)):
        return
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=TEST_DEVICE, defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def enrol_totp(user: Any) -> TOTPDevice:
    """A confirmed authenticator for ``user`` (as if enrolled on the setup page)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name=accounts.TOTP_NAME, defaults={"confirmed": True}
    )
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now; never one the device has already accepted
    (codes are single-use): then the next step, which the device still accepts (tolerance 1)."""
    device.refresh_from_db()
    now_step = int(time.time() - device.t0) // device.step
    step = max(now_step, device.last_t + 1)
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=step - now_step)
    return str(value).zfill(device.digits)
