"""``madoguchi build-standard-schemas``: regenerate ``standards/schemas/<id>.json`` from the sources."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from madoguchi.standards import convert


class Command(BaseCommand):
    help = ("Convert the standard definitions (standards/sources/*.model.yaml and the reconstructed 2024 layouts) "
            "into Frictionless Table Schema JSON files (standards/schemas/<id>.json).\n\n"
            "Example: madoguchi build-standard-schemas --check")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="write nothing; fail if a committed schema differs from a fresh conversion")

    def handle(self, *args, check: bool = False, **options):
        if check:
            stale = [sid for sid, schema in convert.build_all().items()
                     if not (convert.SCHEMAS / f"{sid}.json").exists()
                     or (convert.SCHEMAS / f"{sid}.json").read_text(encoding="utf-8") != convert.dumps(schema)]
            if stale:
                raise CommandError("古いスキーマがあります (stale schemas): " + ", ".join(stale)
                                   + " — madoguchi build-standard-schemas で作り直してください")
            self.stdout.write(f"{len(convert.build_all())} schemas are up to date")
            return
        for path in convert.write_all():
            self.stdout.write(str(path.relative_to(convert.HERE.parent.parent.parent)))
