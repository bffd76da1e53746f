"""Accessibility sweep: axe-core on every page of every role and every public screen.

GB/T 37668-2019 (aligned with WCAG 2.x AA) is checked with axe-core's rules tagged wcag2a,
wcag2aa, wcag21a and wcag21aa, on the demo street, at the size each page is used (kiosk
1080×1920, board 1920×1080, phone 390×844, desktop 1280×800), in normal and in large-type
(elderly) mode. ``SCREENS`` is the one list: a new page is covered by adding one line to it.

axe-core comes from the npm registry, pinned by ``tests/a11y/package-lock.json`` and installed by
``scripts/ensure-axe.sh`` (``make browser-test`` runs it). Without it this test fails, naming the
fix — an accessibility check that did not run must never pass.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import TIMEOUT_MS

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "linli-demo-2026"

SIZES: dict[str, dict[str, Any]] = {
    "kiosk": {"viewport": {"width": 1080, "height": 1920}, "has_touch": True},
    "board": {"viewport": {"width": 1920, "height": 1080}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
MODES = ("normal", "large")
D, P, K, B = ("desktop",), ("phone",), ("kiosk",), ("board",)
DP = ("desktop", "phone")


@dataclass(frozen=True)
class Screen:
    """A page: its path (``{name}`` filled from ``demo_ids``), who opens it, at which sizes."""

    path: str
    account: str | None  # a demo account, or None for a public screen (no login)
    sizes: tuple[str, ...]
    before: Callable[[Any, dict[str, Any]], None] | None = None  # steps that reach the page
    navigate: bool = True  # False: ``before`` ends on the page (it answers a POST)


def _owner_login(page: Any, ids: dict[str, Any]) -> None:
    page.goto("/elevator/owner/")
    page.fill("input[name=code]", "DEMA-2345-WZHQ")
    page.fill("input[name=tail]", "3349")
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_url("**/owner/ballot/")


def _issue_codes(page: Any, ids: dict[str, Any]) -> None:
    # New personal codes replace the demo's: the public owner page is swept before this (its
    # groups come first in ``SCREENS``).
    page.goto(f"/elevator/projects/{ids['lift']}/roll/")
    page.get_by_role("button", name="生成个人码并打印征询通知").click()
    page.wait_for_url("**/codes/")


# fmt: off
SCREENS: list[Screen] = [
    # --- public screens (residents, no login) ---
    Screen("/hall/kiosk/A/", None, K),
    Screen("/hall/kiosk/B/", None, K),
    Screen("/hall/t/{slip_token}/slip/", None, K),
    Screen("/hall/t/{waiting_token}/", None, P),
    Screen("/hall/t/{done_token}/", None, P),
    Screen("/hall/board/A/", None, B),
    Screen("/hall/terminal/", None, K),
    Screen("/hall/terminal/consult/?q=sbk", None, K),
    Screen("/hall/terminal/consult/{item_code}/", None, K),
    Screen("/hall/terminal/query/", None, K),
    Screen("/hall/terminal/apply/", None, K),
    Screen("/hall/terminal/apply/?item={apply_code}", None, K),
    Screen("/hall/terminal/pickup/", None, K),
    Screen("/elevator/owner/", None, DP),
    Screen("/elevator/owner/ballot/", None, DP, before=_owner_login),
    Screen("/elevator/guide/", None, DP),
    Screen("/risk/survey/{survey_token}/", None, P),
    Screen("/community/", None, DP),
    Screen("/community/network/", None, DP),
    Screen("/community/positions/{position}/", None, P),
    Screen("/community/positions/{position}/order/", None, P),
    Screen("/community/menu/", None, P),
    Screen("/community/calendar/", None, P),
    Screen("/community/events/{event}/", None, P),
    Screen("/community/ticket/{signup_token}/", None, P),
    Screen("/community/wish/", None, P),
    Screen("/community/projects/", None, P),
    Screen("/community/projects/{practical}/", None, P),
    Screen("/community/screen/", None, B),
    Screen("/login/", None, DP),
    # --- street admin ---
    Screen("/", "admin", DP),
    Screen("/calendar/", "admin", DP),
    Screen("/places/committees/", "admin", D),
    Screen("/places/committees/{committee}/", "admin", D),
    Screen("/places/estates/", "admin", D),
    Screen("/places/buildings/", "admin", DP),
    Screen("/places/buildings/{building}/", "admin", D),
    Screen("/places/buildings/new/", "admin", D),
    Screen("/places/buildings/{building}/edit/", "admin", D),
    Screen("/places/buildings/{building}/delete/", "admin", D),
    Screen("/places/buildings/import/", "admin", D),
    Screen("/places/entrances/", "admin", D),
    Screen("/places/households/", "admin", D),
    Screen("/places/households/{household}/", "admin", D),
    Screen("/places/residents/", "admin", D),
    Screen("/jobs/", "admin", D),
    Screen("/jobs/schedules/", "admin", D),
    Screen("/notices/", "admin", D),
    Screen("/notices/log/", "admin", D),
    Screen("/notices/opt-outs/", "admin", D),
    Screen("/hall/", "admin", D),
    Screen("/hall/supervise/", "admin", D),
    Screen("/hall/items/", "admin", D),
    Screen("/hall/items/{item_code}/", "admin", D),
    Screen("/hall/items/import/", "admin", D),
    Screen("/hall/cases/", "admin", D),
    Screen("/hall/ratings/", "admin", D),
    Screen("/hall/stats/", "admin", D),
    Screen("/hall/staffing/", "admin", D),
    Screen("/hall/book/", "admin", D),
    Screen("/hall/slots/", "admin", D),
    Screen("/hall/setup/", "admin", D),
    Screen("/hall/tickets/", "admin", D),
    Screen("/hall/tickets/{ticket}/", "admin", D),
    Screen("/hall/lockers/", "admin", D),
    # --- safety office: risk and fire ---
    Screen("/risk/", "safety", D),
    Screen("/risk/methods/{method}/", "safety", D),
    Screen("/risk/rounds/new/", "safety", D),
    Screen("/risk/rounds/{round}/", "safety", DP),
    Screen("/risk/rounds/{round}/paper/", "safety", D),
    Screen("/risk/rounds/{round}/survey/", "safety", D),
    Screen("/risk/rounds/{round}/papers/", "safety", D),
    Screen("/risk/rounds/{round}/samples/", "safety", D),
    Screen("/risk/rounds/{round}/committees/{committee}/", "safety", D),
    Screen("/risk/rounds/{round}/committees/{committee}/paper/", "safety", D),
    Screen("/risk/cases/", "safety", D),
    Screen("/risk/cases/{hazard}/", "safety", D),
    Screen("/fire/", "safety", D),
    Screen("/fire/due/", "safety", D),
    Screen("/fire/batches/", "safety", D),
    Screen("/fire/programme/", "safety", D),
    Screen("/fire/coverage/", "safety", DP),
    Screen("/fire/plans/", "safety", D),
    Screen("/fire/plans/{fire_plan}/", "safety", D),
    Screen("/fire/coverage/ebikes/?committee={committee}", "safety", D),
    Screen("/fire/extinguishers/{extinguisher}/", "safety", DP),
    Screen("/fire/sprinklers/{sprinkler}/", "safety", D),
    Screen("/fire/stations/{station}/", "safety", D),
    Screen("/fire/registry/extinguishers/", "safety", D),
    Screen("/fire/registry/extinguishers/new/", "safety", D),
    Screen("/fire/registry/extinguishers/{extinguisher}/edit/", "safety", D),
    Screen("/fire/registry/extinguishers/import/", "safety", D),
    Screen("/fire/registry/sprinklers/", "safety", D),
    Screen("/fire/registry/charging/", "safety", D),
    # --- housing office: lift retrofit ---
    Screen("/elevator/", "housing", D),
    Screen("/elevator/new/", "housing", D),
    Screen("/elevator/reminders/", "housing", D),
    Screen("/elevator/projects/{lift}/", "housing", D),
    Screen("/elevator/projects/{lift}/edit/", "housing", D),
    Screen("/elevator/projects/{lift}/roll/", "housing", D),
    Screen("/elevator/projects/{lift}/codes/", "housing", D, before=_issue_codes, navigate=False),
    Screen("/elevator/projects/{lift}/costs/", "housing", D),
    Screen("/elevator/projects/{lift}/costs/annex/", "housing", D),
    Screen("/elevator/votes/{vote}/", "housing", D),
    Screen("/elevator/objections/{objection}/", "housing", D),
    Screen("/elevator/consultations/", "housing", D),
    Screen("/elevator/consultations/new/", "housing", D),
    # --- committee staff ---
    Screen("/", "shanxin", D),
    Screen("/places/households/", "shanxin", P),
    # --- inspector (on a phone) ---
    Screen("/", "inspector", P),
    Screen("/risk/samples/mine/", "inspector", P),
    Screen("/risk/samples/{sample}/", "inspector", P),
    Screen("/risk/samples/{sample}/units/{unit}/", "inspector", P),
    Screen("/link/samples/{sample}/facts/", "inspector", P),
    # --- service-centre clerks ---
    Screen("/hall/window/", "window", D),
    Screen("/hall/window/1/", "window", D),
    Screen("/hall/backoffice/", "backoffice", D),
    # --- partner, auditor ---
    Screen("/", "partner", D),
    Screen("/risk/cases/", "partner", DP),
    Screen("/fire/plans/{fire_plan}/", "partner", DP),
    Screen("/audit/", "auditor", D),
    # --- party-mass office: community ---
    Screen("/community/events/", "dangqun", D),
    Screen("/community/events/new/", "dangqun", D),
    Screen("/community/series/", "dangqun", D),
    Screen("/community/events/{event}/roster/", "dangqun", D),
    Screen("/community/events/{event}/door/", "dangqun", P),
    Screen("/community/checkin/{signup_token}/", "dangqun", P),
    Screen("/community/orders/", "dangqun", D),
    Screen("/community/orders/{order}/", "dangqun", D),
    Screen("/community/wishes/", "dangqun", D),
    Screen("/community/volunteers/", "dangqun", D),
    Screen("/community/shifts/{shift}/", "dangqun", P),
    Screen("/community/projects/new/", "dangqun", D),
    Screen("/community/projects/{practical}/edit/", "dangqun", D),
    Screen("/community/projects/{practical}/manage/", "dangqun", D),
    Screen("/community/alliance/", "dangqun", D),
    # --- alliance partners ---
    Screen("/community/alliance/", "school", D),
    Screen("/community/alliance/", "arts", D),
    # --- the network's editing pages (party-mass office) and the volunteer's log-in ---
    Screen("/community/network/manage/", "dangqun", D),
    Screen("/community/positions/new/", "dangqun", DP),
    Screen("/community/positions/{position}/edit/", "dangqun", D),
    Screen("/community/positions/{position}/manage/", "dangqun", D),
    Screen("/community/series/new/", "dangqun", D),
    Screen("/community/me/login/", None, P),
    # --- one's own account: password, second factor, sessions (any staff account) ---
    Screen("/account/", "safety", DP),
    Screen("/account/password/", "safety", D),
    Screen("/account/sessions/", "safety", DP),
    Screen("/account/two-factor/setup/", "safety", P),
    # --- the audit administrator, the system and security administrators ---
    Screen("/audit/", "auditor", D),
    Screen("/", "sysadmin", D),
    Screen("/", "secadmin", D),
]
# fmt: on


def demo_ids() -> dict[str, Any]:
    """The objects the paths of ``SCREENS`` name, picked from the demo street."""
    from django.utils import timezone

    from linli.community import models as cm
    from linli.elevator import models as em
    from linli.fire import models as fm
    from linli.geo import models as gm
    from linli.hall import models as hm
    from linli.hall.services import do_issue_ticket
    from linli.risk import models as rm
    from linli.risk import services as risk_services
    from linli.risk.survey import online_token

    committee = gm.Committee.objects.get(name__startswith="陕新")
    round_ = rm.Round.objects.order_by("pk").first()
    assert round_ is not None
    sample = rm.Sample.objects.filter(inspector__username="inspector").order_by("pk").first()
    assert sample is not None, "the demo has no sample for the inspector"
    method = risk_services.method_of(sample.round.method)
    survey = rm.Survey.objects.get(round=round_)
    # Two tickets of our own, whatever hour of the day the demo's were built for: one waiting,
    # one done and not rated (its status page shows the rating form).
    queue = hm.Queue.objects.filter(hall__code="A", is_backoffice=False).order_by("pk")[0]
    waiting = do_issue_ticket(queue, now=timezone.now())
    done = do_issue_ticket(queue, now=timezone.now())
    done.state = "done"
    done.window = hm.Window.objects.filter(hall=queue.hall).order_by("number")[0]
    done.save()
    apply_item = hm.Item.objects.filter(channel_self_service=True).order_by("pk").first()
    return {
        "committee": committee.pk,
        "building": gm.Building.objects.filter(committee=committee).order_by("pk")[0].pk,
        "household": gm.Household.objects.filter(committee=committee).order_by("pk")[0].pk,
        "slip_token": waiting.token,
        "waiting_token": waiting.token,
        "done_token": done.token,  # done, not yet rated: the rating form shows
        "ticket": done.pk,
        "item_code": hm.Item.objects.order_by("pk")[0].code,
        "apply_code": (apply_item or hm.Item.objects.order_by("pk")[0]).code,
        "survey_token": online_token(survey, committee),
        "round": round_.pk,
        "method": round_.method_id,
        "sample": sample.pk,
        "unit": method.unit_codes[0],
        "hazard": rm.HazardCase.objects.order_by("pk")[0].pk,
        "extinguisher": fm.Extinguisher.objects.order_by("pk")[0].pk,
        "sprinkler": fm.Sprinkler.objects.order_by("pk")[0].pk,
        "station": fm.Station.objects.order_by("pk")[0].pk,
        "fire_plan": fm.WorkPlan.objects.order_by("pk")[0].pk,
        "lift": em.Project.objects.order_by("pk")[0].pk,
        "vote": em.Vote.objects.order_by("pk")[0].pk,
        "objection": em.Objection.objects.order_by("pk")[0].pk,
        "position": cm.Position.objects.order_by("pk")[0].pk,
        "event": cm.Event.objects.filter(status="open").order_by("starts_at", "pk")[0].pk,
        "signup_token": cm.Signup.objects.filter(state="confirmed").order_by("pk")[0].token,
        "practical": cm.PracticalProject.objects.order_by("pk")[0].pk,
        "order": cm.ServiceOrder.objects.order_by("pk")[0].pk,
        "shift": cm.Shift.objects.order_by("pk")[0].token,
    }


def build_demo() -> None:
    """The demo street without residents or white-paper PDFs (what the pages need, quickly)."""
    import importlib

    from django.db import transaction

    from linli.dashboard.management.commands.demo import DOMAIN_DEMOS
    from linli.geo import demo as geo_demo

    with transaction.atomic():
        geo_demo.build(with_residents=False)
        for app in DOMAIN_DEMOS:
            importlib.import_module(f"linli.{app}.demo").build()


AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')}))}));
}"""


