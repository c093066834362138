"""Public API of the privacy app (other apps import from here only).

* ``scan_table`` — personal data in a typed table (rules: ``privacy.detectors``)
* ``enforce_gate`` — block publishing a public dataset with un-overridden findings (``PrivacyBlocked``)
* ``record_override`` — a staff member's recorded decision to publish a flagged column (audit log)
* ``unresolved_findings`` — what blocks making a private dataset public
* ``suppress_version`` / ``publish_suppressed`` — small-cell suppression of a published table
* ``suppression`` (module) — small-cell suppression of statistical tables
* ``OverrideForm`` (``privacy.forms``) — one finding's override, for the datastore's job page
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction

from madoguchi.datastore.services import row_numbers_at

from . import detectors
from .detectors import BLOCKING_KINDS, KIND_LABELS  # noqa: F401
from .errors import PrivacyBlocked  # noqa: F401
from .freetext import mask_personal_text  # noqa: F401  (free text: FAQ questions, call logs)
from .forms import OverrideForm  # noqa: F401
from .models import PrivacyOverride

MAX_ROWS = 20
# RE2 prefilters (run in Arrow over all distinct values; the Python detectors see only the matches)
MY_NUMBER_PREFILTER = r"(^|[^0-9])[0-9]{4}[-‐−–\s]?[0-9]{4}[-‐−–\s]?[0-9]{4}([^0-9]|$)"
PHONE_PREFILTER = r"0[2789]0"


SAMPLE_ABOVE = 5000  # candidate values; above this the column-level My Number rule is decided on a sample
SAMPLE_SIZE = 2000


def _my_number_candidates(values: pa.Array, norm: pa.Array) -> pa.Array:
    """Values with a 12-digit token. For a large column of codes whose sampled tokens are mostly NOT valid
    My Numbers, only the cells naming マイナンバー/個人番号 can hold one (the column rule in ``detectors``)."""
    candidates = pc.match_substring_regex(norm, MY_NUMBER_PREFILTER)
    where = pc.indices_nonzero(pc.fill_null(candidates, False))
    if len(where) <= SAMPLE_ABOVE:
        return candidates
    sample = values.take(where[::len(where) // SAMPLE_SIZE]).to_pylist()
    if detectors.my_number_share(sample) >= detectors.MIN_MY_NUMBER_SHARE:
        return candidates
    return pc.and_(candidates, pc.match_substring_regex(norm, "マイナンバー|個人番号"))


def _detect(detector, values: pa.Array, candidates: pa.Array):
    """Run ``detector`` on the values where ``candidates`` is true; hit indexes mapped back to ``values``.

    Every detector returns ``(indexes, examples, …)``: lists of indexes and lists of examples alternate.
    """
    where = pc.indices_nonzero(pc.fill_null(candidates, False)).to_pylist()
    if not where:
        return detector([])
    result = detector(values.take(pa.array(where, pa.int64())).to_pylist())
    return tuple([where[i] for i in part] if n % 2 == 0 else part for n, part in enumerate(result))


def _finding(kind: str, column: str, hits: list[int], examples: list[str], col, row_numbers, *,
             severity: str = "error", message: str = "") -> dict:
    """Map distinct-value indexes ``hits`` back to file rows (≤ 20) and a row count."""
    mask = pc.is_in(col.indices, value_set=pa.array(hits, col.indices.type))
    positions = pc.indices_nonzero(pc.fill_null(mask, False))
    count = len(positions)
    first = positions.slice(0, MAX_ROWS).to_pylist()
    rows = row_numbers_at(row_numbers, first) if row_numbers is not None else [i + 1 for i in first]
    label = KIND_LABELS[kind]
    return {"kind": kind, "column": column, "rows": rows, "count": count, "severity": severity,
            "blocking": severity == "error", "examples": examples,
            "message": message or f"列「{column}」に{label}と思われる値が {count} 行あります"}


def scan_table(typed, row_numbers=None) -> list[dict]:
    """Personal data found in ``typed`` (``TypedTable``), one finding per column and kind.

    :param row_numbers: file row of each data row (list, range or Arrow array); ``None``: 1-based data rows
    :returns: ``[{kind, column, rows (file rows, ≤ 20), count (rows), severity ("error" | "info"),
        blocking (bool), examples (masked, ≤ 3), message (Japanese first)}]``; kinds and rules are
        documented in ``privacy.detectors`` (個人番号: 番号法施行規則 第1条 check digit).
    """
    findings: list[dict] = []
    names = [c.meta["name"] for c in typed.typed]
    has_context = any(detectors.ADDRESS_COLUMN_RE.search(n) or detectors.BIRTH_COLUMN_RE.search(n) for n in names)
    for position, col in enumerate(typed.typed):
        name, ctype = col.meta["name"], col.meta["type"]
        if len(col.values) == 0:
            continue
        if ctype in ("date", "datetime") and detectors.BIRTH_COLUMN_RE.search(name):
            hits = [i for i, v in enumerate(col.values.to_pylist()) if v is not None]
            if hits:
                findings.append(_finding("birth_date", name, hits, [], col, row_numbers,
                                         message=f"列「{name}」は生年月日です ({len(hits)} 種類の値; a birth-date column)"))
            continue
        if ctype not in ("string", "integer"):
            continue
        if ctype == "integer":  # a 12-digit number read as an integer (no leading zero)
            hits, examples = _detect(detectors.find_my_numbers, col.values,
                                     pc.and_(pc.greater_equal(col.values, 10**11), pc.less(col.values, 10**12)))
        else:
            norm = pc.utf8_normalize(col.values, "NFKC")
            hits, examples = _detect(detectors.find_my_numbers, col.values, _my_number_candidates(col.values, norm))
        if hits:
            findings.append(_finding("my_number", name, hits, examples, col, row_numbers,
                                     message=f"列「{name}」に個人番号（マイナンバー）と思われる12桁の番号があります "
                                             "(12 digits with a valid My Number check digit)"))
        if ctype != "string":
            continue
        if detectors.BIRTH_COLUMN_RE.search(name):
            values = col.values.to_pylist()
            hits = [i for i, v in enumerate(values) if v and v.strip()]
            if hits:
                findings.append(_finding("birth_date", name, hits, [detectors.mask(values[hits[0]], 0)], col,
                                         row_numbers, message=f"列「{name}」は生年月日です (a birth-date column)"))
            continue
        personal, personal_ex, public, public_ex = _detect(detectors.find_emails, col.values,
                                                           pc.match_substring(norm, "@"))
        if personal:
            findings.append(_finding("email", name, personal, personal_ex, col, row_numbers,
                                     message=f"列「{name}」にメールアドレスがあります (e-mail addresses)"))
        if public:
            findings.append(_finding("email", name, public, public_ex, col, row_numbers, severity="info",
                                     message=f"列「{name}」に官公庁のメールアドレス (lg.jp / go.jp) があります。"
                                             "組織の窓口として公開可 (public-body addresses; not blocking)"))
        hits, examples = _detect(detectors.find_personal_phones, col.values,
                                 pc.match_substring_regex(norm, PHONE_PREFILTER))
        if hits:
            findings.append(_finding("personal_phone", name, hits, examples, col, row_numbers,
                                     message=f"列「{name}」に携帯電話・PHS の番号があります (mobile/PHS numbers)"))
        if has_context and not detectors.ADDRESS_COLUMN_RE.search(name):
            seen = {(f["column"], f["kind"]) for f in findings}  # a reading column next to two name columns
            findings.extend(f for f in _person_names(typed, position, norm, row_numbers)
                            if (f["column"], f["kind"]) not in seen)
    return findings


def _reading_column(typed, position: int):
    """The kana reading column (フリガナ) next to column ``position``, or ``None``."""
    for j in (position + 1, position - 1):
        if 0 <= j < len(typed.typed):
            other = typed.typed[j]
            if other.meta["type"] == "string" and len(other.values) and \
                    detectors.looks_like_reading_column(other.values.slice(0, detectors.NAME_SAMPLE).to_pylist()):
                return other
    return None


def _person_names(typed, position: int, norm: pa.Array, row_numbers) -> list[dict]:
    """``personal_name`` findings for string column ``position`` (and its reading column), rule in ``detectors``.

    Arrow keeps only the distinct values shaped like a name and free of organisation words (RE2, all values);
    SudachiPy sees those candidates only (``detectors.find_person_names`` samples them).
    """
    col = typed.typed[position]
    name = col.meta["name"]
    present = pc.and_(pc.is_valid(norm), pc.greater(pc.utf8_length(norm), 0))
    n_values = pc.sum(pc.cast(present, pa.int64())).as_py() or 0
    shaped = pc.and_(pc.fill_null(pc.match_substring_regex(norm, detectors.NAME_SHAPE_PATTERN), False),
                     pc.invert(pc.fill_null(pc.match_substring_regex(norm, detectors.ORGANISATION_PATTERN,
                                                                     ignore_case=True), False)))
    where = pc.indices_nonzero(shaped)
    if not n_values or not len(where):
        return []
    reading_col = _reading_column(typed, position)
    readings: dict[int, str] = {}
    if reading_col is not None:  # the first row's reading of each candidate
        rows = pc.indices_nonzero(pc.fill_null(pc.is_in(col.indices, value_set=where.cast(col.indices.type)), False))
        by_value = dict(zip(col.indices.take(rows).to_pylist(), reading_col.rows().take(rows).to_pylist()))
        position_of = {v: k for k, v in enumerate(where.to_pylist())}
        readings = {position_of[v]: r for v, r in by_value.items() if r}
    candidates = norm.take(where).to_pylist()
    found, _ = detectors.find_person_names(candidates, n_values=n_values, readings=readings)
    if not found:
        return []
    where_list = where.to_pylist()
    hits = [where_list[i] for i in found]
    examples = [detectors.mask_name(col.values[h].as_py()) for h in hits[:3]]
    reading_note = f"、読み仮名の列「{reading_col.meta['name']}」あり" if reading_col is not None else ""
    out = [_finding("personal_name", name, hits, examples, col, row_numbers,
                    message=f"列「{name}」の {n_values} 種類の値のうち {len(hits)} 種類が個人の氏名と思われ"
                            f"{reading_note}、住所・所在地または生年月日の列と同じ表にあります "
                            "(person names, found by their values, together with addresses or birth dates)")]
    if reading_col is not None:
        rows = pc.indices_nonzero(pc.fill_null(pc.is_in(col.indices, value_set=pa.array(hits, col.indices.type)),
                                               False))
        read_hits = sorted({i for i in reading_col.indices.take(rows).to_pylist() if i is not None
                            and detectors.is_reading(reading_col.values[i].as_py())})
        if read_hits:
            rname = reading_col.meta["name"]
            out.append(_finding("personal_name", rname, read_hits,
                                [detectors.mask_name(reading_col.values[h].as_py()) for h in read_hits[:3]],
                                reading_col, row_numbers,
                                message=f"列「{rname}」は列「{name}」の個人の氏名の読み仮名です "
                                        "(kana readings of person names)"))
    return out


def _overrides(dataset, resource_name: str | None) -> dict[tuple[str, str], PrivacyOverride]:
    """Latest override per ``(column, kind)`` for the resource (or dataset-wide ones)."""
    qs = PrivacyOverride.objects.filter(dataset=dataset).select_related("created_by").order_by("created", "id")
    if resource_name is not None:
        qs = qs.filter(resource_name__in=[resource_name, ""])
    return {(o.column, o.kind): o for o in qs}


def with_overrides(dataset, resource_name: str, findings: list[dict]) -> list[dict]:
    """``findings`` each with ``override``: the latest matching ``{id, reason, by, at}`` or ``None``."""
    overrides = _overrides(dataset, resource_name) if findings else {}
    out = []
    for f in findings:
        o = overrides.get((f["column"], f["kind"]))
        out.append({**f, "override": o.as_dict() if o else None})
    return out


def enforce_gate(*, dataset, resource_name: str, findings: list[dict]) -> list[dict]:
    """Block publishing when ``findings`` are not overridden (raises ``PrivacyBlocked``).

    A finding blocks when its ``severity`` is ``error``, the dataset is public
    (``dataset.private`` False) and no ``PrivacyOverride`` matches its dataset,
    resource (or dataset-wide), column and kind. Findings of private datasets are
    recorded only.

    :returns: ``findings``, each with ``override`` (``None`` or ``{id, reason, by, at}``)
    :raises PrivacyBlocked: with ``.findings`` = the blocking ones
    """
    out = with_overrides(dataset, resource_name, findings)
    blocking = [f for f in out if f["severity"] == "error" and f["override"] is None]
    if blocking and not dataset.private:
        raise PrivacyBlocked(blocking)
    return out


@transaction.atomic
def record_override(*, dataset, resource_name: str, column: str, kind: str, reason: str, user=None) -> PrivacyOverride:
    """Record that ``column`` may be published despite a ``kind`` finding (the audit log: who, when, why).

    :param resource_name: the resource; ``""`` for every resource of the dataset
    :param kind: one of ``BLOCKING_KINDS``
    :param reason: why publishing is lawful/necessary (required, e.g. "医療法第6条の3により公表")
    :param user: the staff member (``None`` only for declarations loaded from the bundle manifest)
    :raises ValueError: empty reason, empty column or unknown kind
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("理由を入力してください (a reason is required)")
    if not (column or "").strip():
        raise ValueError("列名を指定してください (column is required)")
    if kind not in BLOCKING_KINDS:
        raise ValueError(f"種類「{kind}」は解除の対象ではありません (kind must be one of {', '.join(BLOCKING_KINDS)})")
    return PrivacyOverride.objects.create(dataset=dataset, resource_name=resource_name or "", column=column,
                                          kind=kind, reason=reason,
                                          created_by=user if getattr(user, "pk", None) else None)


