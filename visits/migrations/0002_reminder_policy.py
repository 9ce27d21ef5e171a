"""The one row of reminder settings (defaults in ``visits.models.ReminderPolicy``)."""

from django.db import migrations


def add(apps, schema_editor):
    apps.get_model("visits", "ReminderPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
