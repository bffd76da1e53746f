"""Form widgets that render fast when they carry thousands of options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from linli.core.ids import plain_int


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


# --------------------------------------------------------------------------- search boxes

# Models whose tables reach city size: a form offers them as a search box, not a <select>,
# once the account reaches more than SEARCH_ABOVE of them. Per model: the ``kind`` named to
# the search endpoint, the lookup to its committee (for reach), the columns searched and a
# unique code column typed instead of the id (None: the id is the code).
SEARCH_ABOVE = 200
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class Searchable:
    kind: str
    model: str  # "app_label.Model"
    committee_path: str
    columns: tuple[str, ...]
    code: str | None = None
    related: tuple[str, ...] = ()  # what its label reads, fetched in the same query


SEARCHABLE: dict[str, Searchable] = {
    s.model: s
    for s in (
        Searchable("committees", "geo.Committee", "pk", ("code", "name"), code="code"),
        Searchable("estates", "geo.Estate", "committee_id", ("name", "address")),
        Searchable("buildings", "geo.Building", "committee_id", ("name", "address")),
        Searchable("entrances", "geo.Entrance", "building__committee_id", ("address", "number")),
        Searchable("households", "geo.Household", "committee_id",
                   ("room", "entrance__address"), related=("entrance",)),
    )
}  # fmt: skip
SEARCHABLE_KINDS = {s.kind: s for s in SEARCHABLE.values()}


def searchable(model: Any) -> Searchable | None:
    return SEARCHABLE.get(f"{model._meta.app_label}.{model.__name__}")


class SearchSelect(forms.TextInput):
    """A text box that finds the object by a search on the server (``linli/js/search-select.js``).

    Without JavaScript it is a plain text field: type the id (shown next to each object in
    its list) or, for committees, the committee code. With JavaScript, typing lists the
    matches of the account's reach below it (arrow keys, Enter, Escape; ARIA combobox).
    """

    template_name = "django/forms/widgets/text.html"

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        self.kind = kind
        super().__init__(attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.update(
            {
                "data-search": f"{reverse('choice_search')}?kind={self.kind}",
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
            }
        )
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        label = getattr(self, "current_label", "")
        hint = _("输入编号或名称搜索")
        return format_html(
            '{}<span class="search-select-current" data-for="{}">{}</span>'
            '<span class="hint">{}</span>',
            html, (attrs or {}).get("id", ""), label, hint,
        )  # fmt: skip


class SearchChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ModelChoiceField typed as a search box: the id, or the model's code column."""

    def __init__(self, spec: Searchable, **kwargs: Any) -> None:
        self.spec = spec
        super().__init__(widget=SearchSelect(spec.kind), **kwargs)

    def to_python(self, value: Any) -> Any:
        text = str(value).strip() if value is not None else ""
        if text and self.spec.code and not text.isdigit():
            found = self._choices().filter(**{self.spec.code: text}).first()
            if found is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": text},
                )  # fmt: skip
            return found
        return super().to_python(text)

    def _choices(self) -> Any:
        return self.queryset if self.queryset is not None else self.spec_none()

    def spec_none(self) -> Any:
        from django.apps import apps

        return apps.get_model(self.spec.model).objects.none()

    def prepare_value(self, value: Any) -> Any:
        prepared = super().prepare_value(value)
        obj = value if isinstance(value, models.Model) else None
        if obj is None and prepared not in (None, ""):
            pk = plain_int(prepared)
            obj = self._choices().filter(pk=pk).first() if pk is not None else None
        self.widget.current_label = str(obj) if obj is not None else ""  # type: ignore[attr-defined]
        return prepared


def use_search_boxes(form: forms.BaseForm, above: int | None = None) -> None:
    """Turn each select of a city-size model (committees, estates, buildings, entrances,
    households) into a search box when its choices — the account's reach, already set on the
    field's queryset — number more than ``above``. One count per such field, whatever the
    size; a small street keeps its plain select."""
    above = SEARCH_ABOVE if above is None else above
    for name, field in list(form.fields.items()):
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field, SearchChoiceField):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            continue
        choices: Any = field.queryset
        spec = None if choices is None else searchable(choices.model)
        if spec is None or choices[: above + 1].count() <= above:
            continue
        replacement = SearchChoiceField(
            spec, queryset=field.queryset, required=field.required, label=field.label,
            help_text=field.help_text, initial=field.initial, disabled=field.disabled,
        )  # fmt: skip
        replacement.widget.attrs.update(field.widget.attrs)
        form.fields[name] = replacement


def search_choices(user: Any, spec: Searchable, text: str) -> list[dict[str, Any]]:
    """Up to SEARCH_LIMIT objects of the account's reach whose id is ``text`` or whose
    searched columns contain it: one query, whatever the size of the table."""
    from django.apps import apps
    from django.db.models import Q

    from linli.core import policy

    model = apps.get_model(spec.model)
    qs = policy.scoped(model.objects.all(), user, spec.committee_path)
    match = Q()
    for column in spec.columns:
        match |= Q(**{f"{column}__icontains": text})
    pk = plain_int(text)
    if pk is not None:
        match |= Q(pk=pk)
    rows = qs.filter(match).select_related(*spec.related).order_by("pk")[:SEARCH_LIMIT]
    return [{"id": row.pk, "label": str(row)} for row in rows]
