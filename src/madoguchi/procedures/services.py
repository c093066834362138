"""The procedure guide (手続きガイド): public API of ``madoguchi.procedures``.

* ``install_seed()`` loads the local-government procedures of the Digital Agency's survey (bundled in
  ``data/procedures.parquet``, see ``data/PROVENANCE.md``) plus the city's own procedures (``CITY_PROCEDURES``)
  and marks the ones a designated city offers (``OFFERED``);
* ``search`` / ``filter_procedures`` find procedures the way the catalog finds datasets (``madoguchi.text``);
* ``life_event_guide`` answers 「引越し・転入・子ども 6〜11 歳」 with the procedures to do (``GUIDE_RULES``) and the
  support schemes that may apply (``data/civichat_japan_systemsdata.json``);
* ``answer_for_question`` is the seam the inquiry assistant (#15) uses to route a question to a procedure;
* ``update_procedure`` is how staff change what the city offers; ``offered_online_counts`` feeds the KPI.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from madoguchi.errors import ServiceError
from madoguchi.text import normalize_for_search, search_terms, to_nfc

from .models import Procedure

from .seed import ALIASES, DATA_DIR, OFFERED, SEED_FILE, Offered, install_seed  # noqa: F401  (public API)

SCHEMES_FILE = DATA_DIR / "civichat_japan_systemsdata.json"


class ProcedureError(ServiceError):
    """A procedure request cannot be carried out (``not_found`` 404, ``invalid_parameter`` 400); nothing written."""


# ---------------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------------

#: The guide's life events → the survey's 「手続が行われるイベント(個人)」 values they cover.
LIFE_EVENTS: dict[str, tuple[str, ...]] = {
    "引越し": ("引越し",), "出産": ("妊娠", "出生・こども"), "結婚": ("結婚・離婚",), "離婚": ("結婚・離婚",),
    "死亡": ("死亡・相続",), "介護": ("介護",), "就学": ("出生・こども",), "転職": ("就職・転職",),
}

#: English labels of the guide's life events (the keys stay Japanese: they are the URL and the API value).
LIFE_EVENT_LABELS = {"引越し": _("引越し"), "出産": _("出産"), "結婚": _("結婚"), "離婚": _("離婚"),
                     "死亡": _("死亡"), "介護": _("介護"), "就学": _("就学"), "転職": _("転職")}


def filter_procedures(q: str | None = None, *, life_event: str | None = None, offered_only: bool = False) -> QuerySet:
    """Procedures matching every term of ``q`` (``text.search_terms``: width, kana and case folded as in the
    catalog) in name, law, department or life events; ``life_event`` is a guide event (``LIFE_EVENTS``: 引越し …)
    or a survey event value (出生・こども); unknown values match nothing. Order: offered first, then name hits,
    then the national yearly count (``annual_count``), then id."""
    qs = Procedure.objects.all()
    if offered_only:
        qs = qs.filter(offered=True)
    if life_event:
        values = LIFE_EVENTS.get(life_event, (life_event,))
        cond = Q()
        for v in values:
            cond |= Q(life_events_text__contains=f";{v};")
        qs = qs.filter(cond)
    terms = search_terms(q)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    hits = sum((Case(When(search_name__contains=t, then=Value(1)), default=Value(0), output_field=IntegerField())
                for t in terms), Value(0, output_field=IntegerField()))
    return qs.annotate(name_hits=hits).order_by("-offered", "-name_hits", F("annual_count").desc(nulls_last=True), "pk")


def search(q: str | None = None, *, life_event: str | None = None, offered_only: bool = False,
           limit: int = 50, offset: int = 0) -> list[Procedure]:
    """``filter_procedures(...)[offset:offset + limit]`` as a list."""
    return list(filter_procedures(q, life_event=life_event, offered_only=offered_only)[offset:offset + limit])


def get(pk: int) -> Procedure:
    """The procedure ``pk``; raises ``ProcedureError("not_found")``."""
    try:
        return Procedure.objects.get(pk=pk)
    except (Procedure.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ProcedureError("not_found", f"手続 {pk} はありません") from None


def offered_online_counts() -> tuple[int, int]:
    """``(online, offered)``: procedures this city offers that can be completed online here, and all it offers."""
    offered = Procedure.objects.filter(offered=True)
    return offered.filter(online_here=True).count(), offered.count()


def by_key(key: str) -> Procedure | None:
    """The procedure ``OFFERED[key]`` names (``None`` if not installed or ``key`` is unknown)."""
    spec = OFFERED.get(key)
    if spec is None:
        return None
    qs = Procedure.objects.filter(name=spec.name)
    qs = qs.exclude(survey_id=None) if spec.survey else qs.filter(survey_id=None)
    return qs.order_by("pk").first()


# ---------------------------------------------------------------------------------------------------------------
# Life-event guide
# ---------------------------------------------------------------------------------------------------------------

CHILD_AGES = ("0-2", "3-5", "6-11", "12-14", "15+")
HOUSEHOLDS = ("single", "family")
MOVES = ("in", "out", "within")


@dataclass(frozen=True)
class Rule:
    """When every condition holds, the guide lists ``procedures`` (keys of ``OFFERED``) and ``schemes`` (titles of
    ``data/civichat_japan_systemsdata.json``). Conditions: ``move`` (in/out/within), ``child`` (any of the ages),
    ``household`` (single/family)."""

    event: str
    procedures: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    move: str | None = None
    child: tuple[str, ...] = ()
    household: str | None = None


#: THE table of the life-event guide (the one place that maps answers to procedures). Listed in order; a
#: procedure listed twice appears once. After these, the guide adds the procedures staff offer beyond ``OFFERED``
#: whose survey life events (``LIFE_EVENTS``) match; for the ``OFFERED`` ones this table alone decides.
GUIDE_RULES: tuple[Rule, ...] = (
    Rule("引越し", ("転入届", "国民健康保険", "水道の開始・中止", "粗大ごみ"), move="in"),
    Rule("引越し", ("転出届（マイナンバーカード）", "転出届", "国民健康保険", "水道の開始・中止", "粗大ごみ"), move="out"),
    Rule("引越し", ("転居届", "水道の開始・中止", "粗大ごみ"), move="within"),
    Rule("引越し", ("児童手当",), ("児童手当",), move="in", child=CHILD_AGES[:4]),
    Rule("引越し", ("児童手当（消滅）",), move="out", child=CHILD_AGES[:4]),
    Rule("引越し", ("就学（転校）", "就学校の指定変更"), ("就学援助制度",), child=("6-11", "12-14")),
    Rule("引越し", (), ("一時預かり事業（一時保育）", "乳幼児・子ども医療費助成"), move="in", child=("0-2", "3-5")),
    Rule("引越し", ("世帯変更届",), household="family", move="within"),
    Rule("出産", ("妊娠の届出", "出生届", "児童手当", "国民健康保険"),
         ("出産育児一時金", "妊婦健診費用の助成", "産後ケア事業", "乳幼児・子ども医療費助成", "出産手当金", "育児休業給付")),
    Rule("結婚", ("婚姻届", "転入届", "転居届", "国民健康保険")),
    Rule("離婚", ("離婚届", "国民健康保険", "転居届"), ("母子父子寡婦福祉資金貸付", "ひとり親家庭等日常生活支援事業")),
    Rule("離婚", ("児童手当",), ("児童扶養手当", "ひとり親家庭等生活向上事業"), child=CHILD_AGES),
    Rule("死亡", ("死亡届", "世帯変更届", "国民健康保険")),
    Rule("死亡", ("児童手当（消滅）",), child=CHILD_AGES[:4]),
    Rule("介護", ("要介護認定", "介護保険"),
         ("地域包括支援センター", "介護保険サービス（在宅サービス）", "介護保険サービス（福祉用具の購入・貸与）", "高額介護サービス費等",
          "介護休業給付")),
    Rule("就学", ("就学（転校）", "就学校の指定変更"), ("就学援助制度",)),
    Rule("就学", (), ("高等学校等就学支援金・高校生等奨学給付金",), child=("12-14", "15+")),
    Rule("転職", ("国民健康保険",), ("雇用保険失業給付（基本手当）", "求職者支援制度", "教育訓練給付", "国民年金保険料の免除制度・納付猶予制度")),
    Rule("転職", (), ("マザーズハローワーク",), child=("0-2", "3-5")),
)


@dataclass
class GuideItem:
    procedure: Procedure
    key: str = ""  # the OFFERED key when a rule named it, else "" (matched by survey life event)


@dataclass
class GuideResult:
    """``life_event_guide``'s answer: ``items`` (online-here procedures first, then the rules' order, then other
    offered procedures of the event), ``schemes`` (support schemes: dicts of title, summary, target, how,
    contact, url) and the normalised ``answers`` ({household, children: [ages], move})."""

    event: str
    answers: dict
    items: list[GuideItem] = field(default_factory=list)
    schemes: list[dict] = field(default_factory=list)


def clean_answers(answers: dict) -> dict:
    """``{household, children, move}`` from raw answers (a QueryDict or dict; unknown values dropped).
    ``children`` may be a list or one value; 「none」 or empty means no children."""
    getlist = answers.getlist if hasattr(answers, "getlist") else (
        lambda k: answers.get(k) if isinstance(answers.get(k), (list, tuple)) else [answers.get(k)])
    children = [c for c in getlist("children") if c in CHILD_AGES]
    household = answers.get("household")
    move = answers.get("move")
    return {"household": household if household in HOUSEHOLDS else None,
            "children": sorted(set(children), key=CHILD_AGES.index), "move": move if move in MOVES else None}


def _rule_applies(rule: Rule, answers: dict) -> bool:
    if rule.move and answers["move"] and answers["move"] != rule.move:  # no answer: every kind of move
        return False
    if rule.child and not set(rule.child) & set(answers["children"]):
        return False
    if rule.household and answers["household"] != rule.household:
        return False
    return True


@functools.cache
def _schemes() -> dict[str, dict]:
    data = json.loads(SCHEMES_FILE.read_text(encoding="utf-8"))["systemsData"]
    return {s["タイトル（制度名）"]: {"title": s["タイトル（制度名）"], "summary": s.get("概要") or "",
                                  "target": s.get("対象者") or "", "how": s.get("利用•申請方法") or "",
                                  "contact": s.get("お問い合わせ先") or "", "url": s.get("詳細参照先") or ""} for s in data}


def life_event_guide(event: str, answers: dict) -> GuideResult:
    """The procedures and support schemes for ``event`` (a key of ``LIFE_EVENTS``) given ``answers``
    (``clean_answers``); raises ``ProcedureError("not_found", param="event")`` for an unknown event.

    Only procedures the city offers are listed. Rules naming a procedure not installed are skipped.
    """
    if event not in LIFE_EVENTS:
        raise ProcedureError("not_found", f"ライフイベント「{event}」はありません", param="event")
    answers = clean_answers(answers)
    result = GuideResult(event=event, answers=answers)
    seen: set[int] = set()
    scheme_titles: list[str] = []
    for rule in GUIDE_RULES:
        if rule.event != event or not _rule_applies(rule, answers):
            continue
        for key in rule.procedures:
            p = by_key(key)
            if p is not None and p.offered and p.pk not in seen:
                seen.add(p.pk)
                result.items.append(GuideItem(p, key))
        scheme_titles += [t for t in rule.schemes if t not in scheme_titles]
    curated = {spec.name for spec in OFFERED.values()}  # GUIDE_RULES alone decides for these
    for p in filter_procedures(life_event=event, offered_only=True):
        if p.pk not in seen and p.name not in curated:
            seen.add(p.pk)
            result.items.append(GuideItem(p))
    result.items.sort(key=lambda item: not item.procedure.online_here)  # stable: online first, rule order kept
    schemes = _schemes()
    result.schemes = [schemes[t] for t in scheme_titles if t in schemes]
    return result


# ---------------------------------------------------------------------------------------------------------------
# Inquiry routing (#15 seam)
# ---------------------------------------------------------------------------------------------------------------

def answer_for_question(text: str | None) -> Procedure | None:
    """The offered procedure a typed question is clearly about, or ``None``.

    Strong matches only: the question contains an offered procedure's full name, a key of ``OFFERED``
    (転入届, 児童手当 …) or an alias of ``ALIASES`` (引っ越し, 住所変更 …), compared after
    ``normalize_for_search`` (so 「ﾃﾝﾆｭｳ」 forms and full-width text match too).
    """
    question = normalize_for_search(text)
    if len(question) < 2:
        return None
    for p in Procedure.objects.filter(offered=True).exclude(search_name="").order_by("pk"):
        if p.search_name and p.search_name in question:
            return p
    candidates = [(k, k) for k in sorted(OFFERED, key=len, reverse=True)] + list(ALIASES)
    for word, key in candidates:
        if normalize_for_search(word) in question:
            p = by_key(key)
            if p is not None and p.offered:
                return p
    return None


# ---------------------------------------------------------------------------------------------------------------
# Staff edits
# ---------------------------------------------------------------------------------------------------------------

EDITABLE = ("offered", "online_here", "online_url", "department", "how_to_apply", "bring", "fee")


def update_procedure(procedure: Procedure, **changes) -> Procedure:
    """Change what staff may change (``EDITABLE``) and save; raises ``ProcedureError("invalid_parameter",
    param=…)`` for an unknown field, an ``online_url`` that is neither a site path (``/…``) nor ``https://…``,
    or ``online_here`` without an ``online_url``. Text is stored NFC."""
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ProcedureError("invalid_parameter", f"「{name}」は変更できません", param=name)
        if isinstance(value, str):
            value = to_nfc(value.strip())
        setattr(procedure, name, value)
    url = procedure.online_url
    if url and not (url.startswith("/") and not url.startswith("//") or url.startswith("https://")):
        raise ProcedureError("invalid_parameter", "オンライン申請の URL は「/」または「https://」で始めてください",
                             param="online_url")
    if procedure.online_here and not url:
        raise ProcedureError("invalid_parameter", "オンラインで完結できる手続には、オンライン申請の URL を入力してください",
                             param="online_url")
    procedure.save()
    return procedure
