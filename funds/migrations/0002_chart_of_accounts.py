from django.db import migrations


def load(apps, schema_editor):
    from funds.chart import CHART

    subject = apps.get_model("funds", "AccountSubject")
    for code, name, kind, category in CHART:
        subject.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "category": category}
        )


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
