"""``madoguchi api-token USER``: issue an API token for the CKAN write actions."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from madoguchi.ckan.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token (shown once) for a staff user. Example: madoguchi api-token staff --name harvester"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="default")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"ユーザー「{opts['username']}」はいません")
        if not user.is_staff:
            raise CommandError(f"「{user}」は職員 (is_staff) ではないため、書き込み API は使えません")
        _, token = ApiToken.issue(user, opts["name"])
        self.stdout.write(token)
