"""Seed data of the procedure guide: the survey's local-government procedures and the city's own ones.

``data/procedures.parquet`` holds the 13,046 rows of the Digital Agency's survey (行政手続等の棚卸調査) received by
local governments (see ``data/PROVENANCE.md``); ``OFFERED`` is what a designated city offers and how; ``ALIASES``
are the everyday words for them (the inquiry assistant's routing). Public through ``services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from madoguchi.text import to_nfc

from .models import Procedure

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_FILE = DATA_DIR / "procedures.parquet"


# ---------------------------------------------------------------------------------------------------------------
# Seed data
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Offered:
    """One procedure a designated city offers: ``name`` is the survey's 手続名 (exact) or, when ``survey`` is
    False, the name of a procedure the city itself runs (created by ``install_seed`` with ``survey_id`` null)."""

    name: str
    department: str
    how_to_apply: str = ""
    bring: str = ""
    fee: str = ""
    survey: bool = True
    online_here: bool = False
    online_url: str = ""
    law: str = ""
    life_events: tuple[str, ...] = ()
    processing_time: str = ""


#: The procedures a designated city (the reference user, DESIGN.md §1) offers at its counters, keyed by the short
#: name people use (also the aliases ``answer_for_question`` matches first). ``install_seed`` marks them
#: ``offered=True`` when it creates them — afterwards staff decide (``/staff/procedures/``), a second install never
#: overrides them. Survey rows keep their survey data; department / how_to_apply / bring / fee are filled here
#: because the survey has no city's department and its attachment column is coarse (転入届: 「資格証明書」).
#: ``survey=False`` rows are procedures the survey has no citizen-facing row for, run by the city itself.
OFFERED: dict[str, Offered] = {
    "転入届": Offered("新たに市町村の区域内に住所を定めた者の転入届出", "区役所 区民課",
                   "転入した日から14日以内に、お住まいの区の区役所 区民課の窓口へ。",
                   "転出証明書（マイナンバーカードで転出届をした方は不要）、本人確認書類、マイナンバーカード（お持ちの方）"),
    "転出届": Offered("転出届（第24条の２第1項及び第２項の規定の適用を受ける場合を除く。）", "区役所 区民課",
                   "引越しの前（転出予定日の14日前から）に、区役所 区民課の窓口または郵送で。",
                   "本人確認書類、国民健康保険証など返却が必要なもの"),
    "転出届（マイナンバーカード）": Offered(
        "転出届（第24条の２第1項及び第２項の規定の適用を受ける場合）", "区役所 区民課",
        "マイナンバーカードをお持ちの方は、マイナポータルからオンラインで転出届ができます（転出証明書は不要）。",
        "マイナンバーカード"),
    "転居届": Offered("市町村の区域内で住所変更した者の転居届出", "区役所 区民課",
                   "市内で引越しした日から14日以内に、区役所 区民課の窓口へ。", "本人確認書類、マイナンバーカード（お持ちの方）"),
    "世帯変更届": Offered("世帯又は世帯主の変更に関する届出", "区役所 区民課",
                     "変更があった日から14日以内に、区役所 区民課の窓口へ。", "本人確認書類"),
    "出生届": Offered("戸籍の届出（出生）", "区役所 区民課 戸籍係",
                   "生まれた日を含めて14日以内に、出生地・本籍地・住所地のいずれかの市区町村へ。",
                   "出生届（出生証明書の記入されたもの）、母子健康手帳"),
    "妊娠の届出": Offered("妊娠の届出", "区役所 地域みまもり支援センター",
                     "妊娠がわかったら、区役所の地域みまもり支援センターへ。母子健康手帳を交付します。",
                     "妊娠届出書、マイナンバーカードまたは通知カードと本人確認書類"),
    "婚姻届": Offered("戸籍の届出（婚姻）", "区役所 区民課 戸籍係",
                   "本籍地または住所地の市区町村の窓口へ（夜間・休日は時間外受付）。",
                   "婚姻届（成人の証人2名の署名のあるもの）、本人確認書類"),
    "離婚届": Offered("戸籍の届出（離婚）", "区役所 区民課 戸籍係",
                   "本籍地または住所地の市区町村の窓口へ。調停・裁判離婚は成立から10日以内。",
                   "離婚届、本人確認書類（調停・裁判の場合は調書の謄本など）"),
    "死亡届": Offered("戸籍の届出（死亡）", "区役所 区民課 戸籍係",
                   "死亡の事実を知った日から7日以内に、死亡地・本籍地・届出人の住所地の市区町村へ。",
                   "死亡届（死亡診断書の記入されたもの）"),
    "児童手当": Offered("児童手当の認定の請求", "区役所 地域みまもり支援センター（児童手当担当）",
                    "出生・転入の日の翌日から15日以内に請求してください（遅れると遅れた月分はもらえません）。",
                    "請求者名義の預金通帳またはキャッシュカード、マイナンバーのわかるもの、本人確認書類"),
    "児童手当（消滅）": Offered("児童手当受給事由消滅の届出", "区役所 地域みまもり支援センター（児童手当担当）",
                        "市外への転出などで受給資格がなくなったら届け出てください。", "本人確認書類"),
    "国民健康保険": Offered("国民健康保険の加入・脱退の届出", "区役所 保険年金課",
                      "加入・脱退の理由があった日から14日以内に、区役所 保険年金課の窓口へ。",
                      "本人確認書類、マイナンバーのわかるもの、（脱退時）新しい健康保険の資格確認書など",
                      survey=False, law="国民健康保険法 第9条", life_events=("引越し", "就職・転職", "結婚・離婚", "出生・こども"),
                      processing_time="即日"),
    "介護保険": Offered("介護保険被保険者証の交付申請", "区役所 高齢・障害課",
                    "区役所 高齢・障害課の窓口へ。", "本人確認書類、マイナンバーのわかるもの"),
    "要介護認定": Offered("要介護・要支援認定の申請", "区役所 高齢・障害課",
                     "区役所 高齢・障害課または地域包括支援センターへ。申請後、認定調査があり、結果は原則30日以内に通知します。",
                     "介護保険被保険者証、主治医の氏名・医療機関名がわかるもの", survey=False,
                     law="介護保険法 第27条", life_events=("介護",), processing_time="30日"),
    "就学（転校）": Offered("小・中学校の転入学（転校）の手続", "教育委員会 学事課",
                       "転入届・転居届のときに区役所 区民課で「入学通知書」を受け取り、指定された学校へ持参してください。",
                       "在学証明書・教科書給与証明書（前の学校で発行）", survey=False,
                       law="学校教育法施行令 第5条", life_events=("引越し", "出生・こども"), processing_time="即日"),
    "就学校の指定変更": Offered("就学校の指定変更の申立", "教育委員会 学事課",
                        "指定された学校以外への通学を希望するときに、教育委員会 学事課へ。", "申立書、理由を確認できる書類"),
    "水道の開始・中止": Offered("水道の使用開始・中止の届出", "上下水道局 お客さまセンター",
                        "使用開始・中止の3日前までに、上下水道局 お客さまセンターへ電話またはインターネットで。",
                        "お客さま番号（検針票に記載）", survey=False, life_events=("引越し", "住宅の購入・保有"),
                        online_here=False),
    "粗大ごみ": Offered("粗大ごみ収集の申込", "環境局 収集課",
                    "インターネット（24時間）または粗大ごみ受付センターへ電話で申し込み、粗大ごみ処理券を貼って収集日の朝に出してください。",
                    "粗大ごみ処理券（品目ごとの手数料分）", fee="品目ごとに 200〜1,000 円（粗大ごみ処理券）", survey=False,
                    online_here=True, online_url="/procedures/bulky-waste/", law="廃棄物の処理及び清掃に関する法律 第6条の2",
                    life_events=("引越し",), processing_time="申込から1〜2週間程度"),
}

#: More words people use for a procedure (``answer_for_question``), beyond its key in ``OFFERED``. Checked in
#: order; the more specific phrases first (「市内で引っ越」 is 転居届, a bare 「引っ越」 is 転入届).
ALIASES: tuple[tuple[str, str], ...] = (
    ("市内で引っ越", "転居届"), ("市内で引越", "転居届"), ("市内転居", "転居届"), ("住所変更", "転居届"), ("転居", "転居届"),
    ("市外へ引っ越", "転出届"), ("市外に引っ越", "転出届"), ("市外へ引越", "転出届"), ("転出", "転出届"),
    ("引っ越", "転入届"), ("引越", "転入届"), ("転入", "転入届"),
    ("赤ちゃんが生まれ", "出生届"), ("出生", "出生届"), ("母子手帳", "妊娠の届出"), ("母子健康手帳", "妊娠の届出"),
    ("結婚", "婚姻届"), ("婚姻", "婚姻届"), ("離婚", "離婚届"), ("亡くな", "死亡届"),
    ("国保", "国民健康保険"), ("国民健康保険", "国民健康保険"), ("要介護", "要介護認定"), ("介護認定", "要介護認定"),
    ("転校", "就学（転校）"), ("転入学", "就学（転校）"), ("水道の開始", "水道の開始・中止"), ("水道の中止", "水道の開始・中止"),
    ("水道の使用", "水道の開始・中止"), ("粗大ごみ", "粗大ごみ"), ("粗大ゴミ", "粗大ごみ"),
)


def _strip_code(value: str | None) -> str:
    """「3 地方等」 → 「地方等」, 「1-1 行政機関の窓口; 2-1 ペイジー」 → 「行政機関の窓口、ペイジー」 (the survey's codes)."""
    if not value:
        return ""
    parts = []
    for part in str(value).split(";"):
        part = part.strip()
        head, _sep, rest = part.partition(" ")
        parts.append(rest if rest and head.replace("-", "").isdigit() else part)
    return "、".join(p for p in parts if p)


def _survey_rows(skip_ids: set[str]) -> list[dict]:
    """The bundled survey rows whose 手続ID is not in ``skip_ids`` (reads only the id column when none is new)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ids = pq.read_table(SEED_FILE, columns=["手続ID"]).column(0)
    if all(i in skip_ids for i in ids.to_pylist()):
        return []
    table = pq.read_table(SEED_FILE)
    known = pa.array(sorted(skip_ids), type=table["手続ID"].type)
    return table.filter(pc.invert(pc.is_in(table["手続ID"], value_set=known))).to_pylist()


def _from_survey(row: dict) -> Procedure:
    fee_flag = _strip_code(row.get("手数料等の納付有無"))
    fee_how = _strip_code(row.get("手数料等の納付方法"))
    fee = {"手数料等無し": "手数料なし", "手数料等有り": "手数料あり"}.get(fee_flag, fee_flag)
    where = _strip_code(row.get("申請を提出する機関"))
    events = [e.strip() for e in (row.get("手続が行われるイベント(個人)") or "").split(";") if e.strip()]
    attachments = _strip_code(row.get("申請時に添付させる書類"))
    p = Procedure(
        survey_id=row["手続ID"], name=to_nfc(row["手続名"] or "")[:500],
        law=to_nfc(" ".join(x for x in (row.get("法令名"), row.get("根拠条項号")) if x))[:500],
        receiver=_strip_code(row.get("手続の受け手"))[:100], online_status=_strip_code(row.get("オンライン化の実施状況"))[:100],
        how_to_apply=f"提出先: {where}" if where else "", fee=f"{fee}（{fee_how}）" if fee and fee_how else fee,
        bring="" if attachments in ("添付書類なし", "") else attachments,
        processing_time=(row.get("処理期間(非オンライン)") or row.get("処理期間(オンライン)") or "")[:200],
        life_events=events, annual_count=row.get("総手続件数"))
    p.refresh_search_text()
    return p


def install_seed() -> int:
    """Install the survey's local-government procedures and the city's own ones; return how many were created.

    Idempotent: rows whose ``survey_id`` (or, for the city's own, ``name``) exists are left as staff left them;
    ``OFFERED`` marks only rows created now. About 2 s for the 13,046 survey rows on SQLite.
    """
    existing = set(Procedure.objects.exclude(survey_id=None).values_list("survey_id", flat=True))
    offered_by_name = {o.name: o for o in OFFERED.values() if o.survey}
    new: list[Procedure] = []
    for row in _survey_rows(existing):
        p = _from_survey(row)
        spec = offered_by_name.get(p.name)
        if spec:
            p.offered = True
            for attr in ("department", "how_to_apply", "bring", "fee", "online_url"):
                if getattr(spec, attr):
                    setattr(p, attr, getattr(spec, attr))
            p.online_here = spec.online_here
        new.append(p)
    city_names = set(Procedure.objects.filter(survey_id=None).values_list("name", flat=True))
    for spec in OFFERED.values():
        if spec.survey or spec.name in city_names:
            continue
        p = Procedure(survey_id=None, name=spec.name, law=spec.law, department=spec.department, receiver="市",
                      online_status="実施済" if spec.online_here else "", offered=True, online_here=spec.online_here,
                      online_url=spec.online_url, how_to_apply=spec.how_to_apply, fee=spec.fee or "手数料なし",
                      bring=spec.bring, processing_time=spec.processing_time, life_events=list(spec.life_events))
        p.refresh_search_text()
        new.append(p)
    with transaction.atomic():
        Procedure.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)
