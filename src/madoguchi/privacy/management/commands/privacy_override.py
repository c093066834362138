"""``madoguchi privacy-override``: record a reasoned decision to publish a column the privacy gate flagged."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from madoguchi.catalog.models import Dataset
from madoguchi.privacy import services
from madoguchi.privacy.models import PrivacyOverride


class Command(BaseCommand):
    help = ("Record (audit log: who, when, why) that COLUMN of a resource may be published despite a KIND finding; "
            "--list shows the log of a dataset.\n"
            "Example: madoguchi privacy-override --dataset hospitals --resource 病院一覧 --column 管理者氏名 "
            "--kind personal_name --reason '医療法第6条の3により公表' --user tanaka")

    def add_arguments(self, parser):
        parser.add_argument("--dataset", required=True, help="dataset slug")
        parser.add_argument("--resource", default="", help="resource name (default: every resource of the dataset)")
        parser.add_argument("--column", help="column name as in the finding")
        parser.add_argument("--kind", choices=services.BLOCKING_KINDS, help="finding kind")
        parser.add_argument("--reason", help="why publishing is lawful/necessary (required)")
        parser.add_argument("--user", help="username of the staff member recording it (required)")
        parser.add_argument("--list", action="store_true", help="list the dataset's overrides instead")

    def handle(self, *args, **opts):
        dataset = Dataset.objects.filter(slug=opts["dataset"]).first()
        if dataset is None:
            raise CommandError(f"データセット「{opts['dataset']}」がありません (no such dataset)")
        if opts["list"]:
            for o in PrivacyOverride.objects.filter(dataset=dataset).select_related("created_by"):
                d = o.as_dict()
                self.stdout.write(f"#{d['id']} {d['at']} {d['by'] or '(manifest)'} {o.resource_name or '*'} "
                                  f"「{o.column}」 {o.kind}: {o.reason}")
            return
        missing = [name for name in ("column", "kind", "reason", "user") if not opts[name]]
        if missing:
            raise CommandError(f"--{', --'.join(missing)} を指定してください (required)")
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None or not user.is_staff:
            raise CommandError(f"職員ユーザー「{opts['user']}」がありません (no such staff user)")
        try:
            o = services.record_override(dataset=dataset, resource_name=opts["resource"], column=opts["column"],
                                         kind=opts["kind"], reason=opts["reason"], user=user)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"記録しました #{o.pk}: {dataset.slug} {o.resource_name or '*'} 「{o.column}」 {o.kind} "
                          f"by {user.get_username()} at {o.created.isoformat()}")
