"""Seed the topics and Kawasaki's 7 wards (data; staff add and edit more in the admin)."""

from django.db import migrations

TOPICS = [("bousai", "防災", "気象警報・地震・避難の情報"), ("event", "イベント", "市の催し"), ("kosodate", "子育て", ""),
          ("gomi", "ごみ", "収集日の変更など"), ("shisetsu", "施設予約", "抽選結果・予約の案内"),
          ("keikaku", "計画・指標", "市の計画と指標の公表")]
WARDS = ["川崎区", "幸区", "中原区", "高津区", "宮前区", "多摩区", "麻生区"]


def seed(apps, schema_editor):
    Topic, Area = apps.get_model("notices", "Topic"), apps.get_model("notices", "Area")
    for i, (slug, name, desc) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": desc, "order": i})
    for i, name in enumerate(WARDS):
        Area.objects.get_or_create(name=name, defaults={"kind": "ward", "order": i})


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_subscriptions_and_deliveries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
