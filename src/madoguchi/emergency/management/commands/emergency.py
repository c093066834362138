"""``madoguchi emergency …`` — JMA XML and emergency mode from the command line.

    madoguchi emergency import FILE [FILE …]    store JMA XML files and apply the rules
    madoguchi emergency fetch [--url URL] [--enqueue]
                                                 fetch the JMA Atom feeds now (or queue the task)
    madoguchi emergency on --reason TEXT [--title TEXT]
    madoguchi emergency off --reason TEXT
    madoguchi emergency status
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.emergency import services


class Command(BaseCommand):
    help = "JMA disaster XML (import, feed) and emergency mode (on, off, status)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="store JMA XML files and apply the rules")
        imp.add_argument("files", nargs="+")
        fetch = sub.add_parser("fetch", help="fetch the JMA Atom feeds")
        fetch.add_argument("--url", action="append", help="feed URL (default EMERGENCY_JMA_FEED_URLS)")
        fetch.add_argument("--enqueue", action="store_true", help="queue the task for `madoguchi worker`")
        on = sub.add_parser("on", help="switch emergency mode on")
        on.add_argument("--reason", required=True)
        on.add_argument("--title", default="")
        off = sub.add_parser("off", help="switch emergency mode off")
        off.add_argument("--reason", required=True)
        sub.add_parser("status", help="show the mode")

    def handle(self, *args, action: str, **opts):
        if action == "import":
            failed = 0
            for name in opts["files"]:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"ファイルがありません: {name}")
                alert = services.import_xml(path.read_bytes(), source="cli", name=path.name)
                if alert.state == "failed":
                    failed += 1
                    self.stderr.write(f"{path.name}: 読み取れません: {alert.failure}")
                else:
                    matched = ", ".join(d.rule_name for d in alert.dispatches.all()) or "—"
                    self.stdout.write(f"{path.name}: {alert.category} {alert.title} (rules: {matched})")
            if failed:
                raise CommandError(f"{failed} 件を読み取れませんでした")
        elif action == "fetch":
            if opts["enqueue"]:
                result = services.fetch_feeds_task.enqueue(opts["url"])
                self.stdout.write(f"queued {result.id}")
                return
            for url in opts["url"] or services.feed_urls():
                try:
                    r = services.fetch_feed(url)
                except services.EmergencyError as exc:
                    raise CommandError(f"{url}: {exc.message}") from None
                self.stdout.write(f"{url}: imported {len(r.imported)}, skipped {r.skipped}, errors {len(r.errors)}")
                for error in r.errors:
                    self.stderr.write(error)
        elif action in ("on", "off"):
            try:
                services.set_mode(action == "on", reason=opts["reason"], title=opts.get("title") or "")
            except services.EmergencyError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"emergency mode {action}")
        else:
            state = services.current_state()
            self.stdout.write(f"on: {state.title} ({state.at:%Y-%m-%d %H:%M}, {state.by})" if state else "off")
