"""``madoguchi ingest`` and the staff upload page (issue #2, Ingestion)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from madoguchi.catalog.models import Resource
from madoguchi.datastore.models import IngestJob

CSV = "町名,人口\n大通東２丁目,\"1,234\"\n".encode("cp932")


def test_cli_ingest__prints_types_and_warnings(make_dataset, tmp_path):
    make_dataset("pop", "人口")
    path = tmp_path / "pop.csv"
    path.write_bytes(("令和6年4月1日現在\n" + "町名,人口\n大通東２丁目,\"1,234\"\n北1条,-\n").encode("cp932"))
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", str(path), "--dataset", "pop", "--resource", "人口", stdout=out, stderr=err)
    text = out.getvalue()
    assert "pop / 人口 v1: csv, 2 rows, 2 columns" in text
    assert "人口: integer" in text and "町名: string" in text
    assert "2行目を見出し行としました" in text
    assert "100%" in err.getvalue()  # the progress bar reached the end


def test_cli_ingest__bad_file__error_names_file_and_row(make_dataset, tmp_path):
    make_dataset("pop", "人口")
    path = tmp_path / "bad.csv"
    path.write_bytes("a,b\n".encode() + b"\xff\xfe\x85\x20\n")
    with pytest.raises(CommandError, match=r"bad\.csv 2行目: 文字コードを判定できません"):
        call_command("ingest", str(path), "--dataset", "pop", "--no-progress")
    assert not Resource.objects.filter(dataset__slug="pop").exists() or not Resource.objects.get(
        dataset__slug="pop").current_version


def test_cli_ingest__unknown_dataset_needs_title(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(CSV)
    with pytest.raises(CommandError, match="--title"):
        call_command("ingest", str(path), "--dataset", "nope", "--no-progress")
    call_command("ingest", str(path), "--dataset", "new-one", "--title", "新しいデータ", "--no-progress",
                 stdout=io.StringIO())
    assert Resource.objects.get(dataset__slug="new-one").current_version.row_count == 1


def test_staff_upload__requires_login(client, db):
    response = client.get("/staff/upload/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_upload__ingests_and_shows_report(admin_client, make_dataset, settings):
    dataset = make_dataset("pop", "人口")
    response = admin_client.post("/staff/upload/", {
        "dataset": dataset.pk, "resource_name": "町丁別人口", "file": SimpleUploadedFile("pop.csv", CSV)})
    assert response.status_code == 302
    job = IngestJob.objects.get()
    assert job.state == "done" and job.progress == 100 and job.version.row_count == 1
    status = admin_client.get(f"/staff/jobs/{job.pk}/status").content.decode()
    assert 'data-state="done"' in status and "1 行" in status and "hx-get" not in status


def test_staff_upload__broken_file__job_failed_with_message(admin_client, make_dataset, settings):
    dataset = make_dataset("pop", "人口")
    admin_client.post("/staff/upload/", {"dataset": dataset.pk, "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")})
    job = IngestJob.objects.get()
    assert job.state == "failed" and job.error["code"] == "not_xlsx"
    status = admin_client.get(f"/staff/jobs/{job.pk}/status").content.decode()
    assert "取り込めませんでした" in status and "x.xlsx" in status


def test_staff_home_links_every_staff_page_and_creates_a_dataset(client, admin_user, org):
    """/staff/ (issue #18): one page linking every staff page, and a dataset made without Django admin; a
    public dataset needs a description (the same rule as admin and CKAN)."""
    from django.urls import reverse

    from madoguchi.catalog.models import Dataset

    client.force_login(admin_user)
    home = client.get("/staff/").content.decode()
    for name in ("catalog:dataset_new", "staff:upload", "quality_staff:dashboard", "gomi:not_found", "shelters:staff",
                 "events:staff", "counters:staff", "reservations:staff", "faq:staff", "plans_staff:staff"):
        assert f'href="{reverse(name)}"' in home, name
    form = {"title": "区別人口", "slug": "population-by-ward", "organization": org.pk, "license_id": "cc-by-4.0",
            "update_frequency": "IRREG", "description": ""}
    r = client.post(reverse("catalog:dataset_new"), form)
    assert r.status_code == 400 and 'id="id_description_error"' in r.content.decode()
    assert not Dataset.objects.filter(slug="population-by-ward").exists()
    r = client.post(reverse("catalog:dataset_new"), {**form, "description": "区ごとの人口 (毎月1日現在)"})
    assert r.status_code == 302, r.context["form"].errors.as_json() if r.context else r
    dataset = Dataset.objects.get(slug="population-by-ward")
    assert r.status_code == 302 and r.url == f"{reverse('staff:upload')}?dataset={dataset.pk}"
    assert not dataset.private and dataset.search_title
    anonymous = client.__class__()
    assert anonymous.get(reverse("catalog:dataset_new")).status_code == 302
