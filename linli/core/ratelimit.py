"""Counters for throttles, shared by every worker and app server through Django's cache
(Redis in production, the database cache on the embedded default; docs/deploy.md)."""

from __future__ import annotations

from django.core.cache import cache

PREFIX = "linli-rl:"


def count(key: str) -> int:
    value = cache.get(PREFIX + key, 0)
    return int(value) if isinstance(value, int) else 0


def hit(key: str, window_seconds: int) -> int:
    """Count one more event for ``key``; the window starts at the first event."""
    full = PREFIX + key
    cache.add(full, 0, window_seconds)
    try:
        return int(cache.incr(full))
    except ValueError:  # expired between add and incr
        cache.set(full, 1, window_seconds)
        return 1


def exceeded(key: str, limit: int) -> bool:
    return count(key) >= limit


def reset(key: str) -> None:
    cache.delete(PREFIX + key)
