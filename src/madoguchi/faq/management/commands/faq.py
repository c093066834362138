"""``madoguchi faq``: import/export Q&A and purge expired logs (``purge`` is also run by cron or the task)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Q&A of the inquiry assistant. Examples: madoguchi faq import faq.xlsx --publish; "
            "madoguchi faq export faq.csv; madoguchi faq purge")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import Q&A from CSV, XLSX or JSON")
        imp.add_argument("file")
        imp.add_argument("--publish", action="store_true", help="publish the imported entries")
        exp = sub.add_parser("export", help="export all Q&A (format from the extension: csv, xlsx, json)")
        exp.add_argument("file")
        sub.add_parser("purge", help="delete logs and answered inquiries past their retention periods")

    def handle(self, *args, **opts):
        from madoguchi.faq import services
        from madoguchi.faq.importing import FaqImportError

        if opts["action"] == "import":
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"{path}: ファイルがありません")
            try:
                report = services.import_entries(path.read_bytes(), path.name,
                                                 state="published" if opts["publish"] else "draft")
            except FaqImportError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{report.read} read, {report.created} created, {report.updated} updated, "
                              f"{len(report.skipped)} skipped")
            for s in report.skipped[:20]:
                self.stdout.write(f"  row {s['row']}: {s['reason']}")
        elif opts["action"] == "export":
            path = Path(opts["file"])
            fmt = path.suffix.lstrip(".").lower()
            if fmt not in ("csv", "xlsx", "json"):
                raise CommandError("拡張子は .csv .xlsx .json のどれかにしてください")
            data, _ = services.export_entries(fmt)
            path.write_bytes(data)
            self.stdout.write(f"wrote {path}")
        else:
            result = services.purge_expired()
            self.stdout.write(", ".join(f"{k}: {v} deleted" for k, v in result.items()))
