"""English pages (issue #18): ``/en/…`` for the home page and the citizen services, the language switch
and ``hreflang`` links, a checked-in catalogue with nothing untranslated, and API messages that follow
``Accept-Language``.

The untranslated-string rule: every public page below is rendered in English (Django test client,
``/en/…``) with real data in it, and no text of the page may contain Japanese characters (kana, kanji,
Japanese punctuation and full-width forms), except

* text inside an element marked ``translate="no"`` (data values, which stay in the language they were
  published in) or with a ``lang`` other than English (the language switch's 「日本語」),
* ``<option>``, ``<textarea>``, ``<code>``, ``<pre>``, ``<script>`` and ``<style>`` (choices and text
  taken from the data or typed by the user, code).

Attributes people read (``aria-label``, ``placeholder``, ``title``, ``alt``) are checked too. And every
entry of ``locale/en/LC_MESSAGES/django.po`` has a translation (none empty, none fuzzy), and the
committed ``.mo`` holds exactly the ``.po``'s translations.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import gettext
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from madoguchi.bundle.loader import FILES, load_bundle

SRC = Path(__file__).resolve().parents[1] / "src" / "madoguchi"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CONTEXT_PROCESSOR = "madoguchi.i18n.language_links"

#: kana, kanji, Japanese punctuation (「」、。〜・〒) and full-width forms (（）：)
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture(autouse=True)
def i18n_settings(settings):
    """``LOCALE_PATHS`` and the language-switch context processor, as settings declare them (added here
    only while settings lack them)."""
    if SRC / "locale" not in [Path(p) for p in settings.LOCALE_PATHS]:
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, SRC / "locale"]
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if CONTEXT_PROCESSOR not in processors:
        processors.append(CONTEXT_PROCESSOR)
        settings.TEMPLATES = templates


# --- the catalogue -------------------------------------------------------------------------------

def read_po(path: Path = PO) -> list[dict]:
    """The entries of a .po file: ``{"msgid", "msgid_plural", "msgstr": [..], "flags": set, "ref": str}``
    (the header entry left out)."""
    entries, entry, key = [], None, None

    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}

    def unquote(text: str) -> str:
        return re.sub(r'\\(.)', lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None and entry["msgid"]:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set(), "ref": ""}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            entry["ref"] = entry["ref"] or line[2:].strip()
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgid|msgid_plural|msgstr)(?:\[(\d+)\])? (".*")$', line):
            name, index, text = m.groups()
            key = (name, int(index or 0))
            if name == "msgstr":
                entry["msgstr"][key[1]] = unquote(text)
            else:
                entry[name] = unquote(text)
        elif line.startswith('"') and key is not None:
            name, index = key
            if name == "msgstr":
                entry["msgstr"][index] += unquote(line)
            else:
                entry[name] += unquote(line)
    return entries


def test_po__every_entry_is_translated_and_none_is_fuzzy():
    entries = read_po()
    assert len(entries) > 300
    untranslated = [(e["ref"], e["msgid"]) for e in entries if not all(e["msgstr"].values())]
    fuzzy = [(e["ref"], e["msgid"]) for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []
    still_japanese = [(e["ref"], e["msgstr"]) for e in entries
                      if any(JAPANESE.search(s) for s in e["msgstr"].values())]
    assert still_japanese == []


def test_mo__holds_exactly_the_translations_of_the_po():
    """The committed .mo is compiled from the committed .po (``madoguchi compilemessages``)."""
    with open(MO, "rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for e in read_po():
        if e["msgid_plural"] is None:
            assert catalog.gettext(e["msgid"]) == e["msgstr"][0], e["ref"]
        else:
            assert catalog.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0], e["ref"]
            assert catalog.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1], e["ref"]
    assert len(catalog._catalog) - 1 == sum(1 if e["msgid_plural"] is None else 2 for e in read_po())


def test_read_po__can_fail(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n\n#, fuzzy\nmsgid "窓口"\nmsgstr ""\n', encoding="utf-8")
    assert read_po(po) == [{"msgid": "窓口", "msgid_plural": None, "msgstr": {0: ""}, "flags": {"fuzzy"}, "ref": ""}]


# --- the English pages ---------------------------------------------------------------------------

class _Texts(HTMLParser):
    """Text a reader of an English page meets: text nodes and read attributes outside ``translate="no"``,
    non-English ``lang`` and the exempt elements (module docstring)."""

    EXEMPT = {"option", "textarea", "code", "pre", "script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []
        self.data: list[str] = []  # texts inside translate="no" (a <title> cannot mark them: they are cut from it)
        self.title = ""

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang, translate = attrs.get("lang"), attrs.get("translate")
        if tag in self.EXEMPT or (lang is not None and tag != "html" and not lang.startswith("en")):
            skip = True
        elif translate in ("no", "yes"):  # HTML's translate attribute: inherited, and a child may turn it back on
            skip = translate == "no"
        else:
            skip = self._skipping()
        if not skip:
            self.found += [f"[{tag} {a}] {attrs[a]}" for a in self.READ_ATTRIBUTES if attrs.get(a)]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not data.strip():
            return
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        elif self._skipping():
            self.data.append(data.strip())
        else:
            self.found.append(f"[{self.stack[-1][0] if self.stack else ''}] {data.strip()}")

    def close(self):
        super().close()
        title = self.title
        for text in sorted(set(self.data), key=len, reverse=True):
            title = title.replace(text, "")
        if title.strip():
            self.found.append(f"[title] {title.strip()}")


def japanese_outside_data(html: str) -> list[str]:
    """The texts of *html* a reader meets that contain Japanese (the rule above)."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return [t for t in parser.found if JAPANESE.search(t)]


