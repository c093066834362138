"""``madoguchi reservations <action>``: facility reservations from the command line.

Actions (thin wrappers over ``madoguchi.reservations.services``):

    madoguchi reservations seed-demo [--users]         sample facilities, slots and an open lottery
    madoguchi reservations generate-slots FROM TO      slots of all active facilities (dates YYYY-MM-DD)
    madoguchi reservations draw PERIOD_ID              run a period's draw (after its draw time)
    madoguchi reservations export PERIOD_ID --format xlsx|csv --out FILE   staff results export

Example: ``madoguchi reservations seed-demo --users``
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.reservations import services
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import Facility, LotteryPeriod


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日付 {text!r} は YYYY-MM-DD で指定してください") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("seed-demo", help="sample facilities, slots and an open lottery period")
        demo.add_argument("--users", action="store_true", help="also sample citizen logins and a group")
        gen = sub.add_parser("generate-slots", help="slots of all active facilities")
        gen.add_argument("start")
        gen.add_argument("end")
        draw = sub.add_parser("draw", help="run a period's draw")
        draw.add_argument("period_id", type=int)
        export = sub.add_parser("export", help="results of a period for staff")
        export.add_argument("period_id", type=int)
        export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        export.add_argument("--out", required=True)

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except ReservationError as exc:
            raise CommandError(exc.message) from None

    def _period(self, period_id: int) -> LotteryPeriod:
        period = LotteryPeriod.objects.filter(pk=period_id).first()
        if period is None:
            raise CommandError(f"抽選期間 {period_id} はありません")
        return period

    def do_seed_demo(self, users: bool = False, **_):
        out = services.seed_demo(with_users=users)
        period = out["period"]
        self.stdout.write(f"施設 {len(out['facilities'])} 件、新しい枠 {out['slots']} 件")
        closes = timezone.localtime(period.application_closes_at)
        self.stdout.write(f"抽選「{period.title}」(id {period.pk}) 締切 {closes:%Y-%m-%d %H:%M}、"
                          f"シードの SHA-256 {period.seed_sha256}")
        for username, password in out["users"]:
            self.stdout.write(f"利用者ログイン: {username} / {password}")
        self.stdout.write("ページ: /reservations/")

    def do_generate_slots(self, start: str, end: str, **_):
        n = services.generate_slots(list(Facility.objects.filter(active=True)), _date(start), _date(end))
        self.stdout.write(f"枠を {n} 件作成しました")

    def do_draw(self, period_id: int, **_):
        s = services.run_draw(self._period(period_id))
        self.stdout.write(f"抽選しました: 申込 {s.entries} 件、当選 {s.won} 件、繰り下げ {s.passed} 件、落選 {s.lost} 件、"
                          f"無効 {s.invalid} 件。申込一覧の SHA-256 {s.entries_sha256}")

    def do_export(self, period_id: int, format: str, out: str, **_):
        period = self._period(period_id)
        data = services.results_xlsx(period) if format == "xlsx" else services.results_csv(period)
        Path(out).write_bytes(data)
        self.stdout.write(f"{out} ({len(data)} bytes)")
