"""Many streets in one Linli: generated over every URL and API route.

Street A is the demo's 湖南路街道 (徐汇区) with its accounts; street B (天平路街道, 徐汇区) and
street C (华阳路街道, 长宁区) get one object of every kind a page names (``streets.py``), each
named with the street's marker (``ZQB``/``ZQC``). Django's URL resolver is walked as in
``test_route_access.py`` and its path parameters filled twice, with A's objects and with B's
(or C's); every route whose parameters differ names another street's object.

- A's accounts (street, committee, window, back office, partner, inspector) open no object of
  B: 403 or 404 on GET, and a POST changes nothing (403/404/405, no audit record);
- every other route they may open (lists, exports, the API's lists, dashboards) shows none of
  B's markers; B's own admin sees them on the main lists (so the markers are visible at all);
- the district offices of 徐汇区 do the same for C (长宁区), and see A and B;
- the city reader opens no page of people or households, and no page it opens shows a
  resident's name.

Pages for residents (``public``) and the API of public community data show every street's
public items by design and are left out.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linli.core import policy
from linli.core.roles import LOGIN, PUBLIC, ROUTES, Role, route_allows

from . import streets
from .test_route_access import HEAVY, NOT_YET, QUERY, _kwargs, _objects, walk

# The API's public community data: the same items the residents' pages show to anyone.
PUBLIC_DATA = {
    "community-position-list", "community-position-detail", "community-menu-list",
    "community-menu-detail", "community-event-list", "community-event-detail",
}  # fmt: skip
STREET_A = ("admin", "safety", "shanxin", "window", "backoffice", "partner", "inspector")
DISTRICT_ROLES = {
    "xuhui_safety": Role.DISTRICT_SAFETY,
    "xuhui_civil": Role.DISTRICT_CIVIL,
    "xuhui_housing": Role.DISTRICT_HOUSING,
}


def _other_objects(o: dict[str, Any], s: dict[str, Any]) -> dict[str, Any]:
    """``_objects()`` with every entry that belongs to a committee replaced by street s's."""
    from linli.risk import survey

    geo = {
        "committees": s["committee"].pk, "estates": s["estate"].pk,
        "buildings": s["building"].pk, "entrances": s["entrance"].pk,
        "households": s["household"].pk, "residents": s["resident"].pk,
    }  # fmt: skip
    rnd = s["round"]
    token = survey.online_token(rnd.survey, s["committee"]) if hasattr(rnd, "survey") else "x"
    api = {
        **o["api"],
        "committee": s["committee"].pk, "estate": s["estate"].pk, "building": s["building"].pk,
        "entrance": s["entrance"].pk, "household": s["household"].pk,
        "resident": s["resident"].pk, "risk-round": rnd.pk, "risk-sample": s["sample"].pk,
        "risk-my-sample": s["sample"].pk, "risk-case": s["case"].pk,
        "fire-extinguisher": s["extinguisher"].pk, "fire-charging-site": s["charging"].pk,
        "elevator-project": s["project"].pk, "community-position": s["position"].pk,
        "community-event": s["event"].pk,
    }  # fmt: skip
    return {
        **o, "geo": geo, "committee": s["committee"].pk, "round": rnd.pk, "survey_token": token,
        "sample": s["sample"].pk, "risk_case": s["case"].pk,
        "extinguishers": s["extinguisher"].pk, "charging": s["charging"].pk,
        "project": s["project"].pk, "position": s["position"].pk, "event": s["event"].pk,
        "api": api,
    }  # fmt: skip


