"""``madoguchi quickstart``: the README's first command after install.

Migrates the embedded database, loads the bundled real open data, loads the
bundled plans and events and demo counters and facilities, makes sure a staff
account exists, removes orphan files, starts a task worker (``madoguchi worker``)
and serves on 127.0.0.1:8000 with the production server (``madoguchi serve``).
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
        self._load_demo_services(streams)
        User = get_user_model()
        if not User.objects.filter(is_staff=True).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("staff", "staff@example.invalid", password)
            self.stdout.write(self.style.WARNING(f"職員アカウント / staff login: staff / {password}"))
        if not opts["no_serve"]:
            self._serve_with_worker(opts, streams)

    def _serve_with_worker(self, opts, streams) -> None:
        """``madoguchi worker`` in a child process (ingestion, mails, draws run there) and ``madoguchi serve``
        here; stopping the server (Ctrl-C) stops the worker too."""
        import subprocess
        import sys

        worker = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "worker"])
        self.stdout.write(f"task worker started (pid {worker.pid}); serving on http://{opts['addr']}:{opts['port']}/")
        try:
            call_command("serve", bind=f"{opts['addr']}:{opts['port']}", **streams)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _load_demo_services(self, streams) -> None:
        """Give the citizen services something to show: bundled plans and events, demo counters and facilities.

        Each step runs once (skipped when its data is there), so quickstart can be re-run.
        """
        from madoguchi.bundle.loader import FILES
        from madoguchi.counters.models import Office
        from madoguchi.events.models import Event
        from madoguchi.reservations.models import Facility

        call_command("plans", "load", "--all-bundled", **streams)
        if not Event.objects.exists():
            call_command("events", "import-standard", str(FILES / "yaizu-city" / "event_excerpt.csv"), **streams)
        if not Office.objects.exists():
            call_command("counters", "seed-demo", **streams)
        if not Facility.objects.exists():
            call_command("reservations", "seed-demo", **streams)
        # online procedures (issue #14): 亀岡市's bulky-waste fee table, the bulky form and its collection areas,
        # and the sample form 「水道の使用開始届」 (both idempotent; staff reviews of fees are kept)
        call_command("bulky_fees", "--install", **streams)
        from madoguchi.eforms import services as eforms

        eforms.install_demo_form()
