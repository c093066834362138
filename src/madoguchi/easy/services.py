"""Plain Japanese (やさしい日本語): ふりがな (ruby) on kanji, and the plain texts of the easy pages.

Public API of the ``easy`` app (other apps import only this module):

* ``ruby(text, overrides=None) -> SafeString`` — *text* HTML-escaped, each kanji word wrapped as
  ``<ruby>漢字<rt>かんじ</rt></ruby>``.
* ``render_text(text, overrides=None) -> SafeString`` — a page body (paragraphs, ``## `` headings) with ruby.
* ``reading_overrides() -> dict`` — the readings staff corrected (表記 → よみ) plus the built-in ones.
* ``page_text(slug) -> str`` / ``save_text(slug, body, user)`` / ``pages()`` — the staff-edited texts.

Ruby rules (``ruby``):

1. Readings come from SudachiPy (``sudachidict_core``): a mode C tokenizer gives each word's reading
   in context (``reading_form``, katakana → hiragana with jaconv); when the word's mode A parts read the
   same together, each part gets its own ruby (川崎市中原区 → 川崎|市|中原|区), which is easier to read.
2. Only words containing kanji get ruby; kana, ASCII, digits and punctuation are left as written
   (escaped). Okurigana stay outside the ruby: 燃やす → ``<ruby>燃<rt>も</rt></ruby>やす``.
3. Numbers: digits never get ruby. A counter after digits gets its reading for that use: 月 → がつ,
   時 → じ, 年 → ねん, 円 → えん, 回 → かい, 日 → にち; for the days read specially (1–10, 14, 20, 24 日 →
   ついたち, ふつか … はつか) the ruby covers the digits and 日 together: ``<ruby>1日<rt>ついたち</rt></ruby>``.
4. The override table wins over SudachiPy: each 表記 found in the text (longest first) is read as staff
   set it (``RubyOverride``, then ``BUILTIN_OVERRIDES``).

One SudachiPy tokenizer per thread (``_tokenizer``); the project has no public one (``privacy.detectors``,
``gomi.matching`` and ``faq.normalize`` keep private ones).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jaconv
from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from madoguchi.reservations.services import CANCEL_DEADLINE_HOURS

from .models import EasyText, RubyOverride

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_KANJI_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+)")
_HIRAGANA = re.compile(r"^[\u3041-\u309fー]+$")
MAX_OVERRIDE_CHARS = 50
_CHUNK_CHARS = 4000  # characters given to SudachiPy at once (its limit is in bytes)

# Readings SudachiPy gets wrong in the words these pages use (staff add more in ``RubyOverride``, which win).
BUILTIN_OVERRIDES: dict[str, str] = {
    "避難所": "ひなんじょ",
    "一時避難場所": "いちじひなんばしょ",
    "何日": "なんにち",
    "収集日": "しゅうしゅうび",
}

# The reading of 日 after a number, where it is not 〜にち; the ruby then covers the number too.
_SPECIAL_DAYS = {1: "ついたち", 2: "ふつか", 3: "みっか", 4: "よっか", 5: "いつか", 6: "むいか", 7: "なのか",
                 8: "ようか", 9: "ここのか", 10: "とおか", 14: "じゅうよっか", 20: "はつか", 24: "にじゅうよっか"}
_COUNTERS = {"月": "がつ", "時": "じ", "年": "ねん", "円": "えん", "回": "かい", "日": "にち"}

_local = threading.local()


def _tokenizer():
    """This thread's SudachiPy tokenizer (mode C; a tokenizer must not be shared between threads)."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        tok = _local.tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    return tok


def _hira(reading: str) -> str:
    return jaconv.kata2hira(reading)


def _rt(surface: str, reading: str) -> str:
    return f"<ruby>{escape(surface)}<rt>{escape(reading)}</rt></ruby>"


def _word(surface: str, reading: str) -> str:
    """HTML of one word: ruby on its kanji runs, okurigana outside (燃やす → 燃[も]やす); the whole word
    in one ruby when the kana of the surface cannot be placed in the reading."""
    if not _KANJI.search(surface) or not reading:
        return escape(surface)
    parts = _KANJI_RUN.split(surface)  # ["", "燃", "やす"]: odd indexes are kanji runs
    pattern = "".join("(.+?)" if i % 2 else re.escape(_hira(p)) for i, p in enumerate(parts))
    m = re.fullmatch(pattern, reading)
    if not m:
        return _rt(surface, reading)
    out, groups = [], iter(m.groups())
    for i, part in enumerate(parts):
        if i % 2:
            out.append(_rt(part, next(groups)))
        elif part:
            out.append(escape(part))
    return "".join(out)


