"""`madoguchi cleanup` removes kept uploads once no job will read them again, and keeps the rest."""

from __future__ import annotations

import io
import os
import time

from django.core.management import call_command

from madoguchi.datastore import snapshots
from madoguchi.datastore.models import IngestJob


def _upload(job=None, *, days_old: float) -> object:
    folder = snapshots.root() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.pk if job else 'a1b2c3'}.upload"
    path.write_bytes(b"x,y\n1,2\n")
    then = time.time() - days_old * 86400
    os.utime(path, (then, then))
    return path


def test_cleanup_removes_old_uploads_of_finished_jobs_only(make_dataset):
    d = make_dataset()
    blocked_old = IngestJob.objects.create(dataset=d, resource_name="r", original_name="a.csv",
                                           state=IngestJob.State.FAILED)
    blocked_new = IngestJob.objects.create(dataset=d, resource_name="r", original_name="b.csv",
                                           state=IngestJob.State.FAILED)
    running_old = IngestJob.objects.create(dataset=d, resource_name="r", original_name="c.csv",
                                           state=IngestJob.State.RUNNING)
    paths = {"blocked_old": _upload(blocked_old, days_old=31), "blocked_new": _upload(blocked_new, days_old=2),
             "running_old": _upload(running_old, days_old=40), "no_job_old": _upload(days_old=45)}
    out = io.StringIO()
    call_command("cleanup", stdout=out)
    assert {k: p.exists() for k, p in paths.items()} == {
        "blocked_old": False, "blocked_new": True, "running_old": True, "no_job_old": False}
    assert "2 stale uploads removed" in out.getvalue()
    call_command("cleanup", "--upload-days", "1", stdout=io.StringIO())
    assert not paths["blocked_new"].exists() and paths["running_old"].exists()