# Geometry, measured by the browser itself: every target (link, button, field, summary; a radio or
# checkbox by its label) at least ``target`` px both ways, every piece of visible text at least
# ``text`` px. A link inside a sentence is exempt as WCAG 2.5.8 allows; SVG diagrams are exempt.
MEASURE = """(limits) => {
  const out = [];
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const hidden = el => el.closest('svg, script, style, noscript, .visually-hidden, [hidden], dialog:not([open]), .skip:not(:focus)');
  const label = el => (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 24) + '"');
  const inSentence = a => {
    if (getComputedStyle(a).display !== 'inline') return false;
    const parent = a.parentElement;
    if (!parent || !['P', 'DD', 'SPAN', 'SMALL', 'FIGCAPTION', 'LEGEND', 'TD'].includes(parent.tagName)) return false;
    return parent.textContent.replace(a.textContent, '').trim().length > 0;
  };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (hidden(el) || !shown(el)) continue;
    if (el.tagName === 'A' && inSentence(el)) continue;
    let box = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) box = el.closest('label') || el;
    const r = box.getBoundingClientRect();
    if (r.width + 0.5 < limits.target || r.height + 0.5 < limits.target)
      out.push(`target ${r.width.toFixed(1)}×${r.height.toFixed(1)} px < ${limits.target}: ${label(el)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.nodeValue.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (hidden(el) || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size + 0.05 < limits.text) out.push(`text ${size.toFixed(1)} px < ${limits.text}: ${label(el)}`);
  }
  return out;
}"""
# ids unique per page (axe 4.x no longer checks it under the WCAG tags) and every id that an
# aria-describedby / aria-labelledby / label[for] names present on the page.
IDS = """() => {
  const out = [], seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(seen)) if (n > 1) out.push(`id "${id}" used ${n} times`);
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], label[for]')) {
    const refs = (el.getAttribute('aria-describedby') || '') + ' ' + (el.getAttribute('aria-labelledby') || '')
      + ' ' + (el.getAttribute('for') || '');
    for (const ref of refs.split(/\\s+/).filter(Boolean))
      if (!document.getElementById(ref)) out.push(`${el.tagName.toLowerCase()}[name=${el.getAttribute('name')}] names missing id "${ref}"`);
  }
  return out;
}"""
LIMITS = {"normal": {"target": 44, "text": 16}, "large": {"target": 60, "text": 22}}


