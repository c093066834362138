"""Fixed-window request counters shared by every server process (one row per client, group and window)."""

from django.db import models


class RateCounter(models.Model):
    """Requests of one client (``key``: a hash) to one rate-limited group in one window."""

    key = models.CharField(max_length=64, help_text="BLAKE2b of group, client and window start")
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="ratelimits_counter_key_unique")]
