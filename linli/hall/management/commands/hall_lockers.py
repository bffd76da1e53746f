"""``linli hall_lockers``: mark locker reminders due and expire pickups past the 7-day hold.

The hourly schedule (``linli.hall.tasks.expire_lockers``) runs the same sweep; this command runs
it by hand.
"""

from typing import Any

from django.core.management.base import BaseCommand

from linli.hall import services


class Command(BaseCommand):
    help = "Locker reminders (day 5) and expiry (day 7) of the self-service pickups."

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.do_sweep_lockers()
        self.stdout.write(f"reminded {done['reminded']}, expired {done['expired']}")
