"""Worker heartbeats: the lease of tasks run by ``madoguchi worker``.

Each worker process writes its row every ``JOBS_LEASE_S / 3`` seconds. A task
that is RUNNING on a worker whose row is older than ``JOBS_LEASE_S`` (or gone)
belongs to a lost worker and is re-enqueued or failed (``services.reap_lost``).
Works across machines: only times in the shared database are compared, never pids.
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One running ``madoguchi worker`` process."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
