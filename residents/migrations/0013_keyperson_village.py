"""A key person's village kept on the listing (docs/performance.md, "A key person's village"): added empty,
filled from the resident (or, for an erased listing, from where it was when erased), then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    KeyPerson = apps.get_model("residents", "KeyPerson")
    Resident = apps.get_model("residents", "Resident")
    village = Subquery(Resident.objects.filter(pk=OuterRef("resident_id")).values("village_id")[:1])
    KeyPerson.objects.update(village_id=Coalesce(village, F("erased_village_id")))


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0010_department_role"),
        ("residents", "0012_keyperson_lost_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="keyperson",
            name="village",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.village",
                verbose_name="行政村",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="keyperson",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.village",
                verbose_name="行政村",
            ),
        ),
        migrations.AlterModelOptions(
            name="keyperson",
            options={
                "ordering": ["village", "category", "resident__name"],
                "verbose_name": "重点人员",
                "verbose_name_plural": "重点人员",
            },
        ),
    ]
