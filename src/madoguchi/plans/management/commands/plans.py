"""``madoguchi plans``: load plan files, bind indicators to metrics, store metric actuals.

    madoguchi plans load FILE.yaml [FILE.yaml …]   load plan files (see plans/loading.py)
    madoguchi plans load --all-bundled             load the four bundled plan files
    madoguchi plans bind PLAN POLICY INDICATOR METRIC   e.g. … 1 1-1 catalog.datasets_published
    madoguchi plans refresh [PLAN]                 store bound metrics' values as actuals
    madoguchi plans metrics                        list the registered metrics
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from madoguchi.plans import services
from madoguchi.plans.models import Indicator, Plan


class Command(BaseCommand):
    help = ("Plans and KPIs. Example: madoguchi plans load --all-bundled ; "
            "madoguchi plans load plan.yaml ; madoguchi plans bind PLAN POLICY INDICATOR METRIC")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="load plan files (YAML). Example: madoguchi plans load plan.yaml")
        load.add_argument("files", nargs="*", metavar="FILE.yaml")
        load.add_argument("--all-bundled", action="store_true", help="the four bundled plan files")
        bind = sub.add_parser("bind", help="bind an indicator to a metric ('' unbinds)")
        for name in ("plan", "policy", "indicator", "metric"):
            bind.add_argument(name)
        refresh = sub.add_parser("refresh", help="store the values of bound metrics as actuals")
        refresh.add_argument("plan", nargs="?")
        sub.add_parser("metrics", help="list the registered metrics")

    def handle(self, *args, **opts):
        return getattr(self, f"_{opts['subcommand']}")(opts)

    def _load(self, opts):
        files = [str(services.FIXTURES / n) for n in services.BUNDLED_FILES] if opts["all_bundled"] else []
        files += opts["files"]
        if not files:
            raise CommandError("ファイルを指定してください (または --all-bundled)")
        for path in files:
            try:
                result = services.load_plan_file(path, actor=f"madoguchi plans load {path.rsplit('/', 1)[-1]}")
            except (services.PlanFileError, services.PlanError) as exc:
                raise CommandError(str(exc)) from None
            names = "、".join(p.name for p in result.plans)
            self.stdout.write(f"{result.file}: {names}（作成 {result.created}、変更 {result.changed}）")
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"  注意: {warning}"))

    def _bind(self, opts):
        indicator = (Indicator.objects.filter(policy__plan__slug=opts["plan"], policy__code=opts["policy"],
                                              code=opts["indicator"]).first())
        if indicator is None:
            raise CommandError(f"指標 {opts['plan']} / 施策 {opts['policy']} / {opts['indicator']} はありません")
        try:
            services.bind_metric(indicator, opts["metric"], actor="madoguchi plans bind")
        except services.PlanError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{indicator.code} {indicator.name} → {opts['metric'] or '（解除）'}")

    def _refresh(self, opts):
        plans = Plan.objects.filter(slug=opts["plan"]) if opts["plan"] else Plan.objects.all()
        if opts["plan"] and not plans:
            raise CommandError(f"計画「{opts['plan']}」はありません")
        for plan in plans:
            n = services.refresh_metric_actuals(plan, actor="madoguchi plans refresh")
            if n or opts["plan"]:
                self.stdout.write(f"{plan.slug}: 実績値 {n} 件を更新")

    def _metrics(self, opts):
        for m in services.metrics.all_metrics():
            self.stdout.write(f"{m.id}\t{m.kind}\t{m.title}（{m.unit}）")
