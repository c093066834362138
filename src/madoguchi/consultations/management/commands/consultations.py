"""``madoguchi consultations``: import a published public-comment result, export a result table."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Public comment (パブリックコメント). Examples: madoguchi consultations import-kawasaki; "
            "madoguchi consultations import result.yaml --slug plan-2026 --department 情報政策課; "
            "madoguchi consultations export kawasaki-ict-plan-2016 result.xlsx")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        kaw = sub.add_parser("import-kawasaki", help="import the bundled Kawasaki result (2016, 7 opinions)")
        kaw.add_argument("--dataset", action="store_true", help="also publish it as a catalog dataset")
        imp = sub.add_parser("import", help="import a published result (YAML, the bundled file's shape)")
        imp.add_argument("file")
        imp.add_argument("--slug", required=True)
        imp.add_argument("--department", default="")
        imp.add_argument("--dataset", action="store_true", help="also publish it as a catalog dataset")
        dset = sub.add_parser("dataset", help="(re)publish a published result as a catalog dataset")
        dset.add_argument("slug")
        exp = sub.add_parser("export", help="write a published result table (format from the extension: csv, xlsx)")
        exp.add_argument("slug")
        exp.add_argument("file")

    def handle(self, *args, **opts):
        from madoguchi.consultations import services
        from madoguchi.consultations.models import Consultation

        try:
            if opts["action"] in ("import", "import-kawasaki"):
                if opts["action"] == "import":
                    path = Path(opts["file"])
                    if not path.is_file():
                        raise CommandError(f"{path}: ファイルがありません")
                    c = services.import_result(path.read_bytes(), slug=opts["slug"], department=opts["department"])
                else:
                    c = services.import_bundled_kawasaki()
                t = services.result_table(c)
                counts = " ".join(f"{k}={v}" for k, v in t.class_counts().items())
                self.stdout.write(f"{c.slug}: {t.letters} letters, {t.opinions} opinions ({counts})")
                if opts["dataset"]:
                    job = services.publish_dataset(c)
                    self.stdout.write(f"dataset {services.dataset_slug(c)}: ingest job {job.pk} {job.state}")
            else:
                c = Consultation.objects.filter(slug=opts["slug"]).first()
                if c is None or not c.result_published:
                    raise CommandError(f"{opts['slug']}: 公表済みの結果がありません")
                if opts["action"] == "dataset":
                    job = services.publish_dataset(c)
                    self.stdout.write(f"dataset {services.dataset_slug(c)}: ingest job {job.pk} {job.state}")
                    return
                fmt = Path(opts["file"]).suffix.lower().lstrip(".")
                data, _ = services.export_result(c, fmt)
                Path(opts["file"]).write_bytes(data)
                self.stdout.write(f"{opts['file']}: {len(data)} bytes")
        except services.ConsultationError as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
