"""Template context: ``emergency`` — the active emergency state (``ModeChange``), or ``None`` (the banner in base.html)."""

from __future__ import annotations

import logging

log = logging.getLogger("madoguchi.emergency")


def emergency(request) -> dict:
    """One indexed query per rendered page. Any failure (database down or not migrated, e.g. while the 500
    page renders) means no banner rather than a broken page."""
    from .services import current_state

    try:
        return {"emergency": current_state()}
    except Exception:
        log.debug("emergency state unavailable", exc_info=True)
        return {"emergency": None}
