# ruff: noqa: S608 -- the SQL below is built from model table/column names and constants; values are parameters
"""Time report generation and the town's pages, at the demo's size and for a town of many demo-sized
villages.

    python manage.py bench_reports [--villages 20] [--requests 30]

With ``--villages N`` (PostgreSQL only) the demo's village A is first copied inside the database until
the town has N villages of its size (households, residents, key persons, a year of visits and cases,
snapshots, reports): plain ``INSERT … SELECT`` statements, so the copy takes seconds. Prints JSON lines
like ``bench_pages``.
"""

from __future__ import annotations

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseEvent
from grids.models import Assignment, Grid, MicroGrid, User, Village, VillagerGroup
from reports import figures
from reports.models import MonthlyReport
from residents.models import Household, KeyPerson, KeyPlace, Resident
from visits import due
from visits.models import CoverageSnapshot, Visit


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, times: list[float], queries: int, **extra) -> str:
    return json.dumps(
        {
            "scenario": name,
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "queries": queries,
            **extra,
        },
        ensure_ascii=False,
    )


def _table(model) -> str:
    return model._meta.db_table


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


# SQL mapping an old row's foreign key to the copy's row, matched by natural keys within the new village.
GRID = "(SELECT n.id FROM grids_grid o JOIN grids_grid n ON n.number = o.number AND n.village_id = %(v)s WHERE o.id = t.grid_id)"
MICRO = (
    "(SELECT n.id FROM grids_microgrid o JOIN grids_grid og ON og.id = o.grid_id "
    "JOIN grids_grid ng ON ng.number = og.number AND ng.village_id = %(v)s "
    "JOIN grids_microgrid n ON n.grid_id = ng.id AND n.number = o.number WHERE o.id = t.micro_grid_id)"
)
GROUP = (
    "(SELECT n.id FROM grids_villagergroup o JOIN grids_villagergroup n ON n.number = o.number "
    "AND n.village_id = %(v)s WHERE o.id = t.villager_group_id)"
)
HOUSEHOLD = (
    "(SELECT n.id FROM residents_household o JOIN residents_household n ON n.number = o.number "
    "AND n.village_id = %(v)s WHERE o.id = t.household_id)"
)
NEW_HASH = "encode(sha256(convert_to({col} || %(tag)s, 'UTF8')), 'hex')"
RESIDENT = (
    "(SELECT n.id FROM residents_resident o JOIN residents_resident n ON n.id_hash = "
    + NEW_HASH.format(col="o.id_hash")
    + " WHERE o.id = t.resident_id)"
)
KEY_PERSON = (
    "(SELECT n.id FROM residents_keyperson o JOIN residents_resident ro ON ro.id = o.resident_id "
    "JOIN residents_resident rn ON rn.id_hash = " + NEW_HASH.format(col="ro.id_hash") + " "
    "JOIN residents_keyperson n ON n.resident_id = rn.id AND n.category = o.category AND n.listed_from = o.listed_from "
    "WHERE o.id = t.key_person_id)"
)
CASE = (
    "(SELECT n.id FROM disputes_case o JOIN disputes_case n ON n.number = o.number || %(tag)s WHERE o.id = t.case_id)"
)


