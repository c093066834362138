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
entry of every English catalogue in the tree (``locale/en/LC_MESSAGES/django.po`` and each app-local
``<app>/locale/en/LC_MESSAGES/django.po``) has a translation (none empty, none fuzzy), and the
committed ``.mo`` beside it holds exactly the ``.po``'s translations.
"""

# Updating the main catalogue (src/madoguchi/locale) without the strings of the apps that keep their own
# catalogue (procedures, eforms, applications, bulky), then compiling only it:
#   cd src/madoguchi && ../../.venv/bin/madoguchi makemessages -l en --no-obsolete --ignore 'static/*' \
#     --ignore 'bundle/*' --ignore 'procedures/*' --ignore 'eforms/*' --ignore 'applications/*' \
#     --ignore 'bulky/*' --ignore 'templates/procedures/*' --ignore 'templates/eforms/*' \
#     --ignore 'templates/applications/*' --ignore 'templates/bulky/*' && rm -rf var
#   (translate every empty or fuzzy msgstr), then
#   cd locale && DJANGO_SETTINGS_MODULE=madoguchi.settings ../../../.venv/bin/django-admin compilemessages -l en \
#     && rm -rf var

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


def catalogues(root: Path = SRC) -> list[Path]:
    """Every English catalogue in the tree: the main one (``locale/``) and each app-local one
    (``<app>/locale/en/LC_MESSAGES/django.po``, as the new apps keep theirs)."""
    return sorted(root.glob("locale/en/LC_MESSAGES/django.po")) + sorted(root.glob("*/locale/en/LC_MESSAGES/django.po"))


def po_problems(po: Path) -> dict[str, list]:
    """What is wrong with a catalogue: ``{"untranslated", "fuzzy", "still_japanese", "mo"}``, each a list of
    ``(reference, msgid or text)``; all empty when every entry is translated into English and the ``.mo``
    beside it holds exactly the ``.po``'s translations (a ``.po`` without its ``.mo`` translates nothing)."""
    entries = read_po(po)
    problems = {
        "untranslated": [(e["ref"], e["msgid"]) for e in entries
                         if not e["msgstr"] or not all(e["msgstr"].values())],
        "fuzzy": [(e["ref"], e["msgid"]) for e in entries if "fuzzy" in e["flags"]],
        "still_japanese": [(e["ref"], e["msgstr"]) for e in entries
                           if any(JAPANESE.search(s) for s in e["msgstr"].values())],
        "mo": [],
    }
    mo = po.with_suffix(".mo")
    if not mo.exists():
        problems["mo"].append((str(mo), "missing"))
        return problems
    with open(mo, "rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for e in entries:
        if e["msgid_plural"] is None:
            if catalog.gettext(e["msgid"]) != e["msgstr"].get(0, e["msgid"]):
                problems["mo"].append((e["ref"], e["msgid"]))
        elif (catalog.ngettext(e["msgid"], e["msgid_plural"], 1), catalog.ngettext(e["msgid"], e["msgid_plural"], 2)) \
                != (e["msgstr"].get(0), e["msgstr"].get(1)):
            problems["mo"].append((e["ref"], e["msgid"]))
    if len(catalog._catalog) - 1 != sum(1 if e["msgid_plural"] is None else 2 for e in entries):
        problems["mo"].append((str(mo), "holds other entries than the .po"))
    return problems


def test_po__the_main_catalogue_is_found_and_large():
    assert catalogues()[0] == PO and len(read_po()) > 300


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: str(p.relative_to(SRC)))
def test_po__every_catalogue_is_translated_none_fuzzy_and_its_mo_compiled(po):
    """Every entry of every catalogue has an English translation (none empty, none fuzzy, no Japanese
    left) and the committed ``.mo`` is compiled from the committed ``.po`` (``compilemessages``)."""
    assert po_problems(po) == {"untranslated": [], "fuzzy": [], "still_japanese": [], "mo": []}


