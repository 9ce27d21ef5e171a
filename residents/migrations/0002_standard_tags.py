from django.db import migrations

# The household tags villages keep: 低保, 五保, 留守, 独居老人, 党员户 and a few more in common use.
STANDARD_TAGS = [
    ("dibao", "低保"),
    ("wubao", "五保"),
    ("left_behind", "留守"),
    ("elderly_alone", "独居老人"),
    ("party", "党员户"),
    ("military", "军烈属"),
    ("disability", "残疾人户"),
    ("monitored", "防返贫监测户"),
]


def create_tags(apps, schema_editor):
    Tag = apps.get_model("residents", "Tag")
    for order, (code, name) in enumerate(STANDARD_TAGS):
        Tag.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
