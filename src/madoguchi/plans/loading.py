"""Reading plan files (YAML) into ``PlanSpec`` trees; ``services.load_plan_file`` writes them.

Four layouts are understood, as the cities publish them (see ``fixtures/README.md`` for
the conventions: ``FY2019`` fiscal years, ``null`` = "—", ``comparison: ">=" / "<="``):

* ``directions`` + ``policies`` (川崎市官民データ活用推進計画 2019): 基本方向 → 施策 with
  measures (text) and indicators (baseline, targets with comparison).
* ``basic_policies`` (+ ``program``) (川崎市情報化推進プラン / プログラム 2016): 基本方針 →
  施策 with item counts per category, listed 重点 items (department, ``repeat_of`` 再掲),
  and the document's ``published_totals``. The programme holds the items; the plan is its parent.
* ``policy`` + ``indicators`` + ``evaluation`` (川崎市 施策評価 4-2-5, 2020): one 施策 of the
  総合計画 (基本政策 → 政策 → 施策) with period targets (第n期), yearly targets and actuals,
  target revisions, the published grades and the grade definitions.
* ``goals`` (+ ``previous_plan_review``) (相模原市情報マネジメント推進計画 2010): 基本目標 →
  施策 → 取組の方向 with 重点 and other items, one indicator per 施策 (中間値, 目標値); the review
  of the previous plan's projects by status.

Errors: ``PlanFileError`` names the file, the place in it (``policies[2].indicators[0].baseline.year``)
and what is wrong. Nothing is written by this module.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import yaml

from madoguchi.text import to_nfc

from .specs import (ActualSpec, AreaSpec, CountSpec, EvaluationSpec, IndicatorSpec, MeasureSpec, Node,  # noqa: F401
                    PlanFileError, PlanSpec, PolicySpec, TargetSpec, as_number)

PRIORITY = "重点"


def read_plan_file(path: str | Path) -> list[PlanSpec]:
    """Read one plan file; return its plans in the order they must be written (parents first).

    :raises PlanFileError: unreadable YAML, unknown layout, or a bad value (with its place).
    """
    path = Path(path)
    name = path.name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(name, "", f"読めません ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark else ""
        raise PlanFileError(name, where, f"YAML として読めません ({getattr(exc, 'problem', exc)})") from None
    root = Node(data, "", name)
    if not isinstance(data, dict):
        raise root.error("YAML の最上位はキーと値の組 (mapping) でなければなりません")
    stem = path.stem
    if root.has("directions"):
        return _directions_layout(root, stem)
    if root.has("basic_policies"):
        return _basic_policies_layout(root, stem)
    if root.has("policy") and root.has("indicators"):
        return _evaluation_layout(root, stem)
    if root.has("goals"):
        return _goals_layout(root, stem)
    raise root.error("形式がわかりません: directions, basic_policies, policy + indicators, goals のいずれかが必要です")


# -- helpers ---------------------------------------------------------------------------------

def _period(plan: Node) -> dict:
    period = plan.get("period")
    return {"start_year": period.year("start"), "end_year": period.year("end"),
            "extended_to_year": period.year("extended_to", required=False)}


def _split_detail(text: str) -> tuple[str, str]:
    """``"名称 (内容)"`` → (名称, 内容): the files put details of an item in parentheses."""
    match = re.fullmatch(r"(.+?)\s*[(（]([^()（）]*(?:[(（][^()（）]*[)）][^()（）]*)*)[)）]", text)
    if match and match.group(1).strip():
        return match.group(1).strip(), match.group(2).strip()
    return text, ""


def _direction(comparisons: list[str]) -> str:
    return "at_most" if comparisons and comparisons[0] == "<=" else "higher"


def _comparison(node: Node) -> str:
    value = node.text("comparison", required=False) or ">="
    if value not in (">=", "<=", ">", "<"):
        raise node.get("comparison").error(f"判定 {value!r} は >=, <=, >, < のいずれかです")
    return value


def _baseline(node: Node) -> tuple[int | None, Decimal | None]:
    if not node.has("baseline"):
        return None, None
    base = node.get("baseline")
    return base.year("year", required=False), base.number("value", required=False)


def _plain(value):
    """YAML values as JSON-able plain values (dates → ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return to_nfc(value)
    return value


def _indicator_basic(node: Node, code: str) -> IndicatorSpec:
    year, value = _baseline(node)
    return IndicatorSpec(code=code, name=node.text("name"), method=node.text("method", required=False),
                         unit=node.text("unit", required=False), baseline_year=year, baseline_value=value,
                         note=node.text("note", required=False))


# -- layouts ---------------------------------------------------------------------------------

def _directions_layout(root: Node, stem: str) -> list[PlanSpec]:
    plan_node = root.get("plan")
    parent_note = plan_node.text("parent", required=False)
    spec = PlanSpec(slug=stem, name=plan_node.text("name"), **_period(plan_node), parent_note=parent_note,
                    parent_slug=None, progress_management=plan_node.text("progress_management", required=False),
                    source=root.text("source", required=False), source_file=root.file)
    area_of: dict[str, str] = {}
    for i, d in enumerate(root.get("directions").items()):
        code = d.text("id")
        spec.areas.append(AreaSpec(code=code, name=d.text("name"), level_name="基本方向"))
        for p in d.get("policies", required=False).items():
            area_of[p.text()] = code
    seen = set()
    for p in root.get("policies").items():
        code = p.text("id")
        seen.add(code)
        policy = PolicySpec(code=code, name=p.text("name"), area_code=area_of.get(code))
        for n, m in enumerate(p.get("measures", required=False).items(), start=1):
            name, detail = _split_detail(m.text() if not isinstance(m.value, dict) else m.text("name"))
            policy.measures.append(MeasureSpec(code=f"{code}-{n}", name=name, detail=detail))
        for ind in p.get("indicators", required=False).items():
            spec_ind = _indicator_basic(ind, ind.text("id"))
            comparisons = []
            for t in ind.get("targets").items():
                comparison = _comparison(t)
                comparisons.append(comparison)
                spec_ind.targets.append(TargetSpec(year=t.year("year"), value=t.number("value"), kind="period",
                                                   label="目標値", comparison=comparison))
            spec_ind.direction = _direction(comparisons)
            policy.indicators.append(spec_ind)
        spec.policies.append(policy)
    for policy_code in area_of:
        if policy_code not in seen:
            raise root.get("directions").error(f"施策「{policy_code}」が policies にありません")
    return [spec]


def _basic_policies_layout(root: Node, stem: str) -> list[PlanSpec]:
    plan_node = root.get("plan")
    source = root.text("source", required=False)
    plan = PlanSpec(slug=stem, name=plan_node.text("name"), **_period(plan_node),
                    vision=plan_node.text("vision", required=False), source=source, source_file=root.file)
    holder = plan
    specs = [plan]
    if root.has("program"):
        program_node = root.get("program")
        plan.slug = stem.replace("program", "plan") if "program" in stem else f"{stem}-plan"
        holder = PlanSpec(slug=stem, name=program_node.text("name"), kind="program", **_period(program_node),
                          parent_slug=plan.slug, parent_note=plan.name, note=program_node.text("note", required=False),
                          source=source, source_file=root.file)
        categories = [c.text() for c in program_node.get("item_categories", required=False).items()]
        holder.item_categories = categories
        specs.append(holder)
    categories = holder.item_categories
    for a in root.get("basic_policies").items():
        area_code = a.text("id")
        holder.areas.append(AreaSpec(code=area_code, name=a.text("name"), level_name="基本方針"))
        for p in a.get("policies").items():
            code = p.text("id")
            policy = PolicySpec(code=code, name=p.text("name"), area_code=area_code)
            if p.has("item_counts"):
                counts = p.get("item_counts")
                if not isinstance(counts.value, dict):
                    raise counts.error("区分ごとの件数 (mapping) が必要です")
                for category in counts.value:
                    if categories and category not in categories:
                        raise counts.error(f"区分「{category}」は item_categories にありません ({', '.join(categories)})")
                    number = as_number(counts.get(category))
                    if number < 0 or number != int(number):
                        raise counts.get(category).error("件数は 0 以上の整数です")
                    policy.counts.append(CountSpec(count=int(number), category=to_nfc(category)))
            for item in p.get("priority_items", required=False).items():
                policy.measures.append(MeasureSpec(
                    code=item.text("id"), name=item.text("name"), category=PRIORITY,
                    department=item.text("department", required=False),
                    repeat_of=item.text("repeat_of", required=False)))
            holder.policies.append(policy)
    if root.has("published_totals"):
        holder.published_figures = {"item_counts": _plain(root.get("published_totals").value)}
    codes = {m.code for p in holder.policies for m in p.measures}
    for i, p in enumerate(holder.policies):
        for m in p.measures:
            if m.repeat_of and m.repeat_of not in codes:
                raise root.error(f"取組 {m.code} の再掲元 {m.repeat_of} がこのファイルにありません")
    return specs


def _evaluation_layout(root: Node, stem: str) -> list[PlanSpec]:
    policy_node = root.get("policy")
    source = root.text("source", required=False)
    hierarchy = policy_node.get("hierarchy")
    code = policy_node.text("code", required=False)
    if not code:
        match = re.search(r"施策\s*(\d+(?:-\d+)+)", source)
        if not match:
            raise policy_node.error("施策の番号がありません (policy.code、または source に「施策4-2-5」の形で)")
        code = match.group(1)
    parts = code.split("-")
    city = re.match(r"\s*(\S+?[都道府県市区町村])", source)
    plan_name = policy_node.text("plan", required=False) or (f"{city.group(1)}総合計画" if city else "総合計画")
    plan_slug = policy_node.text("plan_slug", required=False) or f"{re.split(r'-policy-', stem)[0]}-comprehensive-plan"
    periods = [{"name": p.text("name"), "year": p.year("year")}
               for p in policy_node.get("periods", required=False).items()]
    evaluation = root.get("evaluation", required=False)
    definitions = {}
    if evaluation.value is not None:
        for key, out in (("progress_grades", "progress"), ("direction_grades", "direction")):
            if evaluation.has(key):
                definitions[out] = {str(k): to_nfc(str(v)) for k, v in evaluation.get(key).value.items()}
    plan = PlanSpec(slug=plan_slug, name=plan_name, kind="comprehensive", periods=periods,
                    grade_definitions=definitions, source=source, source_file=root.file,
                    only_fields=("name", "kind", "periods", "grade_definitions"))
    levels = [("基本政策", "basic_policy"), ("政策", "policy")]
    parent = None
    for depth, (level, key) in enumerate(levels[:len(parts) - 1]):
        area_code = "-".join(parts[:depth + 1])
        plan.areas.append(AreaSpec(code=area_code, name=hierarchy.text(key), level_name=level, parent_code=parent))
        parent = area_code
    policy = PolicySpec(code=code, name=hierarchy.text("measure"), area_code=parent,
                        direct_goal=policy_node.text("direct_goal", required=False),
                        programs=[p.text() for p in policy_node.get("programs", required=False).items()],
                        supplementary=_plain(root.get("supplementary", required=False).value or {}))
    period_names = {p["year"]: p["name"] for p in periods}
    years = []
    for ind in root.get("indicators").items():
        spec = _indicator_basic(ind, ind.text("id"))
        for t in ind.get("period_targets", required=False).items():
            year = t.year("year")
            spec.targets.append(TargetSpec(year=year, value=t.number("value"), kind="period",
                                           label=period_names.get(year, "目標値"), comparison=_comparison(t)))
        yearly = ind.get("yearly", required=False).items()
        for y in yearly:
            year = y.year("year")
            years.append(year)
            if y.has("target"):
                spec.targets.append(TargetSpec(year=year, value=y.number("target"), kind="year",
                                               label=f"{year}年度目標", comparison=_comparison(y)))
            spec.actuals.append(ActualSpec(year=year, value=y.number("actual", required=False)))
        if ind.has("published_result") and spec.actuals:
            latest = max(spec.actuals, key=lambda a: a.year)
            latest.published_status = ind.text("published_result")
        if ind.has("target_revision"):
            _apply_revision(ind.get("target_revision"), spec, periods)
        spec.direction = _direction([t.comparison for t in spec.targets])
        policy.indicators.append(spec)
    if evaluation.value is not None and (evaluation.has("progress_grade") or evaluation.has("direction_grade")):
        year = evaluation.year("year", required=False) or (max(years) if years else None)
        if year is None:
            raise evaluation.error("評価の年度がありません (evaluation.year)")
        progress = evaluation.text("progress_grade", required=False)
        direction = evaluation.text("direction_grade", required=False)
        if progress and progress not in "ABCD":
            raise evaluation.get("progress_grade").error(f"進捗状況 {progress!r} は A–D です")
        if direction and direction not in ("I", "II", "III", "IV"):
            raise evaluation.get("direction_grade").error(f"今後の方向性 {direction!r} は I–IV です")
        policy.evaluations.append(EvaluationSpec(
            year=year, progress_grade=progress, direction_grade=direction, source=source,
            progress_reason=definitions.get("progress", {}).get(progress, ""),
            direction_reason=definitions.get("direction", {}).get(direction, "")))
    plan.policies.append(policy)
    return [plan]


_ORDINAL_REVISION = re.compile(r"(\d+)(?:st|nd|rd|th)\s+period\s+([\d,.]+)\s*(?:→|->)\s*([\d,.]+)")


def _apply_revision(node: Node, spec: IndicatorSpec, periods: list[dict]) -> None:
    """``"<reason>: 2nd period 113,000 → 172,000, 3rd period …"``: the earlier values become
    superseded targets of the 第n期 period; the reason is the text before the colon."""
    text = node.text()
    reason = text.split(":", 1)[0].strip() if ":" in text else text
    found = _ORDINAL_REVISION.findall(text)
    if not found:
        spec.note = "\n".join(x for x in (spec.note, f"目標値の見直し: {text}") if x)
        return
    for ordinal, old, new in found:
        name = f"第{ordinal}期目標"
        year = next((p["year"] for p in periods if p["name"] == name), None)
        target = next((t for t in spec.targets if t.kind == "period" and t.year == year), None)
        if year is None or target is None:
            raise node.error(f"{name} の目標値が period_targets にありません")
        if target.value != Decimal(new.replace(",", "")):
            raise node.error(f"{name} の見直し後の値 {new} が period_targets の {target.value} と違います")
        target.revised_from = Decimal(old.replace(",", ""))
        target.revision_reason = reason


def _goals_layout(root: Node, stem: str) -> list[PlanSpec]:
    plan_node = root.get("plan")
    source = root.text("source", required=False)
    plan = PlanSpec(slug=stem, name=plan_node.text("name"), **_period(plan_node),
                    vision=plan_node.text("vision", required=False),
                    progress_management=plan_node.text("progress_management", required=False),
                    source=source, source_file=root.file)
    specs = [plan]
    if root.has("previous_plan_review"):
        previous = _review(root.get("previous_plan_review"), plan, stem)
        plan.previous_slug = previous.slug
        specs.insert(0, previous)
    for g in root.get("goals").items():
        area_code = g.text("id")
        plan.areas.append(AreaSpec(code=area_code, name=g.text("name"), level_name="基本目標"))
        for p in g.get("policies").items():
            code = p.text("id")
            policy = PolicySpec(code=code, name=p.text("name"), area_code=area_code,
                                short_name=p.text("short", required=False))
            for m in p.get("measures", required=False).items():
                m_code = m.text("id")
                measure = MeasureSpec(code=m_code, name=m.text("name"))
                children = [(PRIORITY, c) for c in m.get("priority", required=False).items()]
                children += [("", c) for c in m.get("items", required=False).items()]
                for n, (category, c) in enumerate(children, start=1):
                    name, detail = _split_detail(c.text())
                    measure.children.append(MeasureSpec(code=f"{m_code}-{n}", name=name, detail=detail,
                                                        category=category))
                policy.measures.append(measure)
            indicator_nodes = (p.get("indicators").items() if p.has("indicators")
                               else [p.get("indicator")] if p.has("indicator") else [])
            for n, ind in enumerate(indicator_nodes, start=1):
                spec = _indicator_basic(ind, ind.text("id", required=False) or
                                        (code if len(indicator_nodes) == 1 else f"{code}-{n}"))
                for t in ind.get("targets").items():
                    spec.targets.append(TargetSpec(year=t.year("year"), value=t.number("value"), kind="period",
                                                   label=t.text("kind", required=False) or "目標値",
                                                   comparison=_comparison(t)))
                spec.direction = _direction([t.comparison for t in spec.targets])
                policy.indicators.append(spec)
            plan.policies.append(policy)
    return specs


def _review(node: Node, plan: PlanSpec, stem: str) -> PlanSpec:
    statuses = [s.text() for s in node.get("statuses").items()]
    previous = PlanSpec(slug=f"{stem}-previous", kind="previous", source=plan.source, source_file=plan.source_file,
                        name=node.text("name", required=False) or f"{plan.name}の前計画（主要事業の評価）",
                        measure_statuses=statuses)
    rows = []
    for i, row in enumerate(node.get("rows").items(), start=1):
        counts = [as_number(c) for c in row.get("counts").items()]
        if len(counts) != len(statuses):
            raise row.get("counts").error(f"件数は状況の数 ({len(statuses)}) だけ必要です")
        total = int(row.number("total"))
        if sum(counts) != total:
            raise row.get("counts").error(f"件数の合計 {sum(counts)} が total {total} と合いません")
        area = AreaSpec(code=str(i), name=row.text("goal"), level_name="目標")
        area.counts = [CountSpec(count=int(c), status=s) for s, c in zip(statuses, counts)]
        previous.areas.append(area)
        rows.append({"goal": area.name, "total": total})
    total_node = node.get("total")
    previous.published_figures = {"review": {
        "statuses": statuses, "rows": rows, "total": int(total_node.number("total")),
        "counts": [int(as_number(c)) for c in total_node.get("counts").items()],
        "percent": [float(as_number(c)) for c in total_node.get("percent", required=False).items()]}}
    return previous
