"""Benchmark of the district comparison (``/district/``) and the street operations screen
(``/ops/`` and its 20-second refresh ``/ops/data/``) at city scale.

Reuses the place tree of ``places.py`` (same database, generated if missing) and adds, once
per tree and per day (the screen reads "today"), the rows these pages read, in proportion to
the number of streets and committees and loaded in bulk (PostgreSQL ``COPY``, SQLite
``executemany``), deterministically:

- risk: for each street a finished round this year and last year (three samples per
  committee, committee, unit and sample scores with an A/B/C/D spread, findings and their
  hazard cases — last year's mostly closed, this year's partly open and some overdue) and a
  resident safety survey (30 answers per committee) per round;
- fire: ``EXTINGUISHERS_PER_COMMITTEE`` extinguishers per committee (some overdue, some
  inspections due) and sprinklers on one entrance in eight (a few overdue or faulty);
- hall: a hall per street (four queues, eight windows), ``TICKETS_PER_DAY`` tickets a day for
  the last 90 days and today's (waiting, serving, done, a few with the back office), ratings
  of a third of the tickets served, service cases (some past their promised date);
- lifts: two projects per committee spread over the twelve stages, maintenance records,
  inspection dates, open objections and votes;
- community: a centre per street and a station per committee, a weekly activity per
  committee and a daily one at each centre over the last year (and today's), with sign-ups
  and check-ins.

The marker row ``district`` of ``bench_meta`` says which data (``DATA_VERSION``, the day) the
database holds; places' regeneration of the tree empties ``bench_meta``, so a new tree gets
new data.

Measured, in-process with Django's test ``Client`` (as ``places.py``): ``/district/`` for the
street admin (its own row and the district average) and for each district office (区民政局
hall and community, 区应急管理局 risk, survey and fire, 区房管局 lifts and fire: their
figures differ, docs/district.md), ``/ops/data/`` and ``/ops/`` for the street admin, and
``/ops/data/?street=`` for the district safety office. For each: median and p90, the ping view
timed next to it, and the SQL queries of one request at this scale and at a reference scale.

    .venv/bin/python bench/district.py --scale 0.01 [--database sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import places  # noqa: E402  (the tree, the database, the timing helpers)

ROOT = places.ROOT
DATA_VERSION = 1  # bump when the generated rows change: forces regeneration
SEED = 20_261_203
SURVEY_ANSWERS = 30  # per committee and survey
EXTINGUISHERS_PER_COMMITTEE = 150
SPRINKLER_EVERY = 8  # one entrance in eight has a sprinkler
TICKETS_PER_DAY = 80  # per hall
HALL_DAYS = 90  # history: the comparison reads the last 90 days
CASES_PER_DAY = 3  # service cases accepted per hall and day
PROJECTS_PER_COMMITTEE = 2
TARGET_MS = places.TARGET_MS
REPS = places.REPS

USERS = {  # client key -> (username, role, place)
    "admin": ("bench_admin", "street_admin", "street"),
    "civil": ("bench_district", "district_civil", "district"),
    "safety": ("bench_district_safety", "district_safety", "district"),
    "housing": ("bench_district_housing", "district_housing", "district"),
}


# --------------------------------------------------------------------------- the rows


class Rows:
    """Rows per model in generation order; each model's columns are the attnames it names,
    every other column takes the field's default (checked against the model)."""

    def __init__(self) -> None:
        self.streams: list[tuple[Any, tuple[str, ...], Iterator[tuple[Any, ...]]]] = []

    def add(self, model: Any, names: tuple[str, ...], rows: Any) -> None:
        self.streams.append((model, names, iter(rows)))


def _defaults(model: Any, names: tuple[str, ...]) -> tuple[list[str], list[Any]]:
    """The columns of ``model`` not in ``names`` and the value each gets."""
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    known = {f.attname for f in model._meta.concrete_fields}
    unknown = set(names) - known
    if unknown:
        raise SystemExit(f"bench/district.py: {model.__name__} has no {sorted(unknown)}")
    for f in model._meta.concrete_fields:
        if f.attname in names or f.primary_key:  # an id not written comes from its sequence
            continue
        if f.default is not NOT_PROVIDED:
            value = f.default() if callable(f.default) else f.default
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
            elif hasattr(value, "value"):  # a TextChoices member
                value = value.value
        elif f.null:
            value = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField", "FileField"):
            value = ""
        else:
            raise SystemExit(
                f"bench/district.py: {model.__name__}.{f.attname} needs a value (no default)"
            )
        columns.append(f.column)
        values.append(value)
    return columns, values


