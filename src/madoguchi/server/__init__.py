"""The production server: ``madoguchi serve`` (uvicorn workers on ``madoguchi.asgi``). Public API: ``services``."""
