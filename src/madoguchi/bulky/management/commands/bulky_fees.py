"""``madoguchi bulky-fees [--source kameoka]``: (re)parse the 粗大ごみ fee table from the published garbage data."""

from django.core.management.base import BaseCommand

from madoguchi.bulky import services


class Command(BaseCommand):
    help = "粗大ごみの料金表を、公開中のごみ分別辞典から読み取ります（確認済みの品目は変えません）。"

    def add_arguments(self, parser):
        parser.add_argument("--source", default=services.SOURCE, help="gomi source slug (default kameoka)")
        parser.add_argument("--install", action="store_true", help="also create the bulky form and collection areas")

    def handle(self, *args, source, install, **opts):
        if install:
            services.install(source)
        counts = services.install_fees(source)
        self.stdout.write("flat={flat} size={size} needs_review={needs_review} reviewed={reviewed} "
                          "created={created}".format(**counts))