def groups() -> dict[tuple[str | None, str, str], list[Screen]]:
    """Screens by (account, size, mode): one logged-in browser context each."""
    out: dict[tuple[str | None, str, str], list[Screen]] = {}
    for screen in SCREENS:
        for size in screen.sizes:
            for mode in MODES:
                out.setdefault((screen.account, size, mode), []).append(screen)
    return out


def _needs_second_factor(username: str) -> bool:
    from linli.core.accounts import needs_two_factor
    from linli.core.models import User

    return bool(needs_two_factor(User.objects.get(username=username)))


def _verified_session(username: str, host: str) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from linli.core.models import User
    from linli.core.testing import verify_session

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    verify_session(client, user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": host,
        "path": "/",
    }


def sweep(browser: Any, base_url: str, ids: dict[str, Any]) -> tuple[int, list[str]]:
    """Run axe on every screen; the number of page runs and one line per failing element."""
    problems: list[str] = []
    runs = 0
    for (account, size, mode), screens in groups().items():
        # Reduced motion: no page is measured halfway through a fade (the community screen's).
        context = browser.new_context(
            base_url=base_url,
            locale="zh-CN",
            bypass_csp=True,
            reduced_motion="reduce",
            **SIZES[size],
        )
        context.set_default_timeout(TIMEOUT_MS)
        host = re.sub(r"^https?://([^:/]+).*$", r"\1", base_url)
        if mode == "large":
            context.add_cookies(
                [{"name": "linli_large", "value": "1", "domain": host, "path": "/"}]
            )
        page = context.new_page()
        try:
            if account is not None and _needs_second_factor(account):
                # An administrator: a session verified by a second factor, as after the
                # authenticator step (its own browser test: tests/browser/test_account.py);
                # typing the demo's codes for every size and mode would reuse single-use codes.
                context.add_cookies([_verified_session(account, host)])
            elif account is not None:
                page.goto("/login/")
                page.fill("input[name=username]", account)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.locator("form.form-grid button[type=submit]").click()
                page.wait_for_url(lambda url: "/login/" not in url)
            for screen in screens:
                path = screen.path.format(**ids)
                where = f"{path} [{account or 'public'}, {size}, {mode}]"
                try:
                    if screen.before is not None:
                        screen.before(page, ids)
                    response = (
                        page.goto(path, wait_until="domcontentloaded") if screen.navigate else None
                    )
                except Exception as error:  # reported like any other failure
                    problems.append(f"{where}: could not open: {error}".splitlines()[0])
                    continue
                runs += 1
                status = response.status if response is not None else 200
                if status != 200:
                    problems.append(f"{where}: HTTP {status}")
                    continue
                page.add_script_tag(path=str(AXE))  # CSP bypassed for this context only
                if screen.account is None:  # the public screens: targets and type measured too
                    page.evaluate("document.fonts.ready.then(() => true)")
                    for line in page.evaluate(MEASURE, LIMITS[mode]):
                        problems.append(f"{where}: {line}")
                for line in page.evaluate(IDS):
                    problems.append(f"{where}: {line}")
                for v in page.evaluate(AXE_RUN, TAGS):
                    for node in v["nodes"]:
                        problems.append(
                            f"{where}: {v['id']} ({v['impact']}) at {node['target']} — "
                            f"{v['help']}. {node['summary']}"
                        )
        finally:
            context.close()
    return runs, problems


def test_no_axe_violations_on_any_page_in_either_mode(browser: Any, server: str) -> None:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `bash scripts/ensure-axe.sh` "
            "(npm ci in tests/a11y; `make browser-test` does it). The sweep cannot run without it."
        )
    build_demo()
    ids = demo_ids()
    started = time.monotonic()
    runs, problems = sweep(browser, server, ids)
    took = time.monotonic() - started
    print(f"axe sweep: {runs} page runs in {took:.0f} s, {len(problems)} failing elements")
    assert not problems, (
        f"{len(problems)} accessibility failures in {runs} page runs:\n" + "\n".join(problems)
    )
