"""The standard event dataset layout (イベント一覧): reading rows into ``Event`` fields, writing CSV.

Two generations of the layout are read (headers matched after NFKC and with
spaces removed):

* 自治体標準オープンデータセット「イベント一覧」 (80 columns: 全国地方公共団体コード,
  法人番号, ID, 地方公共団体名, イベント名, … 所在地_連結表記 …, イベントジャンル), as
  published by 焼津市 (bundle ``yaizu-city/event_excerpt.csv``);
* 推奨データセット 06_イベント一覧 (v1: 都道府県コード又は市区町村コード, NO, 市区町村名,
  住所, 方書 …; ``shared/data/standards/recommended-dataset-v1/06_イベント一覧.model.yaml``).

Real-file defects handled (each reported as a warning with its rows, never silently):

* ``0:00`` in 開始時間/終了時間 means "not known" (焼津市 writes it for 未定) → ``None``;
  the event is then an all-day event;
* 掲載終了日 ``2037/12/31`` (also ``2099/12/31``, ``9999/12/31``) is a "no end" sentinel → ``None``;
* 連絡先電話番号 ``電話番号：054-…`` (also ``TEL:``, ``電話：``) → the number only;
* 法人番号 mangled by Excel into ``1.00E+12`` → empty (the digits are lost); a 13-digit
  number with a wrong check digit (国税庁 法人番号の指定: 9 − (Σ Pn×Qn mod 9)) → empty;
* dates as ``2026/4/2``, ISO or 和暦 (``令和8年4月2日``, ``R8.4.2``; ``madoguchi.wareki``); 和暦
  outside its era (``平成31年5月1日``, ``大正20年1月1日``) in any date column is a row error;
* 料金(基本) as ``1,000円`` or ``無料`` (→ 0); 定員 as ``15組（申込順）`` (→ 定員備考).

A row that cannot be an event (no イベント名, no readable 開始日, end before start)
raises ``RowError`` naming the column; the importer reports it and goes on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from madoguchi.text import to_nfc
from madoguchi.wareki import WarekiError, parse_date

#: The 80 columns of the 自治体標準オープンデータセット「イベント一覧」, in order (as 焼津市 publishes them).
STANDARD_COLUMNS = (
    "全国地方公共団体コード,法人番号,ID,地方公共団体名,イベント名,言語コード,イベント通称,サブタイトル,イベント名_カナ,"
    "イベント名_英語,コンテンツURL,状態,キーワード,タグ,対象となる産業,開催パターン,開始日,終了日,開始時間,終了時間,"
    "開始日時特記事項,所要時間,掲載開始日,掲載終了日,概要,説明,サブイベント,イベント種類,料金(基本),料金(詳細),連絡先名称,"
    "連絡先電話番号,連絡先内線番号,主催者,共催団体,関連組織,対象者,対象者備考,場所名称,集合（受付）場所,"
    "所在地_全国地方公共団体コード,町字ID,所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,"
    "建物名等(方書),緯度,経度,アクセス方法,駐車場情報,駐車場料金,駐輪場情報,Web開催,Web開催URL,ツール・環境,定員,定員備考,"
    "料金種別,決済種別,外国語対応,外国語対応備考,開催条件,参加申込終了日,参加申込終了時間,参加申込方法,申込開始日,"
    "申込開始時刻,申込URL,URL,授乳室,おむつ替えコーナー,飲食可否,ベビーカー貸出,ベビーカー利用,画像,画像_ライセンス,備考,"
    "イベントジャンル"
).split(",")

#: standard column (either generation) → Event field
COLUMN_FIELDS = {
    "全国地方公共団体コード": "city_code", "都道府県コード又は市区町村コード": "city_code",
    "法人番号": "corporate_number", "ID": "source_id", "NO": "source_id",
    "地方公共団体名": "city_name", "市区町村名": "city_name",
    "イベント名": "title", "イベント名_カナ": "title_kana", "イベント名_英語": "title_en",
    "言語コード": "language_code", "サブタイトル": "subtitle", "コンテンツURL": "content_url", "キーワード": "keywords",
    "開始日": "start_date", "終了日": "end_date", "開始時間": "start_time", "終了時間": "end_time",
    "開始日時特記事項": "datetime_notes", "掲載開始日": "listed_from", "掲載終了日": "listed_until",
    "概要": "summary", "説明": "description", "イベント種類": "event_type", "イベントジャンル": "category",
    "料金(基本)": "fee_basic", "料金(詳細)": "fee_details", "対象者": "target", "定員": "capacity",
    "定員備考": "capacity_notes", "連絡先名称": "contact_name", "連絡先電話番号": "contact_phone",
    "連絡先内線番号": "contact_extension", "主催者": "organizer", "共催団体": "co_organizers",
    "場所名称": "place_name", "所在地_連結表記": "address", "住所": "address",
    "建物名等(方書)": "building", "方書": "building", "緯度": "latitude", "経度": "longitude",
    "アクセス方法": "access", "駐車場情報": "parking", "参加申込終了日": "application_deadline",
    "参加申込終了時間": "application_deadline_time", "参加申込方法": "application_method",
    "申込URL": "application_url", "URL": "url", "備考": "notes",
}
#: columns read for deriving a field, not stored as such
AUX_COLUMNS = {"所在地_市区町村": "municipality", "所在地_町字": "town"}

DATE_FIELDS = ("start_date", "end_date", "listed_from", "listed_until", "application_deadline")
TIME_FIELDS = ("start_time", "end_time", "application_deadline_time")
URL_FIELDS = ("content_url", "application_url", "url")
#: 掲載終了日 values that mean "no end" in real files
SENTINEL_DATES = {dt.date(2037, 12, 31), dt.date(2099, 12, 31), dt.date(9999, 12, 31)}

_TIME = re.compile(r"^(?:(?P<ampm>午前|午後)\s*)?(?P<h>\d{1,2})\s*(?::|時)\s*(?P<m>\d{1,2})?\s*分?(?::(?P<s>\d{2}))?$")
_PHONE_PREFIX = re.compile(r"^\s*(?:電話番号|電話|TEL|Tel|tel|ＴＥＬ)\s*[:：]?\s*")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
_WARD = re.compile(r"(?:都|道|府|県|市)(?P<ward>[^都道府県市区町村\s\d]{1,6}?区)")
_url = URLValidator(schemes=["http", "https"])


class RowError(ValueError):
    """A row cannot be read as an event. ``column``: the standard column at fault."""

    def __init__(self, column: str, message: str):
        self.column, self.message = column, message
        super().__init__(f"{column}: {message}")


@dataclass
class ParsedRow:
    """Fields of one event (``Event`` field names) and the warnings met, as ``(code, column, message)``."""

    fields: dict
    warnings: list[tuple[str, str, str]] = field(default_factory=list)


def header_key(name: str) -> str:
    """A header as matched: NFKC, no spaces, full-width brackets folded (``料金（基本）`` = ``料金(基本)``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).lstrip("\ufeff")


