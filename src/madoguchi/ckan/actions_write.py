"""CKAN write actions (API token of a staff user required).

``package_delete`` only marks the dataset deleted (CKAN semantics; nothing is
lost). ``resource_create`` with an ``upload`` file queues the ingestion
(HTTP 202 with a ``datastore_job`` to poll through ``datastore_job_show`` or
``/api/v1/jobs/<id>``); a bad file's error names the file, row and column.
``datastore_create`` sets a resource's data dictionary (``fields`` with ``info``); a changed type
re-ingests its current file the same way.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from madoguchi.catalog import services as catalog
from madoguchi.catalog.services import LICENSES
from madoguchi.catalog.models import Dataset, Organization, Resource, Tag, Theme, UpdateFrequency
from madoguchi.datastore import services as datastore
from madoguchi.privacy import services as privacy
from madoguchi.standards.services import standard_choices

from .actions_catalog import _dataset, _resource
from .dictize import CKAN_TYPES, package_dict, resource_dict
from .errors import NotAuthorized, NotFound, ValidationError
from .params import as_bool, as_json, required
from .registry import action

SLUG_OK = "英小文字・数字・ハイフンで 2〜100 文字"


def _names(value, key: str) -> list[str]:
    value = as_json({key: value}, key)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{key}: リストで指定してください", **{key: ["Must be a list"]})
    return [str(v.get("name") if isinstance(v, dict) else v) for v in value]


def _apply(dataset: Dataset, data: dict, *, partial: bool) -> Dataset:
    errors: dict[str, list[str]] = {}
    simple = {"title": "title", "notes": "description", "url": "source_url", "license_id": "license_id",
              "attribution": "attribution"}
    for key, field in simple.items():
        if key in data:
            setattr(dataset, field, str(data[key] or ""))
        elif not partial and key in ("notes", "url", "attribution"):
            setattr(dataset, field, "")
    if not dataset.title:
        errors["title"] = ["Missing value"]
    if dataset.license_id not in LICENSES:
        errors["license_id"] = [f"Unknown licence; see license_list ({', '.join(LICENSES)})"]
    if "private" in data:
        private = as_bool(data, "private")
        if dataset.pk and dataset.private and not private:
            blocking = privacy.unresolved_findings(dataset)
            if blocking:
                errors["private"] = [
                    f"個人情報の可能性がある列があるため公開できません: {f['resource']} / {f['column']} ({f['kind']})"
                    " — 職員が理由を記録して承認 (madoguchi privacy-override) してから公開してください"
                    for f in blocking]
        dataset.private = private
    unpublishable = catalog.publication_errors(dataset)  # a public dataset has a description (notes)
    if unpublishable:
        errors["notes"] = [*unpublishable, "Missing value: a public dataset needs notes"]
    conforms_to = data.get("conforms_to")
    if conforms_to is None:
        conforms_to = next((e.get("value") for e in as_json(data, "extras", []) or []
                            if isinstance(e, dict) and e.get("key") == "conforms_to"), None)
    if conforms_to is not None:
        if conforms_to and conforms_to not in dict(standard_choices()):
            errors["conforms_to"] = [f"Unknown standard; one of {', '.join(dict(standard_choices()))}"]
        dataset.standard = str(conforms_to or "")
    frequency = data.get("frequency") or next((e.get("value") for e in as_json(data, "extras", []) or []
                                               if isinstance(e, dict) and e.get("key") == "frequency"), None)
    if frequency:
        if frequency not in UpdateFrequency.values:
            errors["frequency"] = [f"One of {', '.join(UpdateFrequency.values)}"]
        dataset.update_frequency = frequency
    if "owner_org" in data or not partial:
        org = Organization.objects.filter(slug=data.get("owner_org")).first()
        if org is None:
            errors["owner_org"] = ["Organization does not exist"]
        else:
            dataset.organization = org
    if errors:
        raise ValidationError("入力に誤りがあります", **errors)
    dataset.save()
    if "tags" in data or not partial:
        dataset.tags.set([Tag.objects.get_or_create(name=n)[0] for n in _names(data.get("tags"), "tags")])
    if "groups" in data or not partial:
        names = _names(data.get("groups"), "groups")
        themes = list(Theme.objects.filter(slug__in=names))
        if len(themes) != len(set(names)):
            raise ValidationError("存在しないグループがあります", groups=["Group does not exist"])
        dataset.themes.set(themes)
    catalog.reindex_dataset(dataset)
    return dataset


@action("package_create", write=True)
def package_create(ctx, data):
    """Create a dataset: ``name`` (slug), ``title``, ``owner_org``, optional ``notes``, ``url``,
    ``license_id`` (default cc-by-4.0), ``tags``/``groups`` ([{name}]), ``private``, ``frequency``, ``conforms_to`` (standard id,
    ``/api/v1/standards``). Making a private dataset public is refused (409) while the privacy
    gate has findings in its current versions that no staff override covers."""
    name = str(required(data, "name"))
    if slugify(name) != name or not 2 <= len(name) <= 100:
        raise ValidationError(f"name: {SLUG_OK}", name=[f"Must be {SLUG_OK}"])
    if Dataset.objects.filter(slug=name).exists():
        raise ValidationError("name: その名前はもう使われています", name=["That URL is already in use."])
    with transaction.atomic():
        dataset = _apply(Dataset(slug=name, license_id=data.get("license_id") or "cc-by-4.0"),
                         {"license_id": "cc-by-4.0", **data}, partial=False)
    return package_dict(dataset, ctx)


@action("package_update", write=True)
def package_update(ctx, data):
    """Replace a dataset's metadata (fields not given are cleared, as in CKAN); resources are kept."""
    dataset = _dataset(ctx, data)
    with transaction.atomic():
        _apply(dataset, {"license_id": dataset.license_id, **data}, partial=False)
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


