"""The registry of standard schemas (標準データセット), keyed by string id.

Built-ins are the committed ``schemas/<id>.json`` (made by ``convert``); ``register``
adds another Table Schema the same way (e.g. a city's own layout).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schemas"


class UnknownStandard(LookupError):
    """No standard has this id (``str(exc)`` is a Japanese message naming it and the known ids)."""

    def __init__(self, standard_id: str):
        self.standard_id = standard_id
        super().__init__(f"標準データセット「{standard_id}」はありません (unknown standard id). "
                         f"使える ID: {', '.join(sorted(_load()))}")


@dataclass(frozen=True)
class StandardSchema:
    """One standard dataset definition.

    :param id: short ASCII slug with generation, e.g. ``aed-v1``, ``event-2024``
    :param schema: the Frictionless Table Schema (dict) with ``x-madoguchi`` metadata
    """

    id: str
    schema: dict = field(repr=False)

    @property
    def meta(self) -> dict:
        return self.schema["x-madoguchi"]

    @property
    def title(self) -> str:
        """The Japanese dataset name, e.g. ``AED設置箇所一覧``."""
        return self.meta["title"]

    @property
    def generation(self) -> str:
        """``v1`` (推奨データセット) or ``2024`` (自治体標準オープンデータセット, reconstructed)."""
        return self.meta["generation"]

    @property
    def generation_title(self) -> str:
        return self.meta.get("generationTitle", self.generation)

    @property
    def reconstructed(self) -> bool:
        """True when the schema was reconstructed from published files, not from the official definition."""
        return bool(self.meta.get("reconstructed"))

    @property
    def label(self) -> str:
        """``title (generation)``, as in ``standard_choices``."""
        return f"{self.title} ({self.generation})"

    @property
    def fields(self) -> list[dict]:
        return self.schema["fields"]

    @cached_property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @cached_property
    def required_names(self) -> list[str]:
        """Fields whose column must be present (the definition's ``required``), in schema order."""
        return list(self.meta.get("requiredColumns", []))

    @cached_property
    def required_cell_names(self) -> list[str]:
        """Fields whose every cell must have a value (``constraints.required``)."""
        return [f["name"] for f in self.fields if f.get("constraints", {}).get("required")]


_registry: dict[str, StandardSchema] | None = None


def _load() -> dict[str, StandardSchema]:
    global _registry
    if _registry is None:
        order = {}
        from .convert import NEW_LAYOUTS, V1_MODELS

        for i, sid in enumerate([*V1_MODELS, *NEW_LAYOUTS]):
            order[sid] = i
        found = {}
        for path in SCHEMAS.glob("*.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            found[path.stem] = StandardSchema(id=path.stem, schema=schema)
        _registry = {sid: found[sid] for sid in sorted(found, key=lambda s: (order.get(s, len(order)), s))}
    return _registry


def register(standard_id: str, schema: dict) -> StandardSchema:
    """Add a Table Schema (with ``x-madoguchi`` id/title/generation) under ``standard_id``.

    :raises ValueError: the id is already taken
    """
    registry = _load()
    if standard_id in registry:
        raise ValueError(f"標準データセット ID「{standard_id}」は登録済みです")
    registry[standard_id] = StandardSchema(id=standard_id, schema=schema)
    return registry[standard_id]


def all_standards() -> list[StandardSchema]:
    """Every standard, v1 in definition order (01 AED … 14 オープンデータ一覧), then the 2024 layouts."""
    return list(_load().values())


def get_standard(standard_id: str) -> StandardSchema:
    """The standard with this id.

    :raises UnknownStandard: no such id
    """
    try:
        return _load()[standard_id]
    except KeyError:
        raise UnknownStandard(standard_id) from None


def standard_choices() -> list[tuple[str, str]]:
    """``[(id, "title (generation)")]`` for forms and the catalog filter, in registry order."""
    return [(s.id, s.label) for s in all_standards()]
