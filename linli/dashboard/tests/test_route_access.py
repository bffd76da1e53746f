"""Every URL and API route, every role and anonymous: the answer follows ``roles.ROUTES``.

Django's URL resolver is walked (pages, ``/api/v1/``, the API docs, the admin); path parameters
are filled with objects of the demo street; each demo account and an anonymous client GET every
route. The expected answer comes from the one declarative table next to the role matrix
(``linli/core/roles.py``: URL name → permission, ``public``, ``login`` or ``admin_site``), so a
route missing from the table fails here and cannot be left open by accident.

- denied (the role lacks what the route needs): 403;
- anonymous on a route that needs an account: a redirect to the login page (pages) or 401/403
  (the API);
- allowed: not 403, not a redirect to the login page, never 5xx. A 404 is accepted on an object
  route only (the object lies outside the account's committee or assignment, by design).
"""

from __future__ import annotations

import io
import os
import time
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from linli.core import policy
from linli.core.roles import PUBLIC, ROUTES, Role, route_allows

ADMINISTRATORS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)  # the admin site's two users

# One account of each role (the demo's) plus anonymous.
ACCOUNTS = {
    "admin": Role.STREET_ADMIN,
    "safety": Role.STREET_STAFF,
    "shanxin": Role.COMMITTEE_STAFF,
    "inspector": Role.INSPECTOR,
    "window": Role.WINDOW_CLERK,
    "backoffice": Role.BACKOFFICE_CLERK,
    "partner": Role.PARTNER,
    "auditor": Role.AUDITOR,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
}

GEO_KINDS = ("committees", "estates", "buildings", "entrances", "households", "residents")
FIRE_KINDS = ("extinguishers", "sprinklers", "charging")


def walk(patterns: Any = None, prefix: str = "", ns: str = "") -> list[tuple[str, URLPattern]]:
    """(full name, pattern) of every named route; unnamed routes are a failure of their own."""
    out: list[tuple[str, URLPattern]] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            out += walk(
                p.url_patterns,
                prefix + str(p.pattern),
                ns + (f"{p.namespace}:" if p.namespace else ""),
            )
        else:
            out.append((ns + (p.name or f"<unnamed {prefix}{p.pattern}>"), p))
    return out  # fmt: skip


def route_names() -> set[str]:
    return {name for name, _p in walk()}


def test_every_route_is_in_the_table() -> None:
    names = route_names()
    missing = sorted(n for n in names if n not in ROUTES and not n.startswith("admin:"))
    assert missing == [], f"routes without an access rule in roles.ROUTES: {missing}"
    stale = sorted(n for n in ROUTES if n.split("[")[0] not in names and not n.startswith("admin:"))
    assert stale == [], f"roles.ROUTES names routes that no longer exist: {stale}"


def test_a_route_not_in_the_table_fails() -> None:
    """The check above is not vacuous: a new route name is reported."""
    names = route_names() | {"geo:brand_new_page"}
    assert sorted(n for n in names if n not in ROUTES and not n.startswith("admin:")) == [
        "geo:brand_new_page"
    ]