@action("package_patch", write=True)
def package_patch(ctx, data):
    """Change only the given fields of a dataset."""
    dataset = _dataset(ctx, data)
    with transaction.atomic():
        _apply(dataset, data, partial=True)
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


@action("package_delete", write=True)
def package_delete(ctx, data):
    """Mark a dataset deleted (it disappears from search and show; its files are kept)."""
    catalog.delete_dataset(_dataset(ctx, data))
    return None


class Accepted(dict):
    """An action result answered with HTTP 202 Accepted (the work goes on in the background)."""

    status_code = 202


def _job_dict(ctx, status: dict) -> dict:
    return {"id": status["id"], "state": status["state"], "url": ctx.url(f"/api/v1/jobs/{status['id']}"),
            "progress": status["progress"], "error": status["error"]}


@action("resource_create", write=True)
def resource_create(ctx, data):
    """Add a file to a dataset: ``package_id``, ``name``, ``upload`` (multipart file), optional
    ``description``, ``sheet`` (XLSX), ``json_path`` (JSON). The file is ingested in the background
    (``madoguchi worker``), as CKAN's DataPusher does:

    * HTTP 202, ``success: true``, ``result`` = the resource as far as known (``id`` is null until the
      first version is published) plus ``datastore_job`` = ``{id, state, url, progress, error}``;
    * poll ``datastore_job_show`` (``id``; ``ckanapi``: ``ckan.action.datastore_job_show(id=…)``) or
      ``GET url`` (``/api/v1/jobs/<id>``) with the same token until ``state`` is ``done`` (then
      ``resource_id`` is set) or ``failed`` (``error`` names file, row and column);
    * if the job has already ended when the answer is written (a fast worker, or the immediate task
      backend): ``done`` answers 200 with the resource dict (plus ``datastore_job``), ``failed``
      answers a Validation Error with file, row and column as before.

    ckanapi returns ``result`` whatever the status code, so existing clients keep working.
    """
    dataset = _dataset(ctx, data, key="package_id")
    upload = _upload(data)
    name = str(data.get("name") or getattr(upload, "name", "") or "resource")
    if dataset.resources.filter(name=name).exists():
        raise ValidationError("name: 同じ名前のリソースがあります。新しい版は resource_update で", name=["Already exists"])
    return _ingest_upload(ctx, dataset, name, upload, data)


