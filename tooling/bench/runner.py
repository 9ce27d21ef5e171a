"""Running the bench's scenarios: each page timed against its floor and the admin's changelist, report
generation, the nightly coverage count, the monthly reminder run, an import; and the machine and data size
the figures were taken on."""

from __future__ import annotations

import io
import json
import os
import platform
import re
import statistics
import time
from collections.abc import Callable

from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import AS_WRITTEN
from disputes.models import Case
from grids.models import Grid, Town, User, Village
from reports import figures
from residents import excel, imports
from residents.idnumber import check_character
from residents.models import Household, ImportJob, KeyPerson, Resident
from visits import due, live, reminders
from visits.models import VISIT_KINDS, Visit
from visits.tasks import coverage_warm

from .scenarios import Page, People

TBODY_ROW = re.compile(r"<tr\b")
# A read through a server-side cursor (``QuerySet.iterator()`` on PostgreSQL) is logged as its DECLARE.
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
DECLARE = re.compile(r'^DECLARE "[^"]+" (NO SCROLL )?CURSOR (WITH(OUT)? HOLD )?FOR ', re.IGNORECASE)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(times: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def timed(action: Callable[[], object], n: int, before: Callable[[], object] | None = None) -> list[float]:
    times = []
    for _ in range(n):
        if before is not None:  # not timed
            before()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _rows(response) -> int | None:
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        return len(data["results"]) if isinstance(data, dict) and "results" in data else None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None  # a download (the .docx draft): no table rows to count
    body = response.content.decode()
    start = body.find("<tbody>")
    return len(TBODY_ROW.findall(body, start, body.find("</tbody>", start))) if start >= 0 else None


def run_page(page: Page, clients: dict[int, Client], n: int, admin: Client) -> dict:
    if page.user.pk not in clients:
        clients[page.user.pk] = client_for(page.user)
    client = clients[page.user.pk]
    response = client.get(page.url)  # warm: templates compiled, caches filled
    reset_queries()
    if page.before:
        page.before()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    queries = len(captured)  # now: the next request clears the log this reads from
    statements = [DECLARE.sub("", q["sql"]) for q in captured.captured_queries]
    row = {
        "scenario": page.name,
        "url": page.url,
        "status": response.status_code,
        "requests": n,
        "rows": _rows(response),
    }
    row |= summary(timed(lambda: client.get(page.url), n, page.before))
    row["queries"] = queries
    row |= statements_time(statements, row["p50_ms"])
    if page.compare_url:
        other = page.compare_user or page.user
        if other.pk not in clients:
            clients[other.pk] = client_for(other)
        clients[other.pk].get(page.compare_url)
        with CaptureQueriesContext(connection) as captured:
            status = clients[other.pk].get(page.compare_url).status_code
        row["queries_small"] = len(captured)  # the same page for a small place: constant if equal
        row["small_url"] = page.compare_url
        row["small_status"] = status
    if page.floor:

        def floor():
            with connection.cursor() as cursor:
                for sql, params in page.floor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        floor()
        row["floor_p95_ms"] = summary(timed(floor, n))["p95_ms"]
        row["ratio_floor"] = round(row["p95_ms"] / max(row["floor_p95_ms"], 0.1), 1)
        # What the page adds to its data (session, user, scope, template): a ratio to a floor of a few ms
        # says little, this says how much.
        row["over_floor_ms"] = round(row["p95_ms"] - row["floor_p95_ms"], 1)
    if page.admin_url:
        status = admin.get(page.admin_url).status_code
        row["admin_status"] = status
        row["admin_p95_ms"] = summary(timed(lambda: admin.get(page.admin_url), n))["p95_ms"]
        row["ratio_admin"] = round(row["p95_ms"] / max(row["admin_p95_ms"], 0.1), 2)
    return row


def _read(sql: str) -> bool:
    """A statement that only reads (a WITH that writes, as the kept coverage's update does, is a write); one
    sent with its joins as written (``core.db.joins_as_written``) is run again so, as the page sent it."""
    head = sql.removeprefix(AS_WRITTEN).lstrip()[:6].upper()
    return head == "SELECT" or (head.startswith("WITH") and not WRITES.search(sql))


def statements_time(statements: list[str], page_p50: float, runs: int = 7) -> dict:
    """Where a page's time goes: its own statements (as one request sent them) run again straight on the
    connection, each the median of ``runs``, summed (``statements_ms``), and what the page spends beyond
    them (``beyond_statements_ms``, from its median: the session, middleware, ORM, template). Writes (a
    session saved, an audit entry) are not run again: counted in ``writes_not_timed``."""
    total, writes = 0.0, 0
    with connection.cursor() as cursor:
        for sql in statements:
            if not _read(sql):
                writes += 1
                continue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
            total += statistics.median(times)
    return {
        "statements_ms": round(total, 1),
        "beyond_statements_ms": round(page_p50 - total, 1),
        "writes_not_timed": writes,
    }


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def run_report(p: People, n: int) -> dict:
    month = due.previous_month(due.month_start(timezone.localdate()))
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        figures.compute(p.village, month)
    return {
        "scenario": "report generation (one village, one month)",
        "requests": n,
        "queries": len(captured),
    } | summary(timed(lambda: figures.compute(p.village, month), n))


class _Rollback(Exception):
    pass


def run_coverage_count() -> dict:
    """The nightly task (``visits.tasks.coverage_warm``): this month's coverage of every grid of the county
    counted and kept, from nothing (the kept rows dropped first). The reminder runs then read them."""
    live.forget()
    grids = Grid.objects.active().count()
    start = time.perf_counter()
    coverage_warm()
    seconds = time.perf_counter() - start
    return {"scenario": f"nightly coverage count, whole county ({grids:,} grids)", "requests": 1} | summary(
        [seconds * 1000]
    )


def run_reminders(n: int) -> list[dict]:
    """The monthly run for every worker of the county, planned and delivered (inbox, email, SMS claims)
    in a transaction rolled back after each run, so every run does the whole work again."""
    rows = []
    for kind in VISIT_KINDS:
        times, sent, messages = [], 0, 0
        for _ in range(n):
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    planned, sent = reminders.send(kind, timezone.localdate())
                    messages = len(planned)
                    times.append((time.perf_counter() - start) * 1000)
                    raise _Rollback
            except _Rollback:
                pass
        rows.append(
            {"scenario": f"reminder run, whole county: {kind}", "requests": n, "messages": messages, "delivered": sent}
            | summary(times)
        )
    return rows


def run_import(p: People, households: int = 10_000) -> dict:
    """Check and apply a workbook of ``households`` new households (one person each) into the biggest
    village, rolled back afterwards."""
    micro = p.village.grids.first().micro_grids.first()
    group = p.village.villager_groups.first()
    title, columns = excel.SHEETS["households"]
    rows = [_import_row(i, micro, group) for i in range(households)]
    data = excel.write_workbook(title, columns, rows)
    times: dict[str, float] = {}
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                village=p.village, created_by=p.staff, kind="households", filename="bench.xlsx"
            )
            job.file.save("bench.xlsx", io.BytesIO(data), save=True)
            start = time.perf_counter()
            imports.import_plan(job=job)
            times["check_s"] = round(time.perf_counter() - start, 1)
            start = time.perf_counter()
            job = imports.import_apply(job=job)
            times["apply_s"] = round(time.perf_counter() - start, 1)
            applied = job.summary.get("applied")
            raise _Rollback
    except _Rollback:
        pass
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rolled-back rows leave dead index entries in the biggest village that VACUUM's bypass (under 2 %
        # of pages) would keep: index-only scans of the next run read the heap for each (a village's key-person
        # count 12 → 187 ms).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (INDEX_CLEANUP ON) residents_household, residents_resident")
    return (
        {"scenario": f"import of {households:,} households", "rows": applied, "status": job.status}
        | times
        | {"total_s": round(times["check_s"] + times["apply_s"], 1)}
    )