def _digits(surface: str) -> int | None:
    norm = unicodedata.normalize("NFKC", surface)
    return int(norm) if norm.isascii() and norm.isdigit() else None


def _sudachi(text: str) -> str:
    """Ruby HTML of *text* (no overrides) from SudachiPy readings."""
    from sudachipy import SplitMode

    out: list[str] = []
    number: int | None = None  # the number just before, for counters
    out_number = ""
    lines = text.splitlines(keepends=True)  # SudachiPy refuses inputs over ~49 kB: cut long lines
    chunks = [line[i:i + _CHUNK_CHARS] for line in lines for i in range(0, len(line), _CHUNK_CHARS)]
    for chunk in chunks:
        for m in _tokenizer().tokenize(chunk):
            surface = m.surface()
            if number is not None and surface in _COUNTERS:
                if surface == "日" and number in _SPECIAL_DAYS:
                    out[-1] = _rt(out_number + surface, _SPECIAL_DAYS[number])
                else:
                    out.append(_rt(surface, _COUNTERS[surface]))
                number = None
                continue
            number = _digits(surface)
            if number is not None:
                out_number = surface
                out.append(escape(surface))
                continue
            reading = m.reading_form()
            if not _KANJI.search(surface) or reading == "キゴウ":
                out.append(escape(surface))
                continue
            reading = _hira(reading)
            subs = m.split(SplitMode.A)
            if len(subs) > 1 and "".join(_hira(s.reading_form()) for s in subs) == reading:
                out.extend(_word(s.surface(), _hira(s.reading_form())) for s in subs)
            else:
                out.append(_word(surface, reading))
    return "".join(out)


@lru_cache(maxsize=4096)
def _ruby_cached(text: str, table: tuple[tuple[str, str], ...]) -> str:
    if not table:
        return _sudachi(text)
    pattern = re.compile("|".join(re.escape(s) for s, _ in table))
    readings = dict(table)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(_sudachi(text[pos:m.start()]))
        out.append(_word(m.group(), readings[m.group()]))
        pos = m.end()
    out.append(_sudachi(text[pos:]))
    return "".join(out)


def reading_overrides() -> dict[str, str]:
    """Readings that win over SudachiPy: ``{表記: よみ (hiragana)}``, ``BUILTIN_OVERRIDES`` updated with
    the staff's ``RubyOverride`` rows (one query; pass the result to ``ruby`` to reuse it in one page)."""
    table = dict(BUILTIN_OVERRIDES)
    table.update(RubyOverride.objects.values_list("surface", "reading"))
    return table


def ruby(text: str | None, overrides: dict[str, str] | None = None) -> SafeString:
    """*text* as HTML with ふりがな: each word containing kanji as ``<ruby>漢字<rt>かんじ</rt></ruby>``
    (readings: SudachiPy, hiragana), everything else escaped (``<script>`` stays text).

    :param overrides: ``{表記: よみ}`` that win over SudachiPy; default ``reading_overrides()`` (one query)
    :returns: SafeString; ``""`` for None. Rules in the module docstring (numbers, okurigana).
    Results are cached per (text, overrides); 1,000 characters take a few milliseconds uncached.
    """
    if not text:
        return mark_safe("")
    table = overrides if overrides is not None else reading_overrides()
    key = tuple(sorted(((s, r) for s, r in table.items() if s and r), key=lambda p: (-len(p[0]), p[0])))
    return mark_safe(_ruby_cached(str(text), key))


def render_text(text: str | None, overrides: dict[str, str] | None = None) -> SafeString:
    """A page body as HTML with ruby: a blank line separates paragraphs (``<p>``), a line starting with
    ``## `` is a ``<h2>`` heading; a line break inside a paragraph is kept (``<br>``)."""
    table = overrides if overrides is not None else reading_overrides()
    html = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        para: list[str] = []
        for line in lines:
            if line.startswith("## "):
                if para:
                    html.append("<p>" + "<br>".join(para) + "</p>")
                    para = []
                html.append(f"<h2>{ruby(line[3:].strip(), table)}</h2>")
            else:
                para.append(ruby(line, table))
        if para:
            html.append("<p>" + "<br>".join(para) + "</p>")
    return mark_safe("\n".join(html))