def unresolved_findings(dataset) -> list[dict]:
    """Blocking findings of the dataset's current versions that no override covers.

    Call before making a private dataset public: a non-empty result means it
    must not be made public yet (each item also has ``resource``: the resource name).
    Uses the ``privacy`` findings stored in each current ``ResourceVersion.report``.
    """
    out = []
    for resource in dataset.resources.select_related("current_version").order_by("position", "pk"):
        version = resource.current_version
        if version is None:
            continue
        findings = (version.report or {}).get("privacy") or []
        overrides = _overrides(dataset, resource.name)
        for f in findings:
            if f.get("severity", "error") == "error" and (f["column"], f["kind"]) not in overrides:
                out.append({**f, "resource": resource.name, "override": None})
    return out


def declare_overrides(dataset, declared: list[dict]) -> list[PrivacyOverride]:
    """Apply overrides declared in a manifest (the bundle's ``datasets.toml``), idempotently.

    :param declared: ``[{column, kind, reason, resource (optional; default every resource)}]``
    :returns: the override rows (existing ones with the same column, kind, resource and reason are reused)
    :raises ValueError: as ``record_override``
    """
    out = []
    for d in declared:
        existing = PrivacyOverride.objects.filter(dataset=dataset, resource_name=d.get("resource", ""),
                                                  column=d["column"], kind=d["kind"], reason=d["reason"]).first()
        out.append(existing or record_override(dataset=dataset, resource_name=d.get("resource", ""),
                                               column=d["column"], kind=d["kind"], reason=d["reason"]))
    return out