def _text(response: Any) -> str:
    """What a person would read in the answer: HTML, JSON, CSV or text, and the cells of a
    workbook."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    if kind.startswith(("text/", "application/json", "application/problem+json")):
        # Random tokens (CSRF, session keys) are no one's data, and one of them spelt a
        # marker by chance once: drop every run of 20+ token characters before looking.
        return _TOKEN.sub("", body.decode("utf-8", "replace"))
    return ""


_TOKEN = re.compile(r"[A-Za-z0-9_+/=-]{20,}")


_CLIENTS: dict[int, Client] = {}


def _client(user: Any) -> Client:
    """One signed-in client per account for the module (logging in is the slow part)."""
    if user.pk not in _CLIENTS:
        from linli.core.testing import verify_session

        client = Client(raise_request_exception=False)
        client.force_login(user)
        verify_session(client, user)  # the second factor, as conftest does for every test
        _CLIENTS[user.pk] = client
    return _CLIENTS[user.pk]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo street, streets B and C, district and city accounts, and every route with its
    parameters for A, B and C; built once for the module."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo", "--no-residents", "--no-papers", stdout=io.StringIO())
            from linli.core.models import User
            from linli.geo.models import City, District

            o = _objects()
            b = streets.build("ZQB", "310104003")  # 天平路街道, 徐汇区
            c = streets.build("ZQC", "310105001")  # 华阳路街道, 长宁区
            xuhui = District.objects.get(code="310104")
            users = {u.username: u for u in User.objects.filter(username__in=STREET_A)}
            for username, role in DISTRICT_ROLES.items():
                users[username] = User.objects.create(username=username, role=role, district=xuhui)
            users["city_viewer"] = User.objects.create(
                username="city_viewer", role=Role.CITY_VIEWER, city=City.objects.get(code="310000")
            )
            users["zqb_admin"] = b["admin"]
            ob, oc = _other_objects(o, b), _other_objects(o, c)
            routes = []
            for name, pattern in walk():
                mine = dict(_kwargs(name, pattern, o))
                for key, kw_b in _kwargs(name, pattern, ob):
                    kw_c = dict(_kwargs(name, pattern, oc))[key]
                    routes.append((key, name, mine[key], kw_b, kw_c))
            from django.core.files.storage import storages

            files = dict(storages._storages)  # the demo's photos, kept for every test
            _CLIENTS.clear()
            for user in users.values():  # signed in once, inside the module's transaction
                _client(user)
            yield {"o": o, "b": b, "c": c, "users": users, "routes": routes, "files": files}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _the_worlds_files(world: Any) -> None:
    """Each test starts with fresh stored files (conftest); these tests share the world's."""
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    storages._storages = dict(world["files"])
    default_storage._wrapped = empty


def _rule(key: str, name: str) -> Any:
    return ROUTES.get(key, ROUTES.get(name))


def _checked(key: str, name: str) -> bool:
    """Routes with data to keep apart (not the residents' pages, not logging out: the clients
    stay signed in for the module)."""
    rule = _rule(key, name)
    return rule not in (PUBLIC, None) and name not in PUBLIC_DATA and name != "logout"


def _allowed(user: Any, key: str, name: str) -> bool:
    rule = _rule(key, name)
    return rule == LOGIN or route_allows(user.role, policy.unit_of(user), rule)


def _url(name: str, kwargs: dict[str, Any], o: dict[str, Any]) -> str:
    return reverse(name, kwargs=kwargs) + QUERY.get(name, "").format(**o)


@pytest.mark.django_db
def test_no_account_of_a_street_opens_or_changes_an_object_of_another(world: Any) -> None:
    from linli.core.models import AuditRecord

    users, o = world["users"], world["o"]
    pairs = [(u, 3) for u in STREET_A] + [(u, 4) for u in DISTRICT_ROLES]
    failures: list[str] = []
    opened = 0
    for key, name, mine, kw_b, kw_c in world["routes"]:
        if not _checked(key, name) or name in NOT_YET:
            continue
        for who, index in pairs:
            theirs = (None, None, None, kw_b, kw_c)[index]
            if theirs == mine:
                continue  # the route names nothing of another street
            user = users[who]
            url = _url(name, theirs, o)
            client = _client(user)
            posted = False
            if _allowed(user, key, name):
                opened += 1
                response = client.get(url)
                posted = response.status_code == 405  # a POST-only route: POST it below
                if response.status_code not in (403, 404, 405):
                    failures.append(f"GET {key} {url} as {who}: {response.status_code}")
            if posted or who in ("admin", "shanxin", "xuhui_safety"):
                before = AuditRecord.objects.count()
                response = client.post(url, {})
                if response.status_code not in (403, 404, 405):
                    failures.append(f"POST {key} {url} as {who}: {response.status_code}")
                if AuditRecord.objects.count() != before:
                    failures.append(f"POST {key} {url} as {who}: recorded a change")
    assert opened > 150, opened  # the walk found the object routes
    assert failures == [], f"{len(failures)} answers open another street:\n" + "\n".join(failures)


def _lists(world: Any) -> list[tuple[str, str, str]]:
    """(key, name, url) of every checked route that names no object of another street."""
    o = world["o"]
    return [
        (key, name, _url(name, mine, o))
        for key, name, mine, kw_b, kw_c in world["routes"]
        if _checked(key, name) and mine == kw_b == kw_c and name not in NOT_YET
    ]


