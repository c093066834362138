"""``madoguchi events import-standard FILE.csv`` · ``madoguchi events fetch-feeds``: thin over ``events.services``."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.events import services


class Command(BaseCommand):
    help = ("Events (イベント一覧).\n"
            "  import-standard FILE.csv  import a CSV in the standard event layout as published events;\n"
            "                            rows that cannot be read are listed\n"
            "  fetch-feeds               fetch and merge every registered neighbouring-city feed\n"
            "Example: madoguchi events import-standard src/madoguchi/bundle/files/yaizu-city/event_excerpt.csv")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-standard", help="import a standard-layout event CSV")
        imp.add_argument("file")
        imp.add_argument("--json", action="store_true", help="print the report as JSON")
        sub.add_parser("fetch-feeds", help="refresh all active neighbouring-city feeds")

    def handle(self, *args, **opts):
        if opts["action"] == "import-standard":
            return self.import_standard(Path(opts["file"]), as_json=opts["json"])
        failed = 0
        for result in services.refresh_feeds():
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(style(f"{result.feed.name} ({result.feed.url}): {result.message}"))
            failed += not result.ok
        if failed:
            raise CommandError(f"{failed} 件のフィードを取得できませんでした")

    def import_standard(self, path: Path, *, as_json: bool) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: ファイルがありません (no such file)")
        try:
            report = services.import_standard_csv(path.read_bytes(), file_name=path.name)
        except services.EventError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from None
        if as_json:
            self.stdout.write(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{path.name}: {report.read} 行を読み、新規 {report.created} 件・更新 {report.updated} 件、"
                          f"読めない行 {len(report.unreadable)} 件")
        for row in report.unreadable:
            self.stdout.write(self.style.ERROR(f"  ✗ {row['row']}行目 (ID {row['id'] or '-'}) {row['column']}: "
                                               f"{row['message']}"))
        for w in report.warnings:
            rows = ", ".join(map(str, w["rows"])) + (" …" if w["count"] > len(w["rows"]) else "")
            self.stdout.write(self.style.WARNING(f"  ! {w['column']}: {w['message']} ({w['count']} 行: {rows})"))
