"""``madoguchi reports``: publish the open dataset of reports (run daily by cron), seed categories."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Citizen reports. Examples: madoguchi reports publish; madoguchi reports seed-services"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("publish", help="publish the published reports as the catalog dataset (new version)")
        sub.add_parser("seed-services", help="create the default report categories if none exist")

    def handle(self, *args, **opts):
        from madoguchi.reports import services

        if opts["action"] == "publish":
            try:
                job = services.publish_dataset()
            except services.ReportError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"queued ingest job {job.pk} for dataset {services.DATASET_SLUG}")
        else:
            created = services.seed_services()
            self.stdout.write(f"{created} categories created")