def test_po__an_untranslated_entry_in_an_app_local_catalogue_fails(tmp_path):
    """The check reads app-local catalogues too, and finds what is wrong in them."""
    import shutil

    main = tmp_path / "locale" / "en" / "LC_MESSAGES"
    main.mkdir(parents=True)
    shutil.copy(PO, main / "django.po")
    shutil.copy(MO, main / "django.mo")
    app = tmp_path / "newapp" / "locale" / "en" / "LC_MESSAGES"
    app.mkdir(parents=True)
    (app / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: newapp/views.py:1\nmsgid "申請"\nmsgstr "Application"\n\n'
        '#: newapp/views.py:2\nmsgid "受付"\nmsgstr ""\n\n'
        '#: newapp/views.py:3\n#, fuzzy\nmsgid "窓口"\nmsgstr "Counter"\n', encoding="utf-8")
    assert catalogues(tmp_path) == [main / "django.po", app / "django.po"]
    assert po_problems(main / "django.po") == {"untranslated": [], "fuzzy": [], "still_japanese": [], "mo": []}
    assert po_problems(app / "django.po") == {
        "untranslated": [("newapp/views.py:2", "受付")], "fuzzy": [("newapp/views.py:3", "窓口")],
        "still_japanese": [], "mo": [(str(app / "django.mo"), "missing")]}


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
def city(db, settings):
    """Real data for every page: Kawasaki's garbage data (both languages), events, counters with
    readings, a facility with slots and an open lottery, the bundled plans, an open public consultation,
    a published citizen report and a notice with a subscription."""
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
    return {"period": period, "event": Event.objects.filter(state="published").first(), "counter": counter,
            **_public_pages_data(settings, now)}


def _public_pages_data(settings, now) -> dict:
    """The objects of the pages moved into ``i18n_patterns`` (issue #18): plans, a consultation, a report,
    a notice and the tokens of its subscription's links."""
    from madoguchi.consultations import services as consultations
    from madoguchi.consultations.models import Consultation
    from madoguchi.notices import services as notices
    from madoguchi.notices.models import Notice, Topic
    from madoguchi.plans import services as plans
    from madoguchi.reports import services as reports

    settings.REPORTS_CITY_BBOX = (35.47, 139.46, 35.64, 139.80)
    plans.load_bundled(actor="test_i18n")
    consultations.ensure_defaults()
    consultation = Consultation.objects.create(
        slug="dx-plan-2027", title="デジタル化推進計画（案）", department="総務企画局 デジタル化推進室",
        summary="市の手続をスマートフォンでできるようにする計画の案です。", announced=True, announced_via="市政だより",
        starts_at=now - dt.timedelta(days=5), ends_at=now + dt.timedelta(days=25))
    consultation.channels.set(consultations.Channel.objects.all())
    reports.seed_services()
    report = reports.submit_report(service_code="park", description="公園のベンチが壊れています。",
                                   lat=35.5764, lon=139.6595)
    reports.moderate(report, publish=True)
    notices.install_defaults()
    notice = Notice.objects.create(title="大雨への備え", body="側溝の掃除をお願いします。",
                                   topic=Topic.objects.get(slug="bousai"), state=Notice.State.DONE)
    sub = notices.subscribe_mail("taro@example.jp", topics=["bousai"])
    result = Consultation.objects.create(
        slug="park-plan-2025", title="公園の整備方針（案）", department="建設緑政局 みどりの協働推進課",
        summary="公園の整備方針の案です。", announced=True, announced_via="市政だより\n市ホームページ",
        outcome="案のとおり決定しました。", starts_at=now - dt.timedelta(days=90), ends_at=now - dt.timedelta(days=60),
        result_state=Consultation.ResultState.PUBLISHED, result_published_at=now - dt.timedelta(days=10))
    result.channels.set(consultations.Channel.objects.all())
    from madoguchi.plans.models import Plan

    return {"result": result, "plans": list(Plan.objects.order_by("slug").values_list("slug", flat=True)),
            "consultation": consultation, "report": report, "notice": notice,
            "verify": notices.make_token("verify", sub.pk), "unsub": notices.make_token("unsub", sub.pk)}


