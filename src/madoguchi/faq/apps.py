from django.apps import AppConfig
from django.core import checks


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    verbose_name = "問合せ対応 (FAQ)"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metrics)

        checks.register(word_vectors_installed)


def word_vectors_installed(app_configs=None, **kwargs) -> list:
    """faq.W001: the chiVe word vectors (``ja-ginza``, installed with ``--no-deps``) are missing, so the FAQ
    ranks with LSA vectors from its own Q&A (lower MRR; see requirements-nodeps.txt)."""
    import importlib.util

    if importlib.util.find_spec("ja_ginza") is not None:
        return []
    return [checks.Warning("ja-ginza (FAQ word vectors) is not installed; the FAQ assistant uses LSA vectors",
                           hint="pip install --no-deps -r requirements-nodeps.txt", id="faq.W001")]
