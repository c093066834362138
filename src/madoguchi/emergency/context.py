"""Template context: ``emergency`` — the active emergency state, or ``None`` (the banner in base.html)."""


def emergency(request) -> dict:
    return {"emergency": None}
