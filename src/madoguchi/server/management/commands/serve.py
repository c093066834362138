"""``madoguchi serve [--bind HOST:PORT] [--workers N] [--threads N] [--timeout S] [--access-log]``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from madoguchi.server import services


class Command(BaseCommand):
    help = ("Production server: uvicorn worker processes on madoguchi.asgi (live streams are async and hold "
            "no worker). Defaults from MADOGUCHI_SERVE_BIND / _WORKERS / _THREADS / _TIMEOUT_S.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", "-b", default=None,
                            help=f"host:port to listen on (MADOGUCHI_SERVE_BIND, now {settings.SERVE_BIND})")
        parser.add_argument("--workers", "-w", type=int, default=None,
                            help=f"worker processes (MADOGUCHI_SERVE_WORKERS, default one per core: "
                                 f"{settings.SERVE_WORKERS})")
        parser.add_argument("--threads", type=int, default=None,
                            help=f"threads for sync views per worker (MADOGUCHI_SERVE_THREADS, "
                                 f"{settings.SERVE_THREADS})")
        parser.add_argument("--timeout", type=int, default=None,
                            help=f"seconds: worker health check and shutdown wait (MADOGUCHI_SERVE_TIMEOUT_S, "
                                 f"{settings.SERVE_TIMEOUT_S})")
        parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
        parser.add_argument("--log-level", default="warning",
                            choices=["critical", "error", "warning", "info", "debug", "trace"])

    def handle(self, *args, **opts):
        if opts["workers"] is not None and opts["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        try:
            services.parse_bind(opts["bind"] or settings.SERVE_BIND)
        except ValueError as e:
            raise CommandError(str(e)) from None
        services.serve(bind=opts["bind"], workers=opts["workers"], threads=opts["threads"],
                       timeout_s=opts["timeout"], access_log=opts["access_log"], log_level=opts["log_level"])
