"""Benchmark of the places module (linli.geo) on a generated city-scale place tree.

At ``scale`` 1 the tree has 6,000 committees, 24,000 estates, 120,000 buildings,
371,160 entrances, 2,000,000 households and (``LINLI_BENCH_RESIDENTS``, default 1) one
resident per household; a smaller scale shrinks every level in proportion. The tree is
deterministic and loaded in bulk (PostgreSQL ``COPY``, SQLite ``executemany``) into a
database of its own — ``linli_bench_<scale>`` on the local PostgreSQL server, or
``var/bench/places-<scale>.sqlite3`` — and reused by later runs while its marker
(``bench_meta``) says it holds the same tree.

Measured, in-process with Django's test ``Client`` (settings ``linli.settings.test``,
DEBUG off): the server time of every list page and API list case (median and p90 of
``LINLI_BENCH_REPS`` requests, default 30, after warm-up), the number of SQL queries
of each case at this scale and at a small reference scale (they must be equal), and
the Excel export of one committee's households (and, for information, the last page of
the household list). Then a gunicorn with one sync worker serves the same requests and
the worker's peak RSS (``VmHWM``) is read from /proc; last, that worker is asked for the
street-wide household export under gunicorn's default 30 s timeout.

Run through ``bench/run.py`` (``make bench SCALE=0.01``) or directly::

    .venv/bin/python bench/places.py --scale 0.01 [--database sqlite]
    .venv/bin/python bench/places.py --drop      # drop its databases (linli_bench_<scale>)
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# City scale (scale 1). Estates and entrances follow from the per-building rules below.
CITY_COMMITTEES = 6_000
BUILDINGS_PER_COMMITTEE = 20  # 6,000 x 20 = 120,000 buildings
ESTATES_PER_COMMITTEE = 4
COMMITTEES_PER_STREET = 25  # 240 streets at scale 1
STREETS_PER_DISTRICT = 15  # 16 districts at scale 1, as many as Shanghai has
CITY_HOUSEHOLDS = 2_000_000
RESIDENTS_PER_HOUSEHOLD = int(os.environ.get("LINLI_BENCH_RESIDENTS", "1"))
GENERATOR_VERSION = 2  # bump when the generated tree changes: forces regeneration
SEED = 20_260_601

TARGET_MS = 150.0  # median server time of a list page or API list
TARGET_RSS_MB = 150.0  # peak RSS of one web worker (issue 13; issue 2 asked ≤ 250 MB)
REPS = int(os.environ.get("LINLI_BENCH_REPS", "30"))
PAGE_SIZE = 50
DEEP_PAGE = 100
PG_ADMIN_URL = os.environ.get("LINLI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# The generated databases are named <prefix><scale tag>; a shared server gives each user a prefix.
PG_PREFIX = os.environ.get("LINLI_BENCH_PG_PREFIX", "linli_bench_")
SETTINGS = "_bench_settings"  # linli.settings.test + the ceiling views (bench/_bench_urls.py)

ROADS = ["长乐路", "延庆路", "东湖路", "复兴中路", "乌鲁木齐中路", "五原路", "安福路", "永福路",
         "武康路", "湖南路", "兴国路", "高邮路", "泰安路", "余庆路", "陕西南路", "新乐路",
         "淮海中路", "衡山路", "建国西路", "岳阳路", "桃江路", "汾阳路", "华山路", "康平路"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉凤文红梅志海燕德宝珍美玲雪爱春花金荣根家豪思远梓涵雨桐一鸣子轩欣怡浩然佳琪"

# housing type -> (weight, estate kind, entrances per building, floors, structure, area m2)
HOUSING = {
    "lane": (5, "lane", 4, (2, 3), "brick_timber", (9.0, 40.0)),
    "garden": (1, "lane", 1, (2, 3), "brick_concrete", (40.0, 180.0)),
    "public": (3, "estate", 3, (5, 7), "brick_concrete", (30.0, 70.0)),
    "commercial": (2, "estate", 2, (12, 30), "reinforced_concrete", (60.0, 160.0)),
}


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Spec:
    scale: float
    database: str  # "postgres" or "sqlite"

    @property
    def committees(self) -> int:
        return max(1, round(CITY_COMMITTEES * self.scale))

    @property
    def buildings(self) -> int:
        return self.committees * BUILDINGS_PER_COMMITTEE

    @property
    def households(self) -> int:
        return max(self.buildings, round(CITY_HOUSEHOLDS * self.scale))

    @property
    def tag(self) -> str:
        return f"{self.scale:g}".replace(".", "p").replace("-", "m")

    @property
    def focus_committee(self) -> int:
        """The committee of the filtered cases and of the committee staff user."""
        return self.committees // 2 + 1

    @property
    def focus_street(self) -> int:
        """The street of the focus committee: the street admin's."""
        return (self.focus_committee - 1) // COMMITTEES_PER_STREET + 1

    @property
    def focus_district(self) -> int:
        """The district of the focus street: the district user's."""
        return (self.focus_street - 1) // STREETS_PER_DISTRICT + 1

    def marker(self) -> dict[str, Any]:
        return {
            "generator": GENERATOR_VERSION,
            "committees": self.committees,
            "buildings": self.buildings,
            "households": self.households,
            "residents_per_household": RESIDENTS_PER_HOUSEHOLD,
            "seed": SEED,
        }

    def database_url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{self.sqlite_path()}"
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base}/{self.pg_name()}"

    def pg_name(self) -> str:
        return f"{PG_PREFIX}{self.tag}"

    def sqlite_path(self) -> Path:
        return ROOT / "var" / "bench" / f"places-{self.tag}.sqlite3"


