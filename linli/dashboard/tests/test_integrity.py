"""Checks across every app's models that SQLite would not catch but PostgreSQL would."""

from django.apps import apps
from django.db import models


def test_every_choice_fits_its_column() -> None:
    too_long = []
    for model in apps.get_models():
        if not model.__module__.startswith("linli"):
            continue
        for field in model._meta.fields:
            if isinstance(field, models.CharField) and field.choices and field.max_length:
                longest = max(len(str(value)) for value, _label in field.flatchoices)
                if longest > field.max_length:
                    too_long.append(f"{model.__name__}.{field.name}")
    assert too_long == []
