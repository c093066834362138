"""Which requests are rate limited, and by what client key (the one table of limited endpoints).

Each rule: HTTP method, a path regex, the group whose rate applies (``settings.RATE_LIMITS``), and
how the client is told apart. Rates are settings; the paths are the project's public contract
(DESIGN.md section 6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


def client_ip(request) -> str:
    """The client address: ``REMOTE_ADDR``, or the address a trusted proxy put into ``X-Forwarded-For``
    when ``RATE_LIMIT_TRUSTED_PROXIES`` > 0 (the N-th address from the right)."""
    from django.conf import settings

    hops = settings.RATE_LIMIT_TRUSTED_PROXIES
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _user_or_ip(request) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{client_ip(request)}"


def _token_or_ip(request) -> str:
    token = request.headers.get("Authorization", "")
    return f"token:{token}" if token else f"ip:{client_ip(request)}"


def _ip(request) -> str:
    return f"ip:{client_ip(request)}"


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]
    path: re.Pattern
    group: str
    client: Callable


def _rule(methods: str, path: str, group: str, client=_ip) -> Rule:
    return Rule(frozenset(methods.split()), re.compile(path), group, client)


RULES: tuple[Rule, ...] = (
    # log-ins (admin/staff, citizens, community groups): by address, so guessing many accounts is slow too
    _rule("POST", r"^/admin/login/$", "login"),
    _rule("POST", r"^/reservations/login/$", "login"),
    _rule("POST", r"^/events/login/$", "login"),
    _rule("POST", r"^/reservations/register/$", "register"),
    _rule("POST", r"^/reservations/slots/\d+/(apply|book)$", "entry", _user_or_ip),
    _rule("POST", r"^/api/v1/counters/readings$", "counter_push", _token_or_ip),
    _rule("GET POST", r"^/api/v1/datasets$", "search"),
    _rule("GET", r"^/datasets/$", "search"),
    _rule("GET POST", r"^/api/(3/)?action/package_search$", "search"),
    # the inquiry assistant: questions (retrieval) like searches; hand-offs to staff like a public form
    _rule("GET", r"^/(api/v1/)?faq/(ask)?$", "search"),
    _rule("POST", r"^/faq/handoff/$", "inquiry"),
    _rule("POST", r"^/consultations/[-a-zA-Z0-9_]+/opinion/$", "opinion"),
    _rule("POST", r"^/reports/new/$", "report"),
    _rule("POST", r"^/open311/v2/requests\.(json|xml)$", "report"),
    _rule("POST", r"^/notices/$", "subscribe"),
    _rule("POST", r"^/notices/push/subscribe$", "subscribe"),
    # bulky-waste requests (issue #14): the page's steps and the API, like other online applications
    _rule("POST", r"^(/en)?/procedures/bulky-waste/(apply|submit|status)/$", "apply"),
    _rule("POST", r"^/api/v1/bulky-waste/requests$", "apply"),
    # online applications (issue #14): starting one mails a code; codes and secrets are guessed like passwords
    _rule("POST", r"^/(en/)?procedures/apply/[-a-zA-Z0-9_]+/$", "apply"),
    _rule("POST", r"^/(en/)?procedures/apply/[-a-zA-Z0-9_]+/d/[-a-zA-Z0-9_]+/(verify|confirm)/$", "apply"),
    _rule("POST", r"^/(en/)?procedures/status/$", "login"),
    _rule("POST", r"^/(en/)?procedures/status/[-A-Z0-9]+/(correction|withdraw)/$", "apply"),
    _rule("POST", r"^/api/v1/applications$", "apply", _token_or_ip),
    _rule("GET", r"^/api/v1/applications/[-A-Za-z0-9]+$", "search"),
)


def match(request) -> Rule | None:
    """The first rule for this request, or ``None``."""
    for rule in RULES:
        if request.method in rule.methods and rule.path.match(request.path_info):
            return rule
    return None
