"""What a plan file says, before it is written: ``PlanSpec`` trees, and ``Node`` — a value
of the YAML tree that knows its place in the file, so that every error names it
(``kawasaki-x.yaml: policies[2].indicators[0].baseline.year: 年度 '2017年' が読めません``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from madoguchi.text import to_nfc


class PlanFileError(ValueError):
    """A plan file that cannot be read: ``file``, ``where`` (path in the file), ``message``."""

    def __init__(self, file: str, where: str, message: str):
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")
        self.file, self.where, self.message = file, where, message


@dataclass
class TargetSpec:
    year: int
    value: Decimal
    kind: str = "period"  # "period" | "year"
    label: str = ""
    comparison: str = ">="
    revised_from: Decimal | None = None
    revision_reason: str = ""


@dataclass
class ActualSpec:
    year: int
    value: Decimal | None
    published_status: str = ""


@dataclass
class IndicatorSpec:
    code: str
    name: str
    method: str = ""
    unit: str = ""
    direction: str = "higher"
    baseline_year: int | None = None
    baseline_value: Decimal | None = None
    targets: list[TargetSpec] = field(default_factory=list)
    actuals: list[ActualSpec] = field(default_factory=list)
    note: str = ""


@dataclass
class MeasureSpec:
    code: str
    name: str
    detail: str = ""
    category: str = ""
    status: str = ""
    department: str = ""
    repeat_of: str = ""
    children: list["MeasureSpec"] = field(default_factory=list)


@dataclass
class CountSpec:
    count: int
    category: str = ""
    status: str = ""


@dataclass
class EvaluationSpec:
    year: int
    progress_grade: str = ""
    direction_grade: str = ""
    progress_reason: str = ""
    direction_reason: str = ""
    source: str = ""


@dataclass
class PolicySpec:
    code: str
    name: str
    area_code: str | None = None
    short_name: str = ""
    direct_goal: str = ""
    programs: list = field(default_factory=list)
    supplementary: dict = field(default_factory=dict)
    measures: list[MeasureSpec] = field(default_factory=list)
    counts: list[CountSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    evaluations: list[EvaluationSpec] = field(default_factory=list)


@dataclass
class AreaSpec:
    code: str
    name: str
    level_name: str = ""
    parent_code: str | None = None
    counts: list[CountSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    slug: str
    name: str
    kind: str = "plan"
    start_year: int | None = None
    end_year: int | None = None
    extended_to_year: int | None = None
    parent_slug: str | None = None
    parent_note: str = ""
    previous_slug: str | None = None
    vision: str = ""
    progress_management: str = ""
    note: str = ""
    source: str = ""
    source_file: str = ""
    item_categories: list = field(default_factory=list)
    measure_statuses: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    grade_definitions: dict = field(default_factory=dict)
    published_figures: dict = field(default_factory=dict)
    areas: list[AreaSpec] = field(default_factory=list)
    policies: list[PolicySpec] = field(default_factory=list)
    # Fields a file does not give are left as they are on reload (e.g. the 総合計画
    # shared by several 施策評価 files); ``only_fields`` lists the ones it gives.
    only_fields: tuple[str, ...] | None = None


class Node:
    """A value of the YAML tree with its path, for error messages that say where."""

    def __init__(self, value, path: str, file: str):
        self.value, self.path, self.file = value, path, file

    def error(self, message: str, key: str | None = None) -> PlanFileError:
        return PlanFileError(self.file, self._join(key), message)

    def _join(self, key) -> str:
        if key is None:
            return self.path
        part = f"[{key}]" if isinstance(key, int) else str(key)
        return f"{self.path}{part}" if isinstance(key, int) or not self.path else f"{self.path}.{part}"

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def get(self, key: str, required: bool = True) -> "Node":
        if not isinstance(self.value, dict):
            raise self.error("キーと値の組 (mapping) が必要です")
        if key not in self.value or (required and self.value[key] is None):
            if required:
                raise PlanFileError(self.file, self._join(key), "必須の項目がありません")
            return Node(None, self._join(key), self.file)
        return Node(self.value[key], self._join(key), self.file)

    def items(self) -> list["Node"]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise self.error("リストが必要です")
        return [Node(v, self._join(i), self.file) for i, v in enumerate(self.value)]

    def text(self, key: str | None = None, required: bool = True) -> str:
        node = self.get(key, required) if key else self
        if node.value is None:
            return ""
        if isinstance(node.value, (dict, list)):
            raise node.error("文字列が必要です")
        return to_nfc(str(node.value)).strip()

    def year(self, key: str | None = None, required: bool = True) -> int | None:
        node = self.get(key, required) if key else self
        if node.value is None:
            return None
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
            return value
        match = re.fullmatch(r"FY(\d{4})", str(value).strip())
        if not match:
            raise node.error(f"年度 {value!r} が読めません (FY2019 の形式)")
        return int(match.group(1))

    def number(self, key: str | None = None, required: bool = True) -> Decimal | None:
        node = self.get(key, required) if key else self
        if node.value is None:
            return None
        return as_number(node)


def as_number(node: Node) -> Decimal:
    value = node.value
    if isinstance(value, bool) or isinstance(value, (dict, list, dt.date)):
        raise node.error(f"数値が必要です ({value!r})")
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise node.error(f"数値が必要です ({value!r})") from None
    if not number.is_finite():
        raise node.error(f"数値が必要です ({value!r})")
    return number