def generate(spec: places.Spec, today: dt.date, now: dt.datetime) -> Rows:
    """Every row of the district and operations data, as lazy streams."""
    from django.db import connection
    from django.utils import timezone

    from linli.community import models as cm
    from linli.elevator import models as em
    from linli.fire import models as fm
    from linli.hall import models as hm
    from linli.risk import models as rm

    tz = timezone.get_current_timezone()

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    with connection.cursor() as cur:
        cur.execute("SELECT id, subdistrict_id, name FROM geo_committee ORDER BY id")
        committees = cur.fetchall()
        cur.execute("SELECT id, committee_id FROM geo_building ORDER BY id")
        buildings: dict[int, list[int]] = {}
        for bid, cid in cur.fetchall():
            buildings.setdefault(cid, []).append(bid)
        cur.execute(
            "SELECT e.id, b.committee_id FROM geo_entrance e "
            "JOIN geo_building b ON b.id = e.building_id ORDER BY e.id"
        )
        entrances = cur.fetchall()
        cur.execute("SELECT id FROM risk_methodversion ORDER BY id LIMIT 1")
        method_id = cur.fetchone()[0]
        cur.execute("SELECT id FROM core_user WHERE username = 'bench_clerk'")
        clerk_id = cur.fetchone()[0]
    streets = sorted({s for _c, s, _n in committees})
    of_street: dict[int, list[int]] = {}
    for cid, sid, _name in committees:
        of_street.setdefault(sid, []).append(cid)
    name_of = {cid: name for cid, _s, name in committees}
    out = Rows()

    # ---- risk: a finished round per street this year and last, with a survey each
    years = (today.year - 1, today.year)
    rounds = [(y, s) for y in years for s in streets]  # round id = index + 1
    round_id = {key: i + 1 for i, key in enumerate(rounds)}

    def round_day(year: int, s: int) -> dt.date:
        return dt.date(year, 5, 1) + dt.timedelta(days=s % 60)

    out.add(rm.Round, ("id", "name", "method_id", "samples_per_committee", "seed", "status",
                       "assessor", "created_at", "drawn_at"),
            ((round_id[(y, s)], f"{y}年第{s}街道安全风险评估", method_id, 3, f"bench-{y}-{s}",
              "finished", "第三方评估机构", at(round_day(y, s), 9), at(round_day(y, s), 10))
             for y, s in rounds))  # fmt: skip
    through = rm.Round._meta.get_field("committees").remote_field.through
    out.add(through, ("round_id", "committee_id"),
            ((round_id[(y, s)], c) for y, s in rounds for c in of_street[s]))  # fmt: skip
    base_risk = {
        cid: random.Random(SEED + cid).triangular(12, 88, 35) for cid, _s, _n in committees
    }

    def grade(value: float) -> str:
        return "A" if value >= 70 else "B" if value >= 50 else "C" if value >= 30 else "D"

    samples: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    checks: list[tuple[Any, ...]] = []
    findings: list[tuple[Any, ...]] = []
    cases: list[tuple[Any, ...]] = []
    responses: list[tuple[Any, ...]] = []
    sample_id = score_id = check_id = 0
    for y, s in rounds:
        rid, day = round_id[(y, s)], round_day(y, s)
        this_year = y == today.year
        for cid in of_street[s]:
            rng = random.Random(SEED * 7 + rid * 100_003 + cid)
            value = max(1.0, min(99.0, base_risk[cid] + rng.uniform(-12, 8 if this_year else 12)))
            scores.append((score_id := score_id + 1, rid, cid, None, "",
                           f"{value:.2f}", grade(value), grade(value)))  # fmt: skip
            for unit in ("fire", "elec", "gas", "struct"):
                v = max(1.0, min(99.0, value + rng.uniform(-15, 15)))
                scores.append((score_id := score_id + 1, rid, cid, None, unit, f"{v:.2f}",
                               grade(v), grade(v)))  # fmt: skip
            blds = buildings[cid]
            for k in range(3):
                sample_id += 1
                bid = blds[(k * 7 + y) % len(blds)]
                samples.append((sample_id, rid, cid, bid, f"S{k + 1}", "lane" if k else "estate",
                                "{}", "submitted", day + dt.timedelta(days=k + 1),
                                at(day + dt.timedelta(days=k + 1), 17)))  # fmt: skip
                v = max(1.0, min(99.0, value + rng.uniform(-10, 10)))
                scores.append((score_id := score_id + 1, rid, cid, sample_id, "", f"{v:.2f}",
                               grade(v), grade(v)))  # fmt: skip
                for j in range(rng.choice((0, 1, 2, 2, 3, 3, 4))):
                    check_id += 1
                    likelihood, severity = rng.randint(1, 5), rng.randint(1, 5)
                    r = likelihood * severity
                    g = "A" if r >= 20 else "B" if r >= 12 else "C" if r >= 6 else "D"
                    checks.append((check_id, sample_id, f"K{j + 1:02d}", "findings"))
                    findings.append((check_id, check_id, likelihood, severity,
                                     ("楼道堆物", "电动车室内充电", "灭火器过期", "私拉电线")[j % 4],
                                     f"{j + 1}楼", g))  # fmt: skip
                    found = day + dt.timedelta(days=k + 1)
                    roll = rng.random()
                    if not this_year or roll < 0.55:
                        state, due = "closed", found + dt.timedelta(days=30)
                        closed: dt.date | None = found + dt.timedelta(days=rng.randint(3, 40))
                        if not this_year and roll > 0.93:  # last year's, still open: overdue
                            state, closed = "in_progress", None
                    elif roll < 0.6:
                        state, due, closed = "deferred", found + dt.timedelta(days=60), None
                    else:  # open this year: due around today, some overdue
                        state = rng.choice(("assigned", "in_progress", "reinspection_requested"))
                        due, closed = today + dt.timedelta(days=rng.randint(-45, 30)), None
                    escalation = "committee" if rng.random() < 0.9 else "street"
                    cases.append((check_id, check_id, rid, cid, f"{bid}号楼", g, state, found,
                                  due, closed, escalation))  # fmt: skip
            seed = rng.random()
            for n in range(SURVEY_ANSWERS):
                answers = [min(5, max(1, round(3.6 + seed - 0.5 + ((n * 7 + q * 3) % 5 - 2) * 0.6)))
                           for q in range(5)]  # fmt: skip
                responses.append((rid, cid, json.dumps(answers), sum(answers), len(answers),
                                  at(day + dt.timedelta(days=5), 15)))  # fmt: skip
    out.add(rm.Sample, ("id", "round_id", "committee_id", "building_id", "label", "stratum",
                        "draw_record", "state", "inspected_on", "submitted_at"), samples)  # fmt: skip
    out.add(rm.Score, ("id", "round_id", "committee_id", "sample_id", "unit", "value", "grade",
                       "band_grade"), scores)  # fmt: skip
    out.add(rm.Check, ("id", "sample_id", "code", "status"), checks)
    out.add(rm.Finding, ("id", "check_item_id", "likelihood", "severity", "description",
                         "location", "grade"), findings)  # fmt: skip
    out.add(rm.HazardCase, ("id", "finding_id", "round_id", "committee_id", "subunit", "grade",
                            "state", "found_on", "due_on", "closed_on", "escalation"), cases)  # fmt: skip
    out.add(rm.Survey, ("id", "round_id", "title", "questions", "created_at"),
            ((round_id[(y, s)], round_id[(y, s)], f"{y}年第{s}街道居民安全感调查",
              json.dumps(["Q1", "Q2", "Q3", "Q4", "Q5"]), at(round_day(y, s), 9))
             for y, s in rounds))  # fmt: skip
    out.add(rm.SurveyResponse, ("id", "survey_id", "committee_id", "answers", "answer_total",
                                "answer_count", "created_at"),
            ((i + 1, *r) for i, r in enumerate(responses)))  # fmt: skip

    # ---- fire: extinguishers (some overdue, inspections due) and sprinklers
    def extinguishers() -> Iterator[tuple[Any, ...]]:
        eid = 0
        for cid, _s, _n in committees:
            rng = random.Random(SEED * 11 + cid)
            late = rng.choice((0.0, 0.02, 0.05, 0.08, 0.15))  # this committee's overdue share
            blds = buildings[cid]
            for k in range(EXTINGUISHERS_PER_COMMITTEE):
                eid += 1
                made = dt.date(2018 + k % 8, 1 + k % 12, 1)
                due = (today - dt.timedelta(days=1 + k % 60) if rng.random() < late
                       else today + dt.timedelta(days=1 + (k * 37) % 360))  # fmt: skip
                yield (eid, cid, blds[k % len(blds)], f"{k % 6 + 1}楼楼道", f"BX{cid:05d}{k:04d}",
                       ("powder", "water", "co2", "clean_agent")[k % 4], "4kg", made,
                       made + dt.timedelta(days=365), today - dt.timedelta(days=k % 31),
                       made + dt.timedelta(days=10), made + dt.timedelta(days=3650),
                       due, due, "maintain" if k % 5 else "replace",
                       today + dt.timedelta(days=(k % 40) - 5))  # fmt: skip

    out.add(fm.Extinguisher, ("id", "committee_id", "building_id", "spot", "serial", "type",
                              "rating", "manufactured", "last_maintained", "last_inspected",
                              "placed_on", "scrap_date", "next_maintenance", "next_due",
                              "next_due_kind", "next_inspection"), extinguishers())  # fmt: skip
    out.add(fm.Sprinkler, ("id", "committee_id", "entrance_id", "status", "heads", "households",
                           "installed_on", "last_visual", "fault", "next_check"),
            ((i + 1, cid, eid, "installed" if eid % 5 else "planned", 4, 6,
              None if eid % 5 == 0 else dt.date(2023, 6, 1),
              None if eid % 5 == 0 else today - dt.timedelta(days=eid % 200),
              "压力不足" if eid % 97 == 0 else "",
              None if eid % 5 == 0 else today + dt.timedelta(days=(eid * 13) % 200 - 20))
             for i, (eid, cid) in enumerate(entrances[::SPRINKLER_EVERY])))  # fmt: skip

    # ---- hall: a hall per street, 90 days of tickets and today's, ratings, cases
    queues = [(s, q) for s in streets for q in range(4)]  # queue id = index + 1
    queue_names = ("社会保障", "医疗保障", "民政救助", "综合受理")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def prefix(s: int, q: int) -> str:
        return f"{'ABCD'[q]}{alphabet[s // 36 % 36]}{alphabet[s % 36]}"

    out.add(hm.Hall, ("id", "code", "name", "subdistrict_id"),
            ((s, f"H{s:03d}", f"第{s}街道社区事务受理服务中心", s) for s in streets))  # fmt: skip
    out.add(hm.Queue, ("id", "hall_id", "name", "prefix", "sort"),
            ((i + 1, s, queue_names[q], prefix(s, q), q) for i, (s, q) in enumerate(queues)))  # fmt: skip
    out.add(hm.Item, ("id", "code", "name", "category", "hall_id", "queue_id", "promised_days"),
            ((i + 1, f"BI{s:04d}{q}", f"{queue_names[q]}事项", queue_names[q], s, i + 1, 5)
             for i, (s, q) in enumerate(queues)))  # fmt: skip
    out.add(hm.Window, ("id", "hall_id", "number", "clerk_id", "active"),
            (((s - 1) * 8 + w + 1, s, (s - 1) * 8 + w + 1, clerk_id if w < 6 else None, w < 7)
             for s in streets for w in range(8)))  # fmt: skip
    queue_of = {key: i + 1 for i, key in enumerate(queues)}
    local_now = timezone.localtime(now)
    events: list[tuple[Any, ...]] = []
    ratings: list[tuple[Any, ...]] = []

    def tickets() -> Iterator[tuple[Any, ...]]:  # fills events and ratings on the way
        tid = 0
        for s in streets:
            rng = random.Random(SEED * 13 + s)
            mean_wait = rng.uniform(6, 25)
            for back in range(HALL_DAYS, -1, -1):
                day = today - dt.timedelta(days=back)
                if back and day.weekday() == 6:  # closed on Sundays
                    continue
                seq = [0, 0, 0, 0]
                opening = at(day, 9)
                span = 480 if back else max(30, int((local_now - opening).total_seconds() // 60))
                for k in range(TICKETS_PER_DAY):
                    q = k % 4
                    seq[q] += 1
                    tid += 1
                    issued = opening + dt.timedelta(minutes=span * k / TICKETS_PER_DAY)
                    if not back:
                        issued = min(issued, now - dt.timedelta(minutes=1))
                    left = TICKETS_PER_DAY - k
                    state = "done"
                    if not back and left <= 12:
                        state = "waiting" if left > 3 else "serving"
                    elif k % 53 == 0 or (not back and k % 31 == 0):
                        state = "escalated" if (back < 3 or not back) else "done"
                    elif k % 17 == 0:
                        state = "no_show"
                    wait = dt.timedelta(minutes=rng.expovariate(1 / mean_wait))
                    called = None if state == "waiting" else issued + wait
                    ended = issued + wait + dt.timedelta(minutes=8) if state == "done" else None
                    queue_id = queue_of[(s, q)]
                    yield ((tid, queue_id, day, seq[q], f"{prefix(s, q)}{seq[q]:03d}",
                                    f"{tid:032x}", queue_id, "id_card", state, issued, called, called,
                                    called if state in ("done", "serving") else None, ended))  # fmt: skip
                    if state == "escalated":
                        events.append((tid, issued + wait + dt.timedelta(minutes=5), "escalate",
                                       "serving", "escalated"))  # fmt: skip
                    if state == "done" and k % 3 == 0:
                        stars = 5 if rng.random() < 0.75 else rng.randint(2, 4)
                        ratings.append((tid, stars, queue_id, ended))

    out.add(hm.Ticket, ("id", "queue_id", "day", "seq", "number", "token", "item_id", "source",
                        "state", "issued_at", "first_called_at", "called_at", "started_at",
                        "ended_at"), tickets())  # fmt: skip
    out.add(
        hm.TicketEvent,
        ("id", "ticket_id", "at", "action", "from_state", "to_state"),
        _numbered(events),
    )
    out.add(
        hm.Rating,
        ("id", "ticket_id", "stars", "item_id", "at"),
        _numbered(ratings),
    )

    def hall_cases() -> Iterator[tuple[Any, ...]]:
        n = 0
        for i, (s, _q) in enumerate(queues):
            for back in range(HALL_DAYS, 0, -1):
                for _k in range(CASES_PER_DAY // 2 + (back + i) % 2):
                    n += 1
                    accepted = today - dt.timedelta(days=back)
                    due = accepted + dt.timedelta(days=7)
                    done = due < today - dt.timedelta(days=3) and n % 11
                    yield (
                        n,
                        f"BJ{s:03d}{n:08d}",
                        i + 1,
                        "completed" if done else "in_progress",
                        accepted,
                        due,
                        due - dt.timedelta(days=2) if done else None,
                    )

    out.add(
        hm.Case,
        ("id", "number", "item_id", "status", "accepted_on", "due_on", "closed_on"),
        hall_cases(),
    )

    # ---- lifts: projects at every stage, maintenance, inspections, objections, votes
    stages = (0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7, 8, 9, 9, 10, 10, 11, 11, 11)
    projects, maintenance, objections, votes = [], [], [], []
    pid = 0
    for cid, _s, _n in committees:
        rng = random.Random(SEED * 17 + cid)
        for k in range(PROJECTS_PER_COMMITTEE):
            pid += 1
            stage = stages[rng.randrange(len(stages))]
            bid = buildings[cid][(3 + 8 * k) % len(buildings[cid])]
            notice = today - dt.timedelta(days=rng.randint(0, 25)) if 1 <= stage <= 3 else None
            running = stage >= 9
            service = today - dt.timedelta(days=rng.randint(20, 1500)) if running else None
            registered = (service + dt.timedelta(days=25) if running and rng.random() < 0.9
                          else None)  # fmt: skip
            inspected = today - dt.timedelta(days=rng.randint(30, 360)) if running else None
            due = inspected + dt.timedelta(days=365) if inspected else None
            projects.append((pid, cid, bid, f"{name_of[cid]}{k + 1}号加装电梯", stage, notice,
                             service, registered, inspected, due,
                             "某电梯维保公司" if running else "", at(today - dt.timedelta(days=400 + pid % 900), 10)))  # fmt: skip
            if running:
                last = today - dt.timedelta(days=rng.randint(0, 20))
                for m in range(4):
                    maintenance.append((pid, last - dt.timedelta(days=15 * m), "维保单位"))
            if 1 <= stage <= 4 and rng.random() < 0.15:
                objections.append((pid, "3楼住户", today - dt.timedelta(days=rng.randint(1, 60)),
                                   "采光受影响", "open" if rng.random() < 0.7 else "agreed"))  # fmt: skip
            if stage in (2, 3):
                votes.append((pid, "building", "双三分之二", "加装电梯表决",
                              today - dt.timedelta(days=10),
                              today + dt.timedelta(days=rng.randint(-3, 20)), stage == 2))  # fmt: skip
    out.add(em.Project, ("id", "committee_id", "building_id", "name", "stage",
                         "planning_notice_start", "entered_service", "use_registered",
                         "last_inspection", "inspection_due", "maintenance_company", "created"), projects)  # fmt: skip
    out.add(
        em.MaintenanceRecord,
        ("id", "project_id", "on", "by"),
        ((i + 1, *m) for i, m in enumerate(maintenance)),
    )
    out.add(
        em.Objection,
        ("id", "project_id", "objector_label", "raised", "reason", "status"),
        ((i + 1, *o) for i, o in enumerate(objections)),
    )
    out.add(
        em.Vote,
        ("id", "project_id", "scope", "rule", "title", "opens", "closes", "open"),
        ((i + 1, *v) for i, v in enumerate(votes)),
    )

    # ---- community: a centre per street, a station per committee, a year of activities
    n_streets = len(streets)
    centre_of = {s: i + 1 for i, s in enumerate(streets)}
    station_of = {cid: n_streets + i + 1 for i, (cid, _s, _n) in enumerate(committees)}
    out.add(cm.Position, ("id", "parent_id", "kind", "name", "address", "committee_id",
                          "subdistrict_id"),
            [*((centre_of[s], None, "centre", f"第{s}街道党群服务中心", f"第{s}街道1号", None, s)
               for s in streets),
             *((station_of[cid], centre_of[s], "residential_station", f"{name}党群服务站",
                f"{name}活动室", cid, None) for cid, s, name in committees)])  # fmt: skip
    # spaces: the centre's hall (id = centre id) and each station's room (id = station id)
    out.add(cm.Space, ("id", "position_id", "name", "capacity"),
            [*((centre_of[s], centre_of[s], "多功能厅", 40) for s in streets),
             *((station_of[cid], station_of[cid], "活动室", 12) for cid, _s, _n in committees)])  # fmt: skip
    event_rows: list[tuple[Any, ...]] = []
    seats: list[tuple[int, dt.datetime, int, int]] = []
    slots = ((9, 11), (14, 16), (18, 20))
    first = today - dt.timedelta(days=364)

    def event(space: int, cid: int | None, sid: int | None, day: dt.date, k: int,
              capacity: int, taken: int) -> None:  # fmt: skip
        start_h, end_h = slots[k % 3]
        eid = len(event_rows) + 1
        starts = at(day, start_h)
        status = "cancelled" if k % 23 == 0 else "open"
        event_rows.append((eid, "社区活动", "culture", space, starts, at(day, end_h), capacity,
                           cid, sid, status))  # fmt: skip
        seats.append((eid, starts, capacity, taken))

    def signups() -> Iterator[tuple[Any, ...]]:
        sid = 0
        for eid, starts, capacity, taken in seats:
            for n in range(taken):
                sid += 1
                state = "confirmed" if n < capacity else "waitlisted"
                checked = (
                    starts + dt.timedelta(minutes=5)
                    if state == "confirmed" and starts < now and n % 4
                    else None
                )
                yield (sid, eid, f"bench-{eid}-{n}", "居民", "", "138****0000", "online", state,
                       "general", n + 1, f"{eid:020x}{n:012x}", starts - dt.timedelta(days=2),
                       checked)  # fmt: skip

    for back in range(364, -1, -1):
        day = first + dt.timedelta(days=364 - back)
        for s in streets:
            event(centre_of[s], None, s, day, back + s, 40, 6 + (back + s) % 9)
    for cid, _s, _n in committees:
        for week in range(53):
            day = today - dt.timedelta(days=7 * week + cid % 7)
            if day < first:
                break
            event(station_of[cid], cid, None, day, week + cid, 12, 1 + (week + cid) % 6)
    out.add(cm.Event, ("id", "title", "family", "space_id", "starts_at", "ends_at", "capacity",
                       "committee_id", "subdistrict_id", "status"), event_rows)  # fmt: skip
    out.add(cm.Signup, ("id", "event_id", "person_key", "name", "phone_cipher", "phone_masked",
                        "channel", "state", "seat", "rank", "token", "created", "checked_in_at"),
            signups())  # fmt: skip
    return out


def _numbered(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """``rows`` with an id in front, read when the stream is loaded (not when it is added)."""
    for i, row in enumerate(rows):
        yield (i + 1, *row)


# --------------------------------------------------------------------------- loading

MARKER = "district"


def _marker(spec: places.Spec, today: dt.date) -> dict[str, Any]:
    return {"version": DATA_VERSION, "day": today.isoformat(), "tree": spec.marker(),
            "seed": SEED}  # fmt: skip


def _read_marker() -> dict[str, Any] | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT value FROM bench_meta WHERE key = %s", [MARKER])
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def load(spec: places.Spec, rows: Rows, log: Callable[..., None]) -> dict[str, int]:
    """Empty the tables written here, then load every stream (COPY or executemany)."""
    import itertools

    from django.db import connection

    counts: dict[str, int] = {}
    tables = [model._meta.db_table for model, _n, _r in rows.streams]
    for model, names, _stream in rows.streams:  # refuse before emptying anything
        _defaults(model, names)
    if spec.database == "postgres":
        import psycopg

        with psycopg.connect(spec.database_url()) as conn:
            conn.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            for model, names, stream in rows.streams:
                t0 = time.perf_counter()
                fields = {f.attname: f.column for f in model._meta.concrete_fields}
                rest, values = _defaults(model, names)
                columns = [f'"{c}"' for c in [fields[n] for n in names] + rest]
                tail = tuple(values)
                n = 0
                with conn.cursor() as cur:
                    with cur.copy(
                        f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                    ) as copy:
                        for row in stream:
                            copy.write_row(row + tail)
                            n += 1
                    if "id" in names:
                        cur.execute(
                            f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {model._meta.db_table}))"
                        )
                conn.commit()
                counts[model._meta.db_table] = n
                log(f"  {model._meta.db_table}: {n:,} rows in {time.perf_counter() - t0:.1f} s")
        with psycopg.connect(spec.database_url(), autocommit=True) as conn:
            t0 = time.perf_counter()
            for table in tables:
                conn.execute(f"VACUUM (ANALYZE) {table}")
            log(f"  VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
            for table in reversed(tables):
                cur.execute(f"DELETE FROM {table}")
            for model, names, stream in rows.streams:
                t0 = time.perf_counter()
                fields = {f.attname: f.column for f in model._meta.concrete_fields}
                rest, values = _defaults(model, names)
                columns = [f'"{c}"' for c in [fields[n] for n in names] + rest]
                tail = tuple(values)
                sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
                       f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
                n = 0
                while batch := list(itertools.islice(stream, 20_000)):
                    cur.executemany(sql, [tuple(map(_sqlite_value, r + tail)) for r in batch])
                    n += len(batch)
                counts[model._meta.db_table] = n
                log(f"  {model._meta.db_table}: {n:,} rows in {time.perf_counter() - t0:.1f} s")
            cur.execute("ANALYZE")
    return counts


def _ensure_users(spec: places.Spec) -> None:
    from linli.core.models import User

    for username, role, level in [*USERS.values(), ("bench_clerk", "window_clerk", "street")]:
        place = ({"subdistrict_id": spec.focus_street} if level == "street"
                 else {"district_id": spec.focus_district})  # fmt: skip
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "is_active": True, "display_name": username,
                      "committee_id": None, "subdistrict_id": None, "district_id": None, **place},
        )  # fmt: skip
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])


