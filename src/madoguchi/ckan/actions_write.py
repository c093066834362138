"""CKAN write actions (API token of a staff user required).

``package_delete`` only marks the dataset deleted (CKAN semantics; nothing is
lost). ``resource_create`` with an ``upload`` file runs the ingestion pipeline:
the answer comes when the new version is published, or a Validation Error
names the file, row and column.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from madoguchi.catalog import services as catalog
from madoguchi.catalog.licenses import LICENSES
from madoguchi.catalog.models import Dataset, Organization, Resource, Tag, Theme, UpdateFrequency
from madoguchi.datastore import services as datastore
from madoguchi.privacy import services as privacy
from madoguchi.standards.services import standard_choices

from .actions_catalog import _dataset, _resource
from .dictize import package_dict, resource_dict
from .errors import NotFound, ValidationError
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
    dataset = _dataset(ctx, data)
    Dataset.objects.filter(pk=dataset.pk).update(state="deleted")
    return None


@action("resource_create", write=True)
def resource_create(ctx, data):
    """Add a file to a dataset: ``package_id``, ``name``, ``upload`` (multipart file), optional
    ``description``, ``sheet`` (XLSX), ``json_path`` (JSON). Runs ingestion; a bad file gives
    a Validation Error with file, row and column."""
    dataset = _dataset(ctx, data, key="package_id")
    upload = data.get("upload")
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError("upload: ファイルを添付してください (URL からの取得には対応していません)",
                              upload=["A file upload is required"])
    name = str(data.get("name") or getattr(upload, "name", "") or "resource")
    if dataset.resources.filter(name=name).exists():
        raise ValidationError("name: 同じ名前のリソースがあります。新しい版は resource_update で", name=["Already exists"])
    try:
        version = datastore.ingest_file(
            dataset=dataset, resource_name=name, data=upload.read(), file_name=getattr(upload, "name", name),
            description=str(data.get("description") or ""), user=ctx.user,
            options=datastore.IngestOptions(sheet=data.get("sheet"), json_path=data.get("json_path")))
    except datastore.IngestError as exc:
        raise ValidationError(str(exc), upload=[str(exc)]) from None
    resource = Resource.objects.select_related("dataset", "current_version").get(pk=version.resource_id)
    return resource_dict(resource, ctx)


@action("resource_delete", write=True)
def resource_delete(ctx, data):
    """Delete a resource and its versions (files are removed by ``madoguchi cleanup``)."""
    resource = _resource(ctx, str(required(data, "id")))
    dataset = resource.dataset
    resource.delete()
    catalog.reindex_dataset(dataset)
    return None


__all__ = ["NotFound"]
