"""The county bench keeps working: a small county, every scenario answered and measured."""

import io
import json

from django.core.management import call_command

from grids.models import User


def test_bench_measures_every_scenario_on_a_small_county(db, tmp_path):
    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    output = tmp_path / "results.json"
    lines = io.StringIO()
    call_command("bench", requests=2, import_households=30, reminder_runs=1, output=output, stdout=lines)
    assert len(lines.getvalue().splitlines()) == len(json.loads(output.read_text())["scenarios"])
    result = json.loads(output.read_text())
    assert result["machine"]["cpus"] >= 1 and result["data"]["residents"] >= 2000
    rows = {row["scenario"]: row for row in result["scenarios"]}
    pages = [row for row in rows.values() if "url" in row]
    assert len(pages) >= 35
    for row in pages:
        assert row["status"] == 200, row
        assert row["queries"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0, row
        if "floor_p95_ms" in row:
            assert row["ratio_floor"] > 0
        if "admin_p95_ms" in row:
            assert row["admin_status"] == 200, row
    for name in ("household list", "resident list", "case list", "API households", "API visits"):
        assert rows[name]["rows"] > 0, name
    assert rows["report generation (one village, one month)"]["queries"] > 0
    assert rows["reminder run, whole county: monthly"]["messages"] > 0
    assert rows["import of 30 households"]["rows"] == 30
    # The bench's own admin account is the only trace it leaves.
    assert User.objects.filter(username="bench_admin", is_superuser=True).exists()