def prepare(spec: places.Spec, log: Callable[..., None] = print) -> dict[str, Any]:
    """The place tree (places.prepare) and this module's data for today."""
    from django.db import connection
    from django.utils import timezone

    info = places.prepare(spec, log)
    _ensure_users(spec)
    now = timezone.now()
    today = timezone.localdate(now)
    marker = _read_marker()
    if (
        marker
        and marker.get("version") == DATA_VERSION
        and marker == {**marker, **_marker(spec, today)}
    ):
        info.update(data_reused=True, data_counts=marker["counts"], data_s=marker["seconds"])
        return info
    log(f"generating the district and operations data for {today} at scale {spec.scale:g}")
    t0 = time.perf_counter()
    counts = load(spec, generate(spec, today, now), log)
    seconds = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key = %s", [MARKER])
        cur.execute("INSERT INTO bench_meta (key, value) VALUES (%s, %s)",
                    [MARKER, json.dumps({**_marker(spec, today), "counts": counts,
                                         "seconds": seconds})])  # fmt: skip
    log(f"generated in {seconds:.1f} s")
    info.update(data_reused=False, data_counts=counts, data_s=seconds)
    return info


# --------------------------------------------------------------------------- the cases


def build_cases(spec: places.Spec) -> list[places.Case]:
    from linli.geo.models import Subdistrict

    code = Subdistrict.objects.get(pk=spec.focus_street).code
    return [
        places.Case("district comparison, street admin", "/district/", "admin"),
        places.Case("district comparison, district civil", "/district/", "civil"),
        places.Case("district comparison, district safety", "/district/", "safety"),
        places.Case("district comparison, district housing", "/district/", "housing"),
        places.Case("ops refresh, street admin", "/ops/data/", "admin", "api"),
        places.Case("ops page, street admin", "/ops/", "admin"),
        places.Case("ops refresh, district safety", f"/ops/data/?street={code}", "safety", "api"),
        places.Case("ops refresh, district civil", f"/ops/data/?street={code}", "civil", "api"),
    ]


