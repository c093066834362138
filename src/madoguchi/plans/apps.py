from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "madoguchi.plans"
    verbose_name = "計画・成果指標 (Plans and KPIs)"

    def ready(self) -> None:
        # Built-in metrics register themselves like any later module's metrics would.
        from . import metrics  # noqa: F401
