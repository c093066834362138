from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "madoguchi.ratelimits"
    label = "ratelimits"
    verbose_name = "リクエスト数の制限 (rate limits)"
