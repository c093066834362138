"""Install the procedure guide's seed (the survey's local-government procedures and the city's own ones).

Calls ``services.install_seed`` (idempotent; it uses the current model, whose columns 0001 created).
"""

from django.db import migrations


def install(apps, schema_editor):
    from madoguchi.procedures.services import install_seed

    install_seed()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_procedure")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
