"""Public API of the jobs app: background work through Django's Tasks API (django-tasks).

* ``retried_task`` — declare a task that is retried with backoff; ``give_up`` runs after its last attempt
* ``send_mail_later`` — every mail of the project goes through this retried task
* ``task_status`` — a task result as a JSON-able dict (the ``/api/v1/jobs/<id>`` answer)
* ``beat`` / ``forget_worker`` / ``reap_lost`` — the lease: worker heartbeats, and what happens to
  a task whose worker stopped beating (``madoguchi worker`` calls them)
* ``requeue_failed_attempt`` — the worker's answer to a failed attempt
* ``WorkerLost`` — the reason given to a task failed by the lease

Backend: ``TASKS["default"]`` (``django_tasks_db.DatabaseBackend`` unless ``MADOGUCHI_TASKS_BACKEND``
says otherwise); run the queue with ``madoguchi worker`` (not django-tasks-db's ``db_worker``, which has
no heartbeat and no retries). With ``django_tasks.backends.immediate.ImmediateBackend`` (the tests) a task
runs inside ``enqueue``, once: there is no queue to put a retry in, so a failure is its last attempt.

Attempts are counted by the task result's ``worker_ids`` (one per claim); a retry puts the *same*
result row back to READY with ``run_after`` = now + ``backoff_s`` × 2^(attempt − 1), so its id stays
valid for polling.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
import socket
from collections.abc import Callable
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.version import PY311
from django_tasks import (
    DEFAULT_TASK_BACKEND_ALIAS,
    DEFAULT_TASK_QUEUE_NAME,
    task_backends,
)
from django_tasks.base import Task, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

log = logging.getLogger("madoguchi.jobs")

WORKER_LOST_MESSAGE = "ワーカーが応答しなくなりました (worker lost)"


class WorkerLost(Exception):
    """The worker running a task stopped beating for longer than ``JOBS_LEASE_S``."""


@dataclasses.dataclass(frozen=True, slots=PY311, kw_only=True)  # type: ignore[literal-required]
class RetriedTask(Task):
    """A django-tasks ``Task`` with a retry policy (made by ``retried_task``)."""

    max_attempts: int = 3
    backoff_s: float = 10.0
    give_up: Callable[..., None] | None = None

    def backoff_after(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``backoff_s`` doubled per attempt)."""
        return self.backoff_s * 2 ** max(attempt - 1, 0)


def _policy(task) -> tuple[int, Callable[[int], float], Callable | None]:
    if isinstance(task, RetriedTask):
        return task.max_attempts, task.backoff_after, task.give_up
    return 1, lambda attempt: 0.0, None