def suppress_version(version, *, k: int = 10, label_columns: int | None = None):
    """Small-cell suppression of a published version's table (``privacy.tables.suppress_table``).

    :returns: ``(LabelledTable, SuppressionResult)``
    :raises SuppressionError: the table is not a table of counts (message names row and column)
    """
    from madoguchi.datastore.services import read_bytes

    from .tables import read_rows, suppress_table

    # the original file, not the typed table: typing turns both "-" (0) and "x" (秘匿) into empty cells
    data = read_bytes(version.original_path)
    header, rows, row_numbers = read_rows(data, version.original_name,
                                          sheet=(version.report.get("options") or {}).get("sheet"))
    return suppress_table(header, rows, k=k, label_columns=label_columns, row_numbers=row_numbers)


def publish_suppressed(version, *, k: int = 10, label_columns: int | None = None, symbol: str = "X", user=None):
    """Publish the masked table of ``version`` as a new resource of the same dataset.

    The resource is named ``<name>（秘匿処理 k=<k>）``; the masked CSV goes through
    ``datastore.services.ingest_file`` (and so through this privacy gate too).

    :returns: the published ``ResourceVersion``
    """
    from madoguchi.datastore import services as datastore

    from .tables import masked_csv

    table, result = suppress_version(version, k=k, label_columns=label_columns)
    resource = version.resource
    name = f"{resource.name}（秘匿処理 k={k}）"
    summary = result.summary()
    description = (f"「{resource.name}」第{version.number}版を秘匿処理した表。{k} 未満のセルと、合計から復元できないよう"
                   f"追加したセルを「{symbol}」で表示 (一次秘匿 {summary['primary']}、二次秘匿 {summary['secondary']})。")
    return datastore.ingest_file(dataset=resource.dataset, resource_name=name,
                                 data=masked_csv(table, result, symbol=symbol),
                                 file_name=f"{resource.name}_suppressed_k{k}.csv", user=user, description=description)
