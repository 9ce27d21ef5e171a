import uuid

from django.db import migrations, models


def drop_kept_rows(apps, schema_editor):
    """The kept figures are counted again by the next reader: the rows are dropped rather than given one
    stamp (a default is evaluated once for the rows already there)."""
    apps.get_model("visits", "LiveCoverage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0008_field_weeks")]

    operations = [
        migrations.RunPython(drop_kept_rows, migrations.RunPython.noop),
        migrations.AddField(
            model_name="livecoverage",
            name="stamp",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