def english_pages(city) -> list[str]:
    counter, event = city["counter"], city["event"]
    return [
        "/en/",
        "/en/garbage/", "/en/garbage/?q=aluminum", "/en/garbage/?q=zzzz-nothing",
        "/en/garbage/?city=kawasaki&q=battery",
        "/en/shelters/", "/en/shelters/?postal_code=12", "/en/shelters/?lat=35.5309&lon=139.6968&disaster=flood",
        "/en/shelters/map/?lat=35.5309&lon=139.6968",
        "/en/events/", "/en/events/?q=zzzz-nothing", f"/en/events/{event.pk}/",
        "/en/counters/", f"/en/counters/{counter.office.slug}/{counter.slug}/",
        "/en/reservations/", "/en/reservations/facilities/court/", "/en/reservations/lottery/",
        f"/en/reservations/lottery/{city['period'].pk}/",
        "/en/faq/", "/en/faq/?q=zzzz", "/en/no-such-page/",
        *catalog_pages(),
        *moved_pages(city),
        *rest_pages(city),
    ]


def moved_pages(city) -> list[str]:
    """The public pages that were outside ``i18n_patterns`` until issue #18: standards, plans, public
    consultations, citizen reports, notices."""
    from madoguchi.standards import services as standards

    consultation, report = city["consultation"].slug, city["report"]
    return [
        "/en/standards/", *[f"/en/standards/{s.id}/" for s in standards.all_standards()],
        "/en/standards/no-such-standard/",
        "/en/plans/", *[f"/en/plans/{slug}/" for slug in city["plans"]],
        "/en/consultations/", f"/en/consultations/{consultation}/", f"/en/consultations/{consultation}/opinion/",
        f"/en/consultations/{consultation}/opinion/thanks/",
        "/en/reports/", "/en/reports/new/", "/en/reports/map/", f"/en/reports/{report.pk}/",
        f"/en/reports/track/{report.token}/",
        "/en/notices/", "/en/notices/t/bousai/", f"/en/notices/n/{city['notice'].pk}/",
        f"/en/notices/v/{city['verify']}/", f"/en/notices/u/{city['unsub']}/", "/en/notices/v/bad-token/",
    ]


def rest_pages(city) -> list[str]:
    """The public pages translated last (issue #18): a policy page of every plan with its evaluation sheets,
    a consultation's published result (page and print), a resource's quality report."""
    from madoguchi.catalog.models import Resource
    from madoguchi.plans.models import Policy

    pages = []
    for slug in city["plans"]:
        policy = Policy.objects.filter(plan__slug=slug, evaluations__isnull=False).first() or \
            Policy.objects.filter(plan__slug=slug).first()
        if policy is None:
            continue
        pages.append(f"/en/plans/{slug}/policies/{policy.code}/")
        pages += [f"/en/plans/{slug}/policies/{policy.code}/evaluations/{e.year}/"
                  for e in policy.evaluations.all()[:1]]
    assert any("/evaluations/" in p for p in pages), "no evaluation sheet among the bundled plans"
    result = city["result"].slug
    pages += [f"/en/consultations/{result}/result/", f"/en/consultations/{result}/result/print/"]
    r = Resource.objects.select_related("dataset").order_by("dataset__slug", "pk").first()
    pages.append(f"/en/datasets/{r.dataset.slug}/resources/{r.pk}/quality/")
    return pages


def catalog_pages() -> list[str]:
    """The open-data catalogue in English: the list (plain, searched in Japanese, empty, filtered) and every
    dataset page and resource page (preview, columns and types, import report, versions) of the loaded data."""
    from madoguchi.catalog.models import Resource

    pages = ["/en/datasets/", "/en/datasets/?q=%E9%81%BF%E9%9B%A3", "/en/datasets/?q=zzzz-nothing",
             "/en/datasets/?theme=disaster", "/en/datasets/?q=zzzz-nothing&page=2"]
    resources = Resource.objects.select_related("dataset").order_by("dataset__slug", "pk")
    for r in resources:
        dataset = f"/en/datasets/{r.dataset.slug}/"
        pages += [dataset] if dataset not in pages else []
        pages.append(f"{dataset}resources/{r.pk}/")
    pages.append(f"{dataset}resources/{r.pk}/?column=%E5%90%8D%E7%A7%B0&value=x")  # a filtered preview
    return pages


