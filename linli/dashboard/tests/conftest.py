"""Reuse the risk web layer's fixtures (a drawn round with samples assigned to the inspector)."""

from linli.risk.tests.conftest import _media, buildings, drawn, safety

__all__ = ["_media", "buildings", "drawn", "safety"]