def _objects() -> dict[str, Any]:
    """One object of each kind a path names, inside the committee of the committee account and
    assigned to the inspector or the partner where that matters."""
    from django_celery_beat.models import PeriodicTask

    from linli.community import models as cm
    from linli.core.models import User
    from linli.elevator import models as em
    from linli.fire import models as fm
    from linli.geo import models as gm
    from linli.hall import models as hm
    from linli.jobs.models import Job
    from linli.notices.models import Notice, OptOut
    from linli.risk import models as rm
    from linli.risk import survey

    users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    c = users["shanxin"].committee
    sample = rm.Sample.objects.filter(inspector=users["inspector"]).order_by("pk").first()
    rnd = rm.Round.objects.order_by("pk").first()

    def pk(obj: Any) -> int:
        return obj.pk if obj is not None else 999999

    resident = gm.Resident.objects.create(
        household=gm.Household.objects.filter(committee=c).first(), committee=c, name="测试居民"
    )
    station = fm.Station.objects.order_by("pk").first()
    signup = cm.Signup.objects.order_by("pk").first()
    member = cm.TeamMember.objects.order_by("pk").first()
    return {
        "geo": {
            "committees": c.pk,
            "estates": pk(gm.Estate.objects.filter(committee=c).first()),
            "buildings": pk(gm.Building.objects.filter(committee=c).first()),
            "entrances": pk(gm.Entrance.objects.filter(building__committee=c).first()),
            "households": pk(gm.Household.objects.filter(committee=c).first()),
            "residents": pk(resident),
        },
        "committee": c.pk,
        "risk:method": pk(rm.MethodVersion.objects.order_by("pk").first()),
        "round": pk(rnd),
        "survey_token": survey.online_token(rnd.survey, c) if rnd is not None else "x",
        "sample": pk(sample),
        "unit": "building",
        "photo": pk(rm.Photo.objects.order_by("pk").first()),
        "risk_case": pk(
            rm.HazardCase.objects.filter(organisation=users["partner"].organisation).first()
            or rm.HazardCase.objects.filter(committee=c).first()
        ),
        "paper": pk(rm.PaperFile.objects.order_by("pk").first()),
        "extinguishers": pk(fm.Extinguisher.objects.filter(committee=c).first()),
        "sprinklers": pk(fm.Sprinkler.objects.filter(committee=c).first()),
        "charging": pk(fm.ChargingSite.objects.filter(committee=c).first()),
        "station": pk(station),
        "kit": pk(fm.KitItem.objects.filter(station=station).first()),
        "fire_record": pk(fm.CheckRecord.objects.exclude(photo="").first()),
        "fire_plan": pk(fm.WorkPlan.objects.order_by("pk").first()),
        "hall": "A",
        "hall_token": hm.Ticket.objects.order_by("pk").first().token,
        "window": 1,
        "item_code": hm.Item.objects.order_by("code").first().code,
        "ticket": pk(hm.Ticket.objects.order_by("pk").first()),
        "hall_case": pk(hm.Case.objects.order_by("pk").first()),
        "project": pk(em.Project.objects.order_by("pk").first()),
        "document": em.Document.objects.order_by("pk").first(),
        "vote": pk(em.Vote.objects.order_by("pk").first()),
        "objection": pk(em.Objection.objects.order_by("pk").first()),
        "consultation": pk(em.Consultation.objects.order_by("pk").first()),
        "position": pk(cm.Position.objects.order_by("pk").first()),
        "event": pk(cm.Event.objects.filter(committee=c).first() or cm.Event.objects.first()),
        "practical": pk(cm.PracticalProject.objects.order_by("pk").first()),
        "signup_token": signup.token if signup else "x",
        "shift_token": cm.Shift.objects.order_by("pk").first().token,
        "volunteer": pk(member.volunteer if member else None),
        "team": pk(member.team if member else None),
        "order": pk(cm.ServiceOrder.objects.order_by("pk").first()),
        "series": pk(cm.Series.objects.order_by("pk").first()),
        "certificate": pk(cm.Certificate.objects.order_by("pk").first()),
        "job": pk(Job.objects.order_by("pk").first()),
        "schedule": pk(PeriodicTask.objects.order_by("pk").first()),
        "notice": pk(Notice.objects.filter(user=users["admin"]).first() or Notice.objects.first()),
        "optout": pk(OptOut.objects.order_by("pk").first()),
        "api": {
            "committee": c.pk,
            "estate": pk(gm.Estate.objects.filter(committee=c).first()),
            "building": pk(gm.Building.objects.filter(committee=c).first()),
            "entrance": pk(gm.Entrance.objects.filter(building__committee=c).first()),
            "household": pk(gm.Household.objects.filter(committee=c).first()),
            "resident": pk(resident),
            "risk-round": pk(rnd),
            "risk-score": pk(rm.Score.objects.order_by("pk").first()),
            "risk-sample": pk(sample),
            "risk-my-sample": pk(sample),
            "risk-case": pk(rm.HazardCase.objects.filter(committee=c).first()),
            "fire-extinguisher": pk(fm.Extinguisher.objects.filter(committee=c).first()),
            "fire-sprinkler": pk(fm.Sprinkler.objects.filter(committee=c).first()),
            "fire-charging-site": pk(fm.ChargingSite.objects.filter(committee=c).first()),
            "fire-plan": pk(fm.WorkPlan.objects.order_by("pk").first()),
            "hall-item": pk(hm.Item.objects.order_by("pk").first()),
            "hall-ticket": pk(hm.Ticket.objects.order_by("pk").first()),
            "hall-case": pk(hm.Case.objects.order_by("pk").first()),
            "elevator-project": pk(em.Project.objects.order_by("pk").first()),
            "elevator-vote": pk(em.Vote.objects.order_by("pk").first()),
            "community-position": pk(cm.Position.objects.order_by("pk").first()),
            "community-menu": pk(cm.MenuItem.objects.order_by("pk").first()),
            "community-event": pk(cm.Event.objects.filter(committee=c).first()),
            "community-signup": pk(signup),
            "community-order": pk(cm.ServiceOrder.objects.order_by("pk").first()),
            "community-alliance-order": pk(cm.AllianceOrder.objects.order_by("pk").first()),
            "community-volunteer": pk(member.volunteer if member else None),
        },
    }


