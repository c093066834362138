"""Staff pages of the privacy app (issue #3): a blocked upload shows its findings and the override form,
re-runs after the override; the suppression page previews, downloads and publishes a masked table."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.catalog.models import Resource
from madoguchi.datastore import snapshots
from madoguchi.datastore.models import IngestJob
from madoguchi.privacy.models import PrivacyOverride

NAMES_CSV = "病院名,管理者氏名,所在地\n山田病院,山田 太郎,熊本市中央区1\n佐藤病院,佐藤 花子,熊本市北区2\n".encode()
AGES_CSV = "町丁,0～14歳,15～64歳,65歳以上,合計\nA町,3,120,40,163\nB町,25,300,50,375\nC町,30,200,55,285\n".encode()


@pytest.fixture
def blocked_job(admin_client, make_dataset, settings):
    dataset = make_dataset("hospitals", "病院一覧")
    admin_client.post("/staff/upload/", {"dataset": dataset.pk, "resource_name": "病院",
                                         "file": SimpleUploadedFile("hospitals.csv", NAMES_CSV)})
    return IngestJob.objects.get()


def test_blocked_upload__job_page_lists_findings_with_override_form(admin_client, blocked_job):
    assert blocked_job.state == "failed" and blocked_job.error["code"] == "privacy_blocked"
    assert blocked_job.error["findings"][0]["column"] == "管理者氏名"
    assert snapshots.absolute(blocked_job.upload_path).is_file()  # kept for the re-run
    page = admin_client.get(f"/staff/jobs/{blocked_job.pk}/").content.decode()
    assert "個人情報チェックの結果" in page and 'data-column="管理者氏名"' in page
    assert "2, 3 行目" in page and "山****" in page and "山田 太郎" not in page  # masked examples only
    assert 'name="f0-reason"' in page and "再実行" not in page.split("個人情報チェックの結果")[1].split("<ul")[0]


def test_override_form__empty_reason__rejected_nothing_recorded(admin_client, blocked_job):
    response = admin_client.post(f"/staff/jobs/{blocked_job.pk}/", {
        "action": "override", "prefix": "f0", "f0-column": "管理者氏名", "f0-kind": "personal_name", "f0-reason": " "})
    assert response.status_code == 400 and "理由を入力してください" in response.content.decode()
    assert PrivacyOverride.objects.count() == 0


def test_override_then_rerun__publishes_and_audit_record_names_the_user(admin_client, admin_user, blocked_job):
    response = admin_client.post(f"/staff/jobs/{blocked_job.pk}/", {
        "action": "override", "prefix": "f0", "f0-column": "管理者氏名", "f0-kind": "personal_name",
        "f0-reason": "医療法第6条の3により公表される事項"})
    assert response.status_code == 302
    o = PrivacyOverride.objects.get()
    assert (o.dataset.slug, o.resource_name, o.column, o.created_by) == ("hospitals", "病院", "管理者氏名", admin_user)
    page = admin_client.get(f"/staff/jobs/{blocked_job.pk}/").content.decode()
    assert "解除済み：医療法第6条の3により公表される事項" in page and "再実行（取り込み直して公開する）" in page
    admin_client.post(f"/staff/jobs/{blocked_job.pk}/", {"action": "rerun"})
    job = IngestJob.objects.get()
    assert job.state == "done" and job.version.row_count == 2
    assert job.version.report["privacy"][0]["override"]["reason"] == "医療法第6条の3により公表される事項"
    assert not snapshots.absolute(job.upload_path).exists()  # removed once published
    status = admin_client.get(f"/staff/jobs/{job.pk}/status").content.decode()
    assert "解除済み：医療法第6条の3" in status


def test_suppression_page__preview_download_publish(admin_client, ingest, make_dataset):
    dataset = make_dataset("ages", "年齢別人口")
    version = ingest(AGES_CSV, "ages.csv", dataset=dataset, resource="町丁別年齢別人口")
    url = f"/staff/privacy/resources/{version.resource_id}/suppress/"
    assert "しきい値 k" in admin_client.get(url).content.decode()
    page = admin_client.get(url, {"k": 10, "label_columns": 1, "symbol": "X"}).content.decode()
    assert 'data-primary="1"' in page and 'data-secondary="3"' in page and "<td>X</td>" in page
    download = admin_client.get(url, {"k": 10, "label_columns": 1, "symbol": "X", "download": 1})
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.decode("utf-8-sig").splitlines()[1] == "A町,X,120,X,163"
    response = admin_client.post(url, {"k": 10, "label_columns": 1, "symbol": "X"})
    published = Resource.objects.get(dataset=dataset, name="町丁別年齢別人口（秘匿処理 k=10）")
    assert response.status_code == 302 and response["Location"] == published.get_absolute_url()
    assert published.current_version.row_count == 4 and "一次秘匿 1、二次秘匿 3" in published.description


def test_suppression_page__bad_k_and_login(admin_client, client, ingest):
    version = ingest(AGES_CSV, "ages.csv")
    url = f"/staff/privacy/resources/{version.resource_id}/suppress/"
    assert admin_client.get(url, {"k": 0, "symbol": "X"}).status_code == 400
    assert client.get(url).status_code == 302
