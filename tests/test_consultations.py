"""Public comment (issue #16 parts 1–5): the bundled Kawasaki result reproduces the published counts and
table; the opinion form stores all or nothing and names the field of each error; staff entry, split,
merge, grouping, review → approval → publication with history, masking, dataset and KPI metrics."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from madoguchi.consultations import services
from madoguchi.consultations.models import (
    Attachment,
    Consultation,
    Opinion,
    ResultEvent,
    Submission,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "consultations" / \
    "kawasaki-ict-plan-2016-public-comment.yaml"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _expected(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {"classes": {k: v for k, v in doc["published_counts"].items() if k != "total"},
            "total": doc["published_counts"]["total"],
            "channels": doc["consultation"]["submissions"]["by_channel"],
            "table": [[str(o["no"]), o["opinion"], o["response"], o["response_class"]] for o in doc["opinions"]]}


@pytest.fixture
def kawasaki(db):
    return services.import_bundled_kawasaki()


@pytest.mark.parametrize("source", ["bundled", "shared"])
def test_kawasaki_import_reproduces_published_counts_and_table(kawasaki, source):
    path = services.BUNDLED_KAWASAKI if source == "bundled" else SHARED
    if not path.is_file():
        pytest.skip(f"{path} not present")
    want = _expected(path)
    t = services.result_table(kawasaki)
    assert t.opinions == want["total"] == 7
    assert t.letters == 7
    assert t.class_counts() == want["classes"] == {"A": 0, "B": 2, "C": 0, "D": 3, "E": 2}
    assert {k: v for k, v in t.channel_counts().items()} == want["channels"]
    assert t.channel_counts()["インターネット"] == 6 and t.channel_counts()["FAX"] == 1
    assert t.table() == want["table"]


def test_bundled_copy_is_the_shared_file():
    if not SHARED.is_file():
        pytest.skip("shared data not present")
    assert services.BUNDLED_KAWASAKI.read_bytes() == SHARED.read_bytes()


def test_kawasaki_downloads_match_the_table(kawasaki, client):
    from openpyxl import load_workbook

    want = _expected(services.BUNDLED_KAWASAKI)["table"]
    r = client.get(reverse("consultations:result_download", args=[kawasaki.slug, "csv"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == services.TABLE_HEADER and rows[1:] == want
    r = client.get(reverse("consultations:result_download", args=[kawasaki.slug, "xlsx"]))
    wb = load_workbook(io.BytesIO(r.content))
    sheet = [[str(c) if c is not None else "" for c in row] for row in wb["意見と市の考え方"].iter_rows(values_only=True)]
    assert sheet[1:] == want
    counts = {row[0]: row[2] for row in wb["集計"].iter_rows(values_only=True) if row and row[0] in tuple("ABCDE")}
    assert counts == {"A": 0, "B": 2, "C": 0, "D": 3, "E": 2}
    page = client.get(reverse("consultations:result", args=[kawasaki.slug])).content.decode()
    assert "藤子・f・不二雄ミュージアム" in page and "意見提出数 <strong>7通</strong>" in page
    printable = client.get(reverse("consultations:result_print", args=[kawasaki.slug]))
    assert printable.status_code == 200 and "@page" not in printable.content.decode()  # css is linked
    assert client.get(reverse("consultations:result_download", args=[kawasaki.slug, "pdf"])).status_code == 404


def test_import_command_and_metrics(db, tmp_path):
    from madoguchi.plans.services import metric_value

    out = io.StringIO()
    call_command("consultations", "import-kawasaki", stdout=out)
    assert "7 letters, 7 opinions (A=0 B=2 C=0 D=3 E=2)" in out.getvalue()
    call_command("consultations", "export", "kawasaki-ict-plan-2016", str(tmp_path / "r.csv"), stdout=out)
    assert (tmp_path / "r.csv").read_bytes().startswith("\ufeff番号".encode())
    today = dt.date(2026, 12, 1)
    # period 2016-02-05 … 03-07: fiscal year 2015 (April 2015 – March 2016)
    assert services.consultations_between(dt.date(2015, 4, 1), dt.date(2016, 3, 31)).count() == 1
    from madoguchi.plans.metrics import get_metric
    assert get_metric("consultations.count").func(2015, today=today) == 1
    assert get_metric("consultations.opinions_per_consultation").func(2015, today=today) == 7
    assert get_metric("consultations.reflected_share").func(2015, today=today) == 0
    assert get_metric("consultations.count").func(2016, today=today) == 0
    assert get_metric("consultations.reflected_share").func(2016, today=today) is None
    assert metric_value  # the plans module's public API is importable


# --- the public form -------------------------------------------------------------------------------------

@pytest.fixture
def open_consultation(db):
    services.ensure_defaults()
    now = timezone.now()
    c = Consultation.objects.create(slug="plan-2026", title="デジタル化推進計画（案）", department="情報政策課",
                                    summary="市の手続をオンラインにする計画の案です。", announced=True,
                                    starts_at=now - dt.timedelta(days=3), ends_at=now + dt.timedelta(days=27))
    c.channels.set(services.Channel.objects.all())
    return c


def _post(client, c, **fields):
    data = {"text": "手続のオンライン化を進めてください。", "consent": "on", **fields}
    return client.post(reverse("consultations:opinion", args=[c.slug]), data)


def _nothing_stored(media_root: Path) -> None:
    assert (Submission.objects.count(), Opinion.objects.count(), Attachment.objects.count()) == (0, 0, 0)
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_opinion_form_stores_letter_and_sends_receipt(open_consultation, client, django_capture_on_commit_callbacks):
    c = open_consultation
    page = client.get(reverse("consultations:opinion", args=[c.slug]))
    assert page.status_code == 200 and "御意見" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, c, name="川崎 花子", email="hanako@example.jp",
                  attachments=SimpleUploadedFile("iken.pdf", PDF, content_type="application/pdf"))
    assert r.status_code == 302 and r["Location"].endswith("/opinion/thanks/")
    sub = Submission.objects.get()
    assert sub.channel.name == "インターネット" and sub.consent and sub.email == "hanako@example.jp"
    assert sub.opinions.get().text == "手続のオンライン化を進めてください。"
    att = sub.attachments.get()
    assert att.content_type == "application/pdf" and att.file.read() == PDF
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hanako@example.jp"]
    assert f"受付番号 {sub.pk}" in mail.outbox[0].body
    assert f"受付番号は <strong>{sub.pk}</strong>" in client.get(r["Location"]).content.decode()


def test_html_in_an_opinion_is_text(open_consultation, client, settings):
    c = open_consultation
    assert _post(client, c, text='<script>alert("x")</script><b>太字</b>').status_code == 302
    assert Opinion.objects.get().text == '<script>alert("x")</script><b>太字</b>'
    staff = _staff(client)
    page = staff.get(reverse("consultations_staff:staff_work", args=[c.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "<script>alert" not in page


@pytest.mark.parametrize("upload, message", [
    (("virus.exe", b"MZ\x90\x00"), "添付できない種類のファイルです"),
    (("fake.pdf", b"<html>not a pdf</html>"), "中身が拡張子 (.pdf) の形式ではありません"),
    (("big.pdf", PDF + b"0" * (services.ATTACHMENT_MAX_BYTES + 1)), "大きすぎます"),
])
def test_refused_attachment_names_the_field_and_stores_nothing(open_consultation, client, media_root, upload,
                                                                message):
    name, data = upload
    r = _post(client, open_consultation, attachments=SimpleUploadedFile(name, data))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_attachments_error"' in html and message in html and name in html
    _nothing_stored(media_root)


def test_too_many_attachments(open_consultation, client, media_root):
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(services.ATTACHMENT_MAX_COUNT + 1)]
    r = _post(client, open_consultation, attachments=files)
    assert r.status_code == 400 and "3 個までです" in r.content.decode()
    _nothing_stored(media_root)


def test_missing_consent_and_empty_text_name_their_fields(open_consultation, client, media_root):
    r = client.post(reverse("consultations:opinion", args=[open_consultation.slug]), {"text": " "})
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="id_text_error"' in html and 'id="id_consent_error"' in html and "同意してください" in html
    _nothing_stored(media_root)


def test_after_the_period_nothing_is_accepted(open_consultation, client, media_root):
    c = open_consultation
    c.starts_at, c.ends_at = timezone.now() - dt.timedelta(days=40), timezone.now() - dt.timedelta(days=10)
    c.save()
    r = _post(client, c, attachments=SimpleUploadedFile("iken.pdf", PDF))
    assert r.status_code == 400 and "に終了しました" in r.content.decode()
    _nothing_stored(media_root)
    assert "意見を送る</a>" not in client.get(reverse("consultations:detail", args=[c.slug])).content.decode()
    with pytest.raises(services.ConsultationError, match="終了しました"):
        services.submit_opinion(c, text="x", consent=True)


def test_failure_while_storing_leaves_nothing(open_consultation, media_root, monkeypatch):
    def boom(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Attachment, "save", boom)
    with pytest.raises(RuntimeError):
        services.submit_opinion(open_consultation, text="意見", consent=True,
                                attachments=[SimpleUploadedFile("a.pdf", PDF)])
    _nothing_stored(media_root)


def test_unannounced_consultation_is_hidden(open_consultation, client):
    open_consultation.announced = False
    open_consultation.save()
    assert client.get(reverse("consultations:detail", args=[open_consultation.slug])).status_code == 404
    assert open_consultation.title not in client.get(reverse("consultations:index")).content.decode()


def test_index_lists_open_closed_and_published(open_consultation, kawasaki, client):
    html = client.get(reverse("consultations:index")).content.decode()
    open_part, published_part = html.split('id="closed"')[0], html.split('id="published"')[1]
    assert open_consultation.title in open_part and kawasaki.title in published_part


# --- staff -----------------------------------------------------------------------------------------------

def _staff(client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("shokuin-c", password="pw-1234567", is_staff=True)
    client.force_login(user)
    return client


def test_staff_pages_need_staff(open_consultation, client):
    for url in (reverse("consultations_staff:staff"), reverse("consultations_staff:staff_work", args=[open_consultation.pk])):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_staff_flow_split_merge_group_review_publish(open_consultation, client, org, django_capture_on_commit_callbacks):
    from madoguchi.catalog.models import Dataset

    c = open_consultation
    staff = _staff(client)
    fax = services.Channel.objects.get(name="FAX")
    r = staff.post(reverse("consultations_staff:staff_entry", args=[c.pk]), {
        "channel": fax.pk, "received_on": timezone.localdate().isoformat(), "name": "幸 太郎",
        "text": "窓口の待ち時間を減らしてほしい。\n---\n電話番号 044-200-1234 の山田太郎まで連絡ください。"})
    assert r.status_code == 302
    first, second = Opinion.objects.order_by("pk")
    assert first.submission == second.submission and first.submission.channel == fax
    # merge the two, then split again
    staff.post(reverse("consultations_staff:staff_work", args=[c.pk]), {"action": "merge", "opinion": [first.pk, second.pk]})
    assert Opinion.objects.count() == 1
    merged = Opinion.objects.get()
    r = staff.post(reverse("consultations_staff:staff_split", args=[merged.pk]), {"text": merged.text.replace("\n", "\n---\n")})
    assert r.status_code == 302 and Opinion.objects.count() == 2
    r = staff.post(reverse("consultations_staff:staff_split", args=[merged.pk]), {"text": "書き換えた\n---\n文"})
    assert "文言を変えることはできません" in r.content.decode()
    # web opinion; group it with the first
    services.submit_opinion(c, text="オンライン申請を増やしてください。", consent=True)
    a, b, web = Opinion.objects.order_by("pk")
    staff.post(reverse("consultations_staff:staff_work", args=[c.pk]), {"action": "group", "target": "new", "opinion": [a.pk, web.pk]})
    g1 = a.__class__.objects.get(pk=a.pk).group
    staff.post(reverse("consultations_staff:staff_work", args=[c.pk]), {"action": "group", "target": "new", "opinion": [b.pk]})
    g2 = Opinion.objects.get(pk=b.pk).group
    assert (g1.number, g2.number) == (1, 2) and g1.opinions.count() == 2
    cls = {x.code: x for x in services.AnswerClass.objects.all()}
    staff.post(reverse("consultations_staff:staff_group", args=[g1.pk]), {
        "summary": "待ち時間を減らし、オンライン申請を増やしてほしい。", "answer": "計画の取組 3 で進めます。",
        "answer_class": cls["A"].pk})
    # the period is still open: review is refused with the reasons
    staff.post(reverse("consultations_staff:staff_state", args=[c.pk]), {"to": "review"})
    c.refresh_from_db()
    assert c.result_state == "draft"
    c.ends_at = timezone.now() - dt.timedelta(minutes=1)
    c.save()
    staff.post(reverse("consultations_staff:staff_state", args=[c.pk]), {"to": "review"})
    c.refresh_from_db()
    assert c.result_state == "draft"  # group 2 has no answer yet
    staff.post(reverse("consultations_staff:staff_group", args=[g2.pk]), {
        "summary": g2.summary, "answer": "個別の連絡はいたしません。", "answer_class": cls["E"].pk})
    for to in ("review", "draft", "review", "approved"):
        staff.post(reverse("consultations_staff:staff_state", args=[c.pk]), {"to": to, "note": "確認"})
    c.refresh_from_db()
    assert c.result_state == "approved"
    # approved: editing is refused
    r = staff.post(reverse("consultations_staff:staff_group", args=[g2.pk]), {"summary": "x", "answer": "y"})
    assert "作成中に戻してください" in r.content.decode()
    assert client.get(reverse("consultations:result", args=[c.slug])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("consultations_staff:staff_state", args=[c.pk]), {"to": "published"})
    c.refresh_from_db()
    assert c.result_state == "published" and c.result_published_at
    t = services.result_table(c)
    assert t.class_counts()["A"] == 2 and t.class_counts()["E"] == 1
    assert t.channel_counts() == {"インターネット": 1, "電子メール": 0, "FAX": 1, "郵送": 0, "持参": 0}
    page = client.get(reverse("consultations:result", args=[c.slug])).content.decode()
    assert "044-****-1234" in page and "044-200-1234" not in page and "山田太郎" not in page
    assert "幸 太郎" not in page
    notes = list(ResultEvent.objects.filter(consultation=c).values_list("state", "note", "user__username"))
    assert ("published", "公表", "shokuin-c") in notes and ("draft", "差し戻し: 確認", "shokuin-c") in notes
    ds = Dataset.objects.get(slug=services.dataset_slug(c))
    assert ds.description and ds.resources.count() == 1
    from madoguchi.plans.metrics import get_metric
    start = timezone.localtime(c.starts_at).date()
    fy = start.year - (start.month < 4)
    assert get_metric("consultations.reflected_share").func(fy, today=timezone.localdate()) == Decimal("66.7")


def test_staff_create_consultation_with_link_document(db, client):
    staff = _staff(client)
    services.ensure_defaults()
    r = staff.post(reverse("consultations_staff:staff_new"), {
        "c-title": "子育て支援計画（案）", "c-slug": "kosodate-2027", "c-department": "こども未来局",
        "c-summary": "子育て支援の計画案です。", "c-starts_at": "2027-01-05T09:00", "c-ends_at": "2027-02-04T17:00",
        "c-channels": [services.web_channel().pk], "c-announced": "on", "action": "consultation"})
    assert r.status_code == 302, r.content.decode()[:2000]
    c = Consultation.objects.get(slug="kosodate-2027")
    assert timezone.localtime(c.starts_at).hour == 9
    staff.post(reverse("consultations_staff:staff_edit", args=[c.pk]), {
        "action": "document", "d-title": "計画案 (本文)", "d-url": "https://example.jp/plan.pdf"})
    assert c.documents.get().href() == "https://example.jp/plan.pdf"
    r = staff.post(reverse("consultations_staff:staff_new"), {
        "c-title": "x", "c-slug": "bad", "c-department": "y", "c-summary": "z",
        "c-starts_at": "2027-02-05T09:00", "c-ends_at": "2027-01-04T17:00", "action": "consultation"})
    assert 'id="id_c-ends_at_error"' in r.content.decode()
    detail = client.get(reverse("consultations:detail", args=[c.slug])).content.decode()
    assert "計画案 (本文)" in detail and "2027年1月5日 09:00" in detail


def test_kawasaki_result_as_a_catalog_dataset(db, org):
    from madoguchi.catalog.models import Dataset
    from madoguchi.datastore.models import IngestJob

    out = io.StringIO()
    call_command("consultations", "import-kawasaki", "--dataset", stdout=out)
    ds = Dataset.objects.get(slug="public-comment-kawasaki-ict-plan-2016")
    job = IngestJob.objects.get(dataset=ds)
    assert job.state == "done", job.error
    assert "川崎市情報化推進プラン" in ds.description and ds.resources.count() == 1
    call_command("consultations", "dataset", "kawasaki-ict-plan-2016", stdout=out)
    assert IngestJob.objects.filter(dataset=ds).count() == 2
