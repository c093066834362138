"""``madoguchi worker``'s loop: django-tasks-db's ``Worker`` plus retries, a heartbeat and the reaper."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from . import services

log = logging.getLogger("madoguchi.jobs")


class RetryingWorker(Worker):
    """django-tasks-db's ``Worker`` (claiming with ``select_for_update(skip_locked=True)``, SIGTERM finishes
    the current task) whose failed attempts of a ``retried_task`` go back to the queue with backoff."""

    def run_task(self, db_task_result) -> None:
        set_failed = db_task_result.set_failed

        def failed(exc: BaseException) -> None:
            if not services.requeue_failed_attempt(db_task_result, exc):
                set_failed(exc)

        db_task_result.set_failed = failed  # the base class records the outcome through this method
        super().run_task(db_task_result)


class Heartbeat(threading.Thread):
    """Beat every ``JOBS_LEASE_S / 3`` seconds and reap tasks of lost workers, until ``stop()``."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self._stop_event = threading.Event()

    def run(self) -> None:
        interval = max(settings.JOBS_LEASE_S / 3, 0.1)
        try:
            while not self._stop_event.wait(interval):
                try:
                    services.beat(self.worker_id)
                    services.reap_lost()
                except Exception:  # a database hiccup must not kill the heartbeat
                    log.exception("heartbeat of %s failed", self.worker_id)
                close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
