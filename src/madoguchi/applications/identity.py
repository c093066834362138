"""Who is applying: the identity seam of the citizen flow.

An ``IdentityProvider`` checks who the applicant is and answers a ``VerifiedIdentity``. The default,
``EmailVerification``, proves only control of an e-mail address: a 6-digit code is mailed
(``madoguchi.jobs.services.send_mail_later``) and typed back; its hash sits on the ``Draft``.

マイナンバーカード公的個人認証 (JPKI) plugs in here — documented, not implemented. JPKI needs a
platform provider approved by the Minister of Internal Affairs and Communications (地方公共団体情報
システム機構 J-LIS verifies the certificate); the city does not read cards itself. A provider class would:

1. in ``start(request, draft)`` redirect to the provider's authorisation endpoint (OpenID Connect with
   PKCE; ``state`` = the draft token), the citizen reads the card with the マイナポータル app;
2. in ``verify(request)`` handle the callback, exchange the code for an ID token, check its signature,
   issuer, audience and nonce, and answer ``VerifiedIdentity(method="jpki", subject=<provider's
   pseudonymous id>, name=…, address=…, birth_date=…)`` from the signature certificate's four
   basic attributes (基本4情報) the citizen agreed to send;
3. never store the card's serial number or the My Number itself (番号法 forbids collecting it here).

A form that needs it would name the provider (a future ``Form.identity`` setting); the views call
``provider.verify(request)`` where they now check the e-mail code, and store ``method`` and ``subject``
with the application. Nothing else in the flow changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.translation import gettext as _

CODE_DIGITS = 6


@dataclass(frozen=True)
class VerifiedIdentity:
    """The outcome of a verification.

    :param method: ``"email"`` or a provider's name (``"jpki"``)
    :param subject: what was verified (the e-mail address; a provider's pseudonymous id)
    :param attributes: further verified attributes (name, address, birth_date …), empty for e-mail
    """

    method: str
    subject: str
    attributes: dict = field(default_factory=dict)


@runtime_checkable
class IdentityProvider(Protocol):
    """Verifies the applicant. ``start`` begins (mails a code, or redirects to a provider) and
    ``verify`` checks the answer, returning a ``VerifiedIdentity`` or ``None`` when it does not match."""

    name: str

    def start(self, request, draft) -> None: ...

    def verify(self, request, draft=None) -> VerifiedIdentity | None: ...


def _hash_code(token: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


class EmailVerification:
    """The default provider: a 6-digit code mailed to ``draft.email``; ``MAX_TRIES`` wrong codes end it."""

    name = "email"
    MAX_TRIES = 5

    def start(self, request, draft) -> None:
        """Make a new code, store its hash on ``draft`` and mail it (saves ``draft``)."""
        from madoguchi.jobs.services import send_mail_later

        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        draft.code_hash, draft.code_tries, draft.email_verified = _hash_code(draft.token, code), 0, False
        draft.save(update_fields=["code_hash", "code_tries", "email_verified", "updated_at"])
        title = draft.form.title
        send_mail_later(
            _("【確認コード】%(title)s のオンライン申請") % {"title": title},
            "\n".join([
                _("オンライン申請「%(title)s」のメールアドレス確認コードです。") % {"title": title},
                "",
                _("確認コード: %(code)s") % {"code": code},
                "",
                _("申請画面にこのコードを入力してください。心当たりがない場合は、このメールを破棄してください。"),
            ]),
            [draft.email])

    def verify(self, request, draft=None) -> VerifiedIdentity | None:
        """Check ``request.POST["code"]`` against ``draft``; counts wrong tries (saves ``draft``)."""
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())
        if draft is None or not draft.code_hash or draft.code_tries >= self.MAX_TRIES:
            return None
        if len(code) == CODE_DIGITS and hmac.compare_digest(_hash_code(draft.token, code), draft.code_hash):
            draft.email_verified, draft.code_hash = True, ""
            draft.save(update_fields=["email_verified", "code_hash", "updated_at"])
            return VerifiedIdentity(method=self.name, subject=draft.email)
        draft.code_tries += 1
        draft.save(update_fields=["code_tries", "updated_at"])
        return None

    def tries_left(self, draft) -> int:
        return max(0, self.MAX_TRIES - draft.code_tries)


def provider_for(form) -> IdentityProvider:
    """The provider a form uses (today always ``EmailVerification``)."""
    return EmailVerification()
