"""``madoguchi counters seed-demo | publish-day | issue-token``: thin over ``counters.services``."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.counters import services
from madoguchi.counters.models import Office


class Command(BaseCommand):
    help = ("Counter congestion (窓口混雑).\n"
            "  seed-demo [--days N]       Kawasaki's 7 ward offices with 4 counters each; N days of synthetic\n"
            "                             history (default 28, 0 for none)\n"
            "  publish-day [--date D] [--enqueue]  publish day D's readings (default yesterday) as a CSV\n"
            "                             resource of dataset counter-congestion (queryable through the datastore\n"
            "                             API); runs now, or with --enqueue as a task for madoguchi worker\n"
            "  issue-token OFFICE         (re)issue the push token of an office; printed once\n"
            "Example: madoguchi counters seed-demo && madoguchi counters publish-day --date 2026-11-27")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser("seed-demo", help="create demo offices and counters")
        seed.add_argument("--days", type=int, default=28, help="days of synthetic history (default 28)")
        day = sub.add_parser("publish-day", help="publish one day's readings as open data")
        day.add_argument("--date", help="YYYY-MM-DD (Asia/Tokyo; default yesterday)")
        day.add_argument("--enqueue", action="store_true",
                         help="queue it as a background task (madoguchi worker runs it) instead of running it now")
        token = sub.add_parser("issue-token", help="issue an office's push token")
        token.add_argument("office", help="office slug, e.g. nakahara")

    def handle(self, *args, **opts):
        getattr(self, opts["action"].replace("-", "_"))(opts)

    def seed_demo(self, opts):
        if opts["days"] < 0:
            raise CommandError("--days は 0 以上です")
        result = services.seed_demo(days=opts["days"])
        self.stdout.write(f"{result.offices} 区役所・{result.counters} 窓口を用意し、デモの記録 {result.readings} 件を作成しました")

    def publish_day(self, opts):
        if opts["date"]:
            try:
                day = dt.date.fromisoformat(opts["date"])
            except ValueError:
                raise CommandError(f"--date {opts['date']}: YYYY-MM-DD で指定してください") from None
        else:
            day = timezone.localdate() - dt.timedelta(days=1)
        if opts["enqueue"]:
            from madoguchi.counters.tasks import publish_day_task

            result = publish_day_task.enqueue(day.isoformat())
            self.stdout.write(f"{day} の公開をキューに入れました (task {result.id})")
            return
        try:
            version, created = services.publish_day(day)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        resource = version.resource
        state = f"v{version.number} を公開" if created else f"v{version.number} と同じ内容のため変更なし"
        self.stdout.write(f"{resource.dataset.slug} / {resource.name}: {version.row_count} 件、{state} "
                          f"(/api/v1/resources/{resource.pk}/records)")

    def issue_token(self, opts):
        office = Office.objects.filter(slug=opts["office"]).first()
        if office is None:
            slugs = ", ".join(Office.objects.values_list("slug", flat=True)) or "（なし: seed-demo で作成できます）"
            raise CommandError(f"区役所「{opts['office']}」はありません（{slugs}）")
        token = services.issue_token(office)
        self.stdout.write(f"{office.name} の送信用トークン（一度だけ表示します）:\n{token}")
