"""Detectors of personal data in a typed table (one function per kind).

Each detector looks at the DISTINCT values of one ``TypedColumn`` (fast: a
column of a million rows usually has far fewer distinct texts) and returns the
indexes of the offending distinct values; ``services.scan_table`` maps them
back to file rows. Kinds and their rules:

``my_number`` (blocking)
    個人番号 (マイナンバー): 12 digits, optionally grouped 4-4-4 by hyphens or
    spaces, whose last digit is the check digit defined by
    行政手続における特定の個人を識別するための番号の利用等に関する法律施行規則
    (平成26年内閣府・総務省令第3号) 第1条 (see ``my_number_check_digit``).
    13-digit 法人番号 and longer digit runs never match (digit boundaries).
    About 1 in 11 random 12-digit codes (building codes, 地番 IDs …) passes the
    check by chance, so a column is flagged when at least half of its 12-digit
    values are valid, or when a valid number follows the words マイナンバー /
    個人番号 in a cell.
``email`` (blocking; ``info`` for public bodies)
    Any e-mail address. Addresses at domains of public bodies — ``*.lg.jp``
    (地方公共団体, LGWAN-ASP/総合行政ネットワーク domain) and ``*.go.jp``
    (government ministries and agencies) — are organisational mailboxes and
    are reported as ``info`` (not blocking).
``personal_phone`` (blocking)
    Numbers for individuals' terminals under the 電気通信番号計画 (総務省告示):
    mobile/PHS ``070``/``080``/``090`` + 8 digits and ``020`` (M2M/pager)
    + 8 digits. Fixed-line numbers (facility landlines) and ``050`` (IP phone,
    mostly business) are not flagged.
``personal_name`` (blocking)
    Person names found by their VALUES, in any string column (the column's
    name does not matter), in a table that also has an address (住所/所在地)
    or birth-date (生年月日) column: name + address (or birth date) singles
    out a person. A distinct value is a person name when (``classify_name``)
    it is not an organisation or a place (株式会社, (株), 医療法人, 組合, 店,
    食堂, 園, 館, 病院, 薬局, 神社, 公園, 〜市/町/区 … ``ORGANISATION_RE``) and
    either it is written "姓 名" (1–4 kanji, a half/full-width space, 1–4
    kanji/kana) with SudachiPy tagging the first part 人名-姓 or the second
    人名-名, or it is written without a space and SudachiPy reads it as
    exactly 人名-姓 followed by 人名-名. A candidate of that shape that
    SudachiPy does not know still counts when the row's reading column (a
    kana column next to it, e.g. フリガナ) holds a two-part kana reading.
    The column is flagged when person names are a noticeable share of its
    distinct values — at least ``MIN_NAME_SHARE`` (3 %) and ``MIN_NAME_VALUES``
    (3) of them, or a majority — so that a permit list mixing companies and
    sole proprietors is caught (threshold chosen with ``benchmarks/privacy.py``).
    The reading column of a flagged column is flagged too (a reading names
    the same person). Decided on a sample of ``NAME_SAMPLE`` candidates.
``birth_date`` (blocking)
    A column named 生年月日 (or 誕生日) with values.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

BLOCKING_KINDS = ("my_number", "email", "personal_phone", "personal_name", "birth_date")
KIND_LABELS = {
    "my_number": "個人番号（マイナンバー）",
    "email": "メールアドレス",
    "personal_phone": "個人の電話番号（携帯電話・PHS）",
    "personal_name": "個人の氏名（住所・生年月日と組み合わせ）",
    "birth_date": "生年月日",
}

MY_NUMBER_RE = re.compile(r"(?<![0-9])([0-9]{4})[-‐−–\s]?([0-9]{4})[-‐−–\s]?([0-9]{4})(?![0-9])")
MY_NUMBER_CONTEXT_RE = re.compile(r"(マイナンバー|個人番号)\D{0,6}$")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
PUBLIC_BODY_DOMAIN_RE = re.compile(r"(^|\.)(lg|go)\.jp$", re.IGNORECASE)
PERSONAL_PHONE_RE = re.compile(r"(?<![0-9])(0[2789]0)[-‐−–\s()（）]*([0-9]{4})[-‐−–\s()（）]*([0-9]{4})(?![0-9])")
ADDRESS_COLUMN_RE = re.compile(r"住所|所在地|居所|address", re.IGNORECASE)
BIRTH_COLUMN_RE = re.compile(r"生年月日|誕生日|birth", re.IGNORECASE)
ORGANISATION_PATTERN = (
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|\(同\)|\(医\)|\(福\)|\(社\)|\(財\)|㈱|㈲|"
    r"法人|財団|社団|協会|協議会|組合|連合|公社|事業団|生協|農協|漁協|会社|"
    r"病院|医院|クリニック|診療所|歯科|薬局|薬品|調剤|学校|大学|学園|学院|保育|幼稚園|こども園|センター|事務所|事業所|"
    r"商店|商会|商事|食堂|食品|工業|工務|建設|産業|興業|物産|水産|製作所|"
    r"居酒屋|割烹|小料理|料理|料亭|喫茶|鮨|寿司|酒場|焼肉|焼鳥|食事処|旅館|民宿|弁当|"
    r"公園|神社|寺$|教会|公民館|図書館|体育館|集会所|会館|自治会|町内会|避難|支所|出張所|大字|小字|^字 |丁目|番地|"
    r"[店屋園館堂院所場署局舎荘亭庵社会部港駅橋]$|"
    r"[都道府県市区町村]$|[都道府県市区町村]長|役所|役場|庁|省|委員会|機構|団体|グループ|ホールディングス|"
    r"inc\.?|ltd\.?|co\.,|corporation|company")
ORGANISATION_RE = re.compile(ORGANISATION_PATTERN, re.IGNORECASE)
# Shapes of a person's name after NFKC (the full-width space U+3000 becomes " "); RE2- and ``re``-compatible.
_HAN = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff々〆ヶ"
_KANA = "\u3041-\u309f\u30a1-\u30ff"
SPACED_NAME_PATTERN = f"^[{_HAN}]{{1,4}} +[{_HAN}{_KANA}]{{1,4}}$"  # 「姓　名」「姓 名」
COMPACT_NAME_PATTERN = f"^[{_HAN}]{{2,4}}[{_HAN}{_KANA}]{{1,4}}$"  # 「姓名」 (SudachiPy decides)
NAME_SHAPE_PATTERN = f"{SPACED_NAME_PATTERN}|{COMPACT_NAME_PATTERN}"
SPACED_NAME_RE = re.compile(SPACED_NAME_PATTERN)
NAME_SHAPE_RE = re.compile(NAME_SHAPE_PATTERN)
READING_RE = re.compile(f"^[{_KANA}]{{1,10}} +[{_KANA}]{{1,10}}$")  # 「ヤマダ　タロウ」
KANA_RE = re.compile(f"^[{_KANA} ]+$")
# 異体字 in family names (髙橋, 山﨑 …) → the forms SudachiPy's dictionary knows (for the lookup only)
ITAIJI = str.maketrans("髙﨑濵濱德眞邉邊齋齊櫻廣澤嶋國惠龜條", "高崎浜浜徳真辺辺斎斉桜広沢島国恵亀条")
NAME_SAMPLE = 400  # candidates classified to decide a column; all are classified only once it is flagged
MIN_NAME_SHARE = 0.03  # share of distinct values that are person names (benchmarks/privacy.py: 0 false flags
# down to 1 %; the most person-like negative column, 屋号 of the bundled permit list, has 0.2 %)
MIN_NAME_VALUES = 3  # … and at least this many of them (below: only a majority of person names flags)
MAJORITY_NAME_SHARE = 0.5
MIN_READING_SHARE = 0.5  # share of a column's values that are kana for it to be a reading column
MIN_MY_NUMBER_SHARE = 0.5


def nfkc(value) -> str:
    return unicodedata.normalize("NFKC", str(value))


def my_number_check_digit(first11: str) -> int:
    """Check digit of a 個人番号 from its first 11 digits.

    施行規則 第1条: with Pn the n-th digit counted from the LOWEST of the 11
    (n = 1 … 11) and Qn = n + 1 (1 ≤ n ≤ 6), n − 5 (7 ≤ n ≤ 11),
    r = Σ Pn × Qn mod 11; the check digit is 0 when r ≤ 1, else 11 − r.

    >>> my_number_check_digit("12345678901")
    8
    """
    if len(first11) != 11 or not first11.isdigit():
        raise ValueError(f"11 digits expected, got {first11!r}")
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


def is_valid_my_number(digits: str) -> bool:
    """True for 12 digits whose last one is the 施行規則 第1条 check digit."""
    return len(digits) == 12 and digits.isdigit() and my_number_check_digit(digits[:11]) == int(digits[11])


def mask(text: str, keep: int = 4) -> str:
    """``"123456789018"`` → ``"********9018"`` (all but the last ``keep`` characters)."""
    text = str(text)
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[len(text) - keep:]  # not text[-keep:]: keep=0 would show it all


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1)


def my_number_share(values: list) -> float:
    """Share of the 12-digit tokens in ``values`` that have a valid check digit (0.0 when none)."""
    tokens = [("".join(m.groups())) for v in values if v is not None
              for m in MY_NUMBER_RE.finditer(nfkc(v))]
    return sum(map(is_valid_my_number, tokens)) / len(tokens) if tokens else 0.0


def find_my_numbers(values: list) -> tuple[list[int], list[str]]:
    """Indexes of values holding a 個人番号, and masked examples (column rule above)."""
    candidates: dict[int, list[tuple[str, bool]]] = {}
    n_tokens = n_valid = 0
    for i, value in enumerate(values):
        if value is None or isinstance(value, float):
            continue
        text = nfkc(value)
        if len(text) < 12:
            continue
        for m in MY_NUMBER_RE.finditer(text):
            digits = "".join(m.groups())
            valid = is_valid_my_number(digits)
            context = bool(MY_NUMBER_CONTEXT_RE.search(text[:m.start()]))
            n_tokens += 1
            n_valid += valid
            if valid:
                candidates.setdefault(i, []).append((digits, context))
    if not candidates:
        return [], []
    column_like = n_valid / n_tokens >= MIN_MY_NUMBER_SHARE
    hits = [i for i, found in candidates.items() if column_like or any(ctx for _, ctx in found)]
    return hits, [mask(candidates[i][0][0]) for i in hits[:3]]


def find_emails(values: list) -> tuple[list[int], list[str], list[int], list[str]]:
    """``(personal indexes, masked examples, public-body indexes, examples)``."""
    personal, personal_ex, public, public_ex = [], [], [], []
    for i, value in enumerate(values):
        if value is None or not isinstance(value, str) or "@" not in value:
            continue
        addresses = [m.group(0) for m in EMAIL_RE.finditer(nfkc(value))]
        if not addresses:
            continue
        private = [a for a in addresses if not PUBLIC_BODY_DOMAIN_RE.search(a.rpartition("@")[2])]
        if private:
            personal.append(i)
            if len(personal_ex) < 3:
                personal_ex.append(mask_email(private[0]))
        else:
            public.append(i)
            if len(public_ex) < 3:
                public_ex.append(addresses[0])
    return personal, personal_ex, public, public_ex


def find_personal_phones(values: list) -> tuple[list[int], list[str]]:
    hits, examples = [], []
    for i, value in enumerate(values):
        if value is None or not isinstance(value, str):
            continue
        m = PERSONAL_PHONE_RE.search(nfkc(value))
        if m:
            hits.append(i)
            if len(examples) < 3:
                examples.append(f"{m.group(1)}-****-{m.group(3)}")
    return hits, examples


@lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary()


_local = threading.local()


def _tokenizer():
    """One SudachiPy tokenizer per thread (a tokenizer must not be used by two threads at once)."""
    if not hasattr(_local, "tokenizer"):
        from sudachipy import SplitMode

        _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return _local.tokenizer


def _pos(token) -> tuple[str, ...]:
    return tuple(token.part_of_speech()[:4])


def _is_tag(tokens, tag: str) -> bool:
    """One SudachiPy token tagged 名詞-固有名詞-人名-``tag`` (姓 / 名)."""
    return len(tokens) == 1 and _pos(tokens[0])[1:] == ("固有名詞", "人名", tag)


@lru_cache(maxsize=65536)
def classify_name(value: str) -> str:
    """``"person"``, ``"candidate"`` (a name's shape SudachiPy does not confirm), ``"organisation"`` or ``"other"``.

    Rules (after NFKC): organisation words and place suffixes (``ORGANISATION_RE``) → organisation;
    「姓　名」 (``SPACED_NAME_PATTERN``) → person when SudachiPy tags the first part 人名-姓, or the
    second 人名-名 and the first is no common noun or place (「和食　宏」 is a shop); 「姓名」 without a space → person when SudachiPy reads exactly 姓 then 名 (one or
    more 名 tokens). Other values of those shapes are candidates (a reading column can confirm them).
    """
    text = nfkc(value).strip()
    if not text or len(text) > 30:
        return "other"
    if ORGANISATION_RE.search(text):
        return "organisation"
    if not NAME_SHAPE_RE.match(text):
        return "other"
    tokenize = _tokenizer().tokenize
    text = text.translate(ITAIJI)
    if SPACED_NAME_RE.match(text):
        family, given = text.split()
        family_tokens = tokenize(family)
        if _is_tag(family_tokens, "姓"):
            return "person"
        # 「和食　宏」: a given name after a common noun is a shop's name (屋号)
        if _is_tag(tokenize(given), "名") and not any(_pos(t)[1] == "普通名詞"
                                                     for t in family_tokens):
            return "person"
        return "candidate"
    tokens = [_pos(t) for t in tokenize(text)]
    if len(tokens) >= 2 and tokens[0][1:] == ("固有名詞", "人名", "姓") and \
            all(t[1:] == ("固有名詞", "人名", "名") for t in tokens[1:]):
        return "person"
    return "candidate" if any(t[1:3] == ("固有名詞", "人名") for t in tokens) else "other"


def looks_like_person(name: str) -> bool:
    """True when ``name`` reads as a person's name, not an organisation (``classify_name`` says person).

    >>> looks_like_person("山田　太郎"), looks_like_person("山田太郎"), looks_like_person("山田商店")
    (True, True, False)
    """
    return isinstance(name, str) and classify_name(name) == "person"


def is_reading(value) -> bool:
    """A two-part kana reading of a person's name: 「ヤマダ　タロウ」, 「やまだ たろう」."""
    return isinstance(value, str) and bool(READING_RE.match(nfkc(value).strip()))


def looks_like_reading_column(values: list) -> bool:
    """True when most (``MIN_READING_SHARE``) of the non-empty ``values`` are kana only (a フリガナ column)."""
    present = [nfkc(v).strip() for v in values if isinstance(v, str) and v.strip()]
    return bool(present) and sum(bool(KANA_RE.match(v)) for v in present) / len(present) >= MIN_READING_SHARE


def name_column_flagged(n_persons: int, n_values: int) -> bool:
    """The column rule: person names are ≥ ``MIN_NAME_SHARE`` of ``n_values`` distinct values and at least
    ``MIN_NAME_VALUES`` of them, or a majority (``MAJORITY_NAME_SHARE``) however few."""
    if n_values <= 0 or n_persons <= 0:
        return False
    share = n_persons / n_values
    return (n_persons >= MIN_NAME_VALUES and share >= MIN_NAME_SHARE) or share >= MAJORITY_NAME_SHARE


def find_person_names(values: list, *, n_values: int | None = None,
                      readings: dict[int, str] | None = None) -> tuple[list[int], list[str]]:
    """Indexes of the person names among ``values`` when the column is flagged (else ``([], [])``).

    :param values: distinct values of a column (``str | None``); may be only the name-shaped candidates
        of a larger column, then ``n_values`` is the column's number of distinct non-empty values
    :param readings: ``{index into values: the row's reading (フリガナ) text}`` — a two-part kana
        reading confirms a candidate SudachiPy does not know
    :returns: ``(indexes, masked examples (≤ 3, mask_name))``. The share is estimated on a systematic
        sample of ``NAME_SAMPLE`` values; every value is classified only once the column is flagged, and
        then the 「姓　名」-shaped candidates are returned too (the column is known to list persons).
    """
    readings = readings or {}
    present = [(i, v) for i, v in enumerate(values) if isinstance(v, str) and v.strip()]
    if not present:
        return [], []
    total = n_values if n_values is not None else len(present)

    def person(i: int, v: str) -> bool:
        kind = classify_name(v)
        return kind == "person" or (kind == "candidate" and is_reading(readings.get(i)))

    step = max(1, len(present) // NAME_SAMPLE)
    sample = present[::step]
    sampled_hits = [i for i, v in sample if person(i, v)]
    estimate = round(len(sampled_hits) * len(present) / len(sample))
    if not name_column_flagged(estimate, total):
        return [], []
    hits = [i for i, v in present if person(i, v)] if step > 1 else sampled_hits
    if not name_column_flagged(len(hits), total):
        return [], []
    # in a column of person names, 「姓　名」-shaped values SudachiPy does not confirm (林　久美) are persons too
    found = set(hits)
    hits = [i for i, v in present if i in found or (classify_name(v) == "candidate" and SPACED_NAME_RE.match(nfkc(v)
                                                                                                    .strip()))]
    return hits, [mask_name(values[i]) for i in hits[:3]]
