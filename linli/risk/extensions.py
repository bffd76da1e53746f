"""Extension points for the layer above risk, found by name only (risk imports nothing above).

- ``optional_url(name, *args)``: the URL of a named view if it is installed, else ``None`` (the
  checklist links to the dashboard's registry-facts page this way).
- ``white_paper_sections(user, rnd, committee)``: the sections returned by the callables named
  in ``settings.LINLI_WHITE_PAPER_SECTIONS`` (dotted paths), rendered under the white paper's
  priority actions. Each section: ``{"title": str, "items": [str], "note": str}``.
- ``sample_facts(user, sample)``: facts about a sample's committee from other registers, by the
  callable named in ``settings.LINLI_SAMPLE_FACTS`` (the checklist shows them, adoptable, before
  the sample is submitted). Each: ``{"key", "subunit", "description", "likelihood", "decided"
  (a label or ""), "action" (the URL deciding it), "edit" (the URL to adopt it with changes)}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string


def optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def white_paper_sections(user: Any, rnd: Any, committee: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in getattr(settings, "LINLI_WHITE_PAPER_SECTIONS", []):
        out.extend(import_string(path)(user, rnd, committee))
    return out


def sample_facts(user: Any, sample: Any) -> list[dict[str, Any]]:
    path = getattr(settings, "LINLI_SAMPLE_FACTS", "")
    return list(import_string(path)(user, sample)) if path else []
