"""Postal code → address for form fields, through ``shelters.services.lookup_postal`` (one rule, one place)."""

from __future__ import annotations

from madoguchi.shelters import services as shelter_services


def lookup(code: str) -> dict | None:
    """``"210-0005"`` → ``{"postal_code": "2100005", "prefecture", "city", "town", "address"}``;
    None for an unknown code.

    :raises ServiceError: ``invalid_parameter`` for a malformed code (not 7 digits)
    """
    area = shelter_services.lookup_postal(code)
    if area is None:
        return None
    return {"postal_code": area.code, "prefecture": area.prefecture, "city": area.city, "town": area.town,
            "address": area.address}