# Columns written for each model, by attname; checked against the models at load time.
FIELDS: dict[str, tuple[str, ...]] = {
    "City": ("id", "code", "name"),
    "District": ("id", "city_id", "code", "name"),
    "Subdistrict": ("id", "district_id", "code", "name", "kind"),
    "Area": ("id", "subdistrict_id", "name"),
    "Committee": ("id", "subdistrict_id", "area_id", "code", "name", "address", "map_x", "map_y"),
    "Estate": ("id", "committee_id", "name", "kind", "address", "management"),
    "Building": ("id", "estate_id", "committee_id", "name", "address", "housing_type",
                 "structure", "year_built", "floors", "heritage_protected", "has_lift",
                 "lon", "lat", "outline"),
    "Entrance": ("id", "building_id", "number", "address"),
    "Household": ("id", "entrance_id", "committee_id", "room", "floor", "exclusive_area"),
    "Resident": ("id", "household_id", "committee_id", "name", "relation", "sex", "birth_year",
                 "id_hash", "id_cipher", "id_masked", "phone_cipher", "phone_masked",
                 "lives_alone", "is_demo"),
}  # fmt: skip


@dataclass
class Upper:
    """Everything above households, in memory (a few hundred thousand rows at scale 1)."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    # per entrance: (entrance id, committee id, households, floors, area range)
    slots: list[tuple[int, int, int, int, tuple[float, float]]] = field(default_factory=list)


def build_upper(spec: Spec) -> Upper:
    up = Upper(rows={k: [] for k in ("City", "District", "Subdistrict", "Area", "Committee",
                                     "Estate", "Building", "Entrance")})  # fmt: skip
    per_sub = COMMITTEES_PER_STREET
    n_sub = math.ceil(spec.committees / per_sub)
    up.rows["City"].append((1, "310000", "上海市"))
    for d in range(1, math.ceil(n_sub / STREETS_PER_DISTRICT) + 1):
        up.rows["District"].append((d, 1, f"BD{d:03d}", f"第{d}区"))
    for s in range(1, n_sub + 1):
        district = (s - 1) // STREETS_PER_DISTRICT + 1
        up.rows["Subdistrict"].append((s, district, f"BS{s:04d}", f"第{s}街道", "street"))
        for a in range(3):
            up.rows["Area"].append(((s - 1) * 3 + a + 1, s, f"{'东南西'[a]}片区"))
    types = list(HOUSING)
    weights = [HOUSING[t][0] for t in types]
    total_b, households = spec.buildings, spec.households
    estate_id = building_id = entrance_id = 0
    for c in range(1, spec.committees + 1):
        rng = random.Random(SEED * 1_000_003 + c)
        sub = (c - 1) // per_sub + 1
        area = None if c % 5 == 0 else (sub - 1) * 3 + (c % 3) + 1
        road = ROADS[c % len(ROADS)]
        up.rows["Committee"].append(
            (c, sub, area, f"BC{c:05d}", f"{road}第{c}居委", f"{road}{rng.randrange(1, 900)}号",
             rng.randrange(0, 101), rng.randrange(0, 101))
        )  # fmt: skip
        per_estate = BUILDINGS_PER_COMMITTEE // ESTATES_PER_COMMITTEE
        for e in range(ESTATES_PER_COMMITTEE):
            htype = rng.choices(types, weights)[0]
            _w, ekind, n_ent, floors_range, structure, area_range = HOUSING[htype]
            estate_id += 1
            lane_no = 100 + e * 40 + rng.randrange(1, 30)
            name = (
                f"{road}{lane_no}弄"
                if ekind == "lane"
                else f"{road[:-1]}{'新苑公寓小区'[e]}{e + 1}期"
            )
            management = "housing_authority" if ekind == "lane" else "property_company"
            up.rows["Estate"].append((estate_id, c, name, ekind, f"{road}{lane_no}弄", management))
            for b in range(per_estate):
                building_id += 1
                floors = rng.randint(*floors_range)
                lon = 121.30 + rng.random() * 0.3
                lat = 31.10 + rng.random() * 0.25
                d = 0.0003
                outline = json.dumps(
                    {"type": "Polygon", "coordinates": [[
                        [round(lon, 6), round(lat, 6)], [round(lon + d, 6), round(lat, 6)],
                        [round(lon + d, 6), round(lat + d, 6)], [round(lon, 6), round(lat + d, 6)],
                        [round(lon, 6), round(lat, 6)]]]}
                )  # fmt: skip
                bname = f"{b + 1}支弄" if htype == "lane" else f"{b + 1}号楼"
                up.rows["Building"].append(
                    (building_id, estate_id, c, bname, f"{name}{bname}", htype, structure,
                     rng.randint(1910, 1940) if ekind == "lane" else rng.randint(1975, 2020),
                     floors, htype in ("lane", "garden") and rng.random() < 0.4,
                     floors >= 7, f"{lon:.6f}", f"{lat:.6f}", outline)
                )  # fmt: skip
                # households of this building: spread evenly so the total is exact
                index = building_id - 1
                in_building = households // total_b + (1 if index < households % total_b else 0)
                for k in range(n_ent):
                    entrance_id += 1
                    number = f"{k + 1}号"
                    up.rows["Entrance"].append(
                        (entrance_id, building_id, number, f"{name}{number}")
                    )
                    n = in_building // n_ent + (1 if k < in_building % n_ent else 0)
                    up.slots.append((entrance_id, c, n, floors, area_range))
    return up


def household_rows(up: Upper) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(SEED + 1)
    hid = 0
    for entrance_id, committee_id, n, floors, (lo, hi) in up.slots:
        per_floor = max(1, math.ceil(n / floors))
        for k in range(n):
            hid += 1
            floor = 1 + k // per_floor
            yield (hid, entrance_id, committee_id, f"{floor}{k % per_floor + 1:02d}", floor,
                   f"{rng.uniform(lo, hi):.2f}")  # fmt: skip


def resident_rows(up: Upper) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(SEED + 2)
    hid = rid = 0
    relations = ("head", "spouse", "child", "parent", "tenant")
    for _entrance_id, committee_id, n, _floors, _area in up.slots:
        for _k in range(n):
            hid += 1
            for r in range(RESIDENTS_PER_HOUSEHOLD):
                rid += 1
                given = GIVEN[rng.randrange(len(GIVEN))]
                if rng.random() < 0.6:
                    given += GIVEN[rng.randrange(len(GIVEN))]
                yield (
                    rid, hid, committee_id, SURNAMES[rng.randrange(len(SURNAMES))] + given,
                    relations[min(r, 4)], rng.choice(("male", "female")),
                    rng.randint(1930, 2010), None, "",
                    f"310104********{rng.randrange(10000):04d}", "",
                    f"1{rng.choice('3589')}{rng.randrange(10)}****{rng.randrange(10000):04d}",
                    rng.random() < 0.08, True,
                )  # fmt: skip


# --------------------------------------------------------------------------- databases


def configure(spec: Spec) -> None:
    """Point Django at the benchmark database; must run before ``django.setup()``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = spec.database_url()
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if spec.database == "sqlite":
        spec.sqlite_path().parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _pg_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def read_marker() -> dict[str, Any] | None:
    from django.db import connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT value FROM bench_meta WHERE key = 'tree'")
            row = cur.fetchone()
    except Exception:
        connection.close()
        return None
    return json.loads(row[0]) if row else None