def test_rule__finds_japanese_and_respects_the_exemptions():
    html = ('<html lang="en"><title>川崎区 - 施設 | Site</title><h1>Garbage</h1><p>ごみ</p><p translate="no">川崎区</p>'
            '<a lang="ja">日本語</a><select><option>中原区</option></select><img alt="地図"><br><input placeholder="例">'
            '<thead translate="no"><tr><th translate="yes">時間</th><th>第1面</th></tr></thead><p>ok</p></html>')
    assert japanese_outside_data(html) == ["[p] ごみ", "[img alt] 地図", "[input placeholder] 例", "[th] 時間",
                                           "[title] - 施設 | Site"]


@pytest.fixture
def city(db):
    """Real data for every page: Kawasaki's garbage data (both languages), events, counters with
    readings, a facility with slots and an open lottery."""
    from madoguchi.counters import services as counters
    from madoguchi.events import services as events
    from madoguchi.gomi import services as gomi
    from madoguchi.reservations import services as reservations
    from madoguchi.reservations.models import FacilityType, HolidayRule
    from madoguchi.shelters import services as shelters

    load_bundle(only={"kawasaki-garbage-sorting", "gsi-shelters-kawasaki", "gsi-shelters-sagamihara", "gsi-shelters-yaizu",
                      "yaizu-evacuation-space", "yaizu-shelters"})
    gomi.install_default_sources()
    gomi.install_english_sources()
    shelters.install_default_sources()
    events.import_standard_csv((FILES / "yaizu-city" / "event_excerpt.csv").read_bytes())
    counters.seed_demo(days=0)
    today = timezone.localdate()
    facility = reservations.ensure_facility(
        "court", name="中原区 テストコート", facility_type=FacilityType.OUTDOOR_SPORTS, ward="中原区",
        opening_time=dt.time(9), closing_time=dt.time(21), closed_weekdays=[0], holiday_rule=HolidayRule.OPEN,
        accessibility=["step_free", "elevator"], capacity=20, closed_year_end=True,
        units=[dict(code="u1", name="第1面", capacity=10, slot_times=["09:00-11:00", "11:00-13:00"],
                    fee_weekday_yen=1000, fee_holiday_yen=1300)])  # noqa: C408
    reservations.generate_slots([facility], today + dt.timedelta(days=1), today + dt.timedelta(days=7))
    now = timezone.now()
    start = today + dt.timedelta(days=10)
    period = reservations.create_period(
        title="テスト抽選", facility_types=[FacilityType.OUTDOOR_SPORTS], application_opens_at=now - dt.timedelta(days=1),
        application_closes_at=now + dt.timedelta(days=5), draw_at=now + dt.timedelta(days=5, hours=1),
        usage_starts_on=start, usage_ends_on=start + dt.timedelta(days=2),
        rules={"max_entries_per_individual": 2, "max_entries_per_facility_type": {"outdoor_sports": 1}})
    from madoguchi.counters.models import Counter
    from madoguchi.events.models import Event
    counter = Counter.objects.select_related("office").first()
    return {"period": period, "event": Event.objects.filter(state="published").first(), "counter": counter}


def english_pages(city) -> list[str]:
    counter, event = city["counter"], city["event"]
    return [
        "/en/",
        "/en/garbage/", "/en/garbage/?q=aluminum", "/en/garbage/?q=zzzz-nothing",
        "/en/garbage/?city=kawasaki&q=battery",
        "/en/shelters/", "/en/shelters/?postal_code=12", "/en/shelters/?lat=35.5309&lon=139.6968&disaster=flood",
        "/en/events/", "/en/events/?q=zzzz-nothing", f"/en/events/{event.pk}/",
        "/en/counters/", f"/en/counters/{counter.office.slug}/{counter.slug}/",
        "/en/reservations/", "/en/reservations/facilities/court/", "/en/reservations/lottery/",
        f"/en/reservations/lottery/{city['period'].pk}/",
        "/en/faq/", "/en/faq/?q=zzzz", "/en/no-such-page/",
    ]


def test_english_pages__no_japanese_outside_data(client, city):
    failures = {}
    for path in english_pages(city):
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        html = response.content.decode()
        assert '<html lang="en">' in html, path
        assert 'lang="en" class="en"' not in html, path  # the Japanese page's English subtitle is not repeated
        if found := japanese_outside_data(html):
            failures[path] = found
    assert failures == {}


