"""Every department now has its town (0008 copied the list to each town): the column is required and a
name is unique among a town's active departments (docs/departments.md). A migration of its own: PostgreSQL
does not alter a table in the transaction that just moved its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disputes", "0008_department_town")]

    operations = [
        migrations.AlterField(
            model_name='department',
            name='town',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='departments', to='grids.town', verbose_name='乡镇'),
        ),
        migrations.AddConstraint(
            model_name='department',
            constraint=models.UniqueConstraint(condition=models.Q(('archived_at__isnull', True)), fields=('town', 'name'), name='department_unique_active_name', violation_error_message='本乡镇已有同名的职能部门。'),
        ),
    ]
