"""Request-size guard: uploads above ``MAX_UPLOAD_BYTES`` get a clear 413 before the body is read.

Django streams file uploads to disk without a size limit of its own
(``DATA_UPLOAD_MAX_MEMORY_SIZE`` only covers non-file fields), so a declared
``Content-Length`` over the limit is refused here, and ``LimitedUploadHandler``
stops bodies that come without a length (chunked) once they pass it.
"""

from __future__ import annotations


from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse

from .errors import error_response


def too_large_response(request, limit: int) -> HttpResponse:
    mb = limit // (1024 * 1024)
    return error_response(request, "too_large",
                          f"ファイルが大きすぎます。上限は {mb} MB です (request body larger than {limit} bytes)")


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large_response(request, limit)
        request.upload_handlers.insert(0, LimitedUploadHandler(request))
        response = self.get_response(request)
        if getattr(request, "_upload_too_large", False):
            return too_large_response(request, limit)
        return response


class LimitedUploadHandler(FileUploadHandler):
    """Abort an upload whose streamed size passes ``MAX_UPLOAD_BYTES``."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.request._upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class HeadAsGetMiddleware:
    """Answer ``HEAD`` wherever ``GET`` is answered (RFC 9110 §9.3.2): link checkers and harvesters send HEAD.

    The request is dispatched as ``GET`` (views, ``require_GET`` and the API routers accept it) and the
    body is dropped; status and headers (``Content-Length``, ``ETag``, ``Content-Type`` …) are those of
    the GET. A streaming body (a download, a Server-Sent Events stream) is closed without being read.
    Works under WSGI and ASGI (no thread hop for async views).
    """

    sync_capable = async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        if request.method != "HEAD":
            return self.get_response(request)
        self._as_get(request)
        return self._strip(request, self.get_response(request))

    async def _acall(self, request):
        if request.method != "HEAD":
            return await self.get_response(request)
        self._as_get(request)
        return self._strip(request, await self.get_response(request))

    @staticmethod
    def _as_get(request) -> None:
        request.method = request.META["REQUEST_METHOD"] = "GET"

    @staticmethod
    def _strip(request, response):
        request.method = request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            close = getattr(response, "close", None)
            response.streaming_content = []
            if close:
                close()
        else:
            length = len(response.content)
            response.content = b""
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(length)
        return response
