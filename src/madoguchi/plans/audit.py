"""The audit log of the plans app: every write of ``plans.services`` goes through here.

``Actor`` says who acts (a logged-in user, or a command such as
``madoguchi plans load FILE``). ``save_fields`` creates or updates one object and
writes one ``AuditLogEntry`` with ``{field: [old, new]}`` of what really changed —
nothing when nothing changed, so reloading an unchanged file leaves no entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction

from .models import AuditLogEntry, Plan


@dataclass(frozen=True)
class Actor:
    """Who makes a change: ``user`` (may be ``None`` for commands) and a display ``name``."""

    name: str
    user: object | None = None

    @classmethod
    def of(cls, who) -> "Actor":
        """``Actor.of(request.user)``, ``Actor.of("madoguchi plans load x.yaml")`` or an Actor."""
        if isinstance(who, Actor):
            return who
        if isinstance(who, str):
            return cls(name=who)
        if who is None or not getattr(who, "is_authenticated", False):
            return cls(name="anonymous")
        return cls(name=who.get_username(), user=who)


# Plan slugs that are URL words of ``/plans/`` (``/plans/staff/``, ``/api/v1/plans/metrics``).
RESERVED_SLUGS = {"staff", "metrics"}


class PlanError(ValueError):
    """Bad input to a plans service: ``code`` (stable, machine), ``param`` (which field), ``message``."""

    def __init__(self, param: str | None, message: str, code: str = "invalid_parameter"):
        super().__init__(f"{param}: {message}" if param else message)
        self.param, self.message, self.code = param, message, code


def jsonable(value):
    """A field value as JSON: Decimals as normalized strings, dates ISO, objects by ``str``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        normalized = value.normalize()
        return format(normalized, "f") if normalized == normalized else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _same(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return old is not None and new is not None and Decimal(str(old)) == Decimal(str(new))
        except ArithmeticError:
            return False
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    return old == new


def plan_of(obj) -> Plan | None:
    """The plan an object belongs to (for filtering the log by plan)."""
    for path in ("plan", "policy.plan", "indicator.policy.plan"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if isinstance(target, Plan):
            return target
    return obj if isinstance(obj, Plan) else None


def save_fields(obj: models.Model, fields: dict, actor: Actor, *, reason: str = "") -> bool:
    """Set ``fields`` on ``obj``, validate, save and log; return whether anything changed.

    A new object (no pk) is created and logged with every given field as
    ``[None, new]``. Validation errors (``full_clean``) become ``PlanError`` naming
    the field. Call inside a transaction when several objects change together.
    """
    creating = obj.pk is None
    changes = {}
    for name, new in fields.items():
        old = None if creating else getattr(obj, name)
        if creating or not _same(old, new):
            changes[name] = [jsonable(old), jsonable(new)]
        setattr(obj, name, new)
    if not changes and not creating:
        return False
    _validate(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise PlanError(None, f"{obj._meta.verbose_name}「{obj}」は同じ番号・年度のものがすでにあります",
                        code="conflict") from exc
    AuditLogEntry.objects.create(
        user=actor.user, actor=actor.name, plan=plan_of(obj),
        action=AuditLogEntry.Action.CREATE if creating else AuditLogEntry.Action.UPDATE,
        model=obj._meta.model_name, object_id=str(obj.pk), object_repr=str(obj)[:300], changes=changes,
        reason=reason)
    return True


def delete_object(obj: models.Model, actor: Actor, *, reason: str = "") -> None:
    """Delete ``obj`` and log it with its last field values as ``[old, None]``."""
    changes = {f.name: [jsonable(getattr(obj, f.name)), None] for f in obj._meta.concrete_fields
               if f.name not in ("id",)}
    plan = plan_of(obj)
    AuditLogEntry.objects.create(
        user=actor.user, actor=actor.name, plan=plan if not isinstance(obj, Plan) else None,
        action=AuditLogEntry.Action.DELETE, model=obj._meta.model_name, object_id=str(obj.pk),
        object_repr=str(obj)[:300], changes=changes, reason=reason)
    obj.delete()


def _validate(obj: models.Model) -> None:
    from django.core.exceptions import ValidationError

    # Field values only: uniqueness is the database's constraints (one query fewer per
    # object), related objects are passed as instances (no existence query).
    exclude = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            label = field if field == "__all__" else str(obj._meta.get_field(field).verbose_name)
            raise PlanError(None if field == "__all__" else field,
                            f"{label}: {' '.join(m for e in errors for m in e.messages)}") from exc
        raise PlanError(None, " ".join(exc.messages)) from exc


def equal_values(a, b) -> bool:
    """Equal as stored values (``Decimal("1.0") == 1``); ``None`` equals only ``None``."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b
