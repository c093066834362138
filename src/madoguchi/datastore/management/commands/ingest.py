"""``madoguchi ingest FILE --dataset SLUG [--resource NAME] [--type COLUMN=TYPE …] [--blank-unfit]``: thin wrapper over ``datastore.services.ingest_file``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from madoguchi.catalog.models import Dataset
from madoguchi.datastore import services


class Command(BaseCommand):
    help = ("Ingest FILE as a new version of a resource of dataset SLUG (created if --title is given).\n"
            "Example: madoguchi ingest population.csv --dataset population --resource 2024-04")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dataset", required=True, help="dataset slug")
        parser.add_argument("--resource", help="resource name (default: the file name)")
        parser.add_argument("--title", help="create the dataset with this title if it does not exist")
        parser.add_argument("--description", help="description (説明) of a new dataset; asked for on a terminal. "
                                                  "Without one the new dataset is private (a public dataset needs one)")
        parser.add_argument("--organization", default="city", help="organization slug for a new dataset")
        parser.add_argument("--sheet", help="XLSX sheet name or 1-based number (default: first)")
        parser.add_argument("--json-path", help="dotted path of the records array in a JSON file")
        parser.add_argument("--encoding", help="skip encoding detection (e.g. cp932)")
        parser.add_argument("--type", action="append", default=[], metavar="COLUMN=TYPE", dest="types",
                            help="set a column's type instead of inferring it (repeatable; TYPE: integer, number, "
                                 "boolean, date, datetime, time, string)")
        parser.add_argument("--blank-unfit", action="store_true",
                            help="with --type: leave cells that do not fit the type empty in the typed table "
                                 "(default: fail and publish nothing)")
        parser.add_argument("--json", action="store_true", help="print the ingestion report as JSON")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        from madoguchi.catalog import services as catalog

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: ファイルがありません (no such file)")
        dataset = Dataset.objects.filter(slug=opts["dataset"]).first()
        if dataset is None:
            if not opts["title"]:
                raise CommandError(f"データセット「{opts['dataset']}」がありません。--title を付けると作成します")
            org = catalog.ensure_organization(opts["organization"], opts["organization"])
            description = (opts["description"] or "").strip()
            if not description and sys.stdin.isatty():
                description = input("説明 (description, 公開に必要): ").strip()
            dataset = catalog.ensure_dataset(opts["dataset"], title=opts["title"], organization=org,
                                             description=description, private=not description)
            if not description:
                self.stderr.write("説明がないため非公開で作成しました。公開するには: "
                                  f"madoguchi publish {dataset.slug} --description '…'")
        types = {}
        for spec in opts["types"]:
            column, sep, kind = spec.rpartition("=")
            if not sep or not column.strip() or not kind.strip():
                raise CommandError(f"--type は 列名=型 の形で指定してください (e.g. --type 人口=integer): {spec}")
            types[column.strip()] = kind.strip()
        bar = None if opts["no_progress"] else tqdm(total=100, unit="%", desc=path.name, file=self.stderr._out)

        def progress(stage: str, fraction: float) -> None:
            if bar is not None:
                bar.set_postfix_str(stage)
                bar.update(int(fraction * 100) - bar.n)

        try:
            version = services.ingest_file(
                dataset=dataset, resource_name=opts["resource"] or path.name, data=path.read_bytes(),
                file_name=path.name, progress=progress,
                options=services.IngestOptions(sheet=opts["sheet"], json_path=opts["json_path"],
                                               encoding=opts["encoding"], types=types or None,
                                               blank_unfit=opts["blank_unfit"]))
        except services.IngestError as exc:
            for f in getattr(exc, "findings", []):  # privacy gate: name column, kind, rows; exits non-zero
                self.stderr.write(_finding_line(f))
            if getattr(exc, "findings", None):
                self.stderr.write(f"  解除するには (to override): madoguchi privacy-override --dataset {dataset.slug} "
                                  f"--resource '{opts['resource'] or path.name}' --column COLUMN --kind KIND "
                                  "--reason REASON --user USER")
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        if opts["json"]:
            self.stdout.write(json.dumps(version.report, ensure_ascii=False, indent=2))
            return
        report = version.report
        self.stdout.write(f"{dataset.slug} / {version.resource.name} v{version.number}: "
                          f"{report['format']}, {version.row_count if version.row_count is not None else '-'} rows, "
                          f"{len(version.columns)} columns, {report['seconds']} s")
        for col in version.columns:
            role = f" ({col['role']})" if col.get("role") else ""
            self.stdout.write(f"  {col['name']}: {col['type']}{role}")
        for w in report["warnings"]:
            rows = f" rows {', '.join(map(str, w['rows']))}" if w["rows"] else ""
            self.stdout.write(self.style.WARNING(f"  ! {w['message']}{rows}"))
        for f in report.get("privacy") or []:
            self.stdout.write(self.style.WARNING(_finding_line(f)))


def _finding_line(f: dict) -> str:
    """One privacy finding: column, kind, rows, masked examples, and the override that lets it through."""
    rows = f" rows {', '.join(map(str, f['rows']))}{' …' if f['count'] > len(f['rows']) else ''}" if f["rows"] else ""
    examples = f" e.g. {', '.join(f['examples'])}" if f.get("examples") else ""
    override = f" [解除済み: {f['override']['reason']} — {f['override']['by'] or 'manifest'}]" if f.get("override") else ""
    return f"  ! 個人情報 {f['kind']} 列「{f['column']}」 {f['count']}行{rows}{examples}{override}"
