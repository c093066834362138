"""Server-Sent Events of new readings: ``GET /counters/stream``.

Protocol (WHATWG HTML, "Server-sent events"):

* on connect: ``retry: 2000`` and a comment ``: connected <last id>``;
* for every new ``CounterReading`` (id greater than the last sent, in id order)::

      id: <reading id>
      event: reading
      data: {"counter_id": …, "office": "nakahara", "counter": "koseki", "waiting": 12, "calling": 345,
             "estimated_wait_min": 40, "estimate_basis": "recent_rate", "recorded_at": "…+09:00", …}

* a comment ``: keep-alive`` after ``STREAM_KEEPALIVE_S`` seconds without data (proxies keep the
  connection, and the server notices a client that has gone);
* the response ends after ``max_s`` seconds (query parameter, 1–300, default 300); browsers
  reconnect by themselves and send ``Last-Event-ID``, from which the stream resumes.

The generator polls the newest reading id every ``STREAM_POLL_MS`` (200) ms — one indexed
query — so it works with any database and any number of server processes, and under
Django's threaded runserver/live_server (one thread per open stream).
"""

from __future__ import annotations

import json
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, StreamingHttpResponse

from . import services
from .models import CounterReading

log = logging.getLogger("madoguchi.counters")
_active = 0
_active_lock = threading.Lock()

STREAM_POLL_MS = 200
STREAM_KEEPALIVE_S = 5
STREAM_MAX_S = 300
BATCH = 100


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def active_streams() -> int:
    """Number of streams open in this process (each holds one server thread and one database connection)."""
    return _active


def _count(delta: int) -> None:
    global _active
    with _active_lock:
        _active += delta


def events(last_id: int, *, max_s: float) -> "Generator[str, None, None]":  # noqa: F821
    """The text of the stream (see the module docstring), from readings after ``last_id``.

    A database error ends the stream (the browser reconnects); a client that has gone is noticed
    at the next write (at most ``STREAM_KEEPALIVE_S`` later), which ends the generator.
    """
    poll_s = getattr(settings, "COUNTERS_STREAM_POLL_MS", STREAM_POLL_MS) / 1000
    keepalive_s = getattr(settings, "COUNTERS_STREAM_KEEPALIVE_S", STREAM_KEEPALIVE_S)
    started = last_sent = time.monotonic()
    _count(+1)
    try:
        yield f"retry: 2000\n: connected {last_id}\n\n"
        while time.monotonic() - started < max_s:
            if services.latest_reading_id() > last_id:
                batch = list(CounterReading.objects.filter(pk__gt=last_id).select_related("counter__office")
                             .order_by("pk")[:BATCH])
                for reading in batch:
                    data = json.dumps(services.state_of(reading).as_dict(), ensure_ascii=False)
                    last_id = reading.pk
                    yield f"id: {reading.pk}\nevent: reading\ndata: {data}\n\n"
                last_sent = time.monotonic()
                if len(batch) == BATCH:
                    continue
            elif time.monotonic() - last_sent >= keepalive_s:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            time.sleep(poll_s)
    except Exception:  # noqa: BLE001 (the database went away: end this stream, the client reconnects)
        log.warning("counter stream ended by an error", exc_info=True)
    finally:
        _count(-1)
        try:
            close_old_connections()
        except Exception:  # noqa: BLE001
            pass


def stream(request: HttpRequest) -> StreamingHttpResponse:
    """``GET /counters/stream[?max_s=N]``: the SSE response (``text/event-stream``, not cached, not buffered)."""
    max_s = min(max(_int(request.GET.get("max_s"), STREAM_MAX_S), 1),
                getattr(settings, "COUNTERS_STREAM_MAX_S", STREAM_MAX_S))
    last_id = _int(request.headers.get("Last-Event-ID")) or _int(request.GET.get("last_id"))
    if last_id is None or last_id < 0:
        last_id = services.latest_reading_id()
    response = StreamingHttpResponse(events(last_id, max_s=max_s), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
