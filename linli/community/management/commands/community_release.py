from typing import Any

from django.core.management.base import BaseCommand

from linli.community import services
from linli.core.context import Actor


class Command(BaseCommand):
    help = "Release the held seats of every event whose release time has come (run every 5 min)."

    def handle(self, *args: Any, **options: Any) -> None:
        promoted = services.do_release_due_seats(Actor.system("community_release"))
        self.stdout.write(f"promoted from wait-lists: {promoted}")
