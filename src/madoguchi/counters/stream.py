"""Server-Sent Events of new readings: ``GET /counters/stream``.

Protocol (WHATWG HTML, "Server-sent events"):

* on connect: ``retry: 2000`` and a comment ``: connected <last id>``;
* for every new ``CounterReading`` (id greater than the last sent, in id order)::

      id: <reading id>
      event: reading
      data: {"counter_id": …, "office": "nakahara", "counter": "koseki", "waiting": 12, "calling": 345,
             "estimated_wait_min": 40, "estimate_basis": "recent_rate", "recorded_at": "…+09:00", …}

* a comment ``: keep-alive`` after ``COUNTERS_STREAM_KEEPALIVE_S`` seconds without data (proxies
  keep the connection, and the server notices a client that has gone);
* the response ends after ``max_s`` seconds (query parameter, 1–``COUNTERS_STREAM_MAX_S``, default
  the maximum, 300); browsers reconnect by themselves and send ``Last-Event-ID``, from which the
  stream resumes (``?last_id=`` does the same for clients that cannot set headers).

Two ways of serving it, chosen per request:

* **ASGI** (``madoguchi serve``, uvicorn): an async view. One ``_Hub`` per process and event
  loop — an asyncio task that polls the newest reading id every ``COUNTERS_STREAM_POLL_MS``
  (200) ms, one indexed query in its own thread, renders each new reading once and fans it out
  to one bounded ``asyncio.Queue`` per open stream. An open stream costs no thread and no
  database connection, so 200 open pages do not slow the rest of the site. The hub runs only
  while streams are open. A stream that connects with an older ``Last-Event-ID`` first reads
  the readings it missed from the database, then follows the hub (ids it already sent are
  skipped). A stream whose queue overflows (a client that stopped reading) is ended; its
  browser reconnects and resumes.
* **WSGI** (runserver, Django's ``live_server``, gunicorn sync workers): today's generator —
  each open stream holds one server thread and polls the database itself. WSGI has no event
  loop to share, so this is the fallback, not the production path.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest, StreamingHttpResponse

from . import services
from .models import CounterReading

log = logging.getLogger("madoguchi.counters")
_active = 0
_active_lock = threading.Lock()

#: readings read and rendered per query
BATCH = 100
#: events a stream may have waiting before it is ended as too slow (its browser resumes by Last-Event-ID)
QUEUE_MAX_EVENTS = 1000


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def active_streams() -> int:
    """Number of streams open in this process (either way of serving)."""
    return _active


def _count(delta: int) -> None:
    global _active
    with _active_lock:
        _active += delta


def _render(reading: CounterReading) -> str:
    data = json.dumps(services.state_of(reading).as_dict(), ensure_ascii=False)
    return f"id: {reading.pk}\nevent: reading\ndata: {data}\n\n"


def _batch_after(last_id: int) -> list[tuple[int, str]]:
    """Up to ``BATCH`` readings after ``last_id`` as ``(id, event text)``, in id order (blocking, database)."""
    batch = CounterReading.objects.filter(pk__gt=last_id).select_related("counter__office").order_by("pk")[:BATCH]
    return [(reading.pk, _render(reading)) for reading in batch]


# ---------------------------------------------------------------- WSGI: one polling generator per stream

def events(last_id: int, *, max_s: float) -> Iterator[str]:
    """The text of the stream (see the module docstring), from readings after ``last_id`` — the WSGI way.

    A database error ends the stream (the browser reconnects); a client that has gone is noticed
    at the next write (at most ``COUNTERS_STREAM_KEEPALIVE_S`` later), which ends the generator.
    """
    poll_s = settings.COUNTERS_STREAM_POLL_MS / 1000
    keepalive_s = settings.COUNTERS_STREAM_KEEPALIVE_S
    started = last_sent = time.monotonic()
    _count(+1)
    try:
        yield f"retry: 2000\n: connected {last_id}\n\n"
        while time.monotonic() - started < max_s:
            if services.latest_reading_id() > last_id:
                batch = _batch_after(last_id)
                for pk, text in batch:
                    last_id = pk
                    yield text
                last_sent = time.monotonic()
                if len(batch) == BATCH:
                    continue
            elif time.monotonic() - last_sent >= keepalive_s:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            time.sleep(poll_s)
    except Exception:
        log.warning("counter stream ended by an error", exc_info=True)
    finally:
        _count(-1)
        try:
            close_old_connections()
        except Exception:  # noqa: BLE001
            pass


# ---------------------------------------------------------------- ASGI: one poller per process, fan-out

class _Hub:
    """The poller of one event loop: newest readings every ``COUNTERS_STREAM_POLL_MS``, to every subscriber.

    ``position`` is the id of the last reading fanned out; a subscriber receives every reading
    after the ``position`` at the moment it subscribed, as ``(id, event text)`` items, or ``None``
    when it was dropped (queue full).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queues: set[asyncio.Queue] = set()
        self.position: int | None = None
        self.task: asyncio.Task | None = None
        # one thread of its own: the database connection lives there, outside any request's context
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="counters-stream")

    async def _db(self, fn, *args):
        return await self.loop.run_in_executor(self.executor, fn, *args)

    async def subscribe(self) -> tuple[asyncio.Queue, int]:
        """A new queue and the position it starts after (the newest reading id when the hub started)."""
        if self.position is None:
            position = await self._db(_latest_id)
            if self.position is None:  # another subscriber may have set it meanwhile
                self.position = position
        queue: asyncio.Queue = asyncio.Queue()  # bounded by _fan_out
        self.queues.add(queue)
        if self.task is None or self.task.done():
            # a clean context: the task must not inherit the first request's (thread-sensitive) context
            self.task = self.loop.create_task(self._run(), context=contextvars.Context())
        return queue, self.position

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.queues.discard(queue)

    async def _run(self) -> None:
        poll_s = settings.COUNTERS_STREAM_POLL_MS / 1000
        while self.queues:
            try:
                while self.queues and await self._db(_latest_id) > self.position:
                    batch = await self._db(_batch_after, self.position)
                    if not batch:
                        break
                    for item in batch:
                        self._fan_out(item)
                    self.position = batch[-1][0]
                    if len(batch) < BATCH:
                        break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("counter stream poll failed", exc_info=True)
            await asyncio.sleep(poll_s)
        self.position = None  # nobody listens: the next subscriber starts from the newest reading again

    def _fan_out(self, item: tuple[int, str]) -> None:
        for queue in list(self.queues):
            if queue.qsize() < QUEUE_MAX_EVENTS:
                queue.put_nowait(item)
            else:  # end that stream after what it has queued; its browser resumes from Last-Event-ID
                self.queues.discard(queue)
                queue.put_nowait(None)


