"""Registered users: individuals (Member) and groups (Group)."""

from __future__ import annotations

from django.db import transaction

from madoguchi.text import to_nfc

from ..errors import ReservationError
from ..models import Group, GroupMembership, Member


def member_for_user(user) -> Member | None:
    """The Member of a logged-in user, or ``None`` (anonymous or not registered)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).first()


def register_member(*, name: str, user=None, name_kana: str = "", email: str = "", ward: str = "",
                    priority_class: str = "") -> Member:
    """Register a person (利用者登録). Names are stored in NFC.

    Raises ``ReservationError`` ``invalid_parameter`` (param ``name``) for an
    empty name, ``already_registered`` if ``user`` already has a Member.
    """
    name = to_nfc(name or "").strip()
    if not name:
        raise ReservationError("invalid_parameter", "氏名を入力してください", "name")
    if user is not None and Member.objects.filter(user=user).exists():
        raise ReservationError("already_registered", "このアカウントはすでに利用者登録されています", "user")
    return Member.objects.create(user=user, name=name, name_kana=to_nfc(name_kana).strip(),
                                 email=email or (user.email if user is not None else ""), ward=ward,
                                 priority_class=priority_class)


def create_group(*, name: str, representative: Member, members=(), priority_class: str = "") -> Group:
    """Register a group (団体登録) with its representative (always also a member)
    and registered members. Raises ``ReservationError`` ``invalid_parameter``
    (param ``name``) for an empty name."""
    name = to_nfc(name or "").strip()
    if not name:
        raise ReservationError("invalid_parameter", "団体名を入力してください", "name")
    with transaction.atomic():
        group = Group.objects.create(name=name, representative=representative, priority_class=priority_class)
        for member in {representative.pk: representative, **{m.pk: m for m in members}}.values():
            GroupMembership.objects.create(group=group, member=member)
    return group


def add_group_member(group: Group, member: Member) -> None:
    """Add a registered member to a group (no-op if already a member)."""
    GroupMembership.objects.get_or_create(group=group, member=member)


def groups_represented(member: Member | None):
    """Active groups ``member`` represents (the groups it may enter for)."""
    if member is None:
        return Group.objects.none()
    return Group.objects.filter(representative=member, active=True)