# The object a route's <pk> names, by route name (others: the parameter's own entry).
PK_OF = {
    "risk:method": "risk:method", "risk:method_copy": "risk:method",
    "risk:photo": "photo", "risk:case": "risk_case", "risk:paper_file": "paper",
    "risk:case_assign": "risk_case", "risk:case_start": "risk_case",
    "risk:case_request_reinspection": "risk_case", "risk:case_sign": "risk_case",
    "risk:case_approve": "risk_case", "risk:case_reject": "risk_case",
    "risk:case_defer": "risk_case", "risk:case_resume": "risk_case",
    "risk:case_close_on_spot": "risk_case",
    "fire:extinguisher": "extinguishers", "fire:sprinkler": "sprinklers",
    "fire:photo": "fire_record", "hall:ticket": "ticket", "fire:plan": "fire_plan",
    "fire:plan_issue": "fire_plan",
    "elevator:vote": "vote", "elevator:vote_json": "vote", "elevator:vote_close": "vote",
    "elevator:objection": "objection", "elevator:objection_settle": "objection",
    "elevator:consultation_edit": "consultation", "community:position": "position",
    "community:order_new": "position", "community:event": "event", "community:roster": "event",
    "community:door": "event", "community:project": "practical",
    "community:project_edit": "practical", "community:project_manage": "practical",
    "community:order": "order", "community:certificate": "volunteer",
    "community:order_accept": "order", "community:order_decline": "order",
    "community:order_dispatch": "order", "community:order_deliver": "order",
    "community:order_rate": "order", "community:order_cancel": "order",
    "community:position_edit": "position", "community:position_manage": "position",
    "community:series_edit": "series", "community:volunteer_code": "volunteer",
    "community:me_certificate": "certificate",
    "community:position_staff_save": "position", "community:position_staff_remove": "position",
    "community:position_space_save": "position", "community:position_menu_save": "position",
    "community:project_milestone_add": "practical", "community:project_milestone_done": "practical",
    "community:project_contribution_add": "practical",
    "community:project_decision_add": "practical", "community:roster_signup": "event",
    "community:roster_release": "event",
    "dashboard:sample_facts": "sample", "jobs:cancel": "job", "jobs:retry": "job",
    "jobs:download": "job", "jobs:schedule": "schedule", "jobs:schedule_run": "schedule",
    "notices:open": "notice",
    "notices:withdraw": "optout",
}  # fmt: skip


