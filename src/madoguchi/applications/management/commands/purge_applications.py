"""``madoguchi purge_applications``: delete applications past their retention period (保存期間), keeping
their counts in the statistics (run daily by cron; ``--enqueue`` hands it to the task worker instead)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Delete applications in a final status whose retention period (保存期間) has passed, after counting "
            "them into the statistics; also deletes expired drafts. Example: madoguchi purge_applications")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="run it as a background task (madoguchi worker)")

    def handle(self, *args, **opts):
        from madoguchi.applications import retention

        if opts["enqueue"]:
            result = retention.purge_expired_applications.enqueue()
            self.stdout.write(f"enqueued task {result.id}")
            return
        counts = retention.purge_expired()
        self.stdout.write(f"applications: {counts['applications']} deleted, files: {counts['files']} deleted, "
                          f"drafts: {counts['drafts']} deleted")
