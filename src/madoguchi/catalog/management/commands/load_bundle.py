"""``madoguchi load-bundle``: ingest the bundled real open data (see bundle/ATTRIBUTION.md)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from madoguchi.bundle.loader import bundle_file_count, load_bundle


class Command(BaseCommand):
    help = "Load bundled real city open data through the ingestion pipeline. Example: madoguchi load-bundle"

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="dataset slugs")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        only = set(opts["only"]) if opts["only"] else None
        bar = None if opts["no_progress"] else tqdm(total=bundle_file_count(only), unit="file", file=self.stderr._out)
        seen: set[str] = set()

        def progress(file: str, stage: str, fraction: float) -> None:
            if bar is not None:
                if file not in seen:
                    seen.add(file)
                    bar.update(1)
                bar.set_postfix_str(f"{file} {stage}", refresh=False)

        results = load_bundle(only=only, progress=progress)
        if bar is not None:
            bar.close()
        for r in results:
            status = "unchanged" if r.skipped else "ingested"
            self.stdout.write(f"{status:9s} {r.dataset} / {r.resource}: {r.rows} rows ({r.file})")
        self.stdout.write(self.style.SUCCESS(f"{len(results)} files, {sum(not r.skipped for r in results)} ingested"))
