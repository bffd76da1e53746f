"""Form widgets that render fast when they carry thousands of options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A <select> rendered by string building rather than one template per option.

    Django renders each option through the template engine; a filter offering every committee
    of a city (6,000) would spend most of a list page's time there.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = "" if value is None else str(value)
        final = self.build_attrs(self.attrs, attrs)
        attributes = "".join(
            format_html(' {}="{}"', key, val) for key, val in final.items() if val is not False
        )
        parts = [f'<select name="{escape(name)}"{attributes}>']
        for option_value, label in self.choices:
            key = "" if option_value is None else str(getattr(option_value, "value", option_value))
            mark = " selected" if key == selected else ""
            parts.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        # Every value and label above went through escape().
        return mark_safe("".join(parts))  # noqa: S308
