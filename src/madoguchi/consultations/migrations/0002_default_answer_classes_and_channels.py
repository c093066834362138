"""The default answer classes (Kawasaki City's A–E) and channels; a city edits them in the admin."""

from django.db import migrations

CLASSES = [
    ("A", "反映", "御意見を踏まえ、当初案に反映したもの", True),
    ("B", "趣旨に沿い推進", "御意見の趣旨が案に沿ったものであり、御意見の趣旨を踏まえ、取組を推進するもの", False),
    ("C", "参考", "今後の取組を進めていく上で参考とするもの", False),
    ("D", "質問・要望への説明", "案に対する質問・要望の御意見であり、案の内容を説明・確認するもの", False),
    ("E", "その他", "その他", False),
]
CHANNELS = [("インターネット", True), ("電子メール", False), ("FAX", False), ("郵送", False), ("持参", False)]


def seed(apps, schema_editor):
    AnswerClass = apps.get_model("consultations", "AnswerClass")
    Channel = apps.get_model("consultations", "Channel")
    if not AnswerClass.objects.exists():
        for i, (code, label, desc, reflected) in enumerate(CLASSES):
            AnswerClass.objects.create(code=code, label=label, description=desc, reflected=reflected, order=i)
    if not Channel.objects.exists():
        for i, (name, web) in enumerate(CHANNELS):
            Channel.objects.create(name=name, web=web, order=i)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_public_comment")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
