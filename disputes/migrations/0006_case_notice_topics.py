"""Notices sent about a case before notices named their topic: name it from their key ("case-42-…", the
key ``services._notify`` has always written), and mark done those sent before the case last moved, as
``services.case_transition`` and ``case_sign`` do from now on. The upper app writes the lower app's rows,
never the other way (docs/architecture.md)."""

from django.db import migrations
from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest, Substr

BATCH = 2000


def forwards(apps, schema_editor):
    Notice = apps.get_model("messaging", "Notice")
    Case = apps.get_model("disputes", "Case")
    named = []
    for notice in Notice.objects.filter(topic="", key__startswith="case-").only("pk", "key").iterator(BATCH):
        number = notice.key.split("-")[1]
        if number.isdigit():
            notice.topic = f"case-{number}"
            named.append(notice)
        if len(named) >= BATCH:
            Notice.objects.bulk_update(named, ["topic"])
            named = []
    Notice.objects.bulk_update(named, ["topic"])
    last_moved = Case.objects.filter(pk=Cast(Substr(OuterRef("topic"), 6), BigIntegerField())).values(
        moved=Greatest("state_since", Coalesce("signed_at", "state_since"))
    )[:1]
    (
        Notice.objects.filter(topic__startswith="case-", done_at__isnull=True)
        .annotate(moved=Subquery(last_moved))
        .filter(moved__gt=F("created_at"))
        .update(done_at=Subquery(last_moved))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0005_case_source_info_officer"),
        ("messaging", "0002_notice_topic_done"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
