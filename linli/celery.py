"""The Celery application: one task engine for every process (web, worker, beat).

Settings come from Django's settings with the ``CELERY_`` prefix (``linli/settings/base.py``);
each app's ``tasks.py`` is discovered. Web processes only enqueue; workers run the tasks.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.local")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