@pytest.mark.django_db
def test_no_list_page_export_or_api_list_shows_another_streets_objects(world: Any) -> None:
    users = world["users"]
    failures: list[str] = []
    shown: dict[str, set[str]] = {"zqb_admin": set(), "xuhui_safety": set()}
    read = 0
    for key, name, url in _lists(world):
        for who, hidden, own in (
            *((u, ("ZQB", "ZQC"), None) for u in STREET_A),
            *((u, ("ZQC",), "ZQB") for u in DISTRICT_ROLES),
            ("zqb_admin", ("ZQC",), "ZQB"),
        ):
            user = users[who]
            if not _allowed(user, key, name) or (
                name in HEAVY and who not in ("admin", "zqb_admin")
            ):
                continue
            response = _client(user).get(url)
            if response.status_code >= 500 or response.get("Location", "").startswith("/login/"):
                failures.append(f"{key} {url} as {who}: {response.status_code}")
                continue
            text = _text(response)
            read += 1
            for marker in hidden:
                if marker in text:
                    failures.append(f"{key} {url} as {who} shows {marker}")
            if own and own in text and who in shown:
                shown[who].add(key)
    assert read > 300, read
    assert failures == [], f"{len(failures)} lists show another street:\n" + "\n".join(failures)
    # The markers are visible where they belong: a street's admin and its district see the
    # street's objects on the main lists (else the check above could not fail).
    assert {
        "geo:list[committees]", "geo:list[residents]", "risk:cases", "fire:list[extinguishers]",
        "elevator:index", "committee-list", "resident-list", "risk-case-list",
        "fire-extinguisher-list", "elevator-project-list",
    } <= shown["zqb_admin"], sorted(shown["zqb_admin"])  # fmt: skip
    # (The district's API case list is paged by grade and due date: B's one case need not be on
    # its first page among A's, so the district is checked on the pages and the committee list.)
    assert {"geo:list[committees]", "risk:cases", "committee-list"} <= shown["xuhui_safety"], (
        sorted(shown["xuhui_safety"])
    )


@pytest.mark.django_db
def test_the_city_reader_reads_no_personal_data(world: Any) -> None:
    from linli.geo.models import Resident

    user, o = world["users"]["city_viewer"], world["o"]
    names = set(Resident.objects.values_list("name", flat=True))
    assert {"ZQB居民", "ZQC居民"} <= names
    client = _client(user)
    failures: list[str] = []
    opened = 0
    for key, name, mine, kw_b, _kw_c in world["routes"]:
        rule = _rule(key, name)
        if not _checked(key, name):
            continue
        personal = (
            any(p in str(rule) for p in ("people.", "geo.", "hall.", "elevator.", "community."))
            or "[residents]" in key
            or "[households]" in key
        )
        for kwargs in {repr(k): k for k in (mine, kw_b)}.values():
            url = _url(name, kwargs, o)
            response = client.get(url)
            if response.status_code == 405:  # a POST-only route: refused before any work
                response = client.post(url, {})
            if personal and response.status_code != 403:
                failures.append(f"{key} {url}: {response.status_code}, not refused")
                continue
            if response.status_code >= 500:
                failures.append(f"{key} {url}: {response.status_code}")
            if response.status_code == 200:
                opened += 1
                text = _text(response)
                failures += [f"{key} {url} shows {n}" for n in names if n and n in text]
    assert opened > 20, opened  # the city reader does read its aggregates
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_district_and_city_accounts_answer_as_the_route_table_says(world: Any) -> None:
    """The new roles on every route (A's parameters): allowed is opened, denied is 403."""
    users, o = world["users"], world["o"]
    failures: list[str] = []
    for key, name, mine, _kw_b, _kw_c in world["routes"]:
        rule = _rule(key, name)
        if not _checked(key, name) or name in HEAVY:
            continue
        url = _url(name, mine, o)
        object_route = bool(set(mine) - {"kind"}) or name in NOT_YET
        for who in (*DISTRICT_ROLES, "city_viewer"):
            user = users[who]
            response = _client(user).get(url)
            if response.status_code == 405:  # a POST-only route: refused before any work
                response = _client(user).post(url, {})
            status = response.status_code
            if _allowed(user, key, name):
                ok = status < 500 and status != 401 and (status not in (403, 404) or object_route)
                ok = ok and not response.get("Location", "").startswith("/login/")
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{key} {url} as {who}: {status} (rule {rule})")
    assert failures == [], f"{len(failures)} answers differ:\n" + "\n".join(failures)