_KNOWN = {header_key(c): c for c in [*COLUMN_FIELDS, *AUX_COLUMNS]}


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else CP932 (Japanese Excel).

    :raises RowError: (column ``-``) when neither decodes
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RowError("-", "文字コードを判定できません（UTF-8 でも Shift_JIS (CP932) でもありません）")


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Split CSV text into its header and ``(line number, {standard column: value})`` rows.

    Unknown columns are ignored; blank rows are skipped. The line number is the
    1-based line of the CSV where the record starts.

    :raises RowError: the header has neither イベント名 nor 開始日 (not an event file)
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None) or []
    columns = [_KNOWN.get(header_key(h)) for h in header]
    if "イベント名" not in columns or "開始日" not in columns:
        raise RowError("イベント名", "見出し行に「イベント名」と「開始日」がありません。イベント一覧の標準形式ではありません")
    rows = []
    for record in reader:
        line = reader.line_num - sum(cell.count("\n") for cell in record)
        values = {c: v for c, v in zip(columns, record) if c}
        if any((v or "").strip() for v in values.values()):
            rows.append((line, values))
    return header, rows


def parse_time(text: str) -> dt.time | None:
    """``9:00``, ``09:30``, ``9時``, ``午後1時30分``, ``13:30:00`` → ``time``; ``None`` if not a time."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _TIME.match(s)
    if not m:
        return None
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    if m["ampm"] == "午後" and hour < 12:
        hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def corporate_number_ok(number: str) -> bool:
    """Check digit of a 13-digit 法人番号 (法人番号の指定等に関する省令 第2条)."""
    if not re.fullmatch(r"\d{13}", number):
        return False
    base = number[1:]
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base)))
    return int(number[0]) == 9 - total % 9


def derive_area(address: str, municipality: str = "") -> str:
    """The ward (区) of an address: ``所在地_市区町村`` if it ends in 区, else the first ``…区`` after a
    prefecture/city in the address (``川崎市中原区小杉町`` → ``中原区``); ``""`` if none."""
    muni = (municipality or "").strip()
    if muni.endswith("区"):
        m = _WARD.search(muni)
        return m["ward"] if m else muni
    m = _WARD.search(address or "")
    return m["ward"] if m else ""


def _number(text: str) -> int | None:
    s = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    s = re.sub(r"(円|人|名|組)$", "", s)
    if s == "無料":
        return 0
    return int(s) if s.isdigit() else None


def parse_row(values: dict[str, str]) -> ParsedRow:
    """One row (``{standard column: text}``) → ``ParsedRow`` of ``Event`` fields.

    Text is stripped and stored as NFC. See the module docstring for the rules.

    :raises RowError: イベント名 missing, 開始日 missing or unreadable, 終了日 unreadable,
        or the event ends before it starts
    """
    out = ParsedRow(fields={})
    f, warn = out.fields, out.warnings
    aux: dict[str, str] = {}
    spills: list[tuple[str, str]] = []
    for column, raw in values.items():
        text = to_nfc((raw or "").strip())
        if column in AUX_COLUMNS:
            aux[AUX_COLUMNS[column]] = text
            continue
        name = COLUMN_FIELDS[column]
        if not text:
            continue
        if name in DATE_FIELDS:
            try:
                value = parse_date(text)
            except WarekiError as e:
                if e.code != "no_such_date":
                    raise RowError(column, f"{e.reason}: 「{text}」") from None
                value = None
            if value is None:
                if name in ("start_date", "end_date"):
                    raise RowError(column, f"日付として読めません: 「{text}」")
                warn.append(("date_unreadable", column, f"日付として読めないため空欄にしました: 「{text}」"))
                continue
            if name == "listed_until" and value in SENTINEL_DATES:
                warn.append(("sentinel_date", column, f"{text} は「期限なし」の意味として空欄にしました"))
                continue
            f[name] = value
        elif name in TIME_FIELDS:
            value = parse_time(text)
            if value is None:
                warn.append(("time_unreadable", column, f"時刻として読めないため空欄（未定）にしました: 「{text}」"))
            elif value == dt.time(0) and name in ("start_time", "end_time"):
                warn.append(("time_unknown", column, "0:00 は「未定」の意味として空欄にしました"))
            else:
                f[name] = value
        elif name == "corporate_number":
            digits = unicodedata.normalize("NFKC", text).replace("-", "")
            if _SCIENTIFIC.match(digits):
                warn.append(("corporate_number_mangled", column,
                             f"「{text}」は Excel で指数表記に変わった法人番号で、桁が失われているため空欄にしました"))
            elif not corporate_number_ok(digits):
                warn.append(("corporate_number_invalid", column, f"「{text}」は法人番号（13桁・検査用数字）ではありません"))
            else:
                f[name] = digits
        elif name == "contact_phone":
            number = _PHONE_PREFIX.sub("", text)
            if number != text:
                warn.append(("phone_prefix", column, f"「{text}」の前置き「電話番号：」などを取り除きました"))
            f[name] = number
        elif name in ("latitude", "longitude"):
            try:
                value = float(unicodedata.normalize("NFKC", text))
            except ValueError:
                value = None
            limit = 90 if name == "latitude" else 180
            if value is None or not -limit <= value <= limit:
                warn.append(("coordinate_invalid", column, f"座標として読めないため空欄にしました: 「{text}」"))
            else:
                f[name] = value
        elif name in ("fee_basic", "capacity"):
            value = _number(text)
            if value is None:
                spill = "料金(詳細)" if name == "fee_basic" else "定員備考"
                warn.append(("not_a_number", column, f"数値でないため「{spill}」に移しました: 「{text}」"))
                spills.append((COLUMN_FIELDS[spill], text))
            else:
                f[name] = value
        elif name in URL_FIELDS:
            try:
                _url(text)
            except ValidationError:
                warn.append(("url_invalid", column, f"URL として読めないため空欄にしました: 「{text}」"))
                continue
            f[name] = text
        else:
            f[name] = text
    for name, text in spills:
        f[name] = f"{f.get(name, '')} {text}".strip()
    if not f.get("title"):
        raise RowError("イベント名", "イベント名がありません")
    if "start_date" not in f:
        raise RowError("開始日", "開始日がありません")
    f.setdefault("end_date", f["start_date"])
    check_dates(f, column_names=True)
    f["area"] = derive_area(f.get("address", ""), aux.get("municipality", ""))
    return out


def check_dates(f: dict, *, column_names: bool = False) -> None:
    """Raise ``RowError`` if the event ends before it starts (dates, then times on the same day).

    :param column_names: name the standard columns (import) instead of the field names (forms, API)
    """
    start_date, end_date = f.get("start_date"), f.get("end_date")
    if start_date and end_date and end_date < start_date:
        raise RowError("終了日" if column_names else "end_date", f"終了日 {end_date} が開始日 {start_date} より前です")
    start_time, end_time = f.get("start_time"), f.get("end_time")
    if start_date == end_date and start_time and end_time and end_time < start_time:
        raise RowError("終了時間" if column_names else "end_time",
                       f"終了時間 {end_time:%H:%M} が開始時間 {start_time:%H:%M} より前です")


def to_row(event) -> dict[str, str]:
    """An ``Event`` as one row of the standard layout (``STANDARD_COLUMNS``); dates ISO 8601, times HH:MM."""
    row = dict.fromkeys(STANDARD_COLUMNS, "")
    for column in STANDARD_COLUMNS:
        name = COLUMN_FIELDS.get(column)
        if not name:
            continue
        value = getattr(event, name)
        if value is None:
            continue
        if isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        row[column] = str(value)
    return row


def write_csv(events) -> bytes:
    """Events as a CSV file in the standard layout: UTF-8 with BOM (Excel opens it), CRLF."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=STANDARD_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for event in events:
        writer.writerow(to_row(event))
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