def _latest_id() -> int:
    close_old_connections()  # the hub's thread sees no request cycle: drop a connection past CONN_MAX_AGE
    return services.latest_reading_id()


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub] = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = _Hub(loop)
    return hub


async def aevents(last_id: int | None, *, max_s: float) -> AsyncIterator[str]:
    """The text of the stream from readings after ``last_id`` (``None``: from now) — the ASGI way.

    Ends after ``max_s`` seconds, when the client disconnects (Django cancels the response) or
    when this stream fell ``QUEUE_MAX_EVENTS`` events behind.
    """
    keepalive_s = settings.COUNTERS_STREAM_KEEPALIVE_S
    deadline = time.monotonic() + max_s
    hub = _hub()
    _count(+1)
    queue, position = await hub.subscribe()
    try:
        if last_id is None:
            last_id = position
        yield f"retry: 2000\n: connected {last_id}\n\n"
        while last_id < position:  # catch up from the database on what was missed before subscribing
            batch = await hub._db(_batch_after, last_id)
            for pk, text in batch:
                last_id = pk
                yield text
            if len(batch) < BATCH:
                break
        while (left := deadline - time.monotonic()) > 0:
            wait_s = min(keepalive_s, left)
            try:
                item = await asyncio.wait_for(queue.get(), timeout=wait_s)
            except TimeoutError:
                if wait_s < keepalive_s:  # max_s reached
                    return
                yield ": keep-alive\n\n"
                continue
            if item is None:  # dropped by the hub: too slow
                return
            pk, text = item
            if pk > last_id:
                last_id = pk
                yield text
    except Exception:
        log.warning("counter stream ended by an error", exc_info=True)
    finally:
        hub.unsubscribe(queue)
        _count(-1)


# ---------------------------------------------------------------- the view

async def stream(request: HttpRequest) -> StreamingHttpResponse:
    """``GET /counters/stream[?max_s=N][&last_id=N]``: the SSE response (``text/event-stream``, not cached,
    not buffered). Under ASGI the events come from the process's hub; under WSGI from a polling generator."""
    max_s = min(max(_int(request.GET.get("max_s"), settings.COUNTERS_STREAM_MAX_S), 1),
                settings.COUNTERS_STREAM_MAX_S)
    last_id = _int(request.headers.get("Last-Event-ID"))
    if last_id is None:
        last_id = _int(request.GET.get("last_id"))
    if last_id is not None and last_id < 0:
        last_id = None
    if isinstance(request, ASGIRequest):
        content = aevents(last_id, max_s=max_s)
    else:
        if last_id is None:
            last_id = await sync_to_async(services.latest_reading_id)()
        content = events(last_id, max_s=max_s)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
