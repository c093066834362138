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
    A column whose NAME says person (氏名, 名前, 代表者, 管理者, 開設者, 申請者,
    届出者, 設置者, 所有者, 担当者 …) AND whose values mostly (≥ 50 % of distinct
    values) look like person names — SudachiPy's 固有名詞/人名 tags, or "姓 名"
    written with a space — and are not organisations (株式会社, 医療法人, 市 …),
    IN a table that also has an address (住所/所在地) or birth-date (生年月日)
    column: name + address (or birth date) singles out a person.
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
PERSON_COLUMN_RE = re.compile(r"氏名|名前|フリガナ氏名|代表者|管理者|開設者|申請者|届出者|設置者|所有者|担当者|"
                              r"被保険者|世帯主|患者|利用者名|person|^name$|full.?name", re.IGNORECASE)
ADDRESS_COLUMN_RE = re.compile(r"住所|所在地|居所|address", re.IGNORECASE)
BIRTH_COLUMN_RE = re.compile(r"生年月日|誕生日|birth", re.IGNORECASE)
ORGANISATION_RE = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|㈱|㈲|法人|財団|社団|協会|協議会|組合|連合|"
    r"会社|病院|医院|クリニック|診療所|薬局|学校|大学|学園|保育|幼稚園|センター|事務所|事業所|商店|店$|"
    r"[都道府県市区町村]$|[都道府県市区町村]長|役所|役場|庁|省|委員会|機構|団体|グループ|ホールディングス|"
    r"inc\.?|ltd\.?|co\.,|corporation|company", re.IGNORECASE)
NAME_SAMPLE = 400
MIN_NAME_SHARE = 0.5
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
    return "*" * max(len(text) - keep, 0) + text[-keep:] if len(text) > keep else "*" * len(text)


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


def looks_like_person(name: str) -> bool:
    """True when ``name`` reads as a person's name, not an organisation.

    "山田 太郎" (two short parts split by a space) or a SudachiPy 人名 token
    (part of speech 名詞-固有名詞-人名) make it a person; organisation words
    (株式会社, 医療法人, 病院, 〜市 …) make it not one.
    """
    text = nfkc(name).strip()
    if not text or len(text) > 30 or any(ch.isdigit() for ch in text):
        return False
    if ORGANISATION_RE.search(text):
        return False
    parts = text.replace("　", " ").split()
    if len(parts) == 2 and all(1 <= len(p) <= 5 for p in parts) and not text.isascii():
        return True
    tokens = _tokenizer().tokenize(text.replace(" ", ""))
    return any(t.part_of_speech()[1] == "固有名詞" and t.part_of_speech()[2] == "人名" for t in tokens)


def find_person_names(values: list) -> tuple[list[int], list[str]]:
    """Indexes of person-like values when most of the (sampled) values are person names."""
    present = [(i, v) for i, v in enumerate(values) if isinstance(v, str) and v.strip()]
    if not present:
        return [], []
    step = max(1, len(present) // NAME_SAMPLE)
    sample = present[::step]
    share = sum(looks_like_person(v) for _, v in sample) / len(sample)
    if share < MIN_NAME_SHARE:
        return [], []
    hits = [i for i, v in present if looks_like_person(v)] if step > 1 else \
        [i for i, v in sample if looks_like_person(v)]
    return hits, [mask_name(values[i]) for i in hits[:3]]
