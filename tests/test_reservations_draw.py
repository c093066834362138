"""The lottery draw (issue #7): fair, reproducible and verifiable.

* the seed's SHA-256 is committed when the period is made (before the window
  closes) and the seed is shown only after the draw;
* the published script (``python -m madoguchi.reservations.verify_draw``, no
  Django) reproduces every result from the revealed seed and the published
  anonymized entry list;
* overlapping wins keep one slot by the city's rule and pass the others on;
  priority classes are drawn first; equal entries win equally often.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core import mail

from madoguchi.reservations import services, verify_draw
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import Booking, BookingSource, LotteryResult, PriorityClass
from madoguchi.reservations.verify_draw import Entries, draw

from .test_reservations_factories import (  # noqa: F401  (fixtures)
    CLOSES, DRAW, NOW, gym, make_member, period, slot_at, tennis)

SRC = Path(__file__).resolve().parents[1] / "src"
SEED = bytes(range(32))
H = 3600


def entries(rows) -> Entries:
    """rows: (entry_id, applicant, slot_id, start_hour, end_hour, priority, preference)."""
    cols = list(zip(*rows))
    return Entries(entry_id=np.array(cols[0]), applicant=np.array(cols[1]), slot_id=np.array(cols[2]),
                   start=np.array(cols[3]) * H, end=np.array(cols[4]) * H, priority=np.array(cols[5]),
                   preference=np.array(cols[6]))


def outcomes(rows, keep_rule="preference", seed=SEED) -> dict[int, str]:
    data = entries(rows)
    return {r[0]: r[2] for r in draw(seed, data, keep_rule).rows(data)}


def run_script(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run([sys.executable, "-m", "madoguchi.reservations.verify_draw", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- the core


def test_keys__are_keyed_blake2b_of_the_entry_id_as_documented():
    keys = verify_draw.entry_keys(SEED, np.array([1, 42, 1234567]))
    expected = [int.from_bytes(hashlib.blake2b(str(i).encode(), key=SEED, digest_size=8).digest(), "big")
                for i in (1, 42, 1234567)]
    assert keys.tolist() == expected


def test_draw__order_in_a_slot_is_by_key_and_ranks_are_published():
    rows = [(i, i, 1, 9, 11, 0, 1) for i in range(1, 8)]
    data = entries(rows)
    result = draw(SEED, data)
    keys = verify_draw.entry_keys(SEED, data.entry_id).tolist()
    by_key = sorted(range(1, 8), key=lambda i: keys[i - 1])
    assert {r[0]: r[3] for r in result.rows(data)} == {eid: n + 1 for n, eid in enumerate(by_key)}
    assert [r[0] for r in result.rows(data) if r[2] == "won"] == [by_key[0]]


def test_draw__same_result_whatever_the_row_order():
    rows = [(i, i % 5, 1 + i % 3, 9 + i % 3, 11 + i % 3, i % 2, 1 + i % 4) for i in range(1, 60)]
    forward = outcomes(rows)
    assert outcomes(list(reversed(rows))) == forward
    assert sorted(forward.values()).count("won") == 3


def test_draw__different_seed_different_winners():
    rows = [(i, i, 1, 9, 11, 0, 1) for i in range(1, 50)]
    winners = {next(e for e, o in outcomes(rows, seed=bytes([n]) * 32).items() if o == "won") for n in range(8)}
    assert len(winners) > 1


def test_draw__priority_class_is_drawn_first():
    rows = [(i, i, 1, 9, 11, 1, 1) for i in range(1, 30)] + [(99, 99, 1, 9, 11, 0, 1)]
    assert outcomes(rows)[99] == "won"


def test_draw__overlapping_wins_keep_the_preferred_slot_and_pass_the_other_on():
    # Applicant 1 (priority 0) is first in both slots, which overlap (9–11 and 10–12).
    rows = [(1, 1, 10, 9, 11, 0, 2), (2, 1, 20, 10, 12, 0, 1),  # prefers slot 20
            (3, 2, 10, 9, 11, 1, 1), (4, 3, 20, 10, 12, 1, 1)]
    assert outcomes(rows, "preference") == {1: "passed", 2: "won", 3: "won", 4: "lost"}
    assert outcomes(rows, "earliest") == {1: "won", 2: "passed", 3: "lost", 4: "won"}


def test_draw__passed_slot_skips_the_next_entry_if_it_also_overlaps():
    # Slot 10 is passed by applicant 1 to applicant 2, who already holds the overlapping
    # slot 30 it prefers, so slot 10 passes on again to applicant 3.
    rows = [(1, 1, 10, 9, 11, 0, 2), (2, 1, 20, 9, 11, 0, 1),
            (3, 2, 10, 9, 11, 1, 2), (4, 2, 30, 10, 12, 0, 1),
            (5, 3, 10, 9, 11, 2, 1)]
    assert outcomes(rows) == {1: "passed", 2: "won", 3: "passed", 4: "won", 5: "won"}


def test_draw__wins_that_do_not_overlap_are_all_kept():
    rows = [(1, 1, 10, 9, 11, 0, 1), (2, 1, 20, 11, 13, 0, 2), (3, 2, 10, 9, 11, 1, 1), (4, 2, 20, 11, 13, 1, 1)]
    assert outcomes(rows) == {1: "won", 2: "won", 3: "lost", 4: "lost"}


def test_draw__equal_entries_win_equally_often():
    # 4 entries in one slot, 4,000 draws with seeds 0..3999: chi-square with 3 degrees of
    # freedom must stay under 11.34 (p = 0.01). Deterministic: the seeds are fixed.
    rows = [(i, i, 1, 9, 11, 0, 1) for i in (11, 12, 13, 14)]
    wins = dict.fromkeys((11, 12, 13, 14), 0)
    for n in range(4000):
        seed = hashlib.sha256(n.to_bytes(4, "big")).digest()
        wins[next(e for e, o in outcomes(rows, seed=seed).items() if o == "won")] += 1
    chi2 = sum((w - 1000) ** 2 / 1000 for w in wins.values())
    assert chi2 < 11.34, wins


@pytest.mark.parametrize("text,message", [
    ("zz" * 32, "16 進数 64 桁"),
    ("00" * 31, "32 バイト"),
])
def test_parse_seed__bad_seed_is_named(text, message):
    with pytest.raises(verify_draw.DrawInputError, match=message):
        verify_draw.parse_seed(text)


@pytest.mark.parametrize("text,message", [
    ("entry_id,applicant\n", "1行目: 見出しは"),
    (",".join(verify_draw.ENTRY_FIELDS) + "\n1,a,2,f,u,2026-07-01T09:00:00+09:00,2026-07-01T11:00:00+09:00,0\n",
     "2行目: 列の数が 8 です"),
    (",".join(verify_draw.ENTRY_FIELDS) + "\nx,a,2,f,u,2026-07-01T09:00:00+09:00,2026-07-01T11:00:00+09:00,0,1\n",
     "2行目 entry_id: 整数ではありません"),
    (",".join(verify_draw.ENTRY_FIELDS) + "\n1,a,2,f,u,2026-07-01T09:00:00,2026-07-01T11:00:00+09:00,0,1\n",
     "2行目 start: .*時差"),
])
def test_read_entries__bad_line_is_named(text, message):
    with pytest.raises(verify_draw.DrawInputError, match=message):
        verify_draw.read_entries(text, "entries.csv")


def test_verify_draw__imports_without_django():
    code = ("import sys, madoguchi.reservations.verify_draw as v; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(SRC), "PATH": os.environ["PATH"]},
                         capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, "[]"), out.stderr


# ---------------------------------------------------------------- seed commitment and the whole period


@pytest.fixture
def drawn(period, tennis, gym, client, django_capture_on_commit_callbacks):
    """A period with individual and group entries, overlapping wishes and a priority
    class, drawn at DRAW; returns (period, entries)."""
    period.rules = {**period.rules, "priority_classes": [PriorityClass.DISABILITY], "max_entries_per_facility_type": {}}
    period.save()
    people = [make_member(f"利用者{i}", email=f"user{i}@example.jp") for i in range(8)]
    people[7].priority_class = PriorityClass.DISABILITY
    people[7].save()
    club = services.create_group(name="少年野球クラブ", representative=people[0], members=people[1:3])
    made = []
    wishes = [(tennis, 1, 4, 9), (tennis, 2, 4, 9), (gym, 1, 4, 9), (tennis, 1, 5, 11)]
    for i, person in enumerate(people):
        for n in range(2 + i % 2):
            f, u, d, h = wishes[(i + n) % len(wishes)]
            made.append(services.apply_entry(period, slot_at(f, u, d, h), person, now=NOW))
    made.append(services.apply_entry(period, slot_at(tennis, 1, 4, 9), people[0], group=club, now=NOW))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.run_draw(period, now=DRAW)
    return period, made


def test_seed__committed_before_the_window_closes_and_hidden_until_the_draw(period, client):
    assert period.seed_committed_at < period.application_closes_at
    assert period.seed_sha256 == hashlib.sha256(bytes.fromhex(period.seed_hex)).hexdigest()
    api = client.get(f"/api/v1/reservations/periods/{period.pk}").json()
    assert (api["seed_sha256"], api["seed"], api["entries_url"]) == (period.seed_sha256, None, None)
    page = client.get(f"/reservations/lottery/{period.pk}/").content.decode()
    assert period.seed_sha256 in page and period.seed_hex not in page
    assert client.get(f"/reservations/lottery/{period.pk}/entries.csv").status_code == 404
    with pytest.raises(ReservationError) as caught:
        services.run_draw(period, now=CLOSES)  # before the draw time
    assert caught.value.code == "too_early" and period.revealed_seed is None


def test_seed__revealed_after_the_draw_matches_the_committed_hash(drawn, client):
    period, _ = drawn
    api = client.get(f"/api/v1/reservations/periods/{period.pk}").json()
    assert api["seed"] is not None and api["state"] == "drawn"
    assert hashlib.sha256(bytes.fromhex(api["seed"])).hexdigest() == api["seed_sha256"] == period.seed_sha256
    assert api["seed"] in client.get(f"/reservations/lottery/{period.pk}/").content.decode()


def test_published_script_reproduces_the_draw_from_the_revealed_seed_and_entry_list(drawn, client, tmp_path):
    period, made = drawn
    api = client.get(f"/api/v1/reservations/periods/{period.pk}").json()
    entries_csv = client.get(api["entries_url"]).content
    results_csv = client.get(api["results_url"]).content
    (tmp_path / "entries.csv").write_bytes(entries_csv)
    (tmp_path / "results.csv").write_bytes(results_csv)
    run = run_script("--seed", api["seed"], "--seed-hash", api["seed_sha256"], "--entries", "entries.csv",
                     "--entries-sha256", api["entries_sha256"], "--keep-rule", api["rules"]["keep_rule"],
                     "--results", "results.csv", "--out", "computed.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "シードのハッシュ: 一致" in run.stdout and "申込一覧の SHA-256: 一致" in run.stdout
    assert f"抽選結果: 全 {len(made)} 件が一致" in run.stdout
    computed = list(csv.DictReader(io.StringIO((tmp_path / "computed.csv").read_text())))
    in_db = {r.entry_id: (r.outcome, r.rank) for r in LotteryResult.objects.all()}
    assert {int(r["entry_id"]): (r["outcome"], int(r["rank"])) for r in computed} == in_db
    assert sorted(o for o, _ in in_db.values()).count("won") == Booking.objects.filter(
        source=BookingSource.LOTTERY).count() == 4  # four distinct slots were wished for


def test_published_entry_list_has_no_personal_data(drawn, client):
    period, made = drawn
    text = client.get(f"/reservations/lottery/{period.pk}/entries.csv").content.decode()
    header, *rows = text.splitlines()
    assert header == ",".join(verify_draw.ENTRY_FIELDS) and len(rows) == len(made)
    assert "利用者" not in text and "少年野球クラブ" not in text and "@example.jp" not in text
    pseudonyms = {r.split(",")[1] for r in rows}
    assert len(pseudonyms) == 9  # 8 individuals and 1 group
    assert all(len(p) == 16 for p in pseudonyms)


@pytest.mark.parametrize("tamper,expected", [
    ("results", "抽選結果: 不一致"),
    ("seed", "シードのハッシュ: 不一致"),
])
def test_published_script_detects_changed_results_or_seed(drawn, client, tmp_path, tamper, expected):
    period, _ = drawn
    (tmp_path / "entries.csv").write_bytes(services.published_file(period, "entries"))
    results = services.published_file(period, "results").decode()
    if tamper == "results":
        results = results.replace(",won,", ",xx,", 1).replace(",lost,", ",won,", 1).replace(",xx,", ",lost,", 1)
    (tmp_path / "results.csv").write_text(results)
    seed = period.seed_hex if tamper == "results" else "00" * 32
    run = run_script("--seed", seed, "--seed-hash", period.seed_sha256, "--entries", "entries.csv",
                     "--results", "results.csv", cwd=tmp_path)
    assert run.returncode == 1 and expected in run.stdout


def test_run_draw__twice_is_refused(drawn):
    period, _ = drawn
    with pytest.raises(ReservationError) as caught:
        services.run_draw(period, now=DRAW)
    assert caught.value.code == "already_drawn"
    assert LotteryResult.objects.count() == len(drawn[1])


def test_run_draw__notifies_every_applicant_once_by_mail(drawn):
    period, made = drawn
    applicants = {e.member_id for e in made}
    assert len(mail.outbox) == len(applicants) == 8
    first = next(m for m in mail.outbox if m.to == ["user0@example.jp"])
    assert first.subject.startswith(f"【抽選結果】{period.title}")
    for e in (e for e in made if e.member_id == made[0].member_id):
        result = LotteryResult.objects.get(entry=e)
        assert f"申込番号 {e.pk}" in first.body and result.get_outcome_display() in first.body
    assert "少年野球クラブ" in first.body


def test_run_draw__winner_slot_booked_meanwhile_aborts_and_writes_nothing(period, tennis):
    person, other = make_member("甲"), make_member("乙")
    entry = services.apply_entry(period, slot_at(tennis, 1, 4, 9), person, now=NOW)
    Booking.objects.create(unit=entry.slot.unit, slot=entry.slot, start=entry.slot.start, end=entry.slot.end,
                           member=other, source=BookingSource.STAFF)
    with pytest.raises(ReservationError) as caught:
        services.run_draw(period, now=DRAW)
    period.refresh_from_db()
    assert caught.value.code == "already_booked"
    assert (LotteryResult.objects.count(), Booking.objects.count(), period.drawn_at, period.revealed_seed) == (
        0, 1, None, None)


def test_published_script__bad_input_exits_2_with_the_reason(tmp_path):
    run = run_script("--seed", "ab" * 32, "--entries", "missing.csv", cwd=tmp_path)
    assert run.returncode == 2 and "missing.csv" in run.stderr
    run = run_script("--seed", "ab", "--entries", "missing.csv", cwd=tmp_path)
    assert run.returncode == 2 and "seed: 32 バイト" in run.stderr
