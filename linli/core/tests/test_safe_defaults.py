"""Safe defaults (issue 10): login throttling shared across workers and decided by the real
client address, one trusted-proxy setting, next= only to this site, keys, CSP."""

from __future__ import annotations

import base64
import importlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from linli.core.context import Actor, client_address
from linli.settings import keys

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.9"
COLLEAGUE = "198.51.100.7"
PASSWORD = "a-long-enough-password"


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# --- the client address -------------------------------------------------------------------


def test_without_trusted_proxies_forwarded_for_is_ignored(settings: Any) -> None:
    settings.LINLI_TRUSTED_PROXIES = []
    assert client_address(_request(ATTACKER, "1.2.3.4")) == ATTACKER


def test_behind_a_trusted_proxy_the_rightmost_untrusted_entry_counts(settings: Any) -> None:
    settings.LINLI_TRUSTED_PROXIES = [PROXY, "172.16.0.0/12"]
    # The client forged "1.2.3.4" on the left; nginx appended the real address.
    assert client_address(_request(PROXY, f"1.2.3.4, {ATTACKER}")) == ATTACKER
    assert client_address(_request(PROXY, f"1.2.3.4, {ATTACKER}, 172.16.5.5")) == ATTACKER
    assert client_address(_request(PROXY, "")) == PROXY
    assert client_address(_request(PROXY, f"garbage, {ATTACKER}")) == ATTACKER
    assert client_address(_request(PROXY, f"{ATTACKER}, garbage")) == PROXY
    # A direct client that is not a proxy cannot pretend to be forwarded.
    assert client_address(_request(ATTACKER, "1.2.3.4")) == ATTACKER


def test_the_audit_log_records_the_client_behind_the_proxy(settings: Any) -> None:
    settings.LINLI_TRUSTED_PROXIES = [PROXY]
    request = _request(PROXY, ATTACKER)
    request.META["HTTP_X_LINLI_TERMINAL"] = "kiosk-1"
    assert Actor.from_request(request).terminal == f"kiosk-1@{ATTACKER}"


# --- login throttling (django-axes) ------------------------------------------------------


@pytest.fixture
def admin_user(db: Any) -> Any:
    from linli.core.models import User
    from linli.core.roles import Role

    return User.objects.create_user(
        "boss", password=PASSWORD, role=Role.STREET_ADMIN, is_staff=True, is_superuser=True
    )


def _post(path: str, username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address).post(
        path, {"username": username, "password": password}
    )


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_ten_failures_lock_that_address_not_the_user_for_everyone(
    path: str, settings: Any, admin_user: Any
) -> None:
    from axes.models import AccessAttempt

    settings.LINLI_TRUSTED_PROXIES = [PROXY]
    for _ in range(9):
        assert _post(path, "boss", "wrong-guess", ATTACKER).status_code == 200
    assert _post(path, "boss", "wrong-guess", ATTACKER).status_code == 429  # the 10th locks
    locked = _post(path, "boss", PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试。" in locked.content.decode()
    # The counters live in the database: every worker and app server sees the same ones.
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).exists()
    # The colleague behind the same proxy still logs in.
    assert _post(path, "boss", PASSWORD, COLLEAGUE).status_code == 302


def test_one_address_trying_many_names_is_locked(settings: Any, admin_user: Any) -> None:
    settings.LINLI_TRUSTED_PROXIES = [PROXY]
    for i in range(10):
        _post("/login/", f"user{i}", "wrong-guess", ATTACKER)
    assert _post("/login/", "boss", PASSWORD, ATTACKER).status_code == 429


def test_a_success_resets_the_count(settings: Any, admin_user: Any) -> None:
    for _ in range(9):
        _post("/login/", "boss", "wrong-guess", ATTACKER)
    assert _post("/login/", "boss", PASSWORD, ATTACKER).status_code == 302
    for _ in range(9):
        _post("/login/", "boss", "wrong-guess", ATTACKER)
    assert _post("/login/", "boss", PASSWORD, ATTACKER).status_code == 302


# --- rate limits shared across workers ----------------------------------------------------


def test_the_default_cache_is_the_database_so_workers_share_counters() -> None:
    base = importlib.import_module("linli.settings.base")
    if os.environ.get("REDIS_URL"):
        assert base.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert base.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
def test_database_cache_counters_are_seen_by_another_worker(settings: Any) -> None:
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "linli_cache"},
    }  # fmt: skip
    call_command("createcachetable", verbosity=0)
    from linli.core import ratelimit

    for _ in range(3):
        ratelimit.hit("probe", 60)
    # A second worker process has its own cache object over the same table.
    other = DatabaseCache("linli_cache", {})
    assert other.get(ratelimit.PREFIX + "probe") == 3


# --- next= only to this site --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site(evil: str, admin_user: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "boss", "password": PASSWORD, "next": evil})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/display/large-type/", {"next": evil})["Location"] == "/"
    language = client.post("/i18n/setlang/", {"language": "en", "next": evil})
    assert language["Location"] == "/"
    assert client.post("/display/large-type/", {"next": "/places/"})["Location"] == "/places/"


# --- keys -----------------------------------------------------------------------------------


def test_production_refuses_the_published_keys() -> None:
    good = {name: base64.b64encode(os.urandom(32)).decode() for name in keys.NAMES}
    keys.refuse_published(good)
    for name in keys.NAMES:
        for published in (keys.DEV[name], keys.TEST[name]):
            with pytest.raises(ImproperlyConfigured, match=f"{name} is one of the published"):
                keys.refuse_published({**good, name: published})
        with pytest.raises(ImproperlyConfigured, match=f"{name} must be set"):
            keys.refuse_published({**good, name: ""})
    with pytest.raises(ImproperlyConfigured, match="LINLI_DATA_KEYS"):
        keys.refuse_published({**good, "LINLI_DATA_KEYS": f"k1:{keys.DEV['LINLI_DATA_KEY']}"})


def test_first_run_generates_private_keys_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys.env"
    first = keys.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == set(keys.NAMES)
    assert not set(first.values()) & keys.PUBLISHED
    assert all(len(base64.b64decode(first[n])) == 32 for n in keys.NAMES[1:])
    assert keys.load_or_create(path) == first  # kept, not regenerated
    keys.refuse_published(first)  # good enough for production too


def test_var_is_never_committed() -> None:
    ignored = (Path(__file__).resolve().parents[3] / ".gitignore").read_text().splitlines()
    assert "var/" in ignored


# --- content security policy --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/docs/", "/api/redoc/"])
def test_every_page_has_a_csp_and_loads_nothing_from_elsewhere(path: str, admin_user: Any) -> None:
    client = Client()
    if "/api/" in path:
        client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    page = response.content.decode()
    assert "https://" not in page.replace("https://www.w3.org", "")
    assert "fonts.googleapis" not in page and "cdn.jsdelivr" not in page
    assert "<script>" not in page  # no inline script, which the policy would block


@pytest.mark.django_db
def test_the_swagger_start_up_script_is_served_by_linli(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "SwaggerUIBundle" in script.content.decode()