def _models() -> dict[str, Any]:
    from linli.geo import models as m

    return {name: getattr(m, name) for name in FIELDS}


def _table(model: Any, names: tuple[str, ...]) -> tuple[str, list[str]]:
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    if set(fields) != set(names):
        raise SystemExit(
            f"bench/places.py: {model.__name__} has fields {sorted(fields)}, the generator "
            f"writes {sorted(names)}; update FIELDS and the generator"
        )
    return model._meta.db_table, [fields[n] for n in names]


def _streams(up: Upper) -> Iterator[tuple[str, Any]]:
    yield from up.rows.items()
    yield "Household", household_rows(up)
    if RESIDENTS_PER_HOUSEHOLD:
        yield "Resident", resident_rows(up)


def load_postgres(spec: Spec, up: Upper, log: Any) -> dict[str, int]:
    import psycopg

    models, counts = _models(), {}
    with psycopg.connect(spec.database_url()) as conn:
        # The rows are generated consistent; skipping the per-row FK triggers halves the load.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for name, rows in _streams(up):
            t0 = time.perf_counter()
            table, columns = _table(models[name], FIELDS[name])
            n = 0
            with conn.cursor() as cur:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cur.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
            conn.commit()
            counts[name] = n
            log(f"  {table}: {n:,} rows in {time.perf_counter() - t0:.1f} s")
        for name in FIELDS:
            table, _cols = _table(models[name], FIELDS[name])
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        conn.commit()
    t0 = time.perf_counter()
    with psycopg.connect(spec.database_url(), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
    return counts


def load_sqlite(spec: Spec, up: Upper, log: Any) -> dict[str, int]:
    import itertools
    import sqlite3

    models, counts = _models(), {}
    conn = sqlite3.connect(spec.sqlite_path())
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    for name, rows in _streams(up):
        t0 = time.perf_counter()
        table, columns = _table(models[name], FIELDS[name])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, 50_000)):
            conn.executemany(sql, batch)
            n += len(batch)
        conn.commit()
        counts[name] = n
        log(f"  {table}: {n:,} rows in {time.perf_counter() - t0:.1f} s")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return counts


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def _vacuum_after_migrations(spec: Spec, applied: list[str], log: Any) -> None:
    """``VACUUM ANALYZE`` after new migrations: one that fills a column rewrites every row,
    and without autovacuum (this machine's server) the planner would go on seeing dead rows,
    no visibility map (no index-only scans) and old statistics."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(spec.database_url(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"  applied {', '.join(applied)}; VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")


def prepare(spec: Spec, log: Any = print) -> dict[str, Any]:
    """Create or reuse the benchmark database; return what happened and the row counts."""
    from django.core.management import call_command
    from django.db import connection, connections

    if spec.database == "postgres" and not _pg_exists(spec.pg_name()):
        _pg_admin(f'CREATE DATABASE "{spec.pg_name()}"')
    marker = read_marker()
    info: dict[str, Any] = {"database": spec.database_url(), "reused": False}
    if marker and {k: marker.get(k) for k in spec.marker()} == spec.marker():
        try:
            pending = _pending_migrations()
            call_command("migrate", verbosity=0)  # new migrations of the app, if any
        except Exception as exc:  # e.g. history rewritten since: start again
            log(f"cannot migrate the reused database ({exc}); regenerating")
            connections.close_all()
        else:
            info.update(reused=True, counts=marker["counts"], generation_s=marker["generation_s"])
            if pending and spec.database == "postgres":
                _vacuum_after_migrations(spec, pending, log)
    if not info["reused"]:
        log(f"generating the place tree at scale {spec.scale:g} into {spec.database_url()}")
        t_all = time.perf_counter()
        connections.close_all()
        if spec.database == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{spec.pg_name()}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{spec.pg_name()}"')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{spec.sqlite_path()}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        connections.close_all()
        log(f"  migrate in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        up = build_upper(spec)
        log(f"  upper tree built in memory in {time.perf_counter() - t0:.1f} s")
        loader = load_postgres if spec.database == "postgres" else load_sqlite
        counts = loader(spec, up, log)
        del up
        elapsed = round(time.perf_counter() - t_all, 1)
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS bench_meta (key varchar(20) PRIMARY KEY, value text)"
            )
            cur.execute("DELETE FROM bench_meta")
            cur.execute(
                "INSERT INTO bench_meta (key, value) VALUES ('tree', %s)",
                [json.dumps({**spec.marker(), "counts": counts, "generation_s": elapsed,
                             "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")})],
            )  # fmt: skip
        log(f"generated in {elapsed:.1f} s")
        info.update(counts=counts, generation_s=elapsed)
    _ensure_users(spec)
    return info


def _ensure_users(spec: Spec) -> None:
    from linli.core.models import User

    # A street admin of one street, a district office of one district, a committee's staff.
    for username, role, place in (
        ("bench_admin", "street_admin", {"subdistrict_id": spec.focus_street}),
        ("bench_district", "district_civil", {"district_id": spec.focus_district}),
        ("bench_committee", "committee_staff", {"committee_id": spec.focus_committee}),
    ):
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "is_active": True, "display_name": username,
                      "committee_id": None, "subdistrict_id": None, "district_id": None,
                      **place},
        )  # fmt: skip
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])


def drop_all(log: Any = print) -> None:
    """Drop this module's databases only (``linli_bench_<scale>``, not other modules' ones)."""
    import re

    import psycopg

    ours = re.compile(re.escape(PG_PREFIX) + r"[0-9][0-9pem]*")  # the tags Spec.tag makes
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database")
                 if ours.fullmatch(r[0])]  # fmt: skip
        for name in names:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            log(f"dropped {name}")
    for path in (ROOT / "var" / "bench").glob("places-*.sqlite3*"):
        path.unlink()
        log(f"removed {path}")


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    user: str = "admin"  # "admin" (street admin) or "committee" (committee staff)
    kind: str = "page"  # "page", "api" or "export"
    target: bool = True  # False: shown for information, outside the issue's targets

    @property
    def has_target(self) -> bool:
        return self.target and self.kind in ("page", "api")


def build_cases(spec: Spec, counts: dict[str, int]) -> list[Case]:
    cid = spec.focus_committee
    area = None if cid % 5 == 0 else ((cid - 1) // 25) * 3 + (cid % 3) + 1
    n = {
        "committees": counts["Committee"],
        "estates": counts["Estate"],
        "buildings": counts["Building"],
        "entrances": counts["Entrance"],
        "households": counts["Household"],
        "residents": counts.get("Resident", 0),
    }
    filters = {
        "committees": f"area={area or 1}",
        "buildings": f"committee={cid}",
        "households": f"committee={cid}",
        "residents": f"committee={cid}",
    }
    sort_page = {
        "committees": "-name",
        "buildings": "-year_built",
        "households": "-exclusive_area",
        "residents": "name",
    }
    only = [c for c in os.environ.get("LINLI_BENCH_CASES", "").split(",") if c]
    cases: list[Case] = []
    for kind in ("committees", "buildings", "households", "residents"):
        if not n[kind]:
            continue
        reached = _reach(spec, kind, "admin").count()
        deep = max(1, min(DEEP_PAGE, math.ceil(reached / PAGE_SIZE)))
        page, api = f"/places/{kind}/", f"/api/v1/{kind}/"
        cases += [
            Case(f"page {kind} first", page),
            Case(f"page {kind} filtered", f"{page}?{filters[kind]}"),
            Case(f"page {kind} sorted", f"{page}?sort={sort_page[kind]}"),
            Case(f"page {kind} deep", f"{page}?cursor={_page_cursor(spec, kind, 'admin', deep)}"),
            Case(f"api {kind} first", api, kind="api"),
            Case(f"api {kind} filtered", f"{api}?{filters[kind]}", kind="api"),
            Case(f"api {kind} sorted", f"{api}?ordering={sort_page[kind]}", kind="api"),
            Case(f"api {kind} deep", f"{api}?cursor={_cursor_after(spec, kind, 'admin', deep)}",
                 kind="api"),
        ]  # fmt: skip
    for kind in ("estates", "entrances"):
        cases += [
            Case(f"page {kind} first", f"/places/{kind}/"),
            Case(f"api {kind} first", f"/api/v1/{kind}/", kind="api"),
        ]
    cases += [
        Case("page households first, committee staff", "/places/households/", user="committee"),
        Case("page buildings first, committee staff", "/places/buildings/", user="committee"),
        Case("api households first, committee staff", "/api/v1/households/", "committee", "api"),
    ]
    if n["residents"]:
        cases.append(
            Case("page residents first, committee staff", "/places/residents/", user="committee")
        )
    # A district office (issue 11): its district's 15 streets.
    cases += [
        Case("page committees first, district", "/places/committees/", user="district"),
        Case("page buildings first, district", "/places/buildings/", user="district"),
        Case("page households first, district", "/places/households/", user="district"),
        Case("api committees first, district", "/api/v1/committees/", "district", "api"),
        Case("api buildings first, district", "/api/v1/buildings/", "district", "api"),
        Case("api households sorted, district",
             f"/api/v1/households/?ordering={sort_page['households']}", "district", "api"),
    ]  # fmt: skip
    # The first and the last page of the biggest list through the API (issue 11: keyset
    # pagination), for the street and the district user.
    for user, label in (("admin", "street"), ("district", "district")):
        last = _cursor_after(spec, "households", user, None)
        cases += [
            Case(f"api households first, {label}", "/api/v1/households/", user, "api"),
            Case(f"api households last page, {label}", f"/api/v1/households/?cursor={last}",
                 user, "api"),
        ]  # fmt: skip
    # The list pages page by keyset too (linli/geo/paging.py): first and last page, both users.
    for user, label in (("admin", "street"), ("district", "district")):
        cases += [
            Case(f"page households first, {label}", "/places/households/", user),
            Case(f"page households last page, {label}", "/places/households/?cursor=last", user),
        ]
    cases += [
        Case("page residents last page, street", "/places/residents/?cursor=last"),
        Case("page households sorted, district",
             f"/places/households/?sort={sort_page['households']}", user="district"),
    ]  # fmt: skip
    if only:  # a subset, by words of the case names (e.g. "api households")
        cases = [c for c in cases if any(word in c.name for word in only)]
    cases.append(
        Case("export households of one committee", f"/places/households/export.xlsx?committee={cid}",
             kind="export")
    )  # fmt: skip
    return cases


_REACH = {"admin": "committee__subdistrict_id", "district": "committee__subdistrict__district_id",
          "committee": "committee_id"}  # fmt: skip


def _reach(spec: Spec, kind: str, user: str) -> Any:
    """The rows of ``kind`` a bench user reaches (as the API's scope narrows them)."""
    from linli.geo import models as m

    model = {"households": m.Household, "buildings": m.Building, "committees": m.Committee,
             "residents": m.Resident}[kind]  # fmt: skip
    place = {"admin": spec.focus_street, "district": spec.focus_district,
             "committee": spec.focus_committee}[user]  # fmt: skip
    path = _REACH[user]
    if kind == "committees":
        path = path.removeprefix("committee__").replace("committee_id", "pk")
    return model.objects.filter(**{path: place})


def _cursor_after(spec: Spec, kind: str, user: str, page: int | None) -> str:
    """The API's cursor that starts page ``page`` of the list in its default order (by id);
    ``None``: the last page. Built as the ``next`` link would build it."""
    import base64

    rows = _reach(spec, kind, user)
    if page == 1:
        return ""
    # Rows of committees are listed committee by committee (linli/core/api/pagination.py).
    order = ["pk"] if kind == "committees" else ["committee_id", "pk"]
    if page is None:
        key = rows.order_by(*(f"-{o}" for o in order)).values_list(*order)[PAGE_SIZE]
    else:
        key = rows.order_by(*order).values_list(*order)[(page - 1) * PAGE_SIZE - 1]
    payload = json.dumps({"o": ",".join(order), "r": False, "v": list(key)}).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii")


def _page_cursor(spec: Spec, kind: str, user: str, page: int) -> str:
    """The list page's cursor that starts page ``page`` in its default order (committee by
    committee, then the model's order), built as its "next" link would build it."""
    from django.db.models import F

    from linli.core.api.pagination import KEY, sort_keys
    from linli.geo import paging

    if page <= 1:
        return ""
    rows = paging.by_committee(_reach(spec, kind, user))
    keys = sort_keys(rows)
    signature = ",".join(("-" if k.descending else "") + k.path for k in keys)
    rows = rows.annotate(**{KEY.format(i): F(k.path) for i, k in enumerate(keys)})
    row = rows[(page - 1) * PAGE_SIZE - 1]
    return paging._encode(row, signature, len(keys), backwards=False)


EXPORT_ALL = Case(
    "export households, whole street", "/places/households/export.xlsx", kind="export"
)


# --------------------------------------------------------------------------- measuring


def _clients() -> dict[str, Any]:
    from django.test import Client

    from linli.core.models import User
    from linli.core.testing import verify_session

    clients = {}
    for key, username in (("admin", "bench_admin"), ("district", "bench_district"),
                          ("committee", "bench_committee")):  # fmt: skip
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="text/html,application/json")
        user = User.objects.get(username=username)
        client.force_login(user)
        verify_session(client, user)  # a street admin's session needs its second factor
        clients[key] = client
    return clients


