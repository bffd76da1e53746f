"""Settings of the benchmarks: the test settings (DEBUG off) with ``bench/_bench_urls.py``.

That urlconf adds the same-run ceilings (``/bench/ping/``, ``/bench/insert/``) to Linli's own
URLs; production (``linli.urls``) never routes them. ``bench/`` must be on ``sys.path``
(``run.py`` puts it there; servers started by a benchmark get it in ``PYTHONPATH``).
"""

from linli.settings.test import *  # noqa: F403

ROOT_URLCONF = "_bench_urls"
