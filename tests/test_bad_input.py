"""Bad files get a clear error naming file, row and column; nothing is published;
the previous version stays served (issue #2, Bad input).

The broken files are real bytes: a real XLSX cut short, a real PDF renamed,
random bytes, a CSV with an unclosed quote, bytes no Japanese encoding reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from madoguchi.bundle.loader import FILES
from madoguchi.catalog.models import Resource
from madoguchi.datastore import services
from madoguchi.datastore.models import ResourceVersion

REAL_XLSX = (FILES / "kumamoto-city" / "byouin_list.xlsx").read_bytes()
GOOD = "町名,人口\n大通東1丁目,10\n大通東2丁目,20\n".encode("cp932")

BROKEN = [
    # (file name, bytes, error code, row, text the message must contain)
    ("truncated.xlsx", REAL_XLSX[: len(REAL_XLSX) // 2], "not_xlsx", None, "XLSX"),
    ("random.xlsx", os.urandom(2048), "not_xlsx", None, "XLSX"),
    ("renamed-pdf.xlsx", b"%PDF-1.4\n" + os.urandom(500), None, None, None),
    ("empty.csv", b"", "empty", None, "空"),
    ("blank.csv", b"\r\n\r\n  \n", "empty", None, "空"),
    ("binary.csv", b"\x00\x01\x02\x03" * 100, "not_csv", None, "バイナリ"),
    ("garbage-encoding.csv", "町名,人口\n".encode("cp932") + b"\x81\x20\xff\xfe\x85\n", "encoding", 2, "文字コード"),
    ("unclosed-quote.csv", ("a,b\n1,\"never closed\n" + "x,y\n" * 300).encode(), "csv", 2, "引用符"),
    ("broken.json", b'[{"a": 1}, {"a": ', "json", 1, "JSON"),
    ("not-records.json", b'{"a": 1, "b": 2}', "json_path", None, "json_path"),
    ("old-excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(600), "xls", None, ".xls"),
    ("no-such-sheet.xlsx", REAL_XLSX, "sheet", None, "公開データ"),
]


@pytest.fixture
def published(ingest, make_dataset):
    dataset = make_dataset("pop", "人口")
    return ingest(GOOD, "pop.csv", dataset=dataset, resource="人口")


@pytest.mark.parametrize("name,data,code,row,text", BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_file__clear_error_and_previous_version_still_served(published, client, media_root,
                                                                  name, data, code, row, text):
    dataset = published.resource.dataset
    options = services.IngestOptions(sheet="存在しないシート") if name == "no-such-sheet.xlsx" else None
    files_before = sorted(p.relative_to(media_root) for p in Path(media_root).rglob("*") if p.is_file())
    try:
        version = services.ingest_file(dataset=dataset, resource_name="人口", data=data, file_name=name,
                                       options=options)
    except services.IngestError as exc:
        assert exc.file == name
        assert name in str(exc)
        if code:
            assert exc.code == code
        if row is not None:
            assert exc.row == row and f"{row}行目" in str(exc)
        if text:
            assert text in exc.message
    else:
        # a PDF renamed .xlsx is recognised by its bytes and kept as a file (no table)
        assert name == "renamed-pdf.xlsx" and version.format == "pdf" and not version.has_table
        return
    resource = Resource.objects.get(pk=published.resource_id)
    assert resource.current_version_id == published.pk
    assert ResourceVersion.objects.filter(resource=resource).count() == 1
    body = client.get(f"/api/v1/resources/{resource.pk}/records").json()
    assert [r["人口"] for r in body["records"]] == [10, 20]
    files_after = sorted(p.relative_to(media_root) for p in Path(media_root).rglob("*") if p.is_file())
    assert files_after == files_before  # nothing half-written left behind


def test_hostile_strings_are_data_not_code(ingest, client):
    data = ('名前,メモ\n"<script>alert(1)</script>","\'; DROP TABLE catalog_dataset; --"\n').encode()
    v = ingest(data, "x.csv")
    body = client.get(f"/api/v1/resources/{v.resource_id}/records", {"q": "drop table"}).json()
    assert body["records"][0]["名前"] == "<script>alert(1)</script>"
    page = client.get(v.resource.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
