"""``madoguchi quickstart``: the README's first command after install.

Migrates the embedded database, loads the bundled real open data, makes sure
a staff account exists, removes orphan files and serves on 127.0.0.1:8000.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set up the embedded default and serve. Example: madoguchi quickstart --port 8000"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only")

    def handle(self, *args, **opts):
        streams = {"stdout": self.stdout._out, "stderr": self.stderr._out}
        call_command("migrate", interactive=False, verbosity=1, **streams)
        call_command("load_bundle", **streams)
        call_command("cleanup", **streams)
        User = get_user_model()
        if not User.objects.filter(is_staff=True).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("staff", "staff@example.invalid", password)
            self.stdout.write(self.style.WARNING(f"職員アカウント / staff login: staff / {password}"))
        if not opts["no_serve"]:
            call_command("runserver", f"{opts['addr']}:{opts['port']}", use_reloader=False)
