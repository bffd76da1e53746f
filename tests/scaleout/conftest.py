"""The scale-out test runs only when asked for (``make scaleout`` = ``pytest -m scaleout``):
it needs PostgreSQL, Redis and nginx on this machine and takes minutes. Other tests in this
folder (the wheel's contents, the embedded default) run in the normal suite."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "scaleout" in (config.option.markexpr or "").replace("not scaleout", ""):
        return
    skip = pytest.mark.skip(reason="production-shaped; run with `make scaleout`")
    for item in items:
        if item.get_closest_marker("scaleout"):
            item.add_marker(skip)
