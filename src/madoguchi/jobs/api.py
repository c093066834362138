"""``/api/v1/jobs/<id>``: the state of a background job, for staff (session login).

``id`` is an ingestion job (``datastore_job.id`` of CKAN ``resource_create``, the staff upload page) or
any task result id (e.g. a queued draw). CKAN clients holding an API token poll the same data with the
CKAN action ``datastore_job_show``.
"""

from __future__ import annotations

from typing import Any

from ninja import Path, Router
from ninja.errors import HttpError
from pydantic import Field

from madoguchi.datastore import services as datastore
from madoguchi.schemas import ErrorOut, OutSchema

from . import services

router = Router(tags=["jobs"])


class JobOut(OutSchema):
    id: str
    kind: str = Field(description="``ingest`` (an ingestion job) or ``task`` (any other background task)")
    state: str = Field(description="``queued``, ``running``, ``done`` or ``failed``")
    progress: int | None = Field(None, description="Percent (ingestion only)")
    stage: str | None = Field(None, description="read, types, check, write, publish (ingestion only)")
    attempts: int | None = Field(None, description="Attempts started so far (tasks)")
    resource_id: int | None = Field(None, description="The resource, once an ingestion is done")
    version: int | None = Field(None, description="The version number published by an ingestion")
    error: Any = Field(None, description="Why it failed: for an ingestion ``{code, message, file, row, column, "
                                         "text}``, for a task the last error line; null otherwise")


@router.get("/{job_id}", response={200: JobOut, 403: ErrorOut, 404: ErrorOut}, summary="Background job state")
def job(request, job_id: str = Path(..., max_length=64, description="Job or task id (UUID)")):
    """One background job (staff only). Poll until ``state`` is ``done`` or ``failed``."""
    if not request.user.is_staff:
        raise HttpError(403, "職員としてログインしてください (staff only)")
    status = datastore.job_status(job_id) or services.task_status(job_id)
    if status is None:
        raise HttpError(404, f"ジョブ {job_id} はありません")
    return status