def _clients() -> dict[str, Any]:
    from django.test import Client

    from linli.core.models import User
    from linli.core.testing import verify_session

    clients = {}
    for key, (username, _role, _level) in USERS.items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="text/html,application/json")
        user = User.objects.get(username=username)
        client.force_login(user)
        verify_session(client, user)
        clients[key] = client
    return clients


def queries_only(spec: places.Spec) -> dict[str, int]:
    prepare(spec, log=lambda *_a: None)
    clients = _clients()
    result = {}
    for case in build_cases(spec):
        places._get(clients[case.user], case)
        result[case.name] = places.count_queries(clients[case.user], case)[0]
    return result


def reference_queries(spec: places.Spec) -> tuple[float, dict[str, int]]:
    ref = places.reference_scale(spec.scale)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, __file__, "--scale", f"{ref:g}", "--database", spec.database,
             "--queries-only", "--json", out.name],
            check=True, cwd=ROOT,
        )  # fmt: skip
        return ref, json.loads(Path(out.name).read_text())


def _slug(name: str) -> str:
    page, user = name.split(", ")
    return f"{page.replace(' ', '_')}_{user.replace('district ', 'district_').replace(' ', '_')}"


def markdown(report: dict[str, Any]) -> str:
    ref, load = report["reference_scale"], report["load_average"]
    lines = [
        f"district benchmark — scale {report['scale']:g} on {report['database']} "
        f"({report['streets']} streets, {report['committees']:,} committees), {report['date']}; "
        f"data {'reused' if report['data_reused'] else 'generated'} ({report['data_s']:.0f} s); "
        f"load average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after; "
        f"code {report['code']}",
        "",
        f"| case | median ms | p90 ms | ping ms | ÷ ping | queries | queries @{ref:g} | SQL ms | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for row in report["cases"]:
        ok_time = row["median_ms"] <= TARGET_MS
        ok_q = row["queries"] == row["queries_ref"]
        target = ("✓" if ok_time else "✗ time") + ("" if ok_q else " ✗ queries")
        lines.append(
            f"| {row['name']} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} | "
            f"{row['ping_ms']:.1f} | {row['per_ping']:.1f} | {row['queries']} | "
            f"{row['queries_ref']} | {row['sql_ms']:.1f} | {target} |"
        )
    return "\n".join(lines)


def run(scale: float, report: dict[str, Any]) -> None:
    """The bench/run.py entry point: fill ``report`` with this module's figures."""
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    spec = places.Spec(scale, database)
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    load_before = os.getloadavg()
    places.configure(spec)
    info = prepare(spec, log)
    ref_scale, ref_counts = reference_queries(spec)
    clients = _clients()
    cases = build_cases(spec)

    def ping_ms(n: int = 9) -> float:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            clients["admin"].post("/bench/ping/")
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    ping_ms(3)
    rows = []
    for case in cases:
        client = clients[case.user]
        before = ping_ms()
        timing = places.time_case(client, case, REPS)
        timing["ping_ms"] = round(statistics.median([before, ping_ms()]), 2)
        queries, sql_ms, slowest = places.count_queries(client, case)
        row = {"name": case.name, "path": case.path, "user": USERS[case.user][1], **timing,
               "per_ping": round(timing["median_ms"] / timing["ping_ms"], 1),
               "queries": queries, "queries_ref": ref_counts.get(case.name),
               "sql_ms": round(sql_ms, 1), "slowest_query": slowest}  # fmt: skip
        rows.append(row)
        log(f"  {case.name:40s} median {timing['median_ms']:8.1f} ms  p90 {timing['p90_ms']:8.1f}"
            f" ms  ÷ ping {row['per_ping']:5.1f}  queries {queries} (@{ref_scale:g}: "
            f"{row['queries_ref']})  SQL {sql_ms:7.1f} ms")  # fmt: skip
    from linli.geo.models import Committee, Subdistrict

    report.update(
        scale=scale, database=database,
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=places.machine(), streets=Subdistrict.objects.count(),
        committees=Committee.objects.count(), tree_counts=info["counts"],
        data_counts=info["data_counts"], data_reused=info["data_reused"], data_s=info["data_s"],
        reference_scale=ref_scale, cases=rows, code=places.code_version(),
        command=f".venv/bin/python bench/run.py --scale {scale:g} --database {database} --only district",
    )  # fmt: skip
    report["ratios"] = {
        f"district.{database}.{_slug(row['name'])}_per_ping": {
            "value": row["per_ping"], "better": "lower",
            "of": f"{row['path'].split('=')[0]}{'=<code>' if '=' in row['path'] else ''} as "
            f"{row['user']} ÷ ping view timed next to it, in process",
        }
        for row in rows
    }  # fmt: skip
    report["load_average"] = {"before": load_before, "after": os.getloadavg()}
    failures = []
    for row in rows:
        if row["median_ms"] > TARGET_MS:
            failures.append(f"{row['name']}: median {row['median_ms']} ms > {TARGET_MS:.0f} ms")
        if row["queries"] != row["queries_ref"]:
            failures.append(f"{row['name']}: {row['queries']} queries at scale {scale:g}, "
                            f"{row['queries_ref']} at {ref_scale:g}")  # fmt: skip
    report["failures"] = failures
    report["summary"] = markdown(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--queries-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the report (or the query counts) to this file")
    args = parser.parse_args(argv)
    if args.queries_only:
        spec = places.Spec(args.scale, args.database)
        places.configure(spec)
        result: dict[str, Any] = queries_only(spec)
    else:
        os.environ["LINLI_BENCH_DATABASE"] = args.database
        result = {}
        run(args.scale, result)
        print(result["summary"])
        for failure in result["failures"]:
            print(f"MISSED: {failure}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
