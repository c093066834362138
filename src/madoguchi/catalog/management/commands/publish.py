"""``madoguchi publish SLUG``: make a dataset public (or private again with ``--private``).

Publishing passes the same rules as the admin form and CKAN ``package_patch``: a public dataset
has a description (``catalog.services.publication_errors``; the command asks for one on a
terminal, or takes ``--description``), and the privacy gate has no unresolved findings
(``privacy.services.unresolved_findings``; ``madoguchi privacy-override`` records a decision).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Dataset


class Command(BaseCommand):
    help = ("Make dataset SLUG public (a description is required: --description, or typed when asked).\n"
            "Example: madoguchi publish population --description '町丁別の世帯数と男女別人口（毎月1日現在）'")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="dataset slug")
        parser.add_argument("--description", help="set the dataset's description (説明) first")
        parser.add_argument("--private", action="store_true", help="make the dataset private (非公開) instead")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="never ask for a description (fail instead)")

    def handle(self, *args, **opts):
        dataset = Dataset.objects.filter(slug=opts["slug"], state="active").first()
        if dataset is None:
            raise CommandError(f"データセット「{opts['slug']}」がありません (no such dataset)")
        if opts["description"] is not None:
            dataset.description = opts["description"].strip()
        dataset.private = opts["private"]
        if catalog.publication_errors(dataset) and opts["interactive"] and sys.stdin.isatty():
            self.stdout.write(f"「{dataset.title}」には説明がありません。公開するには説明を入力してください。")
            dataset.description = input("説明 (description): ").strip()
        errors = catalog.publication_errors(dataset)
        if not dataset.private:
            from madoguchi.privacy.services import unresolved_findings

            errors += [f"個人情報の可能性がある列があるため公開できません: {f['resource']} / {f['column']} ({f['kind']})。"
                       "madoguchi privacy-override で理由を記録してから公開してください。"
                       for f in unresolved_findings(dataset)]
        if errors:
            raise CommandError("\n".join(errors))
        with transaction.atomic():
            dataset.save(update_fields=["description", "private"])
            catalog.reindex_dataset(dataset)
        state = "非公開にしました (private)" if dataset.private else "公開しました (public)"
        self.stdout.write(f"{dataset.slug}: {state}")
