"""The Celery application: one task engine for every process (web, worker, beat).

Settings come from Django's settings with the ``CELERY_`` prefix (``linli/settings/base.py``);
each app's ``tasks.py`` is discovered. Web processes only enqueue; workers run the tasks.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.local")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up(**_kwargs: Any) -> None:
    """Prepare what a worker's first task would otherwise pay for (``LINLI_WORKER_WARMUPS``:
    dotted paths of functions, e.g. the PDF machinery), so the first job is no slower than the
    rest. Named in settings so that this module imports no app."""
    from django.conf import settings

    for path in getattr(settings, "LINLI_WORKER_WARMUPS", []):
        module, _, name = path.rpartition(".")
        getattr(import_module(module), name)()