# --- the pages' texts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    slug: str
    title: str  # the staff list's label
    url_name: str  # ``easy:<url_name>``


PAGES = [
    Page("garbage", "ごみの 出し方", "garbage"),
    Page("shelters", "にげる ところ（避難所）", "shelters"),
    Page("emergency", "ふだんの そなえ（緊急モードでないとき）", "emergency"),
    Page("emergency-on", "いま 起きていること（緊急モードのとき）", "emergency"),
    Page("reservations", "施設の 予約", "reservations"),
    Page("procedures", "手続と インターネットの 申請", "procedures"),
]

DEFAULT_TEXTS = {
    "garbage": (
        "ごみは 決められた 日に 出します。\n"
        "ごみの 種類で 出す 日が ちがいます。\n\n"
        "## 調べ方\n"
        "捨てたい ものの 名前を 書いてください。\n"
        "住んでいる 町の 名前も えらんでください。\n"
        "出す 日と 出し方が わかります。\n\n"
        "## 出す ときに 気をつけること\n"
        "朝 8時までに 出してください。\n"
        "決められた 場所に 出してください。"
    ),
    "shelters": (
        "地震や 大雨の ときに にげる ところを 探します。\n\n"
        "## 避難所と 避難場所の ちがい\n"
        "避難とは、危ない ところから 安全な ところへ にげる ことです。\n"
        "避難場所は、すぐに にげる ところです。公園や 広場などです。\n"
        "避難所は、家に 帰れない ときに しばらく 住む ところです。学校などです。\n\n"
        "## 探し方\n"
        "郵便番号を 書いてください。近い 避難所が わかります。\n"
        "郵便番号で 探すと、町の まんなかから はかった 距離です。\n"
        "「いまの 場所で 探す」を 押すと、あなたの いる 場所から はかります。"
    ),
    "emergency": (
        "いまは 緊急モードでは ありません。\n"
        "大きな 災害の 前に じゅんびを しましょう。\n\n"
        "## じゅんび すること\n"
        "家の 近くの 避難場所と 避難所を 調べてください。\n"
        "水と 食べ物を 3日分 用意してください。\n"
        "家族と 会う 場所を 決めてください。\n"
        "地震の ときは、まず 机の 下に 入って 頭を 守ってください。"
    ),
    "emergency-on": (
        "いま 大きな 災害が 起きています。\n"
        "テレビや ラジオ、市の お知らせを 見てください。\n\n"
        "## どこへ 行くか\n"
        "家が 安全なら、家に いてください。\n"
        "危ない ときは、近くの 避難所へ 行ってください。\n"
        "川や 海の 近くから はなれてください。高い ところへ にげてください。"
    ),
    "reservations": (
        "市の 体育館や 運動場、市民館などを 使う 日と 時間を 予約できます。\n\n"
        "## はじめに すること\n"
        "はじめて 使う ときは、利用者登録を してください。\n"
        "名前と メールアドレスと パスワードを 書きます。\n\n"
        "## 予約の しかた\n"
        "使いたい 施設を えらびます。\n"
        "あいている 日と 時間を えらんで、「この枠を予約する」を 押します。\n"
        "人の 多い 時間は 抽選で 決めます。抽選に 申し込んで、結果を 待ってください。\n"
        "結果は メールで お知らせします。\n"
        "抽選の あとで あいている 時間は、早く 申し込んだ 人から 予約できます。\n\n"
        "## 予約を やめる とき\n"
        "「マイページ」で「取り消す」を 押してください。\n"
        f"使う 時間の {CANCEL_DEADLINE_HOURS}時間 前まで 取り消せます。\n"
        "それより あとで やめる ときは、施設に 連絡してください。"
    ),
    "procedures": (
        "市役所や 区役所の 手続を 調べる ことが できます。\n"
        "手続の なかには、インターネットで 申し込める ものが あります。\n\n"
        "## 手続の 探し方\n"
        "「手続きガイド」で 手続の 名前を 書いて 探します。たとえば「転入」「児童手当」です。\n"
        "引越しや 子どもが 生まれた ときは、「ライフイベントから探す」を 押してください。"
        "あなたに 必要な 手続が わかります。\n"
        "「オンライン申請できます」と 書いてある 手続は、インターネットで 申し込めます。\n\n"
        "## インターネットで 申し込む\n"
        "手続の ページで「オンラインで申請する」を 押します。\n"
        "はじめに メールアドレスを 書きます。メールで 6けたの 数字（確認コード）が 届きます。"
        "その 数字を 書いてください。\n"
        "次に、名前などを 書きます。ページが いくつか あります。「次へ」を 押して 進みます。\n"
        "とちゅうで やめる ときは「一時保存」を 押してください。続きの リンクが メールで 届きます。"
        f"{settings.APPLICATIONS_DRAFT_TTL_DAYS}日の あいだ 続きを 書けます。\n"
        "さいごに 書いた ことを たしかめて、「この内容で申請する」を 押します。\n\n"
        "## 受付番号と 確認コード\n"
        "申し込むと、受付番号と 確認コードが 画面に 出ます。\n"
        "確認コードは この 画面に 1回だけ 出ます。メールには 書きません。"
        "紙に 書くか、画面を 保存してください。\n"
        "受付番号と 確認コードは ほかの 人に 教えないで ください。\n\n"
        "## 申し込んだ あと\n"
        "「申請の状況の確認」の ページに 受付番号と 確認コードを 書くと、いまの ようすが わかります。\n"
        "市から「補正」の お願いが 来る ことが あります。書いた ことを 直して ほしい という 意味です。"
        "同じ ページで 直して、「補正の内容を送る」を 押してください。\n"
        "申し込みを やめたい ときは、同じ ページで「この申請を取り下げる」を 押します。"
        "これを「取下げ」と いいます。\n\n"
        "## 粗大ごみ\n"
        "粗大ごみは 大きな ごみです。たとえば 家具や 自転車です。\n"
        "インターネットで 申し込めます。出す ものを えらぶと、お金が いくら かかるか わかります。\n"
        "お金は、コンビニや スーパーで 買う「粗大ごみ処理券」（シール）で はらいます。"
        "シールを ごみに はって、決められた 日の 朝に 出してください。"
    ),
}


