import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from linli.core.accounts import DEMO_TOTP_SECRET
from linli.geo import demo as geo_demo

# Each domain module may provide ``linli.<app>.demo`` with ``wipe()`` (remove its demo data) and
# ``build() -> dict[str, int]``. Modules are wiped in reverse order first, because their records
# refer to places; then the street is rebuilt and the modules build in this order, all inside one
# transaction.
DOMAIN_DEMOS = ("risk", "fire", "hall", "elevator", "community")


class Command(BaseCommand):
    help = "Build (or rebuild) the deterministic demo street with one account per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-residents", action="store_true", help="skip synthetic residents")
        parser.add_argument(
            "--no-papers", action="store_true", help="skip rendering the white papers (tests)"
        )
        parser.add_argument(
            "--district",
            action="store_true",
            help="add the other streets of 徐汇区 and the district's and the city's accounts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        modules = []
        for app in DOMAIN_DEMOS:
            try:
                modules.append((app, importlib.import_module(f"linli.{app}.demo")))
            except ModuleNotFoundError:
                continue
        with transaction.atomic():
            for _app, module in reversed(modules):
                module.wipe()
            counts = geo_demo.build(with_residents=not options["no_residents"])
            self.stdout.write(self.style.SUCCESS(
                "demo street built: " + ", ".join(f"{k} {v}" for k, v in counts.items())
            ))  # fmt: skip
            for app, module in modules:
                made = module.build()
                self.stdout.write(f"{app}: " + ", ".join(f"{k} {v}" for k, v in made.items()))
            for app, module in modules:
                # Documents that draw on several modules (the risk white papers) come last.
                if hasattr(module, "generate_papers") and not options["no_papers"]:
                    made = module.generate_papers()
                    self.stdout.write(f"{app}: " + ", ".join(f"{k} {v}" for k, v in made.items()))
            if options["district"]:
                made = geo_demo.build_district()
                self.stdout.write("district: " + ", ".join(f"{k} {v}" for k, v in made.items()))
                for app, module in modules:
                    # Each module's data for the district's other streets, where it has some.
                    if hasattr(module, "build_district"):
                        made = module.build_district()
                        self.stdout.write(
                            f"district {app}: " + ", ".join(f"{k} {v}" for k, v in made.items())
                        )
        # Modules may add accounts of their own (``ACCOUNTS``, username first).
        extra = [a[0] for _app, module in modules for a in getattr(module, "ACCOUNTS", [])]
        if options["district"]:
            extra += [a[0] for a in geo_demo.DISTRICT_ACCOUNTS]
        accounts = ", ".join([*(a.username for a in geo_demo.ACCOUNTS), *extra])
        self.stdout.write(f"accounts: {accounts} (password {geo_demo.DEMO_PASSWORD})")
        self.stdout.write(
            "admin logs in with a second factor: authenticator secret "
            f"{DEMO_TOTP_SECRET} (demo only, published), or an SMS code in the demo's SMS outbox"
        )
