"""Configure the English version of the bundled Kawasaki garbage-sorting data (issue #18: ``/en/garbage/``
searches it). Created only if missing; the reverse removes exactly this slug. Values frozen here."""

from django.db import migrations

SOURCE = {"slug": "kawasaki-en", "title": "Kawasaki", "dataset_slug": "kawasaki-garbage-sorting", "order": 11,
          "items_resource": "Sorting dictionary target (English)",
          "categories_resource": "Categories description (English)"}


def install(apps, schema_editor):
    apps.get_model("gomi", "GarbageSource").objects.get_or_create(slug=SOURCE["slug"], defaults=SOURCE)


def uninstall(apps, schema_editor):
    apps.get_model("gomi", "GarbageSource").objects.filter(slug=SOURCE["slug"]).delete()


class Migration(migrations.Migration):
    dependencies = [("gomi", "0004_builtin_synonyms")]
    operations = [migrations.RunPython(install, uninstall)]
