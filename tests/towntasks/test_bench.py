"""The bench times the town tasks' pages (``manage.py bench --only towntasks``): the town's page of its task to
all villages, the town's task list and a worker's task list, each answered, with its SQL floor and the same
page for the smallest town beside it (the same number of queries)."""

import io
import json

from django.core.management import call_command

from towntasks.models import TaskItem


def test_the_town_task_pages_are_benched(db, tmp_path):
    call_command("generate_scale", residents=2000, months=1, stdout=io.StringIO())
    assert TaskItem.objects.exists()
    output = tmp_path / "towntasks.json"
    call_command("bench", requests=2, import_households=0, only=["towntasks"], output=output, stdout=io.StringIO())
    rows = {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert set(rows) == {"town task page", "town task list", "field task list", "field task checklist"}
    for row in rows.values():
        assert row["status"] == 200 and row["small_status"] == 200, row
        assert row["queries"] == row["queries_small"] > 0, row
        assert row["p95_ms"] > 0 and row["floor_p95_ms"] > 0, row
    assert rows["town task page"]["rows"] > 0
