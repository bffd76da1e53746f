"""Administrative divisions (市 → 区 → 街道/镇) from the shipped table ``divisions.json`` or an
uploaded one: read, checked, and written idempotently by code."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction

from linli.core import audit
from linli.core.context import Actor

from .models import City, District, Subdistrict

CITY_OR_DISTRICT = re.compile(r"^\d{6}$")
STREET = re.compile(r"^\d{9}$")


class DivisionError(ValueError):
    """The table is malformed; the message names the entry."""


@dataclass(frozen=True)
class Division:
    level: str  # "city", "district" or "street"
    code: str
    name: str
    parent: str  # the code of the city or district above ("" for a city)
    kind: str = "street"  # a street: "street" (街道) or "town" (镇)


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("linli.geo").joinpath("divisions.json").read_text(encoding="utf-8")
    )
    return data


def parse(data: dict[str, Any]) -> list[Division]:
    """Flatten the table, checking every code (6 digits for a city or district, 9 for a
    street, a street's code starting with its district's)."""
    out: list[Division] = []
    seen: set[str] = set()

    def add(d: Division) -> None:
        if d.code in seen:
            raise DivisionError(f"{d.code}: code repeated")
        if not d.name.strip():
            raise DivisionError(f"{d.code}: name missing")
        seen.add(d.code)
        out.append(d)

    for city in data.get("cities", []):
        if not CITY_OR_DISTRICT.match(str(city.get("code", ""))):
            raise DivisionError(f"city {city.get('name')!r}: code must be 6 digits")
        add(Division("city", city["code"], city["name"], ""))
        for district in city.get("districts", []):
            code = str(district.get("code", ""))
            if not CITY_OR_DISTRICT.match(code) or code[:2] != city["code"][:2]:
                raise DivisionError(f"district {district.get('name')!r}: code {code!r}")
            add(Division("district", code, district["name"], city["code"]))
            for street in district.get("streets", []):
                scode = str(street.get("code", ""))
                if not STREET.match(scode) or not scode.startswith(code):
                    raise DivisionError(f"street {street.get('name')!r}: code {scode!r}")
                kind = street.get("kind", "street")
                if kind not in Subdistrict.Kind.values:
                    raise DivisionError(f"street {scode}: kind {kind!r}")
                add(Division("street", scode, street["name"], code, kind))
    return out


def load(
    actor: Actor, data: dict[str, Any] | None = None, *, streets: bool = True
) -> dict[str, int]:
    """Create or rename the cities, districts and (with ``streets``) streets of the table;
    returns how many of each were created. Existing rows keep their ids; nothing is deleted."""
    rows = parse(shipped() if data is None else data)
    created = {"city": 0, "district": 0, "street": 0}
    with transaction.atomic():
        cities: dict[str, City] = {}
        districts: dict[str, District] = {}
        for d in rows:
            if d.level == "city":
                cities[d.code], new = City.objects.update_or_create(
                    code=d.code, defaults={"name": d.name}
                )
            elif d.level == "district":
                districts[d.code], new = District.objects.update_or_create(
                    code=d.code, defaults={"name": d.name, "city": cities[d.parent]}
                )
            elif streets:
                _s, new = Subdistrict.objects.update_or_create(
                    code=d.code,
                    defaults={"name": d.name, "kind": d.kind, "district": districts[d.parent]},
                )
            else:
                continue
            created[d.level] += int(new)
        audit.record(actor, "geo.divisions_load", object_type="geo.district", details=created)
    return created


def district(code: str) -> District:
    """The district of the shipped table with ``code``, with its city (created if missing)."""
    found = District.objects.filter(code=code).first()
    if found is None:
        load(Actor.system("linli divisions"), streets=False)
        found = District.objects.get(code=code)
    return found