def test_english_pages__no_japanese_outside_data(client, city):
    failures = {}
    rest = set(rest_pages(city))
    for path in english_pages(city):
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert response.status_code == 200 or path not in rest, path
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
    assert _switch(client.get("/emergency/").content.decode()) == [("/en/", "en", "English")]
    # the pages moved into i18n_patterns (standards, plans, consultations, reports, notices) keep theirs
    assert _switch(client.get("/standards/").content.decode()) == [("/en/standards/", "en", "English")]
    assert _switch(client.get("/en/notices/").content.decode()) == [("/notices/", "ja", "日本語")]


def test_hreflang__alternates_for_both_languages_and_x_default(client, city):
    html = client.get("/en/events/").content.decode()
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert links == [("ja", "http://testserver/events/"), ("en", "http://testserver/en/events/"),
                     ("x-default", "http://testserver/events/")]
    assert "hreflang=\"x-default\"" not in client.get("/emergency/").content.decode()
    assert "hreflang=\"x-default\"" in client.get("/standards/").content.decode()


def test_outside_i18n_patterns__api_staff_and_feeds_have_no_english_address(client, city):
    assert client.get("/en/api/v1/datasets").status_code == 404
    assert client.get("/en/staff/").status_code == 404
    assert client.get("/en/open311/v2/services.json").status_code == 404
    # the staff pages of the apps whose public pages have an English address (issue #18): no /en/ address
    for path in ("/plans/staff/", "/consultations/staff/", "/reports/staff/", "/notices/staff/", "/staff/quality/"):
        assert client.get("/en" + path).status_code == 404, path
    # their Japanese addresses are unchanged
    for path in ("/plans/", "/standards/", "/consultations/", "/reports/", "/notices/"):
        assert client.get(path).status_code == 200, path
        assert client.get("/en" + path).status_code == 200, path
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


# --- staff pages: Japanese first, English with the language cookie ---------------------------------

def test_staff_page__english_with_the_cookie_the_language_switch_sets(client, city, admin_user):
    """Staff pages have no /en/ address; an English Accept-Language alone keeps them Japanese (one language
    per form), the switch (``?language=en``) sets the language cookie, and then they are English."""
    client.force_login(admin_user)
    html = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in html and "職員メニュー" in html
    assert _switch(html) == [("/staff/?language=en", "en", "English")]
    response = client.get("/staff/?language=en", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.url) == (302, "/staff/")
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    from madoguchi.catalog.models import Resource

    table = Resource.objects.filter(current_version__row_count__gt=0).order_by("pk").first()
    suppress = f"/staff/privacy/resources/{table.pk}/suppress/"
    for path in ("/staff/", "/en/staff/datasets/new/", "/staff/quality/", "/plans/staff/", suppress):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        html = response.content.decode()
        assert response.status_code == 200 and '<html lang="en">' in html, path
        assert japanese_outside_data(html) == [], path
    html = client.get("/staff/").content.decode()
    assert "Staff menu" in html and "Create a dataset" in html and "Import a file" in html
    assert _switch(html) == [("/staff/?language=ja", "ja", "日本語")]
    assert client.get("/staff/?language=ja").cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "ja"
    assert '<html lang="ja">' in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_staff_page__flash_message_and_form_labels_in_english(client, admin_user, org):
    from madoguchi.catalog.models import Theme

    Theme.objects.create(slug="disaster", title="防災・安全", title_en="Disaster prevention and safety")
    client.force_login(admin_user)
    html = client.get("/en/staff/datasets/new/").content.decode()
    assert ">Title<" in html and "Disaster prevention and safety" in html and "It cannot be changed later." in html
    form = {"title": "区別人口", "slug": "population-by-ward", "organization": org.pk, "license_id": "cc-by-4.0",
            "update_frequency": "IRREG", "description": "区ごとの人口"}
    assert client.post("/en/staff/datasets/new/", form).status_code == 302
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/staff/").content.decode()
    assert "Created the dataset “区別人口”. Now import its files." in html
    # in Japanese, the same message in Japanese
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ja"
    form["slug"] = "population-2"
    assert client.post("/staff/datasets/new/", form).status_code == 302
    assert "データセット「区別人口」を作りました。ファイルを取り込んでください。" in client.get("/staff/").content.decode()