@action("resource_update", write=True)
def resource_update(ctx, data):
    """A new version of a resource: ``id``, ``upload`` (multipart file), optional ``description``,
    ``sheet``, ``json_path``. Ingested in the background exactly as ``resource_create`` (202 with
    ``datastore_job``; the new version is published when the job is ``done``; the previous version
    stays served until then, and if the file is refused)."""
    resource = _resource(ctx, str(required(data, "id")))
    return _ingest_upload(ctx, resource.dataset, resource.name, _upload(data), data)


def _upload(data):
    upload = data.get("upload")
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError("upload: ファイルを添付してください (URL からの取得には対応していません)",
                              upload=["A file upload is required"])
    return upload


def _ingest_upload(ctx, dataset, name: str, upload, data):
    """Store the upload, queue its ingestion job, and answer as ``resource_create`` documents."""
    chunks = upload.chunks() if hasattr(upload, "chunks") else iter([upload.read()])
    job = datastore.create_job(dataset=dataset, resource_name=name, original_name=getattr(upload, "name", name),
                               chunks=chunks, user=ctx.user, description=str(data.get("description") or ""),
                               options={"sheet": data.get("sheet"), "json_path": data.get("json_path")})
    datastore.enqueue_job(job)
    status = datastore.job_status(job.pk)
    if status["state"] == "failed":
        error = status["error"] or {}
        message = error.get("text") or error.get("message") or "取り込みに失敗しました"
        raise ValidationError(message, upload=[message])
    if status["state"] == "done":
        resource = Resource.objects.select_related("dataset", "current_version").get(pk=status["resource_id"])
        return {**resource_dict(resource, ctx), "datastore_job": _job_dict(ctx, status)}
    return Accepted({"id": None, "package_id": dataset.slug, "name": name,
                     "description": str(data.get("description") or ""), "url_type": "upload",
                     "datastore_active": False, "state": "active", "datastore_job": _job_dict(ctx, status)})


@action("datastore_job_show")
def datastore_job_show(ctx, data):
    """The state of a background ingestion job (``id`` from ``resource_create``'s ``datastore_job``),
    for staff (API token): ``{id, state: queued|running|done|failed, stage, progress, dataset,
    resource_name, resource_id, version, error}``; ``error`` names file, row and column of a bad file.
    Like DataPusher's ``datapusher_status``."""
    if not ctx.is_staff:
        raise NotAuthorized("datastore_job_show には職員の API トークンが必要です (a staff API token is required)")
    status = datastore.job_status(str(required(data, "id")))
    if status is None:
        raise NotFound("取り込みジョブが見つかりません (job not found)")
    return {**status, "url": ctx.url(f"/api/v1/jobs/{status['id']}")}


#: CKAN DataStore type names (and Frictionless ones) → the Frictionless type a column may be set to
FROM_CKAN_TYPES = {**{v: k for k, v in CKAN_TYPES.items()}, **{k: k for k in CKAN_TYPES},
                   "int4": "integer", "int8": "integer", "int2": "integer", "bigint": "integer",
                   "float8": "number", "float4": "number", "float": "number", "double": "number",
                   "timestamptz": "datetime", "varchar": "string", "boolean": "boolean"}


