"""Tasks of the jobs app: the mail task (use ``services.send_mail_later``, not this directly)."""

from __future__ import annotations

from django.core.mail import send_mail

from .services import retried_task


@retried_task(max_attempts=5, backoff_s=60)
def send_mail_task(subject: str, body: str, recipients: list[str], *, from_email: str | None = None,
                   html_message: str | None = None) -> int:
    """Send one mail with Django's mail API; raises (→ retry) when the mail server refuses.

    :returns: 1 (mails sent)
    """
    return send_mail(subject, body, from_email, recipients, html_message=html_message, fail_silently=False)