# --- navigation for the procedure pages (issue #14) -----------------------------------------------

def _hrefs(html: str) -> dict[str, str]:
    """``{href: link text}`` of every link in the page."""
    return {unescape(h): re.sub(r"<[^>]+>", "", t).strip()
            for h, t in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html, re.DOTALL)}


def test_navigation__procedures_in_the_site_menu_and_the_home_page(client, db):
    menu = re.search(r'<nav aria-label="[^"]*">.*?</nav>', client.get("/").content.decode(), re.DOTALL).group(0)
    assert _hrefs(menu)["/procedures/"] == "手続き"
    assert _hrefs(client.get("/").content.decode())["/procedures/"] in ("手続き", "手続きの案内")
    home = client.get("/en/").content.decode()
    menu = re.search(r'<nav aria-label="Main menu">.*?</nav>', home, re.DOTALL).group(0)
    assert _hrefs(menu)["/en/procedures/"] == "Procedures"
    assert 'href="/en/procedures/">Procedure guide</a>' in home


def test_navigation__staff_dashboard_links_to_the_procedure_and_form_pages(client, admin_user):
    client.force_login(admin_user)
    expected = {"/staff/procedures/": ("手続きガイドの管理", "Manage the procedure guide"),
                "/staff/forms/": ("申請フォームの作成", "Build application forms"),
                "/staff/applications/": ("申請の受付・審査", "Receive and review applications"),
                "/staff/bulky/fees/": ("粗大ごみの料金表", "Bulky waste fee table"),
                "/staff/bulky/route/": ("粗大ごみの収集ルート表", "Bulky waste collection route lists")}
    links = _hrefs(client.get("/staff/").content.decode())
    assert {href: links.get(href) for href in expected} == {href: ja for href, (ja, _) in expected.items()}
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    links = _hrefs(client.get("/staff/").content.decode())
    assert {href: links.get(href) for href in expected} == {href: en for href, (_, en) in expected.items()}
    for href in expected:  # each page answers the staff member
        assert client.get(href).status_code == 200, href


def test_javascript__shows_no_japanese_of_its_own():
    """These scripts take their texts from data-text-* attributes the template renders in the page's
    language; none has Japanese in its code (comments included: a string moved into a comment is caught too)."""
    names = ["static/reports/report-map.js", "notices/static/notices/push.js", "static/shelters/shelters.js",
             "static/shelters/map.js", "static/counters/live.js"]
    offenders = {n: JAPANESE.findall((SRC / n).read_text(encoding="utf-8"))[:3] for n in names
                 if JAPANESE.search((SRC / n).read_text(encoding="utf-8"))}
    assert offenders == {}


def test_report_map_and_push__texts_rendered_in_english(client, city, settings):
    settings.NOTICES_VAPID_PUBLIC_KEY = "BPublicKeyForTheTest"
    html = client.get("/en/reports/new/").content.decode()
    assert 'data-text-failed="Could not get your location. Please enter the address."' in html
    assert 'data-text-chosen="Place chosen on the map (latitude {lat}, longitude {lon})"' in html
    html = client.get("/en/notices/").content.decode()
    assert 'data-text-unsupported="This browser does not support push notifications."' in html
    html = client.get("/notices/").content.decode()
    assert 'data-text-unsupported="このブラウザはプッシュ通知に対応していません。"' in html


def test_staff_pages__english_under_the_language_cookie(client, city, django_user_model, settings):
    """The staff pages of reports and consultations have no ``/en/`` address: the language switch
    (``?language=en``, a cookie) makes them English; the FAQ's staff pages are at ``/en/faq/staff/``
    (issue #18). The first ones translated: the staff home pages of these three apps."""
    staff = django_user_model.objects.create_user("staff-en", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    switched = client.get("/reports/staff/?language=en")
    assert switched.status_code == 302 and switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    failures = {}
    for path in ("/en/faq/staff/", "/reports/staff/", "/consultations/staff/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="en">' in html, path
        if found := japanese_outside_data(html):
            failures[path] = found
    assert failures == {}