def _kwargs(name: str, pattern: URLPattern, o: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table key, kwargs) for each way a route is opened in this test."""
    params = set(pattern.pattern.regex.groupindex)
    app = name.split(":")[0]
    if name.startswith("admin:"):
        return []  # the admin site is checked separately
    if "format" in params:
        return []  # ".json" twins of API routes: the same view as the route without it
    if app == "geo" and "kind" in params:
        kinds = GEO_KINDS if name != "geo:reveal" else ()
        return [
            (f"{name}[{k}]", {"kind": k, **({"pk": o["geo"][k]} if "pk" in params else {})})
            for k in kinds
        ]
    if name == "geo:reveal":
        return [(name, {"pk": o["geo"]["residents"]})]
    if app == "fire" and "kind" in params:
        return [
            (f"{name}[{k}]", {"kind": k, **({"pk": o[k]} if "pk" in params else {})})
            for k in FIRE_KINDS
        ]
    kw: dict[str, Any] = {}
    for p in params:
        if p == "pk":
            if "-" in name and not name.startswith(("risk:", "fire:")):
                kw[p] = o["api"][name.rsplit("-", 1)[0]]
            elif (
                name.startswith("risk:")
                and name.split(":")[1].startswith(
                    ("round", "street_paper", "survey", "papers", "committee", "paper")
                )
                and name != "risk:paper_file"
            ):
                kw[p] = o["round"]
            elif name.startswith("risk:sample"):
                kw[p] = o["sample"]
            elif name.startswith("fire:station") or name == "fire:kit_check":
                kw[p] = o["station"]
            elif name.startswith("elevator:") and name not in PK_OF:
                kw[p] = o["project"]
            else:
                kw[p] = o[PK_OF[name]]
        elif p == "committee":
            kw[p] = o["committee"]
        elif p == "token":
            kw[p] = {
                "risk:survey_online": o["survey_token"],
                "community:shift": o["shift_token"],
            }.get(name, o["hall_token"] if app == "hall" else o["signup_token"])
        elif p == "unit":
            kw[p] = o["unit"]
        elif p == "part":
            kw[p] = "kit"
        elif p == "item":
            kw[p] = o["kit"]
        elif p == "hall":
            kw[p] = o["hall"]
        elif p == "number":
            kw[p] = o["window"]
        elif p == "code":
            kw[p] = o["item_code"]
        elif p == "doc":
            kw[p] = o["document"].pk
            if "pk" in params:  # the owner's route needs no project: the session gives it
                kw["pk"] = o["document"].project_id
        elif p == "team_pk":
            kw[p] = o["team"]
        elif p == "key":
            kw[p] = "risk"
        elif p == "row_id":
            kw[p] = 999999  # another session's row: refused as not found
        else:  # pragma: no cover - a new kind of parameter needs a value here
            raise AssertionError(f"{name}: no value for path parameter {p!r}")
    return [(name, kw)]


# Every account that may NOT open a route is checked on it, and anonymous. Of the accounts that
# may, the narrowest (committee, organisation or assignment scope first) and the widest (the
# street admin) are, to keep the run short; of routes whose page takes long (a PDF, a
# whole-street workbook, a form listing every household), only the narrowest.
HEAVY = {
    "risk:street_paper_pdf", "risk:paper_pdf", "fire:export", "geo:export", "hall:case_export",
    "hall:ticket_export", "community:volunteers_export", "fire:due_export", "schema",
    "geo:create", "geo:edit", "fire:create", "fire:edit",
}  # fmt: skip
NARROW_FIRST = (
    "shanxin",
    "partner",
    "inspector",
    "window",
    "backoffice",
    "auditor",
    "sysadmin",
    "secadmin",
    "safety",
    "admin",
)

# Routes that need a query to show anything, and routes that answer 404 until the account
# has something there (an import with errors).
QUERY = {"fire:ebikes": "?committee={committee}"}
NOT_YET = {"geo:import_errors", "fire:import_errors"}


STAFF_LOGINS = ("/login/", "/admin/login/")


def _denied(status: int, location: str, api: bool, anonymous: bool) -> bool:
    if not anonymous:
        return status == 403
    if api:
        return status in (401, 403)
    # Sent to log in: the staff log-in, or a volunteer page's own (personal code + phone tail).
    return status == 302 and location.startswith((*STAFF_LOGINS, "/community/me/login/"))


def _allowed(status: int, location: str, object_route: bool) -> bool:
    """Opened: not refused, not sent to log in, no server error. An object route may answer
    403/404 for an object outside the account's committee or assignment (tested per module)."""
    if status >= 500 or status == 401:
        return False
    if status in (301, 302) and location.startswith(STAFF_LOGINS):
        return False
    return status not in (403, 404) or object_route


def _admin_routes() -> list[tuple[str, dict[str, Any]]]:
    from django.contrib import admin
    from django.test import RequestFactory

    from linli.core.models import User

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="sysadmin")
    out: list[tuple[str, dict[str, Any]]] = [("admin:index", {})]
    labels = set()
    for model in admin.site._registry:
        meta = model._meta
        labels.add(meta.app_label)
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        base = f"admin:{meta.app_label}_{meta.model_name}"
        out.append((f"{base}_changelist", {}))
        if admin.site._registry[model].has_add_permission(request):
            out.append((f"{base}_add", {}))
        if first is not None:
            out += [
                (f"{base}_change", {"object_id": first}),
                (f"{base}_history", {"object_id": first}),
            ]
    out += [("admin:app_list", {"app_label": label}) for label in sorted(labels)]
    return out  # fmt: skip