def _get(client: Any, case: Case) -> Any:
    accept = "application/json" if case.kind == "api" else "text/html"
    response = client.get(case.path, HTTP_ACCEPT=accept)
    if response.status_code != 200:
        raise RuntimeError(f"{case.path}: HTTP {response.status_code}")
    return response


def count_queries(client: Any, case: Case) -> tuple[int, float, dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, case)
    queries = ctx.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    slowest = max(queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    return len(queries), sql_ms, {"ms": round(float(slowest["time"]) * 1000, 1),
                                  "sql": slowest["sql"][:1500]}  # fmt: skip


def time_case(client: Any, case: Case, reps: int) -> dict[str, Any]:
    warm = []
    for _ in range(2):
        t0 = time.perf_counter()
        response = _get(client, case)
        warm.append(time.perf_counter() - t0)
    if min(warm) > 2.0:
        reps = min(reps, 3)
    elif min(warm) > 0.5:
        reps = min(reps, 10)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        response = _get(client, case)
        times.append((time.perf_counter() - t0) * 1000)
    out: dict[str, Any] = {
        "reps": reps,
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(statistics.quantiles(times, n=10)[8] if len(times) >= 2 else times[0], 1),
        "bytes": len(response.content),
    }
    if case.kind == "api":
        body = json.loads(response.content)
        out["count"], out["rows"] = body.get("count"), len(body.get("results", []))
    return out


def queries_only(spec: Spec) -> dict[str, int]:
    info = prepare(spec, log=lambda *_a: None)
    clients = _clients()
    result = {}
    for case in build_cases(spec, info["counts"]):
        _get(clients[case.user], case)
        result[case.name] = count_queries(clients[case.user], case)[0]
    return result


def reference_scale(scale: float) -> float:
    return 0.001 if scale > 0.001 else 0.01


def reference_queries(spec: Spec) -> tuple[float, dict[str, int]]:
    """Query counts of every case at a small reference scale, in a fresh process."""
    ref = reference_scale(spec.scale)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, __file__, "--scale", f"{ref:g}", "--database", spec.database,
             "--queries-only", "--json", out.name],
            check=True, cwd=ROOT,
        )  # fmt: skip
        return ref, json.loads(Path(out.name).read_text())


