"""Copy the built-in synonyms (``gomi/data/synonyms.csv``, the project's own list) into
``gomi.Synonym`` for every city. Rows are created only if missing; the reverse removes
the built-in rows (for every city)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "synonyms.csv"


def _pairs() -> list[tuple[str, str]]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        return [(r["word"].strip(), r["target"].strip()) for r in csv.DictReader(fh) if r["word"].strip()]


def install(apps, schema_editor):
    Synonym = apps.get_model("gomi", "Synonym")
    for word, target in _pairs():
        Synonym.objects.get_or_create(source=None, word=word, target=target, defaults={"builtin": True})


def uninstall(apps, schema_editor):
    apps.get_model("gomi", "Synonym").objects.filter(builtin=True, source=None).delete()


class Migration(migrations.Migration):
    dependencies = [("gomi", "0003_synonyms")]
    operations = [migrations.RunPython(install, uninstall)]
