"""Registry rows for tests, built through the same service code that stores the lifecycle."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from linli.fire import services
from linli.fire.models import Extinguisher, Sprinkler
from linli.fire.rules import add_years


def today() -> date:
    return timezone.localdate()


def extinguisher(
    street: dict[str, Any], key: str = "1", serial: str = "E1", **kw: Any
) -> Extinguisher:
    on = today()
    values: dict[str, Any] = {
        "serial": serial,
        "committee": street[f"c{key}"],
        "building": street[f"building{key}"],
        "entrance": street[f"entrance{key}"],
        "spot": "1楼楼梯口",
        "type": "powder",
        "manufactured": on - timedelta(days=400),
        "placed_on": on - timedelta(days=390),
        "last_inspected": on - timedelta(days=3),
    }
    values.update(kw)
    obj = Extinguisher(**values)
    services.prepare(obj, on)
    obj.save()
    return obj


def due_extinguisher(
    street: dict[str, Any], key: str = "1", serial: str = "D1", **kw: Any
) -> Extinguisher:
    """A powder unit whose first maintenance (5 years) fell 10 days ago: overdue."""
    on = today()
    made = add_years(on - timedelta(days=10), -5)
    kw.setdefault("manufactured", made)
    kw.setdefault("placed_on", made)
    return extinguisher(street, key, serial, **kw)


def sprinkler(street: dict[str, Any], key: str = "1", **kw: Any) -> Sprinkler:
    on = today()
    values: dict[str, Any] = {
        "committee": street[f"c{key}"],
        "entrance": street[f"entrance{key}"],
        "status": "installed",
        "heads": 8,
        "households": 4,
        "installed_on": on - timedelta(days=200),
        "last_visual": on - timedelta(days=40),
        "last_end_of_line": on - timedelta(days=30),
        "last_service": on - timedelta(days=100),
    }
    values.update(kw)
    obj = Sprinkler(**values)
    services.prepare(obj, on)
    obj.save()
    return obj
