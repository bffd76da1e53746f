"""Coverage: 3-minute reach, gaps on the street map, charging capacity.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from .base import FireRuleError, check_unique_ids

# ---------------------------------------------------------------------------
# Coverage: 3-minute reach and charging capacity

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
DEFAULT_SPEED_M_PER_MIN = Decimal(200)  # straight-line metres per minute, turnout included
REACH_MINUTES = 3


@dataclass(frozen=True)
class Location:
    """A station or a building at WGS84 longitude/latitude in degrees."""

    id: str
    lon: float | Decimal
    lat: float | Decimal


@dataclass(frozen=True)
class Reach:
    """A building's nearest station, straight-line distance and travel time."""

    building_id: str
    station_id: str | None  # None when there is no station at all
    distance_m: Decimal | None  # rounded to 0.1 m
    minutes: Decimal | None  # rounded half up to 0.01 min; compared as shown
    limit_minutes: Decimal
    in_reach: bool


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a spherical Earth (error < 0.5 %, ample here)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def coordinates(loc: Location) -> tuple[float, float]:
    """Checked (lon, lat) as floats; a database may hand over Decimal degrees."""
    result = []
    for name, value, bound in (("lon", loc.lon, 180), ("lat", loc.lat, 90)):
        number = float(value) if isinstance(value, int | float | Decimal) else math.nan
        if isinstance(value, bool) or not -bound <= number <= bound:
            raise FireRuleError(loc.id, name, f"not a WGS84 {name}: {value!r}", "invalid_value")
        result.append(number)
    return result[0], result[1]


def station_reach(
    stations: Sequence[Location],
    buildings: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
    minutes: Decimal | int = REACH_MINUTES,
) -> list[Reach]:
    """Every building's nearest station and travel minutes; exactly the limit is in reach."""
    speed = Decimal(speed_m_per_min)
    limit = Decimal(minutes)
    if not speed.is_finite() or speed <= 0:
        raise ValueError("speed_m_per_min must be positive")
    if not limit.is_finite() or limit < 0:
        raise ValueError("minutes must not be negative")
    check_unique_ids(s.id for s in stations)
    check_unique_ids(b.id for b in buildings)
    station_points = [(s.id, coordinates(s)) for s in stations]
    result = []
    for building in buildings:
        lon, lat = coordinates(building)
        best: tuple[float, str] | None = None
        for station_id, (station_lon, station_lat) in station_points:
            d = haversine_m(lon, lat, station_lon, station_lat)
            if best is None or (d, station_id) < best:
                best = (d, station_id)
        if best is None:
            result.append(Reach(building.id, None, None, None, limit, False))
            continue
        distance = Decimal(best[0]).quantize(Decimal("0.1"), ROUND_HALF_UP)
        travel = (distance / speed).quantize(Decimal("0.01"), ROUND_HALF_UP)
        result.append(Reach(building.id, best[1], distance, travel, limit, travel <= limit))
    return result


def buildings_out_of_reach(
    stations: Sequence[Location],
    buildings: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
    minutes: Decimal | int = REACH_MINUTES,
) -> list[Reach]:
    """The buildings no station reaches within ``minutes`` (3 by the standard)."""
    reach = station_reach(stations, buildings, speed_m_per_min=speed_m_per_min, minutes=minutes)
    return [r for r in reach if not r.in_reach]


# ---------------------------------------------------------------------------
# Coverage gaps on the street map


class Gap(StrEnum):
    """What a building lacks: its own equipment, or a micro fire station within reach."""

    NO_EXTINGUISHER = "no_extinguisher"  # no extinguisher registered at the building
    SPRINKLER_PENDING = "sprinkler_pending"  # a door number's sprinkler planned, not installed
    OUT_OF_REACH = "out_of_reach"  # no station within the 3-minute reach


@dataclass(frozen=True)
class BuildingEquipment:
    """One building at a position, with the counts of equipment registered there."""

    location: Location
    extinguishers: int = 0
    sprinklers_planned: int = 0


@dataclass(frozen=True)
class BuildingGaps:
    building_id: str
    gaps: tuple[Gap, ...]


