"""Registry of CKAN actions by name (the extension point: later apps register theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

ACTIONS: dict[str, "Action"] = {}


@dataclass(frozen=True)
class Action:
    name: str
    func: Callable
    write: bool


def action(name: str, *, write: bool = False):
    """Register ``func(context, data_dict) -> result`` as CKAN action ``name``.

    ``write`` actions need an authorized API token (``context.user`` staff).
    """
    def register(func):
        if name in ACTIONS:
            raise ValueError(f"CKAN action {name!r} registered twice")
        ACTIONS[name] = Action(name, func, write)
        return func
    return register
