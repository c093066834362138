"""Settings for tests/test_applications_kill.py's server subprocess: madoguchi's settings plus a middleware
that SIGKILLs its own process after the view returned (the application is committed, the answer not sent)
for a request carrying ``X-Test-Die-After-Store: 1``. Test-only: never used outside that test."""

import os
import signal

from madoguchi.settings import *
from madoguchi.settings import MIDDLEWARE

MIDDLEWARE = ["tests.applications_kill_settings.DieAfterStoreMiddleware", *MIDDLEWARE]


class DieAfterStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("X-Test-Die-After-Store") == "1" and response.status_code < 300:
            os.kill(os.getpid(), signal.SIGKILL)
        return response
