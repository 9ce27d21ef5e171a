"""The town departments cases are usually assigned to, and the one row of time limits (defaults in
``disputes.models.Policy``). The system admin edits both afterwards."""

from django.db import migrations

DEPARTMENTS = [
    "司法所",
    "派出所",
    "信访办",
    "安监站",
    "应急管理办",
    "自然资源所",
    "市场监管所",
    "民政办",
    "农业农村办",
    "城建办",
    "人社所",
    "妇联",
]


def add(apps, schema_editor):
    Department = apps.get_model("disputes", "Department")
    for order, name in enumerate(DEPARTMENTS, start=1):
        Department.objects.get_or_create(name=name, defaults={"order": order})
    apps.get_model("disputes", "Policy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
