"""Lottery periods and entries: seed commitment, applying with the city's limits,
and the pre-draw check for duplicates and members entering through several groups.

Rules (``LotteryPeriod.rules``, defaults in ``models.DEFAULT_RULES``) are the
city's published lottery rules (抽選申込の上限・団体の要件・優先区分).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import verify_draw
from ..errors import ReservationError
from ..models import (DEFAULT_RULES, EntryStatus, Facility, FacilityType, Group, GroupMembership, LotteryEntry,
                      LotteryPeriod, Member, PriorityClass, Slot)
from .facilities import generate_slots

TYPE_LABELS = dict(FacilityType.choices)


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y年%-m月%-d日 %H:%M")


def validate_rules(rules: dict | None) -> dict:
    """Check a period's rules and return them merged with the defaults.

    Raises ``ReservationError`` ``invalid_rule`` with ``param`` = the rule's
    name for an unknown rule, a negative or non-integer limit, an unknown
    facility type or priority class, or an unknown ``keep_rule``.
    """
    rules = dict(rules or {})
    for key in rules:
        if key not in DEFAULT_RULES:
            raise ReservationError("invalid_rule", f"規則 {key} はありません", key)
    for key in ("max_entries_per_individual", "max_entries_per_group", "min_group_members"):
        value = rules.get(key, DEFAULT_RULES[key])
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ReservationError("invalid_rule", f"{key} は 0 以上の整数で指定してください", key)
    for ftype, value in (rules.get("max_entries_per_facility_type") or {}).items():
        if ftype not in TYPE_LABELS:
            raise ReservationError("invalid_rule", f"施設の種類 {ftype} はありません", "max_entries_per_facility_type")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ReservationError("invalid_rule", f"{ftype} の上限は 0 以上の整数で指定してください",
                                   "max_entries_per_facility_type")
    for code in rules.get("priority_classes", []):
        if code not in PriorityClass.values or not code:
            raise ReservationError("invalid_rule", f"優先区分 {code} はありません", "priority_classes")
    if rules.get("keep_rule", "preference") not in verify_draw.KEEP_RULES:
        raise ReservationError("invalid_rule", f"keep_rule は {'、'.join(verify_draw.KEEP_RULES)} のどれかです",
                               "keep_rule")
    return {**DEFAULT_RULES, **rules}


def create_period(*, title: str, facility_types: list[str], application_opens_at: dt.datetime,
                  application_closes_at: dt.datetime, draw_at: dt.datetime, usage_starts_on: dt.date,
                  usage_ends_on: dt.date, rules: dict | None = None, now: dt.datetime | None = None) -> LotteryPeriod:
    """Create a lottery period, commit its seed and offer its slots in it.

    The seed is 32 bytes from ``secrets``; its SHA-256 is stored (and shown
    on the period page and API) at once, so it is committed before the window
    closes. The slots of active facilities of ``facility_types`` in the usage
    range are generated if missing and offered in this lottery.

    Raises ``ReservationError`` ``invalid_parameter`` naming the field when
    opens ≥ closes, draw < closes, usage starts before the window closes,
    usage ends before it starts, or a facility type is unknown;
    ``seed_too_late`` when the window has already closed (``now``).
    """
    now = now or timezone.now()
    if not title.strip():
        raise ReservationError("invalid_parameter", "名称を入力してください", "title")
    for ftype in facility_types or [None]:
        if ftype not in TYPE_LABELS:
            raise ReservationError("invalid_parameter", f"施設の種類 {ftype} はありません", "facility_types")
    if application_opens_at >= application_closes_at:
        raise ReservationError("invalid_parameter", "申込締切は申込開始より後にしてください", "application_closes_at")
    if draw_at < application_closes_at:
        raise ReservationError("invalid_parameter", "抽選日時は申込締切以後にしてください", "draw_at")
    if usage_ends_on < usage_starts_on:
        raise ReservationError("invalid_parameter", "利用期間の終了日は開始日以後にしてください", "usage_ends_on")
    if usage_starts_on <= timezone.localtime(application_closes_at).date():
        raise ReservationError("invalid_parameter", "利用期間は申込締切の翌日以降にしてください", "usage_starts_on")
    if now >= application_closes_at:
        raise ReservationError("seed_too_late", "申込締切を過ぎた抽選期間は作れません（シードは締切前に公表します）",
                               "application_closes_at")
    rules = validate_rules(rules)
    seed = secrets.token_bytes(verify_draw.SEED_BYTES)
    with transaction.atomic():
        period = LotteryPeriod.objects.create(
            title=title.strip(), facility_types=list(facility_types), application_opens_at=application_opens_at,
            application_closes_at=application_closes_at, draw_at=draw_at, usage_starts_on=usage_starts_on,
            usage_ends_on=usage_ends_on, rules=rules, seed_hex=seed.hex(), seed_sha256=verify_draw.seed_hash(seed),
            seed_committed_at=now, pseudonym_salt=secrets.token_hex(32))
        facilities = list(Facility.objects.filter(active=True, facility_type__in=facility_types))
        generate_slots(facilities, usage_starts_on, usage_ends_on, period=period)
    return period


def applicant_entries(period: LotteryPeriod, member: Member, group: Group | None = None) -> QuerySet:
    """Active entries of one applicant (the group if given, else the individual)."""
    qs = LotteryEntry.objects.filter(period=period, status=EntryStatus.ACTIVE)
    return qs.filter(group=group) if group is not None else qs.filter(member=member, group__isnull=True)


def apply_entry(period: LotteryPeriod, slot: Slot, member: Member, *, group: Group | None = None,
                preference: int | None = None, now: dt.datetime | None = None) -> LotteryEntry:
    """Enter the lottery for one slot (抽選申込), as ``member`` or for ``group``.

    The rules are checked in this order; the first one broken raises
    ``ReservationError`` with its code and a message that says what to do,
    and nothing is written:

    ``member_inactive``, ``outside_window`` (not between opening and
    closing), ``not_in_lottery`` (slot not offered in this period),
    ``slot_closed``, ``group_inactive``, ``not_representative`` (only the
    representative enters for a group), ``group_too_small``
    (``min_group_members``), ``duplicate_entry`` (same applicant, same slot),
    ``limit_per_applicant`` (``max_entries_per_individual`` /
    ``max_entries_per_group``), ``limit_per_facility_type``
    (``max_entries_per_facility_type``), ``member_in_several_groups`` (a
    registered member of the group already counts in another group's entries
    of this period for the same facility type).

    ``preference`` (希望順位) defaults to the applicant's next number. Returns
    the entry; its ``pk`` is the 申込番号 published in the entry list.
    """
    now = now or timezone.now()
    rules = period.effective_rules
    with transaction.atomic():
        # Serialize one person's entries so that two tabs cannot both pass a limit (PostgreSQL row
        # lock; SQLite's write transaction is already exclusive).
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not member.active:
            raise ReservationError("member_inactive", "利用者登録が無効になっています。窓口にお問い合わせください", "member")
        if not (period.application_opens_at <= now < period.application_closes_at):
            raise ReservationError("outside_window", f"「{period.title}」の申込期間（{_fmt(period.application_opens_at)}〜"
                                   f"{_fmt(period.application_closes_at)}）ではありません", "period")
        slot = Slot.objects.select_related("unit__facility").get(pk=slot.pk)
        if slot.lottery_period_id != period.pk:
            raise ReservationError("not_in_lottery", "この枠は、この抽選の対象ではありません", "slot")
        if slot.closed:
            raise ReservationError("slot_closed", "この枠は受付を停止しています", "slot")
        ftype = slot.unit.facility.facility_type
        if group is not None:
            group = Group.objects.get(pk=group.pk)
            if not group.active:
                raise ReservationError("group_inactive", "団体登録が無効になっています", "group")
            if group.representative_id != member.pk:
                raise ReservationError("not_representative", f"団体「{group.name}」の抽選申込は代表者だけができます",
                                       "group")
            size = group.memberships.count()
            if size < rules["min_group_members"]:
                raise ReservationError("group_too_small", f"団体で申し込むには登録メンバーが {rules['min_group_members']} 人"
                                       f"以上必要です（現在 {size} 人）", "group")
        mine = applicant_entries(period, member, group)
        same = mine.filter(slot=slot).first()
        if same is not None:
            raise ReservationError("duplicate_entry", f"この枠にはすでに申し込んでいます（申込番号 {same.pk}）。"
                                   "同じ枠に 2 回以上申し込むことはできません", "slot")
        key, kind = ("max_entries_per_group", "団体") if group else ("max_entries_per_individual", "個人")
        count = mine.count()
        if count >= rules[key]:
            raise ReservationError("limit_per_applicant", f"{kind}の申込は 1 回の抽選につき {rules[key]} 件までです"
                                   f"（すでに {count} 件申し込んでいます）", "slot")
        type_limit = (rules["max_entries_per_facility_type"] or {}).get(ftype)
        if type_limit is not None:
            count_type = mine.filter(slot__unit__facility__facility_type=ftype).count()
            if count_type >= type_limit:
                raise ReservationError("limit_per_facility_type", f"{TYPE_LABELS[ftype]}への申込は 1 回の抽選につき "
                                       f"{type_limit} 件までです（すでに {count_type} 件）", "slot")
        if group is not None:
            clash = (GroupMembership.objects
                     .filter(member__in=group.memberships.values("member"), group__entries__period=period,
                             group__entries__status=EntryStatus.ACTIVE,
                             group__entries__slot__unit__facility__facility_type=ftype)
                     .exclude(group=group).values_list("member_id", flat=True).order_by("member_id").first())
            if clash is not None:
                raise ReservationError(
                    "member_in_several_groups",
                    f"この団体の登録メンバー（利用者番号 {clash}）は、この抽選ですでに別の団体から{TYPE_LABELS[ftype]}に"
                    "申し込んでいます。1 人が複数の団体を通じて申し込むことはできません", "group")
        try:
            with transaction.atomic():
                return LotteryEntry.objects.create(
                    period=period, slot=slot, member=member, group=group, preference=preference or count + 1,
                    priority_class=(group.priority_class if group else member.priority_class))
        except IntegrityError:
            raise ReservationError("duplicate_entry", "この枠にはすでに申し込んでいます", "slot") from None


def withdraw_entry(entry_id: int, member: Member, now: dt.datetime | None = None) -> LotteryEntry:
    """Withdraw one's own entry while the window is open.

    Raises ``ReservationError`` ``not_found`` (not this member's entry),
    ``outside_window``, ``not_active`` (already withdrawn or invalid).
    """
    now = now or timezone.now()
    with transaction.atomic():
        entry = (LotteryEntry.objects.select_for_update().select_related("period")
                 .filter(pk=entry_id, member=member).first())
        if entry is None:
            raise ReservationError("not_found", f"申込番号 {entry_id} の申込はありません", "entry")
        if not (entry.period.application_opens_at <= now < entry.period.application_closes_at):
            raise ReservationError("outside_window", "申込期間が終わったため取り消せません", "entry")
        if entry.status != EntryStatus.ACTIVE:
            raise ReservationError("not_active", "この申込はすでに取消または無効になっています", "entry")
        entry.status = EntryStatus.WITHDRAWN
        entry.save(update_fields=["status"])
    return entry


@dataclass
class Problem:
    """An entry the pre-draw check refuses: ``code`` as in ``apply_entry``, ``message`` in Japanese."""

    entry_id: int
    code: str
    message: str


def find_problems(period: LotteryPeriod) -> list[Problem]:
    """Check all active entries of a period again, as the draw will (in entry order;
    the earlier entry wins). Memberships and registrations may have changed since
    the entries were made, so this finds what ``apply_entry`` could not:

    ``member_inactive`` / ``group_inactive``, ``slot_closed``,
    ``not_in_lottery``, ``duplicate_entry`` (same applicant and slot),
    ``limit_per_applicant``, ``limit_per_facility_type``, ``group_too_small``,
    ``member_in_several_groups`` (one person in the entries of two groups
    for one facility type). Returns the problems, first entry first.
    """
    rules = period.effective_rules
    entries = list(LotteryEntry.objects.filter(period=period, status=EntryStatus.ACTIVE)
                   .select_related("member", "group", "slot__unit__facility").order_by("pk"))
    group_ids = {e.group_id for e in entries if e.group_id}
    people: dict[int, set[int]] = {}
    for gid, mid in GroupMembership.objects.filter(group_id__in=group_ids).values_list("group_id", "member_id"):
        people.setdefault(gid, set()).add(mid)
    problems: list[Problem] = []
    seen: set[tuple] = set()
    counts: dict[tuple, int] = {}
    type_counts: dict[tuple, int] = {}
    person_group: dict[tuple[str, int], int] = {}
    type_limits = rules["max_entries_per_facility_type"] or {}
    for e in entries:
        applicant = ("g", e.group_id) if e.group_id else ("m", e.member_id)
        ftype = e.slot.unit.facility.facility_type

        def problem(code: str, message: str) -> None:
            problems.append(Problem(e.pk, code, message))

        if not e.member.active:
            problem("member_inactive", "利用者登録が無効です")
            continue
        if e.group_id and not e.group.active:
            problem("group_inactive", "団体登録が無効です")
            continue
        if e.slot.closed:
            problem("slot_closed", "枠の受付が停止されました")
            continue
        if e.slot.lottery_period_id != period.pk:
            problem("not_in_lottery", "枠がこの抽選の対象から外れました")
            continue
        if (applicant, e.slot_id) in seen:
            problem("duplicate_entry", "同じ申込者による同じ枠への重複申込です")
            continue
        limit = rules["max_entries_per_group" if e.group_id else "max_entries_per_individual"]
        if counts.get(applicant, 0) >= limit:
            problem("limit_per_applicant", f"申込件数の上限（{limit} 件）を超えています")
            continue
        if ftype in type_limits and type_counts.get((applicant, ftype), 0) >= type_limits[ftype]:
            problem("limit_per_facility_type", f"{TYPE_LABELS[ftype]}の申込上限（{type_limits[ftype]} 件）を超えています")
            continue
        if e.group_id:
            members = people.get(e.group_id, set())
            if len(members) < rules["min_group_members"]:
                problem("group_too_small", f"団体の登録メンバーが {rules['min_group_members']} 人未満です")
                continue
            clash = sorted(m for m in members if person_group.get((ftype, m), e.group_id) != e.group_id)
            if clash:
                problem("member_in_several_groups", f"登録メンバー（利用者番号 {clash[0]}）が別の団体（団体番号 "
                        f"{person_group[(ftype, clash[0])]}）からも{TYPE_LABELS[ftype]}に申し込んでいます")
                continue
            for m in members:
                person_group[(ftype, m)] = e.group_id
        seen.add((applicant, e.slot_id))
        counts[applicant] = counts.get(applicant, 0) + 1
        type_counts[(applicant, ftype)] = type_counts.get((applicant, ftype), 0) + 1
    return problems


def open_periods(now: dt.datetime | None = None) -> QuerySet:
    """Periods whose application window is open now."""
    now = now or timezone.now()
    return LotteryPeriod.objects.filter(application_opens_at__lte=now, application_closes_at__gt=now,
                                        drawn_at__isnull=True)
