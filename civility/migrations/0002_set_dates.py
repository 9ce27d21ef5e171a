"""The legal-publicity dates every village is reminded of (docs/civility.md, seed 003 二(二)、(三)): the admin
may change or add to them."""

from django.db import migrations

DATES = [
    ("宪法宣传日", 12, 4, 7, "legal", "国家宪法日（全国人大常委会决定，2014）：每年 12 月 4 日"),
    ("民法典宣传月", 5, 1, 7, "legal", "民法典宣传月（中宣部、司法部等）：每年 5 月"),
    ("安全生产月", 6, 1, 7, "legal", "全国安全生产月（国务院安委会）：每年 6 月"),
]


def seed(apps, schema_editor):
    SetDate = apps.get_model("civility", "SetDate")
    for name, month, day, before, kind, source in DATES:
        SetDate.objects.get_or_create(
            name=name, defaults={"month": month, "day": day, "remind_days_before": before, "kind": kind, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("civility", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
