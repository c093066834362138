"""Configure the bundled 亀岡市 garbage data (bundle/datasets.toml ``kameoka-garbage-sorting``) as a garbage-sorting
source, as gomi's 0002 did for Kawasaki and Hachioji, so ``/garbage/`` and the bulky fee table (``madoguchi
bulky-fees``) read it after ``migrate`` + ``load-bundle``. Created only if missing; the reverse removes exactly
this slug. Values frozen here (the same entry is in ``gomi.services.DEFAULT_SOURCES``)."""

from django.db import migrations

SOURCE = {"slug": "kameoka", "title": "亀岡市", "dataset_slug": "kameoka-garbage-sorting", "order": 30,
          "items_resource": "分別辞典 target", "categories_resource": "分別区分 description",
          "areas_resource": "収集曜日 area_days", "centers_resource": "収集センター center"}


def install(apps, schema_editor):
    apps.get_model("gomi", "GarbageSource").objects.get_or_create(slug=SOURCE["slug"], defaults=SOURCE)


def uninstall(apps, schema_editor):
    apps.get_model("gomi", "GarbageSource").objects.filter(slug=SOURCE["slug"]).delete()


class Migration(migrations.Migration):
    dependencies = [("bulky", "0001_fees_areas_days_requests"), ("gomi", "0005_install_english_kawasaki_source")]
    operations = [migrations.RunPython(install, uninstall)]
