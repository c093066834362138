"""``madoguchi worker [--queue Q,…] [--once]``: run background tasks (ingestion, mails, draws, feeds…)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from madoguchi.jobs import services
from madoguchi.jobs.worker import Heartbeat, RetryingWorker


class Command(BaseCommand):
    help = ("Run the task queue (database backend): claims ready tasks one at a time, retries failed attempts of "
            "retried tasks with backoff, writes a heartbeat every JOBS_LEASE_S/3 s and re-enqueues (or fails) "
            "tasks of workers that stopped beating. SIGTERM/Ctrl-C finishes the current task, a second one aborts "
            "it. Run as many as you like, on as many machines as share the database. "
            "Example: madoguchi worker   or   madoguchi worker --once")

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="queues to run, comma separated (default: all)")
        parser.add_argument("--once", action="store_true", help="run the tasks that are ready now, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--worker-id", default="", help="unique id (default: random)")

    def handle(self, *args, **opts):
        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError("TASKS の既定バックエンドがデータベースではありません (MADOGUCHI_TASKS_BACKEND): "
                               "worker は django_tasks_db.DatabaseBackend のタスクだけを実行します")
        worker_id = opts["worker_id"] or get_random_string(32)
        worker = RetryingWorker(queue_names=opts["queue"].split(","), interval=opts["interval"], batch=opts["once"],
                                backend_name="default", startup_delay=False, max_tasks=None, worker_id=worker_id,
                                excluded_queue_names=[])
        services.beat(worker_id)
        reaped = services.reap_lost()
        if reaped and opts["verbosity"]:
            self.stdout.write(f"{len(reaped)} tasks of lost workers: " + ", ".join(f"{i} {o}" for i, o in reaped))
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        worker.configure_signals()
        if opts["verbosity"]:
            self.stdout.write(f"worker {worker_id} started (queues {opts['queue']})")
        try:
            worker.run()
        finally:
            heartbeat.stop()
            worker.reset_signals()
            services.forget_worker(worker_id)
