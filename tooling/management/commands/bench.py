"""Time every page, API list and job that grows with the data, on the database at hand.

    python manage.py generate_scale --residents 1000000      # once: a county
    python manage.py bench [--requests 30] [--output bench/results.json]

Prints one JSON object per scenario (p50 / p95 / max ms, queries, rows; for pages the hand-written SQL
floor and the ratio to it; for lists Django admin's changelist and the ratio to it) and, with
``--output``, writes them with the machine and the data size. See ``tooling/bench/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from core.warm import settle_collector
from tooling import bench


class Command(BaseCommand):
    help = "Time pages, API lists, reports, the reminder run and an import (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--output", type=Path)
        parser.add_argument("--import-households", type=int, default=10_000)
        parser.add_argument("--reminder-runs", type=int, default=3)
        parser.add_argument(
            "--only", action="append", default=[], help="only scenarios whose name holds this (repeatable)"
        )

    def handle(self, *args, requests: int, output: Path | None, import_households: int, reminder_runs: int, **options):
        # As the server does once its application is loaded (governance/wsgi.py): what is loaded now stays out
        # of the garbage collector's full passes.
        settle_collector()
        vacuumed = bench.vacuum_when_autovacuum_is_off()
        people = bench.people()
        rows = []
        only = options["only"]

        def wanted(name: str) -> bool:
            return not only or any(part in name for part in only)

        def emit(row: dict) -> None:
            rows.append(row)
            self.stdout.write(json.dumps(row, ensure_ascii=False))

        clients: dict = {}
        admin = bench.client_for(people.admin)
        party_pages, party_skipped = bench.party_pages(people)
        cogov_pages, cogov_skipped = bench.cogovernance_pages(people)
        civility_pages, civility_skipped = bench.civility_pages(people)
        department_pages, department_skipped = bench.department_pages(people)
        scorecard_pages, scorecard_skipped = bench.scorecard_pages(people)
        towntask_pages, towntask_skipped = bench.towntasks_pages(people)

        def wanted_towntasks(name: str) -> bool:  # the town tasks' pages also answer to --only towntasks
            return wanted(name) or (name in bench.TOWNTASK_SCENARIOS and "towntasks" in only)

        def wanted_cogov(name: str) -> bool:  # the co-governance pages also answer to --only cogov
            return wanted(name) or (
                name in bench.COGOV_SCENARIOS and any(part in ("cogov", "cogovernance") for part in only)
            )

        def wanted_civility(name: str) -> bool:  # the 德治/法治 pages also answer to --only civility
            return wanted(name) or (name in bench.CIVILITY_SCENARIOS and "civility" in only)

        for page in bench.pages(people) + party_pages + bench.api_pages(people):
            if wanted(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for page in cogov_pages:
            if wanted_cogov(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for page in civility_pages:
            if wanted_civility(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for page in department_pages:  # docs/departments.md; --only departments
            if wanted(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for row in department_skipped:
            if wanted(row["scenario"]):
                emit(row)
        for page in scorecard_pages:  # "--only scorecard" selects them: the word is in their names
            if wanted(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        draft_pages, draft_skipped = bench.draft_pages(people)

        def wanted_draft(name: str) -> bool:  # the 汇报材料 draft also answers to --only draft
            return wanted(name) or (name in bench.DRAFT_SCENARIOS and "draft" in only)

        for page in draft_pages:
            if wanted_draft(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for row in draft_skipped:
            if wanted_draft(row["scenario"]):
                emit(row)
        for page in towntask_pages:
            if wanted_towntasks(page.name):
                emit(bench.run_page(page, clients, requests, admin))
        for row in towntask_skipped:
            if wanted_towntasks(row["scenario"]):
                emit(row)
        for row in party_skipped:  # pages not in this build yet
            if wanted(row["scenario"]):
                emit(row)
        for row in cogov_skipped:
            if wanted_cogov(row["scenario"]):
                emit(row)
        for row in civility_skipped:
            if wanted_civility(row["scenario"]):
                emit(row)
        for row in scorecard_skipped:
            if wanted(row["scenario"]):
                emit(row)
        if wanted("report generation"):
            emit(bench.run_report(people, max(3, requests // 3)))
        if wanted("reminder run") or wanted("nightly coverage"):
            emit(bench.run_coverage_count())
        if reminder_runs and wanted("reminder run"):  # --reminder-runs 0: none (as --import-households 0)
            for row in bench.run_reminders(reminder_runs):
                emit(row)
        if import_households and wanted("import"):
            emit(bench.run_import(people, import_households))
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            result = {
                "machine": bench.machine() | {"vacuumed_first": vacuumed},
                "data": bench.data_size(),
                "scenarios": rows,
            }
            output.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
            self.stderr.write(f"written to {output}")
