"""The meeting cadence as the seeds and the Party's rules set it (docs/party.md cites each row)."""

from django.db import migrations

RULES = [
    # kind, level, period, source
    ("branch_committee", "branch", "month", "《中国共产党支部工作条例（试行）》第十九条：支部委员会会议一般每月召开1次"),
    ("group_meeting", "group", "month", "《中国共产党支部工作条例（试行）》第十九条：党小组会一般每月召开1次"),
    ("assembly", "branch", "quarter", "《中国共产党支部工作条例（试行）》第十九条：党员大会一般每季度召开1次"),
    ("lecture", "branch", "quarter", "《中国共产党支部工作条例（试行）》第十九条：党课每季度至少1次"),
    ("theme_day", "branch", "month", "《中国共产党支部工作条例（试行）》第十九条：每月相对固定1天开展主题党日"),
    ("five_linkage", "village", "month", "网格化治理经验材料：每月开展“五事联动”"),
    ("joint", "village", "month", "网格化治理经验材料：每月召开支委会、“两委”联席会"),
    ("safety_group", "village", "quarter", "示范村验收汇报：平安建设领导小组每季度召开会议"),
]


def add(apps, schema_editor):
    MeetingRule = apps.get_model("party", "MeetingRule")
    for kind, level, period, source in RULES:
        MeetingRule.objects.get_or_create(kind=kind, defaults={"level": level, "period": period, "source": source})


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
