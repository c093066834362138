"""``madoguchi ingest FILE --dataset SLUG [--resource NAME]``: thin wrapper over ``datastore.services.ingest_file``."""

from __future__ import annotations

import json
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
        parser.add_argument("--organization", default="city", help="organization slug for a new dataset")
        parser.add_argument("--sheet", help="XLSX sheet name or 1-based number (default: first)")
        parser.add_argument("--json-path", help="dotted path of the records array in a JSON file")
        parser.add_argument("--encoding", help="skip encoding detection (e.g. cp932)")
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
            dataset = catalog.ensure_dataset(opts["dataset"], title=opts["title"], organization=org)
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
                                               encoding=opts["encoding"]))
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