def pages() -> list[tuple[Page, EasyText | None]]:
    """Every easy page with its staff-edited text (None while it shows the built-in text)."""
    saved = {t.slug: t for t in EasyText.objects.select_related("updated_by")}
    return [(p, saved.get(p.slug)) for p in PAGES]


def get_page(slug: str) -> Page:
    """:raises KeyError: unknown *slug*"""
    for p in PAGES:
        if p.slug == slug:
            return p
    raise KeyError(slug)


def page_text(slug: str) -> str:
    """The plain text of page *slug*: staff's (``EasyText``) or the built-in one."""
    saved = EasyText.objects.filter(slug=slug).values_list("body", flat=True).first()
    return saved if saved is not None else DEFAULT_TEXTS[slug]


def save_text(slug: str, body: str, *, user=None) -> EasyText:
    """Store staff's text of page *slug*; an empty *body* goes back to the built-in text.

    :raises KeyError: unknown *slug*
    """
    get_page(slug)
    body = unicodedata.normalize("NFC", (body or "").replace("\r\n", "\n")).strip()
    with transaction.atomic():
        if not body:
            EasyText.objects.filter(slug=slug).delete()
            return EasyText(slug=slug, body=DEFAULT_TEXTS[slug])
        text, _ = EasyText.objects.update_or_create(slug=slug, defaults={"body": body, "updated_by": user})
    return text


class OverrideError(ValueError):
    """An override staff typed is not usable (``field``: ``surface`` or ``reading``)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def set_override(surface: str, reading: str) -> RubyOverride:
    """Record that *surface* reads *reading* (katakana is turned into hiragana); replaces an earlier one.

    :raises OverrideError: *surface* empty, too long or without kanji; *reading* not kana
    """
    surface = unicodedata.normalize("NFC", (surface or "").strip())
    reading = jaconv.kata2hira(unicodedata.normalize("NFKC", (reading or "").strip())).replace(" ", "")
    if not surface or len(surface) > MAX_OVERRIDE_CHARS or not _KANJI.search(surface):
        raise OverrideError(f"表記は 漢字を ふくむ {MAX_OVERRIDE_CHARS} 文字までの ことばです", "surface")
    if not reading or not _HIRAGANA.match(reading):
        raise OverrideError("よみは ひらがな か カタカナ で 書いてください", "reading")
    row, _ = RubyOverride.objects.update_or_create(surface=surface, defaults={"reading": reading})
    return row


def delete_override(surface: str) -> bool:
    """Remove the staff override of *surface*; True if there was one."""
    return RubyOverride.objects.filter(surface=surface).delete()[0] > 0


def staff_overrides() -> list[RubyOverride]:
    return list(RubyOverride.objects.all())
