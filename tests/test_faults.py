"""Disk full during ingestion (issue #8): a 2 MiB tmpfs as MEDIA_ROOT.

A clear ``disk_full`` error, nothing published, nothing lost, no file left
behind — whether the original file or the Parquet snapshot is what no longer
fits. Needs root (``mount -t tmpfs``); skipped otherwise. Also the zip-bomb
guard of the XLSX reader.
"""

from __future__ import annotations

import io
import os
import random
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from madoguchi.catalog.models import Resource
from madoguchi.datastore import services
from madoguchi.datastore.models import ResourceVersion
from madoguchi.datastore.reading import read_table
from madoguchi.datastore.reading.xlsxfile import check_zip_bomb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from soak_inputs import small_xlsx, zip_bomb_xlsx  # noqa: E402


@pytest.fixture
def tmpfs(tmp_path):
    """A 2 MiB tmpfs mounted at ``tmp_path/tmpfs`` (unmounted after the test)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture
def v1(ingest, make_dataset):
    return ingest("町名,人口\n大通東1丁目,10\n".encode(), "v1.csv", dataset=make_dataset("pop", "人口"), resource="人口")


def _random_text_csv(approx_bytes: int) -> bytes:
    """Incompressible text cells: the Parquet snapshot is about as big as the file."""
    rng = random.Random(8)
    letters = string.ascii_letters  # no digits: nothing the privacy gate could take for a My Number
    lines = ["番号,符号"] + [f"{i},{''.join(rng.choices(letters, k=48))}" for i in range(approx_bytes // 56)]
    return "\n".join(lines).encode()


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db
@pytest.mark.parametrize("what, data", [
    ("the original does not fit", b"a,b\n" + b"123456,7\n" * 400_000),   # 3.6 MB
    ("the snapshot does not fit", _random_text_csv(1_300_000)),         # 1.3 MB original + ~2 MB Parquet
])
def test_disk_full__clear_error_nothing_published_nothing_left(v1, tmpfs, settings, client, what, data):
    settings.MEDIA_ROOT = tmpfs
    with pytest.raises(services.IngestError) as err:
        services.ingest_file(dataset=v1.resource.dataset, resource_name="人口", data=data, file_name="big.csv")
    assert err.value.code == "disk_full"
    assert err.value.file == "big.csv"
    assert "ディスクがいっぱい" in err.value.message and "nothing was published" in err.value.message
    assert _files(tmpfs) == []
    resource = Resource.objects.get(pk=v1.resource_id)
    assert resource.current_version_id == v1.pk
    assert list(ResourceVersion.objects.values_list("number", flat=True)) == [1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_disk_full__cli_exits_1_with_the_message(v1, tmpfs, media_root, tmp_path, client):
    s = connection.settings_dict
    url = (f"sqlite:///{s['NAME']}" if connection.vendor == "sqlite" else
           f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"123456,7\n" * 400_000)
    env = dict(os.environ, DATABASE_URL=url, MADOGUCHI_MEDIA_ROOT=str(tmpfs), MADOGUCHI_DATA_DIR=str(tmp_path / "d"))
    r = subprocess.run([sys.executable, "-m", "madoguchi.cli", "ingest", str(big), "--dataset", "pop", "--resource",
                        "人口", "--no-progress"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "big.csv: 保存先のディスクがいっぱいです。公開中の版はそのままです" in r.stderr
    assert _files(tmpfs) == []
    body = client.get(f"/api/v1/resources/{v1.resource_id}/records").json()
    assert body["version"] == 1 and body["total"] == 1 and body["records"][0]["人口"] == 10
    assert {str(p.relative_to(media_root)) for p in _files(Path(media_root))} == {v1.snapshot_path, v1.original_path}


# ----------------------------------------------------------------------------- zip bomb


def test_zip_bomb__refused_by_declared_size_before_parsing():
    bomb = zip_bomb_xlsx(2 * 1024 ** 3)
    assert len(bomb) < 3_000_000
    with pytest.raises(services.IngestError) as err:
        read_table("xlsx", bomb, file="bomb.xlsx")
    assert err.value.code == "zip_bomb" and err.value.file == "bomb.xlsx"
    assert "1,024 MB を超えます" in err.value.message and "xl/worksheets/sheet1.xml" in err.value.message


def test_zip_bomb__refused_by_ratio_under_the_size_limit():
    bomb = zip_bomb_xlsx(64 * 1024 ** 2)  # 64 MiB from ~70 kB: ~1,000 : 1
    with pytest.raises(services.IngestError) as err:
        check_zip_bomb(bomb, file="b.xlsx")
    assert err.value.code == "zip_bomb" and "圧縮率が異常です" in err.value.message and "上限 200 : 1" in err.value.message


def test_zip_bomb__lying_sizes_stop_at_the_declared_size(settings):
    liar = zip_bomb_xlsx(64 * 1024 ** 2, declared_bytes=5000)
    with pytest.raises(services.IngestError) as err:
        read_table("xlsx", liar, file="liar.xlsx")
    assert err.value.code == "not_xlsx" and "Bad CRC-32" in err.value.message


def test_zip_bomb__limit_is_a_setting(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 10_000
    with pytest.raises(services.IngestError) as err:
        read_table("xlsx", small_xlsx(), file="ok.xlsx")
    assert err.value.code == "zip_bomb"
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 ** 3
    raw = read_table("xlsx", small_xlsx(), file="ok.xlsx")
    assert raw.info["sheet"] == "人口"


def test_broken_xlsx_members__not_xlsx_not_a_crash():
    src = zipfile.ZipFile(io.BytesIO(small_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, b"<worksheet><unclosed" if name == "xl/workbook.xml" else src.read(name))
    with pytest.raises(services.IngestError) as err:
        read_table("xlsx", out.getvalue(), file="broken.xlsx")
    assert err.value.code == "not_xlsx" and "ParseError" in err.value.message


def test_encrypted_member__clear_error():
    data = bytearray(small_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/theme/theme1.xml")
    central = data.find(b"PK\x01\x02")  # central directory headers: the file name starts at offset 46
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1  # general purpose bit flag, bit 0: encrypted
    with pytest.raises(services.IngestError) as err:
        read_table("xlsx", bytes(data), file="locked.xlsx")
    assert err.value.code == "encrypted" and "xl/theme/theme1.xml" in err.value.message