def _import_row(i: int, micro, group) -> dict:
    first17 = f"630102{1950 + i % 50:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return {
        "household_number": f"B{i:05d}",
        "micro_grid": f"{micro.grid.name}/{micro.name}",
        "villager_group": group.name if group else "",
        "address": f"测试路{i}号",
        "living_status": "resident",
        "name": f"导入{i}",
        "id_number": first17 + check_character(first17),
        "relation": "02",
        "ethnicity": "01",
        "political": "13",
        "registration": "registered",
        "lives_here": True,
    }


def vacuum_when_autovacuum_is_off() -> bool:
    """Each run writes (the kept coverage counted again, the reminder runs' messages, an import rolled back):
    with PostgreSQL's autovacuum off, as on the CI machines here, the dead rows of earlier runs pile up and
    later runs are slower (the nightly count 4.2 s in a first run, 12–16 s in the next two). The bench then vacuums and
    analyses the database before it times anything; whether it did is in the output."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return False
        cursor.execute("VACUUM (ANALYZE)")
    return True


def machine() -> dict:
    settings: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(",")[0] if connection.vendor == "postgresql" else connection.vendor
        if connection.vendor == "postgresql":  # the server's memory settings, as the figures depend on them
            for name in ("shared_buffers", "effective_cache_size", "work_mem", "jit", "autovacuum"):
                cursor.execute(f"SHOW {name}")
                settings[name] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            settings["database_size"] = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return {
        "cpus": os.cpu_count(),
        "memory_mb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "database": database,
        "database_settings": settings,
        "at": timezone.now().isoformat(timespec="seconds"),
    }


def data_size() -> dict:
    return {
        "towns": Town.objects.count(),
        "villages": Village.objects.count(),
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "key_persons": KeyPerson.objects.count(),
        "visits": Visit.objects.count(),
        "cases": Case.objects.count(),
        "today": timezone.localdate().isoformat(),
    }
