"""``madoguchi cleanup``: remove snapshot/work directories no version references, and stale uploads."""

from django.core.management.base import BaseCommand

from madoguchi.datastore import services


class Command(BaseCommand):
    help = ("Remove orphan files left by interrupted ingestions, and staff uploads kept for a re-run "
            "(privacy-blocked) once older than --upload-days. Example: madoguchi cleanup --min-age 3600")

    def add_arguments(self, parser):
        parser.add_argument("--min-age", type=float, default=0, help="keep directories younger than this (seconds)")
        parser.add_argument("--upload-days", type=float, default=30,
                            help="keep uploads of finished or blocked jobs this many days (default 30)")
        parser.add_argument("--enqueue", action="store_true",
                            help="queue it as a background task (madoguchi worker runs it) instead of running it now")

    def handle(self, *args, **opts):
        if opts["enqueue"]:
            from madoguchi.datastore.tasks import cleanup

            result = cleanup.enqueue(opts["min_age"], opts["upload_days"])
            self.stdout.write(f"cleanup queued (task {result.id})")
            return
        removed = services.remove_orphans(min_age_seconds=opts["min_age"])
        for path in removed:
            self.stdout.write(f"removed {path}")
        self.stdout.write(f"{len(removed)} orphan directories removed")
        uploads = services.remove_stale_uploads(max_age_days=opts["upload_days"])
        for path in uploads:
            self.stdout.write(f"removed {path}")
        self.stdout.write(f"{len(uploads)} stale uploads removed")
