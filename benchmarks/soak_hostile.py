"""Soak phase e: hostile inputs through the real HTTP API of the running gunicorn.

Uploads go through the CKAN Action API (``resource_create``, multipart,
``Authorization: <API token>`` of a staff user). Every check is one line;
the phase passes when all do, no worker died (same pids before and after)
and the population resource is served unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import select
import socket
import time
import urllib.parse
import uuid

from soak_inputs import FORMULA, SCRIPT_TITLE, formula_csv, formula_xlsx, long_field_csv, wide_csv, zip_bomb_xlsx
from soak_phases import Context, Phase, served
from soak_server import get


def _multipart(fields: dict, file_name: str, size: int) -> tuple[bytes, bytes, str]:
    """Head and tail of a multipart body around a file part of ``size`` bytes; returns (head, tail, boundary)."""
    boundary = uuid.uuid4().hex
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{file_name}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n").encode()
    return head, f"\r\n--{boundary}--\r\n".encode(), boundary


def post_file(base: str, action: str, fields: dict, file_name: str, data: bytes | None = None, *, token: str,
              fake_size: int = 0, timeout: float = 300) -> tuple[int, dict]:
    """POST a multipart upload to ``/api/3/action/<action>``; return (status, JSON body).

    With ``fake_size``, streams that many bytes of CSV-like filler instead of
    ``data``, as a client would, but stops sending as soon as the server
    answers (so a 413 sent after the headers is read, not lost to a reset).
    """
    size = fake_size or len(data)
    head, tail, boundary = _multipart(fields, file_name, size)
    host, port = base.removeprefix("http://").split(":")
    length = len(head) + size + len(tail)
    request = (f"POST /api/3/action/{action} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {token}\r\n"
               f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n"
               f"Connection: close\r\n\r\n").encode() + head
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            if fake_size:
                chunk = b"1,2,3,4,5,6,7\n" * (1024 * 1024 // 14)
                sent = 0
                while sent < size and not select.select([sock], [], [], 0)[0]:
                    piece = chunk[:size - sent]
                    sock.sendall(piece)
                    sent += len(piece)
                if sent >= size:
                    sock.sendall(tail)
            else:
                sock.sendall(data + tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read what it said
        raw = b""
        try:
            while chunk := sock.recv(65536):
                raw += chunk
        except ConnectionResetError:
            pass
    head_text, _, body = raw.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1]) if head_text else 0
    if b"transfer-encoding: chunked" in head_text.lower():
        body = _unchunk(body)
    try:
        return status, json.loads(body or b"{}")
    except json.JSONDecodeError:
        return status, {"_raw": body[:300].decode(errors="replace")}


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        n = int(size_line.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def post_json(base: str, action: str, payload: dict, *, token: str) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"{base}/api/3/action/{action}", data=json.dumps(payload).encode(), method="POST",
                                 headers={"Authorization": token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _error_text(body: dict) -> str:
    err = body.get("error") or {}
    return json.dumps(err, ensure_ascii=False) if not isinstance(err, str) else err


def phase_hostile(ctx: Context, *, bomb_bytes: int = 2 * 1024 ** 3, upload_bytes: int = 101 * 1024 * 1024,
                  wide_columns: int = 100_000) -> Phase:
    site, base, token = ctx.site, ctx.server.base, ctx.site.info["token"]
    baseline = served(ctx)
    pids = ctx.server.worker_pids()
    checks: list[tuple[str, bool, str]] = []
    clock = [time.perf_counter()]

    def check(name: str, ok: bool, detail: str) -> None:
        now = time.perf_counter()
        checks.append((name, bool(ok), f"{detail} [{now - clock[0]:.1f} s]"))
        clock[0] = now

    status, body = post_json(base, "package_create", {"name": "soak-hostile", "title": SCRIPT_TITLE,
                                                      "notes": "<b>hostile</b> inputs (a public dataset needs a description)",
                                                      "owner_org": site.info["org"]}, token=token)
    check("package_create with <script> title", status == 200, f"{status}")

    def upload(name: str, data: bytes | None = None, **kw) -> tuple[int, dict]:
        return post_file(base, "resource_create", {"package_id": "soak-hostile", "name": name}, name, data,
                         token=token, **kw)

    # oversized upload, default limit
    status, body = upload("big.csv", fake_size=upload_bytes)
    msg = _error_text(body)
    limit_mb = 100
    check(f"{upload_bytes / 1024 ** 2:.0f} MiB upload → 413", status == 413 and body.get("success") is False
          and f"上限は {limit_mb} MB" in msg, f"{status} {msg[:120]}")
    # a lower limit on a second server
    low = site.start(workers=1, env={"MADOGUCHI_MAX_UPLOAD_BYTES": str(1024 * 1024)})
    try:
        s1, b1 = post_file(low.base, "resource_create", {"package_id": "soak-hostile", "name": "two.csv"}, "two.csv",
                           token=token, fake_size=2 * 1024 * 1024)
        s2, b2 = post_file(low.base, "resource_create", {"package_id": "soak-hostile", "name": "half.csv"}, "half.csv",
                           b"a,b\n" + b"1,2\n" * (512 * 1024 // 4 - 1), token=token)
        check("MADOGUCHI_MAX_UPLOAD_BYTES=1 MiB: 2 MiB → 413, 0.5 MiB → 200",
              s1 == 413 and "上限は 1 MB" in _error_text(b1) and s2 == 200 and b2.get("success") is True,
              f"{s1}, {s2}")
    finally:
        low.stop()
        site.servers.remove(low)

    # zip bomb
    bomb = zip_bomb_xlsx(bomb_bytes)
    status, body = upload("bomb.xlsx", bomb)
    msg = _error_text(body)
    check(f"zip-bomb xlsx ({len(bomb) / 1e6:.1f} MB → {bomb_bytes / 1024 ** 3:.1f} GiB) → clear refusal",
          status == 409 and "展開を中止" in msg, f"{status} {msg[:140]}")
    # wide and long
    status, body = upload("wide.csv", wide_csv(wide_columns))
    outcome = "ingested" if status == 200 else _error_text(body)[:120]
    # madoguchi's default DATASTORE_MAX_COLUMNS is Excel's 16,384: wider tables are refused before typing
    expected = 409 if wide_columns > 16_384 else 200
    check(f"CSV with {wide_columns:,} columns → {'refused' if expected == 409 else 'ingested'}",
          status == expected and (expected == 200 or "列が多すぎます" in outcome), f"{status} {outcome}")
    status, body = upload("long.csv", long_field_csv())
    outcome = "ingested" if status == 200 else _error_text(body)[:120]
    check("CSV with a 10 MB field", status == 200, f"{status} {outcome}")
    # formula injection in the CSV download, from a CSV and from an XLSX upload
    for name, data in (("formula.csv", formula_csv()), ("formula.xlsx", formula_xlsx())):
        status, body = upload(name, data)
        rid = (body.get("result") or {}).get("id")
        ok = status == 200 and rid is not None
        detail = f"{status}"
        if ok:
            s, _, raw = get(f"{base}/datasets/soak-hostile/resources/{rid}/download.csv")
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            _, _, as_json = get(f"{base}/datasets/soak-hostile/resources/{rid}/download.json")
            first = json.loads(as_json)[0]
            ok = (rows[0]["名前"] == "'" + FORMULA and rows[0]["式"] == "'+1+1" and rows[1]["名前"] == "'@SUM(A1)"
                  and first["名前"] == FORMULA)
            detail = f"CSV cell {rows[0]['名前']!r}, JSON cell {first['名前']!r}"
        check(f"formula cells from {name} neutralized in CSV export", ok, detail)
    # script in titles and query strings
    s, headers, html = get(f"{base}/datasets/soak-hostile/")
    text = html.decode()
    s2, headers2, js = get(f"{base}/api/v1/datasets/soak-hostile")
    s3, _, search = get(f"{base}/datasets/?" + urllib.parse.urlencode({"q": "<script>alert(1)</script>"}))
    check("<script> title escaped in HTML, exact in JSON",
          s == 200 and "<script>alert(" not in text and "&lt;script&gt;alert(" in text and s2 == 200
          and json.loads(js)["title"] == SCRIPT_TITLE
          and headers2.get("Content-Type", "").startswith("application/json")
          and headers2.get("X-Content-Type-Options") == "nosniff"
          and s3 == 200 and "<script>alert(1)" not in search.decode(),
          f"page {s}, JSON {s2}, search {s3}")
    # SQL injection
    rid = site.info["resource"]
    q = urllib.parse.urlencode
    hostile = [f"/api/v1/resources/{rid}/records?" + q(p) for p in (
        {"sort": '"区名"; DROP TABLE catalog_dataset; --'}, {"sort": "_id desc, (select 1)"},
        {"filters": json.dumps({'区名" = 1 OR 1=1 --': "x"})}, {"fields": "_id, (SELECT 1)"},
        {"filters": "{not json"}, {"limit": "1; DROP TABLE x"})]
    statuses = [get(base + p)[0] for p in hostile]
    others = [get(base + p)[0] for p in (
        "/api/v1/datasets?" + q({"q": "'; DROP TABLE catalog_dataset; --"}),
        "/api/3/action/datastore_search?" + q({"resource_id": rid, "sort": "人口; DROP TABLE x"}),
        "/api/3/action/datastore_search_sql?" + q({"sql": f'SELECT * FROM "{rid}"; DROP TABLE catalog_dataset'}),
        "/api/3/action/datastore_search_sql?" + q({"sql": "SELECT * FROM read_csv('/etc/passwd')"}))]
    check("SQL injection in filters/sort/fields/limit → 400; search/CKAN → no 5xx",
          all(s == 400 for s in statuses) and all(s < 500 for s in others) and others[0] == 200,
          f"records {statuses}, others {others}")
    # afterwards
    now = served(ctx)
    after = ctx.server.worker_pids()
    check("server answers, population data unchanged, no worker died", now == baseline and after == pids,
          f"v{now['version']} {now['rows']} rows; workers {pids} → {after}")
    ok = all(c[1] for c in checks)
    line = "\n".join(f"    {'ok  ' if c[1] else 'FAIL'} {c[0]}: {c[2]}" for c in checks)
    return Phase("e) hostile inputs over HTTP", "PASS" if ok else "FAIL", f"{len(checks)} checks\n{line}",
                 {"checks": {c[0]: c[1] for c in checks}, "details": {c[0]: c[2] for c in checks}})
