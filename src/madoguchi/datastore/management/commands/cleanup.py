"""``madoguchi cleanup``: remove snapshot/work directories no version references."""

from django.core.management.base import BaseCommand

from madoguchi.datastore import services


class Command(BaseCommand):
    help = "Remove orphan files left by interrupted ingestions. Example: madoguchi cleanup --min-age 3600"

    def add_arguments(self, parser):
        parser.add_argument("--min-age", type=float, default=0, help="keep directories younger than this (seconds)")

    def handle(self, *args, **opts):
        removed = services.remove_orphans(min_age_seconds=opts["min_age"])
        for path in removed:
            self.stdout.write(f"removed {path}")
        self.stdout.write(f"{len(removed)} orphan directories removed")
