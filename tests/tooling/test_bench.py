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
    # Inside the test's transaction nothing is vacuumed; whether autovacuum runs is recorded with the machine.
    assert result["machine"]["vacuumed_first"] is False
    assert result["machine"]["database_settings"]["autovacuum"] in ("on", "off")
    rows = {row["scenario"]: row for row in result["scenarios"]}
    pages = [row for row in rows.values() if "url" in row]
    assert len(pages) >= 35
    for row in pages:
        assert row["status"] == 200, row
        assert row["queries"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0, row
        if "floor_p95_ms" in row:
            assert row["ratio_floor"] > 0
        # Where the time goes: the page's own reads run again, and what it spends beyond them.
        assert 0 < row["statements_ms"] < row["p95_ms"] * 3, row
        assert row["beyond_statements_ms"] == round(row["p50_ms"] - row["statements_ms"], 1), row
        assert row["writes_not_timed"] >= 0, row
        if "admin_p95_ms" in row:
            assert row["admin_status"] == 200, row
    for name in ("household list", "resident list", "case list", "API households", "API visits"):
        assert rows[name]["rows"] > 0, name
    assert rows["report generation (one village, one month)"]["queries"] > 0
    assert rows["reminder run, whole county: monthly"]["messages"] > 0
    assert rows["import of 30 households"]["rows"] == 30
    # The bench's own admin account is the only trace it leaves.
    assert User.objects.filter(username="bench_admin", is_superuser=True).exists()


def _party_rows(tmp_path) -> dict:
    output = tmp_path / "party.json"
    call_command("bench", requests=2, import_households=0, only=["party"], output=output, stdout=io.StringIO())
    return {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}


PARTY_SCENARIOS = {"party overview", "party member list", "party member list, search", "party compliance, town"}


def test_party_pages_are_benched_or_skipped_with_a_note(db, tmp_path):
    """The Party's pages at county scale: each measured when its URL name is in this build, else a row
    that says it was skipped; the bench runs either way."""
    from django.urls import NoReverseMatch, reverse

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    rows = _party_rows(tmp_path)
    assert set(rows) == PARTY_SCENARIOS
    for name, row in rows.items():
        url_name = {"party overview": "party:overview", "party compliance, town": "party:town-compliance"}.get(
            name, "party:member-list"
        )
        try:
            reverse(url_name, args=[] if "town" in name else [1])
        except NoReverseMatch:
            assert row["skipped"] == f"no URL named {url_name} in this build"
            continue
        assert row["status"] == 200 and row["queries"] > 0 and row["p95_ms"] > 0, row


def test_party_pages_measured_with_their_query_counts(db, tmp_path, settings):
    """With the pages there (stand-ins where this build lacks them): p95, queries, the floor, and the query
    count of the same page for the village with the fewest members beside it."""
    from django.urls import clear_url_caches

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    settings.ROOT_URLCONF = "tests.tooling.party_bench_urls"
    clear_url_caches()
    try:
        rows = _party_rows(tmp_path)
    finally:
        clear_url_caches()
    assert set(rows) == PARTY_SCENARIOS
    for name, row in rows.items():
        assert row["status"] == 200 and row["queries"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0, row
        assert row["floor_p95_ms"] > 0, row
        if name in ("party overview", "party member list"):
            assert row["small_status"] == 200 and row["small_url"] != row["url"], row
            assert row["queries_small"] == row["queries"], row
    assert rows["party member list"]["rows"] > 0


def test_cogovernance_pages_are_benched_or_skipped_with_a_note(db, tmp_path):
    """Co-governance's lists and the town's counts: each measured when its URL name is in this build (the
    lists beside the same list for the village with the fewest deliberations), else a row that says it was
    skipped; ``--only cogov`` selects them all, ``--only "project list"`` that one."""
    from django.urls import NoReverseMatch, reverse

    from tooling.bench import COGOV_SCENARIOS

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    output = tmp_path / "cogov.json"
    call_command("bench", requests=2, import_households=0, only=["cogov"], output=output, stdout=io.StringIO())
    rows = {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert set(rows) == set(COGOV_SCENARIOS)
    for name, row in rows.items():
        url_name = (
            "cogovernance:"
            + {
                "deliberation list": "deliberation-list",
                "project list": "project-list",
                "document list": "document-list",
                "cogov town counts": "town-counts",
            }[name]
        )
        try:
            reverse(url_name)
        except NoReverseMatch:
            try:
                reverse(url_name, args=[1])
            except NoReverseMatch:
                assert row["skipped"] == f"no URL named {url_name} in this build"
                continue
        assert row["status"] == 200 and row["queries"] > 0 and row["floor_p95_ms"] > 0, row
        if name != "cogov town counts":
            assert row["small_status"] == 200 and row["queries_small"] == row["queries"], row
    assert rows["cogov town counts"]["status"] == 200
    call_command("bench", requests=1, import_households=0, only=["project list"], output=output, stdout=io.StringIO())
    assert [row["scenario"] for row in json.loads(output.read_text())["scenarios"]] == ["project list"]


def test_civility_pages_are_benched_beside_the_smallest_village(db, tmp_path):
    """德治/法治's activity list, points ledger and selection list as the biggest village's staff, each beside the
    same page of the smallest village (the same query count); ``--only civility`` selects them all."""
    from tooling.bench import CIVILITY_SCENARIOS

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    output = tmp_path / "civility.json"
    call_command("bench", requests=2, import_households=0, only=["civility"], output=output, stdout=io.StringIO())
    rows = {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert set(rows) == set(CIVILITY_SCENARIOS)
    for row in rows.values():
        assert row["status"] == 200 and row["queries"] > 0 and row["floor_p95_ms"] > 0, row
        assert row["small_status"] == 200 and row["small_url"] != row["url"], row
        assert row["queries_small"] == row["queries"], row
    assert rows["points ledger"]["rows"] > 0
    call_command("bench", requests=1, import_households=0, only=["points ledger"], output=output, stdout=io.StringIO())
    assert [row["scenario"] for row in json.loads(output.read_text())["scenarios"]] == ["points ledger"]


def test_scorecard_pages_are_benched(db, tmp_path):
    """The 六好 scorecard's town comparison and a village's scorecard are timed with their floors; ``--only
    scorecard`` selects both, and the town comparison's query count is that of the town with fewest villages."""
    from tooling.bench import SCORECARD_SCENARIOS

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    output = tmp_path / "scorecard.json"
    call_command("bench", requests=2, import_households=0, only=["scorecard"], output=output, stdout=io.StringIO())
    rows = {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert set(rows) == set(SCORECARD_SCENARIOS)
    for row in rows.values():
        assert row["status"] == 200 and row["queries"] > 0 and row["floor_p95_ms"] > 0, row
    town = rows["scorecard town comparison"]
    if "queries_small" in town:  # a county of more than one town
        assert town["small_status"] == 200 and town["queries_small"] == town["queries"], town
    assert town["rows"] > 0


def test_the_governance_report_draft_is_benched_beside_the_smallest_village(db, tmp_path):
    """The 汇报材料 .docx of the biggest village for the current year, as its staff, beside the smallest
    village's (the same query count: the draft reads in grouped queries); ``--only draft`` selects it."""
    from tooling.bench import DRAFT_SCENARIOS

    call_command("generate_scale", residents=2000, months=2, stdout=io.StringIO())
    output = tmp_path / "draft.json"
    call_command("bench", requests=2, import_households=0, only=["draft"], output=output, stdout=io.StringIO())
    rows = {row["scenario"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert set(rows) == set(DRAFT_SCENARIOS) == {"governance report docx"}
    row = rows["governance report docx"]
    assert row["status"] == 200 and row["queries"] > 0 and row["floor_p95_ms"] > 0, row
    assert "governance-report.docx?period=" in row["url"] and row["rows"] is None
    assert row["small_status"] == 200 and row["small_url"] != row["url"], row
    assert row["queries_small"] == row["queries"], row


def test_a_pages_statements_are_timed_again_writes_are_not(db):
    from tooling.bench.runner import DECLARE, statements_time

    declared = 'DECLARE "_django_curs_1_sync_2" NO SCROLL CURSOR WITH HOLD FOR SELECT 1'
    assert DECLARE.sub("", declared) == "SELECT 1"
    assert User.objects.count() == 0
    statements = [
        "SELECT 1",
        "SELECT pg_sleep(0.02)",
        "WITH v (n) AS (VALUES (1)) SELECT n FROM v",
        "DELETE FROM grids_user",
        "WITH v (id) AS (VALUES (1)) UPDATE grids_user SET is_active = false FROM v WHERE grids_user.id = v.id",
    ]
    row = statements_time(statements, page_p50=100.0, runs=3)
    assert row["writes_not_timed"] == 2 and 20 <= row["statements_ms"] < 100
    assert row["beyond_statements_ms"] == round(100.0 - row["statements_ms"], 1)