def coverage_gaps(
    buildings: Sequence[BuildingEquipment],
    stations: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
) -> list[BuildingGaps]:
    """Every building's gaps, in input order (an empty tuple: nothing missing)."""
    reach = station_reach(
        stations, [b.location for b in buildings], speed_m_per_min=speed_m_per_min
    )
    out = []
    for building, r in zip(buildings, reach, strict=True):
        if building.extinguishers < 0 or building.sprinklers_planned < 0:
            raise FireRuleError(building.location.id, "count", "negative count", "invalid_value")
        gaps = []
        if building.extinguishers == 0:
            gaps.append(Gap.NO_EXTINGUISHER)
        if building.sprinklers_planned:
            gaps.append(Gap.SPRINKLER_PENDING)
        if not r.in_reach:
            gaps.append(Gap.OUT_OF_REACH)
        out.append(BuildingGaps(building.location.id, tuple(gaps)))
    return out


@dataclass(frozen=True)
class MapFrame:
    """A local flat projection of WGS84 points onto a drawing ``width`` wide."""

    min_lon: float
    max_lat: float
    x_scale: float  # drawing units per degree of longitude
    y_scale: float  # drawing units per degree of latitude
    margin: float
    width: float
    height: float

    def point(self, loc: Location) -> tuple[float, float]:
        lon, lat = coordinates(loc)
        x = self.margin + (lon - self.min_lon) * self.x_scale
        y = self.margin + (self.max_lat - lat) * self.y_scale
        return round(x, 1), round(y, 1)

    def metres(self, m: float | Decimal) -> float:
        """A distance in metres as drawing units (north-south scale)."""
        return round(float(m) / METRES_PER_DEGREE_LAT * self.y_scale, 1)


METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


def map_frame(points: Sequence[Location], *, width: float = 1000, margin: float = 20) -> MapFrame:
    """Fit the points into a drawing ``width`` wide, keeping true proportions (longitude is
    shortened by cos(latitude) as on the ground); the height follows from the area's shape."""
    if not points:
        raise ValueError("no points to frame")
    coords = [coordinates(p) for p in points]
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    mid = math.radians((min(lats) + max(lats)) / 2)
    span_x = (max(lons) - min(lons)) * math.cos(mid)
    span_y = max(lats) - min(lats)
    inner = width - 2 * margin
    # One point (or a line): a frame of about 500 m so the drawing is still meaningful.
    span = max(span_x, span_y, 500 / METRES_PER_DEGREE_LAT)
    y_scale = inner / span
    height = 2 * margin + span_y * y_scale
    return MapFrame(
        min(lons), max(lats), y_scale * math.cos(mid), y_scale, margin, width, round(height, 1)
    )


@dataclass(frozen=True)
class ChargingGap:
    """Charging capacity against the estimated e-bikes of one committee."""

    committee: str
    ebikes: int
    bays: int
    needed: int  # bays the target ratio asks for
    shortfall: int
    ratio: Decimal | None  # bays per e-bike, 2 decimals; None without e-bikes


def charging_gap(
    ebikes_estimated: Mapping[str, int],
    bays: Mapping[str, int],
    *,
    bays_per_ebike: Decimal | int = 1,
) -> list[ChargingGap]:
    """Per committee: bays needed (e-bikes × target, rounded up), shortfall and bays per e-bike.

    A committee missing from one mapping has 0 there; the result is sorted by committee.
    """
    target = Decimal(bays_per_ebike)
    if not target.is_finite() or target < 0:
        raise ValueError("bays_per_ebike must not be negative")
    result = []
    for committee in sorted(ebikes_estimated.keys() | bays.keys()):
        count = ebikes_estimated.get(committee, 0)
        capacity = bays.get(committee, 0)
        for name, value in (("ebikes_estimated", count), ("bays", capacity)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FireRuleError(committee, name, f"not a count: {value!r}", "invalid_value")
        needed = int((count * target).to_integral_value(ROUND_CEILING))
        ratio = (
            (Decimal(capacity) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
        )
        result.append(
            ChargingGap(committee, count, capacity, needed, max(0, needed - capacity), ratio)
        )
    return result
