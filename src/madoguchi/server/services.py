"""Public API of the server app: run madoguchi in production (``madoguchi serve``).

* ``serve`` — uvicorn (uvloop, httptools) with N worker processes on ``madoguchi.asgi:application``;
  blocks until stopped (SIGINT/SIGTERM). ``quickstart`` and tests call it or spawn
  ``madoguchi serve``.
* ``parse_bind`` — ``"host:port"`` → ``(host, port)``.
* ``StreamingASGIHandler`` — Django's ASGI handler with a fixed pool of view threads per worker
  and streamed downloads (see its docstring); ``madoguchi.asgi.application`` is one.

Why uvicorn's own supervisor (``uvicorn.run(workers=N)``) and not gunicorn with uvicorn's worker
class: both run the same uvicorn server in each worker process, so requests cost the same
(``benchmarks/streams.py --engine gunicorn`` measures it); uvicorn's supervisor restarts a worker
that dies or stops answering its health check, needs no second server package, and gunicorn's
``uvicorn.workers`` module is deprecated.

Sync views run on ``SERVE_THREADS`` long-lived threads per worker (each keeps its database and
DuckDB connections); async views — ``/counters/stream`` — run in the event loop and hold no
thread while they stream.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import (
    SyncToAsync,
    ThreadSensitiveContext,
    iscoroutinefunction,
    sync_to_async,
)
from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.exceptions import RequestAborted
from django.urls import set_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import Resolver404, get_resolver
from django.utils import translation

#: bytes read from a sync response iterator per hop into its thread
SYNC_CHUNK_BYTES = 256 * 1024

ASGI_APP = "madoguchi.asgi:application"


def parse_bind(bind: str) -> tuple[str, int]:
    """``"127.0.0.1:8000"`` → ``("127.0.0.1", 8000)``; ``"[::1]:8000"`` → ``("::1", 8000)``; ``":8000"`` → all
    interfaces (``0.0.0.0``). Raises ``ValueError`` for anything else."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bind must be host:port, not {bind!r}")
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


class StreamingASGIHandler(ASGIHandler):
    """Django's ``ASGIHandler`` with a fixed pool of ``threads`` sync-view threads, and streamed sync iterators.

    * Django runs each request's sync code (sync middleware, sync views) in a new thread of its own
      (asgiref's ``ThreadSensitiveContext``), so every request would open a new database connection
      and a new DuckDB connection (both are per thread) — measured at a quarter of gunicorn's
      throughput. Here each request borrows one of ``threads`` long-lived single-thread executors
      (asgiref's ``ThreadSensitiveContext(executor=…)``) and returns it when done; requests beyond
      ``threads`` wait in the event loop. A response with an async iterator (``/counters/stream``)
      gives its thread back as soon as its headers go out, so open streams hold no thread.
    * A request for a sync view runs Django's sync middleware chain (the one gunicorn runs) in one call
      on that thread; only async views (``/counters/stream``) go through the async chain.
    * A response with a sync iterator (``FileResponse`` downloads, whitenoise's static files) is
      sent as it is read (about ``SYNC_CHUNK_BYTES`` per hop into the request's thread) instead of
      being read whole into memory first (Django's default under ASGI, with a warning).
    """

    def __init__(self, threads: int):
        super().__init__()  # the async middleware chain, for async views
        self._sync_handler = BaseHandler()
        self._sync_handler.load_middleware(is_async=False)  # the chain gunicorn runs, for sync views
        self.threads = max(1, threads)
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue] = (
            weakref.WeakKeyDictionary())

    def _pool(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = asyncio.Queue()
            for i in range(self.threads):
                pool.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"madoguchi-view-{i}"))
        return pool

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # Django refuses it
        pool = self._pool()
        lease = _Lease(pool, await pool.get())
        token = _lease.set(lease)
        try:
            async with ThreadSensitiveContext(executor=lease.executor) as context:
                lease.context = context
                await self.handle(scope, receive, send)
        finally:
            _lease.reset(token)
            lease.give_back()
            if lease.spare is not None:
                lease.spare.shutdown(wait=False)

    async def handle(self, scope, receive, send):
        """A sync view in two hops to the request's thread (Django's handler makes three, and two asyncio
        tasks per request to notice a disconnect that a sync view cannot act on): ``request_started``,
        the request and the whole sync middleware chain in the first; ``response.close()`` (which sends
        ``request_finished``) in the second. Async views keep Django's way."""
        if _is_async_view(_path_info(scope)):
            return await super().handle(scope, receive, send)
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))

        def respond():
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                return error_response
            response = self._sync_handler.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
            return response

        response = await sync_to_async(respond)()
        try:
            await self.send_response(response, send)
        finally:
            await sync_to_async(response.close)()
            body_file.close()

    async def send_response(self, response, send):
        if response.streaming and response.is_async:
            lease = _lease.get(None)
            if lease is not None:
                lease.give_back_early()
        elif response.streaming:
            response.streaming_content = _pull_in_thread(response.streaming_content)
        await super().send_response(response, send)


