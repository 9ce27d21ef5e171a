"""The one row of report settings (defaults in ``reports.models.ReportPolicy``)."""

from django.db import migrations


def add(apps, schema_editor):
    apps.get_model("reports", "ReportPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