def _can_requeue(backend_alias: str) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[backend_alias], DatabaseBackend)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def retried_task(*, max_attempts: int = 3, backoff_s: float = 10.0, give_up: Callable[..., None] | None = None,
                 priority: int = 0, queue_name: str = DEFAULT_TASK_QUEUE_NAME,
                 backend: str = DEFAULT_TASK_BACKEND_ALIAS) -> Callable[[Callable], RetriedTask]:
    """Decorator: a module-level function becomes a task retried on any exception.

    :param max_attempts: attempts in all (1 = no retry); a worker lost mid-task counts as an attempt
    :param backoff_s: seconds before the 2nd attempt, doubled for each further one
    :param give_up: ``give_up(reason: str, *args, **kwargs)`` runs once after the last attempt failed
        (``reason`` is the exception, or ``WORKER_LOST_MESSAGE``) — mark the domain object failed there
    :returns: a ``RetriedTask``: ``.enqueue(*args, **kwargs)`` (JSON-able arguments) → ``TaskResult``

    Example::

        @retried_task(max_attempts=5, backoff_s=60)
        def send_report(report_id: int) -> None: ...
    """
    def wrap(func: Callable) -> RetriedTask:
        def run(context, *args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                last = context.attempt >= max_attempts or not _can_requeue(context.task_result.backend)
                if last and give_up is not None:
                    try:
                        give_up(_reason(exc), *args, **kwargs)
                    except Exception:
                        log.exception("give_up of %s failed", func.__qualname__)
                raise

        functools.update_wrapper(run, func)
        del run.__wrapped__  # django-tasks must see run's own signature (``context`` first)
        return RetriedTask(func=run, priority=priority, queue_name=queue_name, backend=backend,
                           takes_context=True, run_after=None, max_attempts=max_attempts,
                           backoff_s=backoff_s, give_up=give_up)
    return wrap


def send_mail_later(subject: str, body: str, recipients: list[str], *, from_email: str | None = None,
                    html_message: str | None = None):
    """Send a mail through the retried mail task (5 attempts, 60 s backoff doubling); the one way the
    project sends mail. Django's mail API (``EMAIL_BACKEND``) sends it inside the task.

    :param recipients: addresses (an empty list sends nothing)
    :returns: the ``TaskResult`` (``.id`` for ``task_status``), or ``None`` with no recipients
    """
    from .tasks import send_mail_task

    recipients = [r for r in recipients if r]
    if not recipients:
        return None
    return send_mail_task.enqueue(subject, body, recipients, from_email=from_email, html_message=html_message)


def task_status(task_id: str) -> dict | None:
    """A task result of the default backend as a dict, or ``None`` if there is none with that id.

    Keys: ``id``, ``kind`` ("task"), ``task`` (dotted path), ``state`` (``queued`` | ``running`` | ``done``
    | ``failed``), ``attempts``, ``enqueued_at`` / ``started_at`` / ``finished_at`` / ``run_after``
    (ISO 8601 or null), ``error`` (last error text or null), ``result`` (the return value when done).
    """
    from django_tasks_db.models import DBTaskResult

    try:
        row = DBTaskResult.objects.filter(pk=task_id).first()
    except ValidationError:  # not a UUID
        return None
    if row is None:
        return None
    state = {TaskResultStatus.READY: "queued", TaskResultStatus.RUNNING: "running",
             TaskResultStatus.SUCCESSFUL: "done", TaskResultStatus.FAILED: "failed"}[TaskResultStatus(row.status)]

    def iso(value):
        return value.isoformat() if value and value.year < 9999 else None

    error = None
    if row.exception_class_path:
        error = row.traceback.strip().splitlines()[-1] if row.traceback else row.exception_class_path
    return {"id": str(row.pk), "kind": "task", "task": row.task_path, "state": state,
            "attempts": len(row.worker_ids), "enqueued_at": iso(row.enqueued_at), "started_at": iso(row.started_at),
            "finished_at": iso(row.finished_at), "run_after": iso(row.run_after), "error": error,
            "result": row.return_value if state == "done" else None}


# --- the lease ---------------------------------------------------------------------------------


def beat(worker_id: str, *, now: dt.datetime | None = None) -> None:
    """Record that worker ``worker_id`` (this host and pid) is alive."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                                           "started_at": now, "seen_at": now})


def forget_worker(worker_id: str) -> None:
    """Remove a worker's heartbeat (it stopped cleanly; a task it still held is then reaped)."""
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(pk=worker_id).delete()


def _fail_fields(reason_class: str, traceback: str, now: dt.datetime) -> dict:
    return {"status": TaskResultStatus.FAILED, "finished_at": now, "exception_class_path": reason_class,
            "traceback": traceback, "return_value": None}


def reap_lost(*, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Re-enqueue or fail the RUNNING tasks whose worker is lost.

    A worker is lost when its heartbeat is older than ``JOBS_LEASE_S`` or gone; only tasks started more
    than ``JOBS_LEASE_S`` ago are considered. A task with attempts left goes back to READY (``run_after``
    by its backoff); after its last attempt it is FAILED with ``WORKER_LOST_MESSAGE`` and its
    ``give_up`` runs. Safe with several reapers on several machines: rows are taken with
    ``select_for_update(skip_locked=True)`` and changed by a conditional update on (status, started_at),
    so one reaper wins.

    :returns: ``[(task id, "requeued" | "failed"), …]``
    """
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOBS_LEASE_S)
    live = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    done: list[tuple[str, str]] = []
    gave_up: list[tuple[Callable, list, dict]] = []
    with transaction.atomic():
        rows = list(DBTaskResult.objects.select_for_update(skip_locked=True)
                    .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff))
        for row in rows:
            if row.worker_ids and row.worker_ids[-1] in live:
                continue
            try:
                task = row.task
            except (ImportError, SuspiciousOperation):  # task gone from the code: nothing can run it again
                task = None
            max_attempts, backoff_after, give_up = _policy(task)
            attempt = len(row.worker_ids)
            same = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
            lost = f"{WORKER_LOST_MESSAGE}: worker {row.worker_ids[-1] if row.worker_ids else '?'}, attempt {attempt}"
            if task is not None and attempt < max_attempts:
                changed = same.update(status=TaskResultStatus.READY,
                                      run_after=now + dt.timedelta(seconds=backoff_after(attempt)),
                                      exception_class_path=f"{WorkerLost.__module__}.WorkerLost", traceback=lost)
                outcome = "requeued"
            else:
                changed = same.update(**_fail_fields(f"{WorkerLost.__module__}.WorkerLost", lost, now))
                outcome = "failed"
                if changed and give_up is not None:
                    gave_up.append((give_up, row.args_kwargs.get("args", []), row.args_kwargs.get("kwargs", {})))
            if changed:
                log.warning("task %s (%s): %s — %s", row.pk, row.task_path, lost, outcome)
                done.append((str(row.pk), outcome))
    for give_up, args, kwargs in gave_up:
        try:
            give_up(WORKER_LOST_MESSAGE, *args, **kwargs)
        except Exception:
            log.exception("give_up after a lost worker failed")
    return done


def requeue_failed_attempt(db_result, exc: BaseException, *, now: dt.datetime | None = None) -> bool:
    """After attempt n of a task failed with ``exc``: put it back to READY with ``run_after`` by its
    backoff if attempts remain (``True``), else leave it for ``set_failed`` (``False``).

    ``db_result`` is the worker's ``DBTaskResult``; its in-memory fields are updated too.
    """
    from django_tasks_db.models import DBTaskResult

    try:
        task = db_result.task
    except (ImportError, SuspiciousOperation):
        return False
    max_attempts, backoff_after, _ = _policy(task)
    attempt = len(db_result.worker_ids)
    if attempt >= max_attempts:
        return False
    now = now or timezone.now()
    fields = {"status": TaskResultStatus.READY, "run_after": now + dt.timedelta(seconds=backoff_after(attempt)),
              "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
              "traceback": "".join(format_exception(exc))}
    changed = DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.RUNNING,
                                          started_at=db_result.started_at).update(**fields)
    if not changed:  # a reaper took it meanwhile (this worker was thought lost)
        return True
    for name, value in fields.items():
        setattr(db_result, name, value)
    log.warning("task %s (%s) attempt %d/%d failed (%s); retry after %s", db_result.pk, db_result.task_path,
                attempt, max_attempts, _reason(exc), fields["run_after"].isoformat())
    return True


__all__ = [
    "WORKER_LOST_MESSAGE",
    "RetriedTask",
    "TaskResultDoesNotExist",
    "WorkerLost",
    "beat",
    "forget_worker",
    "reap_lost",
    "requeue_failed_attempt",
    "retried_task",
    "send_mail_later",
    "task_status",
]