def test_japanese_pages__unchanged_language_and_text(client, city):
    html = client.get("/garbage/?q=ペットボトル").content.decode()
    assert '<html lang="ja">' in html and "ごみの分け方・出し方" in html and "件見つかりました。" in html
    assert _switch(html) == [("/en/garbage/?q=%E3%83%9A%E3%83%83%E3%83%88%E3%83%9C%E3%83%88%E3%83%AB", "en", "English")]
    # an English Accept-Language does not turn the unprefixed (Japanese) address into English
    html = client.get("/counters/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in html and "区役所窓口の混雑状況" in html


# --- the language switch and hreflang ------------------------------------------------------------

def _switch(html: str) -> list[tuple[str, str, str]]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.DOTALL).group(0)
    return [(unescape(href), lang, text)
            for href, lang, text in re.findall(r'<a href="([^"]*)" lang="([^"]*)" hreflang="[^"]*">([^<]*)</a>', nav)]


def test_language_switch__keeps_the_page_and_its_query(client, city):
    html = client.get("/en/garbage/?city=kawasaki&q=cans").content.decode()
    assert _switch(html) == [("/garbage/?city=kawasaki&q=cans", "ja", "日本語")]
    assert _switch(client.get("/reservations/lottery/").content.decode()) == [("/en/reservations/lottery/", "en", "English")]
    assert _switch(client.get("/en/").content.decode()) == [("/", "ja", "日本語")]
    # a page without an English version (outside i18n_patterns) leads to the English home page
    assert _switch(client.get("/standards/").content.decode()) == [("/en/", "en", "English")]


def test_hreflang__alternates_for_both_languages_and_x_default(client, city):
    html = client.get("/en/events/").content.decode()
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert links == [("ja", "http://testserver/events/"), ("en", "http://testserver/en/events/"),
                     ("x-default", "http://testserver/events/")]
    assert "hreflang=\"x-default\"" not in client.get("/standards/").content.decode()


def test_outside_i18n_patterns__api_staff_and_feeds_have_no_english_address(client, city):
    assert client.get("/en/api/v1/datasets").status_code == 404
    assert client.get("/en/staff/").status_code == 404
    assert client.get("/en/open311/v2/services.json").status_code == 404
    assert client.get("/api/v1/datasets").status_code == 200


# --- data in its own language --------------------------------------------------------------------

def _en_dictionary() -> dict[str, str]:
    with open(FILES / "kawasaki-5374" / "en-US_target.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["name"]: row["type"] for row in csv.DictReader(fh)}


def test_garbage__english_page_uses_the_english_dictionary(client, city):
    expected = _en_dictionary()
    html = client.get("/en/garbage/?q=aluminum foil").content.decode()
    name = re.search(r'<h3 translate="no">([^<]+)</h3>', html).group(1)
    category = re.search(r'<strong class="gomi-category" translate="no">([^<]+)</strong>', html).group(1)
    assert name.lower() == "aluminum foil" and category == expected["aluminum foil"] == "Ordinary trash"
    # the city switch and form stay on the English version; the Japanese page stays on the Japanese data
    assert 'name="city" value="kawasaki-en"' in html
    ja = client.get("/garbage/?city=kawasaki-en&q=アルミホイル").content.decode()
    assert 'name="city" value="kawasaki"' in ja and "Ordinary trash" not in ja


def test_garbage__api_lists_each_city_once(client, city):
    slugs = [c["slug"] for c in client.get("/api/v1/garbage/cities").json()["results"]] \
        if "results" in client.get("/api/v1/garbage/cities").json() else \
        [c["slug"] for c in client.get("/api/v1/garbage/cities").json()]
    assert "kawasaki-en" not in slugs and "kawasaki" in slugs


def test_dates__english_format_on_english_pages_japanese_on_japanese(client, city):
    event = city["event"]
    en = client.get(f"/en/events/{event.pk}/").content.decode()
    ja = client.get(f"/events/{event.pk}/").content.decode()
    d = event.start_date
    assert f"{d.year}年{d.month}月{d.day}日" in ja
    assert re.search(rf"\b{d.day}, {d.year}\b", en) and f"{d.year}年" not in en


# --- the API's messages --------------------------------------------------------------------------

@pytest.mark.parametrize("path, code, ja, en", [
    ("/api/v1/no-such-thing", "not_found", "この URL の API はありません", "There is no API at this URL"),
    ("/api/v1/events?limit=abc", "invalid_parameter", "整数で指定してください", "Give an integer"),
    ("/api/v1/events?limit=0", "invalid_parameter", "1 以上で指定してください", "Give 1 or more"),
    ("/api/v1/datasets/no-such-dataset", "not_found", "データセット「no-such-dataset」はありません", "Not found"),
])
def test_api__message_follows_accept_language_and_codes_do_not(client, db, path, code, ja, en):
    for header, message in [(None, ja), ("ja,en;q=0.5", ja), ("en-US,en;q=0.9,ja;q=0.8", en), ("fr, en;q=0.5", en)]:
        extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
        body = client.get(path, **extra).json()
        assert (body["ok"], body["error"]["code"], body["error"]["message"]) == (False, code, message), header


def test_settings__languages_are_the_two_the_catalogue_has():
    assert django_settings.LANGUAGE_CODE == "ja" and [c for c, _ in django_settings.LANGUAGES] == ["ja", "en"]
