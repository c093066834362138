"""Cell rules: one text in, the fixed text (or ``INVALID``) out.

Sources of the target forms:

* 電話番号 ``0AA-BBB-CCCC`` (半角数字を市外局番からハイフンで区切る), dates
  ``YYYY-MM-DD``: デジタル庁 推奨データセット 共通ルール (the same forms the
  standards' schemas check, ``standards.convert``);
* 郵便番号 ``NNN-NNNN``: 日本郵便 郵便番号の表記 (3 digits, hyphen, 4 digits);
* 全国地方公共団体コード: 総務省 全国地方公共団体コード (JIS X 0401/0402 5 digits +
  check digit, ``madoguchi.codes``);
* phone numbers are parsed and formatted with ``phonenumbers`` (Google
  libphonenumber metadata, region JP, NATIONAL format).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from madoguchi.codes import is_valid_local_government_code, local_government_code_check_digit
from madoguchi.wareki import SEIREKI_DATE_PREFIX_RE, WAREKI_DATE, WAREKI_DATE_PREFIX_RE, WarekiError, parse_wareki

from .columns import INVALID

SPACES = " \t\u3000\u00a0"
#: characters that are a hyphen in codes and phone numbers (NFKC leaves them alone)
HYPHENS = "‐‑‒–—―−ーｰ－﹣"
_HYPHEN_TABLE = str.maketrans({c: "-" for c in HYPHENS})

# ---------------------------------------------------------------- full-width codes and numbers

_CODE_CHARS = r"0-9A-Za-z\-.,:/()+"
_FULL_WIDTH_CODE_CHARS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0d\uff0e\uff0c\uff1a\uff0f\uff08\uff09\uff0b"
#: a cell of code/number characters with at least one of them full-width (vectorized pre-filter)
FULL_WIDTH_CODE_RE = (f"^[{_CODE_CHARS}{_FULL_WIDTH_CODE_CHARS}]*[{_FULL_WIDTH_CODE_CHARS}]"
                      f"[{_CODE_CHARS}{_FULL_WIDTH_CODE_CHARS}]*$")
CODE_CELL = re.compile(r"[0-9A-Za-z\-.,:/()+]+")


def to_half_width(text: str) -> str:
    """NFKC of a cell that is a code or a number (``０５４－６２６`` → ``054-626``, ``ＡＢ－０１`` → ``AB-01``).

    The cell must be entirely digits, ASCII letters and ``- . , : / ( ) +``
    after NFKC, with at least as many digits as letters; other text (names such
    as ``Ｓｉｅｓｔａ`` or ``Ｃａｆｅ２１``, addresses) is returned as is.
    """
    folded = unicodedata.normalize("NFKC", text)
    if not CODE_CELL.fullmatch(folded):
        return text
    digits = sum(c.isdigit() for c in folded)
    return folded if digits and digits >= sum(c.isalpha() for c in folded) else text


# ---------------------------------------------------------------- 和暦 dates

#: start of a 和暦 date (vectorized pre-filter, before NFKC; the patterns live in ``madoguchi.wareki``)
WAREKI_LIKE_RE = WAREKI_DATE_PREFIX_RE
#: start of a 西暦 date
SEIREKI_LIKE_RE = SEIREKI_DATE_PREFIX_RE
_TIME_SUFFIX = re.compile(r"^(.*?\d\s*日?)[\sT]+(\d{1,2}:\d{2}(?::\d{2})?)$")


def wareki_date(text: str):
    """``令和元年5月1日`` → ``2019-05-01`` (``YYYY-MM`` without a day; a time after it is kept).

    :returns: the ISO text; ``INVALID`` when it is not a date (``令和2年3月1日に開設``) or names a day
        no calendar has (``R2.2.30``); the ``WarekiError`` (returned, not raised) when it is 和暦
        outside its era or before the Gregorian calendar (``大正20年1月1日``, ``平成31年5月1日``)
    """
    s = unicodedata.normalize("NFKC", text).strip()
    time = None
    if not WAREKI_DATE.match(s):
        m = _TIME_SUFFIX.match(s)
        if not m or not WAREKI_DATE.match(m[1]):
            return INVALID
        s, time = m[1], m[2]
    try:
        iso = parse_wareki(s).iso
    except WarekiError as e:
        return INVALID if e.code == "no_such_date" else e
    if time is None:
        return iso
    if len(iso) != 10:
        return INVALID
    hh, rest = time.split(":", 1)
    return f"{iso} {int(hh):02d}:{rest}"


# ---------------------------------------------------------------- postal codes

POSTAL_OK_RE = r"^[0-9]{3}-[0-9]{4}$"


def postal_code(text: str):
    """``4250000`` / ``〒425-0000`` / ``４２５－００００`` → ``425-0000``; not 7 digits → INVALID."""
    s = unicodedata.normalize("NFKC", text).translate(_HYPHEN_TABLE)
    s = re.sub(r"[\s〒〶]", "", s)
    m = re.fullmatch(r"(\d{3})-?(\d{4})", s)
    return f"{m[1]}-{m[2]}" if m else INVALID


# ---------------------------------------------------------------- phone numbers

#: the form the standards ask for (``standards.convert.PHONE_PATTERN``)
PHONE_OK_RE = r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$"
_ONE_PHONE = re.compile(r"\+?[\d\-() ]+")
_DIGIT = "0-9０-９"
_PHONE_RUN = re.compile(rf"[+＋]?[(（]?[{_DIGIT}][{_DIGIT}()（） \u3000{HYPHENS}-]{{7,}}[{_DIGIT}]")
#: what is left around the numbers must not look like (part of) another number: ``、626-2222``
_NUMBER_LEFT = re.compile(rf"[{_DIGIT}][{_DIGIT}()（） {HYPHENS}-]{{4,}}[{_DIGIT}]")


def _format_phone(number: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if parsed.country_code != 81:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_number(text: str):
    """``(054)626-1139`` / ``0546261139`` / ``054 626 1139`` → ``054-626-1139``.

    A number without its leading 0 (``546261139``, as Excel leaves a number
    typed into a numeric cell) is valid for ``phonenumbers`` and gets it back.

    A cell with an extension or several numbers (``054-626-1111（内線123）``,
    ``054-626-1111、054-626-2222``) gets each number formatted when every
    number in it is valid; otherwise INVALID (left as written).
    """
    s = unicodedata.normalize("NFKC", text).translate(_HYPHEN_TABLE).strip()
    if _ONE_PHONE.fullmatch(s):
        return _format_phone(s) or INVALID
    runs = list(_PHONE_RUN.finditer(text))  # in the text as written: the words around keep their width
    if not runs:
        return INVALID
    out, last = [], 0
    for m in runs:
        formatted = _format_phone(unicodedata.normalize("NFKC", m[0]).translate(_HYPHEN_TABLE))
        if formatted is None:
            return INVALID
        out += [text[last:m.start()], formatted]
        last = m.end()
    out.append(text[last:])
    if any(_NUMBER_LEFT.search(part) for part in out[::2]):
        return INVALID
    return "".join(out)


# ---------------------------------------------------------------- 全国地方公共団体コード


def local_government_code(text: str, *, six_digit_column: bool = False):
    """A 全国地方公共団体コード as 6 digits with its check digit, or INVALID.

    6 digits with a valid check digit: as is (NFKC); 5 digits (a JIS X 0402 code
    without check digit): check digit appended (``22212`` → ``222127``); 4 digits
    (a code of 北海道〜栃木 that lost its leading zero, ``1100``): zero and check
    digit (``011002``). In a column of 6-digit codes (``six_digit_column``) a
    5-digit value that is a valid code with a leading zero (``11002``, Excel
    dropped the zero of ``011002``) gets the zero back instead.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"[0-9]{4}", s):
        s = "0" + s
    if re.fullmatch(r"[0-9]{5}", s):
        if six_digit_column and is_valid_local_government_code("0" + s):
            return "0" + s
        return s + local_government_code_check_digit(s)
    return s if is_valid_local_government_code(s) else INVALID