def _path_info(scope) -> str:
    """The path Django resolves (``request.path_info``): the scope's path without its ``root_path``."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


@functools.lru_cache(maxsize=4096)
def _is_async_view(path: str) -> bool:
    """Whether ``path`` resolves to an ``async def`` view (in the language its prefix names, as ``LocaleMiddleware``
    would activate it); unknown paths are served by the sync chain (which answers 404)."""
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        try:
            match = get_resolver().resolve(path)
        except Resolver404:
            return False
    return iscoroutinefunction(match.func)  # asgiref's: also views marked by markcoroutinefunction


class _Lease:
    """One request's borrowed executor."""

    def __init__(self, pool: asyncio.Queue, executor: ThreadPoolExecutor):
        self.pool, self.executor = pool, executor
        self.context: ThreadSensitiveContext | None = None
        self.spare: ThreadPoolExecutor | None = None
        self.returned = False

    def give_back(self) -> None:
        if not self.returned:
            self.returned = True
            self.pool.put_nowait(self.executor)

    def give_back_early(self) -> None:
        """The view has returned and the body streams from async code: later thread-sensitive calls of this
        request (``response.close``) go to a spare executor (its thread starts only if used)."""
        if self.context is None or self.returned:
            return
        self.spare = ThreadPoolExecutor(max_workers=1, thread_name_prefix="madoguchi-stream-close")
        SyncToAsync.context_to_thread_executor[self.context] = self.spare
        self.give_back()


_lease: contextvars.ContextVar[_Lease] = contextvars.ContextVar("madoguchi_server_lease")


async def _pull_in_thread(iterator):
    """The parts of a sync ``iterator``, joined into blocks of about ``SYNC_CHUNK_BYTES``, read in the request's
    thread (``thread_sensitive``: a generator that uses the database stays on the view's connection)."""
    iterator = iter(iterator)

    def pull() -> bytes:
        parts, size = [], 0
        for part in iterator:
            parts.append(part)
            size += len(part)
            if size >= SYNC_CHUNK_BYTES:
                break
        return b"".join(parts)

    while data := await sync_to_async(pull)():
        yield data


def serve(*, bind: str | None = None, workers: int | None = None, threads: int | None = None,
          timeout_s: int | None = None, access_log: bool = False, log_level: str = "warning") -> None:
    """Serve madoguchi until SIGINT/SIGTERM (blocks). Defaults come from settings.

    :param bind: ``"host:port"`` (``SERVE_BIND``, env ``MADOGUCHI_SERVE_BIND``, default ``127.0.0.1:8000``)
    :param workers: worker processes (``SERVE_WORKERS``, env ``MADOGUCHI_SERVE_WORKERS``, default one per core);
        1 runs the server in this process
    :param threads: threads for sync views per worker (``SERVE_THREADS``, env ``MADOGUCHI_SERVE_THREADS``, 4)
    :param timeout_s: seconds a worker may fail its health check before it is replaced, and the longest wait
        for open requests on shutdown (``SERVE_TIMEOUT_S``, env ``MADOGUCHI_SERVE_TIMEOUT_S``, 60); open event
        streams are cut after it (browsers reconnect)
    :param access_log: log every request to stderr (off: a reverse proxy usually logs them)
    :param log_level: uvicorn's log level (``warning``)
    :raises ValueError: a malformed ``bind``
    """
    import uvicorn

    host, port = parse_bind(bind or settings.SERVE_BIND)
    workers = workers or settings.SERVE_WORKERS
    threads = threads if threads is not None else settings.SERVE_THREADS
    timeout_s = timeout_s or settings.SERVE_TIMEOUT_S
    # worker processes are spawned and read their settings from the environment
    os.environ["MADOGUCHI_SERVE_THREADS"] = str(threads)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    uvicorn.run(ASGI_APP, host=host, port=port, workers=workers, lifespan="off", access_log=access_log,
                log_level=log_level, timeout_graceful_shutdown=timeout_s, timeout_worker_healthcheck=timeout_s,
                server_header=False, proxy_headers=False)
