"""Background tasks of the reservations app (Django's Tasks API).

* ``draw_period(period_id)`` — ``services.run_draw`` of a lottery period, then one mail task per
  applicant (``notices.notify_draw_results`` → ``jobs.services.send_mail_later``). Enqueue with
  ``services.enqueue_draw``. A refused draw (already drawn, too early, a winner's slot booked
  meanwhile) is not retried: its code and message are the task's result.
"""

from __future__ import annotations

from madoguchi.jobs.services import retried_task


@retried_task(max_attempts=3, backoff_s=30)
def draw_period(period_id: int) -> dict:
    """:returns: ``{"ok": true, "entries", "won", "passed", "lost", "invalid"}`` or
    ``{"ok": false, "code", "message"}``"""
    from .errors import ReservationError
    from .models import LotteryPeriod
    from .services import run_draw

    try:
        s = run_draw(LotteryPeriod.objects.get(pk=period_id))
    except ReservationError as exc:
        return {"ok": False, "code": exc.code, "message": exc.message}
    return {"ok": True, "entries": s.entries, "won": s.won, "passed": s.passed, "lost": s.lost,
            "invalid": s.invalid}