# --------------------------------------------------------------------------- one gunicorn worker


def _status(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _http(port: int, path: str, cookie: str, timeout: float = 120.0) -> tuple[int, int, float]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={
            "Cookie": cookie,
            "Accept": "application/json" if "/api/" in path else "text/html",
        },
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
        return response.status, len(body), (time.perf_counter() - t0) * 1000


def worker_memory(
    spec: Spec, cases: list[Case], clients: dict[str, Any], log: Any
) -> dict[str, Any]:
    """Serve the cases from gunicorn (1 sync worker, default 30 s timeout); read its RSS."""
    from django.conf import settings

    cookies = {k: f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
               for k, c in clients.items()}  # fmt: skip
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": spec.database_url(),
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}  # fmt: skip
    log_path = ROOT / "var" / "bench" / f"gunicorn-{spec.database}-{spec.tag}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server_log = log_path.open("w")
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "linli.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out: dict[str, Any] = {"server": "gunicorn, 1 sync worker, default 30 s timeout",
                           "log": str(log_path.relative_to(ROOT))}  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                _http(port, "/login/", "", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.time() > deadline or master.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start, see {log_path}") from None
                time.sleep(0.3)

        def worker() -> int:
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit():
                    try:
                        stat = (proc / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == master.pid:
                        return int(proc.name)
            raise RuntimeError("no gunicorn worker")

        pid = worker()
        out["after_start_mb"] = round(_status(pid)["VmRSS"], 1)
        http_ms: dict[str, float] = {}
        for case in cases:
            times = [_http(port, case.path, cookies[case.user])[2] for _ in range(5)]
            http_ms[case.name] = round(statistics.median(times), 1)
        status = _status(pid)
        out["after_cases_rss_mb"] = round(status["VmRSS"], 1)
        out["after_cases_peak_mb"] = round(status["VmHWM"], 1)
        out["http_median_ms"] = http_ms
        log(
            f"  worker RSS after the cases: {status['VmRSS']:.0f} MB, peak {status['VmHWM']:.0f} MB"
        )

        # The street-wide export: does it finish inside the worker timeout, at what memory?
        peak = {"mb": status["VmHWM"]}
        stop = threading.Event()

        def poll() -> None:
            while not stop.is_set():
                try:
                    peak["mb"] = max(peak["mb"], _status(pid)["VmHWM"])
                except (FileNotFoundError, ProcessLookupError, KeyError):
                    return
                time.sleep(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        t0 = time.perf_counter()
        try:
            code, size, _ms = _http(port, EXPORT_ALL.path, cookies["admin"], timeout=300)
            outcome = f"HTTP {code}, {size / 1e6:.1f} MB"
        except Exception as exc:  # a worker aborted on timeout answers 500 or hangs up
            outcome = f"failed ({type(exc).__name__}: {exc})"
        elapsed = time.perf_counter() - t0
        if outcome.startswith("failed") and elapsed >= 29.5:
            outcome += ", worker killed by gunicorn's 30 s timeout"
        stop.set()
        poller.join()
        out["export_all"] = {"outcome": outcome, "seconds": round(elapsed, 1),
                             "peak_mb": round(peak["mb"], 1)}  # fmt: skip
        log(f"  street-wide export: {outcome} in {elapsed:.1f} s, worker peak {peak['mb']:.0f} MB")
    finally:
        master.terminate()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
        server_log.close()
    return out


# --------------------------------------------------------------------------- the report


def code_version() -> str:
    """The commit measured, and whether the app code differed from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "linli"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' + uncommitted changes in linli/' if dirty else ''}"


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "os": platform.platform(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpu.splitlines()
            if line.startswith("model name")
        )
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["ram_gb"] = round(int(mem) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    import django

    info["django"] = django.get_version()
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT version()")
            info["database"] = cur.fetchone()[0].split(" on ")[0]
            for setting in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather"):
                cur.execute(f"SHOW {setting}")
                info[setting] = cur.fetchone()[0]
        else:
            cur.execute("SELECT sqlite_version()")
            info["database"] = f"SQLite {cur.fetchone()[0]}"
    return info


def markdown(report: dict[str, Any]) -> str:
    ref = report["reference_scale"]
    load = report["load_average"]
    lines = [
        f"places benchmark — scale {report['scale']:g} on {report['database']} "
        f"({report['counts'].get('Household', 0):,} households), {report['date']}; "
        f"tree {'reused' if report['reused'] else 'generated'} (generation "
        f"{report['generation_s']:.0f} s); load average {load['before'][0]:.2f} before, "
        f"{load['after'][0]:.2f} after; code {report['code']}",
        "",
        f"| case | median ms | p90 ms | queries | queries @{ref:g} | SQL ms | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["cases"]:
        target = "—"
        if row["has_target"]:
            ok_time = row["median_ms"] <= TARGET_MS
            ok_q = row["queries"] == row["queries_ref"]
            target = ("✓" if ok_time else "✗ time") + ("" if ok_q else " ✗ queries")
        lines.append(
            f"| {row['name']} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} | {row['queries']} | "
            f"{row['queries_ref']} | {row['sql_ms']:.1f} | {target} |"
        )
    if load["before"][0] > 0.5 * (os.cpu_count() or 1):
        lines += ["", f"WARNING: load average {load['before'][0]:.2f} on {os.cpu_count()} CPUs "
                  "before the run: another process competed for the machine, the medians may "
                  "be inflated."]  # fmt: skip
    mem = report.get("memory", {})
    if mem:
        lines += [
            "",
            f"web worker ({mem['server']}): RSS after start {mem['after_start_mb']:.0f} MB, "
            f"after every case x5 {mem['after_cases_rss_mb']:.0f} MB, peak "
            f"{mem['after_cases_peak_mb']:.0f} MB (target ≤ {TARGET_RSS_MB:.0f} MB)",
            f"street-wide household export in that worker: {mem['export_all']['outcome']} after "
            f"{mem['export_all']['seconds']:.1f} s, worker peak {mem['export_all']['peak_mb']:.0f} MB",
        ]
    return "\n".join(lines)


def run(scale: float, report: dict[str, Any]) -> None:
    """The bench/run.py entry point: fill ``report`` with this module's figures."""
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    spec = Spec(scale, database)
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    load_before = os.getloadavg()  # before anything of ours runs
    configure(spec)
    info = prepare(spec, log)
    counts = info["counts"]
    log(f"tree: {', '.join(f'{k} {v:,}' for k, v in counts.items())} "
        f"({'reused' if info['reused'] else 'generated'}, generation {info['generation_s']} s)")  # fmt: skip
    ref_scale, ref_counts = reference_queries(spec)
    clients = _clients()
    cases = build_cases(spec, counts)
    rows = []

    def ping_ms(n: int = 9) -> float:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            clients["admin"].post("/bench/ping/")
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    ping_ms(3)  # warm
    for case in cases:
        client = clients[case.user]
        before = ping_ms()
        timing = time_case(client, case, REPS)
        # The ceiling next to each case (before and after it), so load that changes during the
        # run moves both.
        timing["ping_ms"] = round(statistics.median([before, ping_ms()]), 2)
        queries, sql_ms, slowest = count_queries(client, case)
        row = {"name": case.name, "path": case.path, "user": case.user, "kind": case.kind,
               "has_target": case.has_target, **timing, "queries": queries,
               "queries_ref": ref_counts.get(case.name), "sql_ms": round(sql_ms, 1),
               "slowest_query": slowest}  # fmt: skip
        rows.append(row)
        log(f"  {case.name:45s} median {timing['median_ms']:8.1f} ms  p90 {timing['p90_ms']:8.1f} ms"
            f"  queries {queries} (@{ref_scale:g}: {row['queries_ref']})  SQL {sql_ms:7.1f} ms")  # fmt: skip
    report.update(
        scale=scale, database=database, date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(), counts=counts, generation_s=info["generation_s"],
        reused=info["reused"], reference_scale=ref_scale, cases=rows, code=code_version(),
        command=f".venv/bin/python bench/run.py --scale {scale:g} --database {database}",
    )  # fmt: skip
    report["ping_ms"] = round(statistics.median(r["ping_ms"] for r in rows), 2)
    groups: dict[str, list[float]] = {}
    for row in rows:
        if row["has_target"]:
            interface, kind = row["name"].split()[:2]  # "page households …", "api buildings …"
            groups.setdefault(f"{interface}_{kind}", []).append(row["median_ms"] / row["ping_ms"])
    report["ratios"] = {
        f"places.{database}.{name}_per_ping": {
            "value": round(statistics.median(values), 1), "better": "lower",
            "of": f"median over the {name.replace('_', ' ')} cases of (case ÷ ping view timed"
                  " next to it), in process",
        }
        for name, values in sorted(groups.items())
    }  # fmt: skip
    report["load_average"] = {"before": load_before, "after": os.getloadavg()}
    report["in_process_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    if os.environ.get("LINLI_BENCH_SKIP_SERVER") != "1":
        log("serving the cases from one gunicorn worker")
        try:
            report["memory"] = worker_memory(spec, cases, clients, log)
        except RuntimeError as exc:
            report["memory_error"] = str(exc)
    failures = (
        [f"memory not measured: {report['memory_error']}"] if "memory_error" in report else []
    )
    for row in rows:
        if row["has_target"] and row["median_ms"] > TARGET_MS:
            failures.append(f"{row['name']}: median {row['median_ms']} ms > {TARGET_MS:.0f} ms")
        if row["queries"] != row["queries_ref"]:
            failures.append(f"{row['name']}: {row['queries']} queries at scale {scale:g}, "
                            f"{row['queries_ref']} at {ref_scale:g}")  # fmt: skip
    mem = report.get("memory")
    if mem and mem["after_cases_peak_mb"] > TARGET_RSS_MB:
        failures.append(
            f"web worker peak RSS {mem['after_cases_peak_mb']} MB > {TARGET_RSS_MB:.0f} MB"
        )
    report["failures"] = failures
    report["summary"] = markdown(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--queries-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the report (or the query counts) to this file")
    parser.add_argument(
        "--drop",
        action="store_true",
        help="drop this module's databases (linli_bench_<scale>, its SQLite files)",
    )
    args = parser.parse_args(argv)
    if args.drop:
        drop_all()
        return 0
    if args.queries_only:
        spec = Spec(args.scale, args.database)
        configure(spec)
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