class Command(BaseCommand):
    help = "Time report generation and the town's dashboard (JSON lines); optionally grow the town first."

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=int, default=0, help="copy village A until the town has this many")
        parser.add_argument("--requests", type=int, default=30)

    def handle(self, *args, villages: int, requests: int, **options):
        source = Village.objects.get(name="新庄村")
        if villages:
            if connection.vendor != "postgresql":
                raise CommandError("--villages needs PostgreSQL")
            start = time.perf_counter()
            existing = Village.objects.filter(town=source.town).count()
            for i in range(existing, villages):
                self._copy(source, i)
            self.stdout.write(
                json.dumps(
                    {
                        "setup": f"town grown to {Village.objects.filter(town=source.town).count()} villages",
                        "seconds": round(time.perf_counter() - start, 1),
                        "households": Household.objects.count(),
                        "residents": Resident.objects.count(),
                        "visits": Visit.objects.count(),
                        "cases": Case.objects.count(),
                    },
                    ensure_ascii=False,
                )
            )
        month = due.previous_month(timezone.localdate())
        times, queries = [], 0
        for _ in range(max(5, requests // 3)):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                t = time.perf_counter()
                figures.compute(source, month)
                times.append((time.perf_counter() - t) * 1000)
            queries = len(captured)
        self.stdout.write(_row("report generation (figures of one village)", times, queries))
        client = Client(HTTP_HOST="localhost")
        # The bench runs with DEBUG off, where demo accounts must change their password first: not here.
        User.objects.filter(username="town").update(must_change_password=False)
        client.force_login(User.objects.get(username="town"))
        n = Village.objects.filter(town=source.town).count()
        report = MonthlyReport.objects.filter(village=source).exclude(state="draft").order_by("-month").first()
        for name, url in (
            (f"town dashboard ({n} villages)", reverse("reports:town-dashboard")),
            (f"town report review ({n} villages)", reverse("reports:town-reports")),
            (f"town home ({n} villages)", reverse("reports:town-home")),
            ("report page (submitted)", reverse("reports:report-detail", args=[report.pk])),
        ):
            client.get(url)
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url).status_code
            count = len(captured)
            times = []
            for _ in range(requests):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            self.stdout.write(_row(name, times, count, url=url, status=status))

    @transaction.atomic
    def _copy(self, source: Village, i: int) -> None:
        tag = f"-c{i}"
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO grids_village (town_id, name, code, area_km2, archived_at, created_at, updated_at) "
                "SELECT town_id, name || %s, code, area_km2, archived_at, created_at, updated_at FROM grids_village "
                "WHERE id = %s RETURNING id",
                [f"{i}", source.pk],
            )
            new = cursor.fetchone()[0]
            p = {"v": new, "tag": tag, "src": source.pk}

            def copy(model, where: str, overrides: dict[str, str]) -> None:
                cols = _columns(model)
                quoted = [connection.ops.quote_name(c) for c in cols]
                exprs = [overrides.get(c, f"t.{q}") for c, q in zip(cols, quoted, strict=True)]
                sql = (
                    f"INSERT INTO {_table(model)} ({', '.join(quoted)}) "
                    f"SELECT {', '.join(exprs)} FROM {_table(model)} t WHERE {where}"
                )
                cursor.execute(sql, p)

            in_village = "t.village_id = %(src)s"
            copy(Grid, in_village, {"village_id": "%(v)s"})
            copy(MicroGrid, "t.grid_id IN (SELECT id FROM grids_grid WHERE village_id = %(src)s)", {"grid_id": GRID})
            copy(VillagerGroup, in_village, {"village_id": "%(v)s", "natural_village_id": "NULL"})
            copy(
                Household,
                in_village,
                {
                    "village_id": "%(v)s",
                    "grid_id": GRID,
                    "micro_grid_id": MICRO,
                    "villager_group_id": GROUP,
                    "natural_village_id": "NULL",
                },
            )
            copy(
                Resident,
                in_village,
                {"village_id": "%(v)s", "household_id": HOUSEHOLD, "id_hash": NEW_HASH.format(col="t.id_hash")},
            )
            copy(
                KeyPerson,
                "t.resident_id IN (SELECT id FROM residents_resident WHERE village_id = %(src)s)",
                {"resident_id": RESIDENT},
            )
            copy(
                KeyPlace,
                in_village,
                {"village_id": "%(v)s", "grid_id": GRID, "micro_grid_id": MICRO, "owner_id": "NULL"},
            )
            copy(
                Assignment,
                "t.grid_id IN (SELECT id FROM grids_grid WHERE village_id = %(src)s) OR t.village_id = %(src)s",
                {"grid_id": GRID, "village_id": "CASE WHEN t.village_id IS NULL THEN NULL ELSE %(v)s END"},
            )
            copy(
                Visit,
                in_village + " AND t.key_place_id IS NULL",
                {
                    "village_id": "%(v)s",
                    "grid_id": GRID,
                    "micro_grid_id": MICRO,
                    "household_id": HOUSEHOLD,
                    "key_person_id": KEY_PERSON,
                    "case_id": "NULL",
                    "client_token": "NULL",
                },
            )
            copy(
                CoverageSnapshot,
                "t.grid_id IN (SELECT id FROM grids_grid WHERE village_id = %(src)s)",
                {"grid_id": GRID},
            )
            copy(
                Case,
                in_village,
                {"village_id": "%(v)s", "grid_id": GRID, "household_id": HOUSEHOLD, "number": "t.number || %(tag)s"},
            )
            copy(CaseEvent, "t.case_id IN (SELECT id FROM disputes_case WHERE village_id = %(src)s)", {"case_id": CASE})
            copy(MonthlyReport, in_village, {"village_id": "%(v)s"})
