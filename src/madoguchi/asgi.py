"""ASGI entry point (``madoguchi serve``, or ``uvicorn madoguchi.asgi:application``).

Django's ASGI handler as ``madoguchi.server.services.StreamingASGIHandler``: sync views run on
``SERVE_THREADS`` long-lived threads per worker process, async views such as ``/counters/stream``
hold no thread while their response streams, and downloads and static files are streamed, not
read whole into memory.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
django.setup(set_prefix=False)

from django.conf import settings

from madoguchi.server.services import StreamingASGIHandler

application = StreamingASGIHandler(settings.SERVE_THREADS)