def _rule(key: str, name: str, kwargs: dict[str, Any]) -> Any:
    """The table's rule for a route; admin pages by exact name, app list, model prefix, else
    the admin site's rule."""
    if key in ROUTES or not name.startswith("admin:"):
        return ROUTES.get(key, ROUTES.get(name))
    if name == "admin:app_list":
        return ROUTES.get(f"admin:app_list[{kwargs['app_label']}]", ROUTES["admin:*"])
    prefixes = [k for k in ROUTES if k.endswith("_*") and name.startswith(k[:-1])]
    return ROUTES[max(prefixes, key=len)] if prefixes else ROUTES["admin:*"]


@pytest.mark.django_db
def test_every_route_answers_every_role_as_the_table_says() -> None:
    """Denied identities POST (nothing may happen: 403 before any work) and GET; allowed ones
    GET. Anonymous is sent to log in (pages) or refused (API) unless the route is public."""
    from django.core.management import call_command

    started, cpu = time.monotonic(), time.process_time()
    call_command("demo", "--no-residents", "--no-papers", stdout=io.StringIO())
    built, built_cpu = time.monotonic() - started, time.process_time() - cpu
    o = _objects()
    from linli.core.models import User

    clients: dict[str, tuple[Client, Role | None, str | None]] = {
        "anonymous": (Client(), None, None)
    }
    for username, role in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.role == role
        client = Client()
        client.force_login(user)
        clients[username] = (client, role, policy.unit_of(user))

    failures: list[str] = []
    tally: Counter[str] = Counter()
    cost: Counter[str] = Counter()
    routes = [
        (key, name, kwargs) for name, pattern in walk() for key, kwargs in _kwargs(name, pattern, o)
    ]
    routes += [(name, name, kwargs) for name, kwargs in _admin_routes()]
    for key, name, kwargs in routes:
        rule = _rule(key, name, kwargs)
        assert rule is not None, key
        url = reverse(name, kwargs=kwargs) + QUERY.get(name, "").format(**o)
        api = url.startswith("/api/")
        heavy = name in HEAVY
        narrowest = next(
            (
                w
                for w in NARROW_FIRST
                if rule == PUBLIC or route_allows(clients[w][1], clients[w][2], rule)
            ),
            "",
        )
        widest = next(
            (
                w
                for w in reversed(NARROW_FIRST)
                if rule == PUBLIC or route_allows(clients[w][1], clients[w][2], rule)
            ),
            "",
        )
        object_route = any(k not in ("kind", "app_label") for k in kwargs) or name in NOT_YET
        for who, (client, role, department) in clients.items():
            allowed = rule == PUBLIC or (role is not None and route_allows(role, department, rule))
            if allowed and role is not None and who != narrowest and (heavy or who != widest):
                continue
            t0 = time.monotonic()
            if name.startswith("admin:") and not allowed and role in ADMINISTRATORS:
                # The other administrator: inside the admin site, refused this page (an app
                # with no page for them is not found, as Django's admin answers).
                response = client.get(url)
                ok = response.status_code == (404 if name == "admin:app_list" else 403)
            elif name.startswith("admin:") and not allowed:
                # Django's admin sends other accounts to its own log-in page, anonymous to ours.
                response = client.get(url)
                logins = ("/login/", "/admin/login/") if role is None else ("/admin/login/",)
                ok = response.status_code == 302 and response["Location"].startswith(logins)
            elif allowed:
                response = client.get(url)
                ok = _allowed(response.status_code, response.get("Location", ""), object_route)
            else:
                response = client.get(url)
                if response.status_code == 405:
                    # A POST-only route: the POST must be refused before it does anything.
                    response = client.post(url, {})
                ok = _denied(response.status_code, response.get("Location", ""), api, role is None)
            tally[f"{'allowed' if allowed else 'denied'} {response.status_code}"] += 1
            cost[key] += time.monotonic() - t0
            if not ok:
                failures.append(
                    f"{key} {url} as {who}: {response.status_code} {response.get('Location', '')} (rule {rule})"
                )
    elapsed = time.monotonic() - started
    summary = f"{len(routes)} routes × {len(clients)} identities; {dict(sorted(tally.items()))}; demo {built:.1f} s ({built_cpu:.1f} s CPU), total {elapsed:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
    if os.environ.get("LINLI_ROUTE_REPORT"):
        print("\n" + summary)
        for key, seconds in cost.most_common(25):
            print(f"{seconds:6.2f} s  {key}")
    assert failures == [], f"{len(failures)} answers differ ({summary}):\n" + "\n".join(failures)
