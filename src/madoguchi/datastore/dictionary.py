"""The data dictionary of a resource (CKAN's datastore field ``info``): per column label, notes and type
override, kept across versions (``ColumnInfo``), and ``ingest_file``, the ingestion every path calls, which
applies the saved overrides. Re-exported by ``datastore.services``.
"""

from __future__ import annotations

from . import ingest as _ingest
from . import snapshots
from .errors import IngestError
from .inference import TYPES
from .ingest import IngestOptions

#: Frictionless types a column may be set to (``ColumnInfo.type_override``, ``IngestOptions.types`` values):
#: the types inference makes
OVERRIDE_TYPES = TYPES


class DictionaryError(ValueError):
    """A data dictionary change was refused; ``field`` names what is wrong (``column``, ``type_override``,
    ``resource``), ``message`` says it in Japanese."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def ingest_file(*, dataset, resource_name: str, data: bytes, file_name: str, options: IngestOptions | None = None,
                user=None, progress=None, description: str = ""):
    """``datastore.ingest.ingest_file`` (see there: arguments, returns the published ``ResourceVersion``,
    raises ``IngestError``) with the resource's data dictionary applied.

    The type overrides saved for the resource (``ColumnInfo.type_override``) are added to
    ``options.types``; an entry given in ``options.types`` wins, and a type ``""`` there means "infer
    this column" (the saved override is dropped). ``blank_unfit`` is on when ``options.blank_unfit`` is or
    when a saved override applied was published so. A saved override whose column is not in the new file
    is skipped (the file's columns may change). After publishing, the overrides used are saved in the
    dictionary, so the next upload applies them too.
    """
    options = options or IngestOptions()
    explicit = dict(getattr(options, "types", None) or {})
    saved = _saved_overrides(dataset, resource_name)
    if not explicit and not saved:
        return _ingest.ingest_file(dataset=dataset, resource_name=resource_name, data=data, file_name=file_name,
                                   options=options, user=user, progress=progress, description=description)
    from_saved = {c: t for c, (t, _) in saved.items() if c not in explicit}
    blank = bool(getattr(options, "blank_unfit", False)) or any(saved[c][1] for c in from_saved)
    while True:
        types = {c: t for c, t in {**from_saved, **explicit}.items() if t}
        run_options = IngestOptions(**{**options.__dict__, "types": types or None, "blank_unfit": blank})
        try:
            version = _ingest.ingest_file(dataset=dataset, resource_name=resource_name, data=data,
                                          file_name=file_name, options=run_options, user=user, progress=progress,
                                          description=description)
        except IngestError as exc:
            # a saved override of a column this file does not have: ingest without it
            if exc.code == "type_override_unknown_column" and exc.column in from_saved:
                from_saved.pop(exc.column)
                continue
            raise
        break
    _remember_overrides(version.resource, explicit, blank=bool(getattr(options, "blank_unfit", False)), user=user)
    return version


def _saved_overrides(dataset, resource_name: str) -> dict[str, tuple[str, bool]]:
    """Saved type overrides of a resource: column → (type, blank_unfit); empty for a new resource."""
    from .models import ColumnInfo

    if dataset is None or dataset.pk is None:
        return {}
    rows = ColumnInfo.objects.filter(resource__dataset=dataset, resource__name=resource_name).exclude(
        type_override="").values_list("column", "type_override", "blank_unfit")
    return {column: (kind, blank) for column, kind, blank in rows}


def _remember_overrides(resource, explicit: dict[str, str], *, blank: bool, user) -> None:
    """Save the overrides given for an ingestion that published (``""``: the column is inferred again)."""
    from .models import ColumnInfo

    for column, kind in explicit.items():
        ColumnInfo.objects.update_or_create(resource=resource, column=column, defaults={
            "type_override": kind or "", "blank_unfit": bool(kind) and blank,
            "modified_by": user if getattr(user, "pk", None) else None})


def data_dictionary(resource) -> list[dict]:
    """The data dictionary of ``resource``: one entry per column of its current version, in order.

    :returns: ``[{"id": name, "type": Frictionless type as published, "label": str, "notes": str,
        "type_override": Frictionless type or ""}]`` (``""`` where nothing was written); empty if the
        resource has no published table
    """
    from .models import ColumnInfo

    version = resource.current_version
    if version is None or not version.has_table:
        return []
    infos = {i.column: i for i in ColumnInfo.objects.filter(resource_id=resource.pk)}
    out = []
    for c in version.columns:
        info = infos.get(c["name"])
        out.append({"id": c["name"], "type": c["type"], "label": info.label if info else "",
                    "notes": info.notes if info else "", "type_override": info.type_override if info else ""})
    return out


def save_data_dictionary(resource, entries: dict[str, dict], *, user=None, blank_unfit: bool = False):
    """Change the data dictionary of ``resource``; a changed type override re-ingests it.

    :param entries: column name → ``{"label"?, "notes"?, "type_override"?}`` (keys left out keep their
        value; ``type_override`` one of ``OVERRIDE_TYPES`` or ``""`` for inferred)
    :param blank_unfit: for the re-ingestion: cells that do not fit the new type become empty
    :returns: the queued ``IngestJob`` of the re-ingestion (with the immediate task backend it has
        run), or ``None`` when no type override changed (labels and notes are saved at once; a type
        override is saved when the re-ingestion publishes)
    :raises DictionaryError: no published table, an unknown column or type
    """
    from .models import ColumnInfo

    version = resource.current_version
    if version is None or not version.has_table:
        raise DictionaryError("resource", "公開された表がないため、データ辞書を設定できません")
    names = {c["name"] for c in version.columns}
    for column, entry in entries.items():
        if column not in names:
            raise DictionaryError("column", f"列「{column}」はありません")
        kind = entry.get("type_override")
        if kind not in (None, "") and kind not in OVERRIDE_TYPES:
            raise DictionaryError("type_override", f"型「{kind}」は指定できません ({', '.join(OVERRIDE_TYPES)})")
    infos = {i.column: i for i in ColumnInfo.objects.filter(resource_id=resource.pk)}
    changed_types: dict[str, str] = {}
    for column, entry in entries.items():
        info = infos.get(column)
        if "type_override" in entry and (entry["type_override"] or "") != (info.type_override if info else ""):
            changed_types[column] = entry["type_override"] or ""
        fields = {k: str(entry[k] or "").strip() for k in ("label", "notes") if k in entry}
        if any((getattr(info, k) if info else "") != v for k, v in fields.items()):
            ColumnInfo.objects.update_or_create(
                resource_id=resource.pk, column=column,
                defaults={**fields, "modified_by": user if getattr(user, "pk", None) else None})
    if not changed_types:
        return None
    return reingest(resource, types=changed_types, blank_unfit=blank_unfit, user=user)


def reingest(resource, *, types: dict[str, str], blank_unfit: bool = False, user=None):
    """Queue an ingestion of the current version's original file with the same reader options and
    ``types`` (column → type, ``""`` for inferred; added to the saved overrides, see ``ingest_file``).

    :returns: the ``IngestJob`` (``job_status`` for its progress); it publishes a new version
    :raises DictionaryError: the resource has no published version
    """
    version = resource.current_version
    if version is None:
        raise DictionaryError("resource", "公開された版がありません")
    options = {k: v for k, v in ((version.report or {}).get("options") or {}).items()
               if k not in ("types", "blank_unfit")}
    options.update(types=dict(types), blank_unfit=bool(blank_unfit))
    from .services import create_job, enqueue_job

    job = create_job(dataset=resource.dataset, resource_name=resource.name, original_name=version.original_name,
                     chunks=[snapshots.read_bytes(version.original_path)], options=options, user=user)
    enqueue_job(job)
    return job
