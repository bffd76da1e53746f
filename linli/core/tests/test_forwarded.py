"""Behind nginx, the address in the audit log is the resident's or clerk's, not the proxy's;
a client cannot choose its own address by sending the header."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from linli.core.middleware import ForwardedForMiddleware


def _address(remote: str, forwarded: str | None, trusted: list[str]) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    with override_settings(LINLI_TRUSTED_PROXIES=trusted):
        ForwardedForMiddleware(view)(request)
    return seen[0]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # nginx on 10.0.0.5 appended the client's address
        ("10.0.0.5", "203.0.113.7", ["10.0.0.5"], "203.0.113.7"),
        # the client sent its own header: only the hop nginx added counts
        ("10.0.0.5", "1.2.3.4, 203.0.113.7", ["10.0.0.5"], "203.0.113.7"),
        # two trusted proxies (a network) in a row
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", ["10.0.0.0/24"], "203.0.113.7"),
        # a request straight to the app server: the header is ignored
        ("198.51.100.2", "1.2.3.4", ["10.0.0.5"], "198.51.100.2"),
        # nothing trusted (the default): the header is ignored
        ("10.0.0.5", "203.0.113.7", [], "10.0.0.5"),
        # no header
        ("10.0.0.5", None, ["10.0.0.5"], "10.0.0.5"),
        # garbage in the header: the proxy's address stays
        ("10.0.0.5", "not-an-address", ["10.0.0.5"], "10.0.0.5"),
        # IPv6 client through an IPv4 proxy
        ("127.0.0.1", "2001:db8::1", ["127.0.0.1"], "2001:db8::1"),
    ],
)
def test_the_client_address_is_taken_from_trusted_proxies_only(
    remote: str, forwarded: str | None, trusted: list[str], expected: str
) -> None:
    assert _address(remote, forwarded, trusted) == expected


@pytest.mark.django_db
@override_settings(LINLI_TRUSTED_PROXIES=["127.0.0.1"])
def test_failed_logins_behind_the_proxy_lock_out_one_client_not_everyone(client: Any) -> None:
    """The login throttle counts per client address: one client guessing passwords through
    nginx does not lock the same account out for the colleague at the next desk."""
    cache.clear()
    form = {"username": "admin", "password": "wrong-password"}
    for _ in range(10):
        client.post("/login/", form, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    guesser = client.post(
        "/login/", form, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    colleague = client.post(
        "/login/", form, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert guesser.status_code == 429
    assert colleague.status_code == 200  # the form again with "wrong password", not locked