@action("datastore_create", write=True)
def datastore_create(ctx, data):
    """Set the data dictionary of an existing resource's table (CKAN's ``datastore_create`` with
    ``fields``, as the Data Dictionary form of CKAN sends it): ``resource_id``, ``fields`` =
    ``[{"id", "type"?, "info": {"label", "notes", "type_override"}}]``, optional ``blank_unfit``
    (madoguchi: cells that do not fit a new type become empty instead of failing).

    Labels and notes are saved at once. A column whose ``info.type_override`` (or ``type``, in CKAN or
    Frictionless type names) differs from its type re-ingests the current original file with that type
    as a background job, answered as ``resource_create`` does (202 + ``datastore_job``, or 200 when the job
    has already ended; a failed one — e.g. cells that do not fit — is a Validation Error naming them, and
    the previous version stays current). Rows (``records``) cannot be written: upload a file with
    ``resource_update``. Answer: ``{resource_id, fields, method: "insert"}`` (+ ``datastore_job``).
    """
    resource = _resource(ctx, str(data.get("resource_id") or (as_json(data, "resource") or {}).get("id")
                                  or required(data, "resource_id")))
    if as_json(data, "records"):
        raise ValidationError("records: 行の書き込みには対応していません。ファイルを resource_update で送ってください",
                              records=["Writing rows is not supported; upload a file with resource_update"])
    fields = as_json(data, "fields", []) or []
    if not isinstance(fields, list) or not all(isinstance(f, dict) and f.get("id") for f in fields):
        raise ValidationError("fields: [{id, type, info}] のリストで指定してください",
                              fields=["Must be a list of {id, type, info}"])
    current = {e["id"]: e for e in datastore.data_dictionary(resource)}
    entries: dict[str, dict] = {}
    for f in fields:
        column = str(f["id"])
        if column == "_id":
            continue
        if column not in current:
            raise ValidationError(f"fields: 列「{column}」はありません", fields=[f"Unknown column: {column}"])
        info = f.get("info") if isinstance(f.get("info"), dict) else {}
        entry = {k: str(info[k] or "") for k in ("label", "notes") if k in info}
        wanted = info.get("type_override") if "type_override" in info else None
        if wanted is None and f.get("type") and FROM_CKAN_TYPES.get(str(f["type"])) != current[column]["type"]:
            wanted = f["type"]  # a new column type, as CKAN's datastore_create changes it
        if wanted is not None:
            kind = FROM_CKAN_TYPES.get(str(wanted), None) if wanted else ""
            if kind is None:
                raise ValidationError(f"fields: 列「{column}」の型「{wanted}」は指定できません",
                                      fields=[f"Unknown type for {column}: {wanted}"])
            entry["type_override"] = kind
        entries[column] = entry
    try:
        job = datastore.save_data_dictionary(resource, entries, user=ctx.user,
                                             blank_unfit=as_bool(data, "blank_unfit"))
    except datastore.DictionaryError as exc:
        raise ValidationError(f"{exc.field}: {exc.message}", **{exc.field: [exc.message]}) from None
    if job is None:
        return _datastore_created(ctx, resource)
    status = datastore.job_status(job.pk)
    if status["state"] == "failed":
        error = status["error"] or {}
        message = error.get("text") or error.get("message") or "取り込みに失敗しました"
        raise ValidationError(message, fields=[message])
    resource = Resource.objects.select_related("dataset", "current_version").get(pk=resource.pk)
    out = _datastore_created(ctx, resource)
    out["datastore_job"] = _job_dict(ctx, status)
    return out if status["state"] == "done" else Accepted(out)


def _datastore_created(ctx, resource) -> dict:
    from .actions_datastore import ckan_fields

    version = resource.current_version
    fields = ckan_fields(resource, [{"id": c["name"], "type": c["type"]} for c in version.columns])
    return {"resource_id": str(resource.pk), "fields": fields, "method": "insert"}


@action("resource_delete", write=True)
def resource_delete(ctx, data):
    """Delete a resource and its versions (files are removed by ``madoguchi cleanup``)."""
    resource = _resource(ctx, str(required(data, "id")))
    dataset = resource.dataset
    resource.delete()
    catalog.reindex_dataset(dataset)
    return None


__all__ = ["NotFound"]
