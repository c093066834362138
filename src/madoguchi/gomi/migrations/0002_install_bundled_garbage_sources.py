"""Configure the bundled Kawasaki and Hachioji garbage-sorting datasets (bundle/datasets.toml) so the service works after
``migrate`` + ``load-bundle``. Rows are created only if missing; the reverse removes
exactly these slugs. Values are frozen here (not imported) so later code changes do
not change this migration."""

from django.db import migrations

SOURCES = [{'slug': 'kawasaki',
  'title': '川崎市',
  'dataset_slug': 'kawasaki-garbage-sorting',
  'order': 10,
  'items_resource': '分別辞典 target',
  'categories_resource': '分別区分 description',
  'areas_resource': '収集曜日 area_days',
  'area_groups_resource': '区 area_master',
  'centers_resource': '収集センター center'},
 {'slug': 'hachioji',
  'title': '八王子市',
  'dataset_slug': 'hachioji-garbage-sorting',
  'order': 20,
  'items_resource': '分別辞典 target',
  'categories_resource': '分別区分 description',
  'areas_resource': '収集曜日 area_days',
  'centers_resource': '収集センター center'}]


def install(apps, schema_editor):
    Model = apps.get_model("gomi", "GarbageSource")
    for row in SOURCES:
        Model.objects.get_or_create(slug=row["slug"], defaults=row)


def uninstall(apps, schema_editor):
    apps.get_model("gomi", "GarbageSource").objects.filter(slug__in=[r["slug"] for r in SOURCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("gomi", "0001_garbage_sources_and_missed_queries")]
    operations = [migrations.RunPython(install, uninstall)]
