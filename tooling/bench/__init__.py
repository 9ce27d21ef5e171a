"""``manage.py bench``: every page, API list and job that grows with the data, timed on the database at
hand (a generated county: ``manage.py generate_scale``), as JSON.

Each page scenario is a real request through Django's test client in-process (view, queries, template;
no network), as a person with that role. Beside it:

- **the floor**: the same rows fetched by a hand-written SQL query (what the page shows: its rows, and
  its count when it shows one), so ``ratio_floor`` says how much the page adds to the database's own
  cost;
- **the admin**: for the lists, Django admin's changelist of the same model, as the system admin.

Rows are counted from the answer (the rows of the page's first table body, or an API page's results).
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case
from grids.models import Assignment, Grid, Role, Town, User, Village
from reports import figures
from residents import excel, imports
from residents.idnumber import check_character
from residents.models import Household, ImportJob, KeyPerson, Resident
from visits import due, live, reminders
from visits.models import VISIT_KINDS, Visit
from visits.tasks import coverage_warm

BENCH_ADMIN = "bench_admin"
TBODY_ROW = re.compile(r"<tr\b")


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


@dataclass
class Page:
    name: str
    user: User
    url: str
    floor: list[tuple[str, list]] = field(default_factory=list)  # statements, run in order
    admin_url: str | None = None
    before: Callable[[], object] | None = None  # before each request, not timed (e.g. drop kept figures)


@dataclass
class People:
    village: Village
    town: Town
    staff: User
    town_office: User
    worker: User
    admin: User


def people() -> People:
    """The biggest village (by households), its staff, its town's office, the worker of its biggest grid,
    and a system admin for the admin's changelists. The bench runs outside DEBUG, where accounts set by
    someone else must change their password first: not these."""
    village = (
        Village.objects.annotate(n=Count("households")).filter(town__archived_at__isnull=True).order_by("-n").first()
    )
    if village is None:
        raise LookupError("no data: run manage.py generate_scale (or seed_demo) first")
    staff = _holder(Role.VILLAGE_STAFF, village=village)
    town_office = _holder(Role.TOWN_OFFICE, town=village.town)
    grid = village.grids.annotate(n=Count("households")).order_by("-n").first()
    worker = _holder(Role.GRID_WORKER, grid=grid)
    admin, _ = User.objects.get_or_create(
        username=BENCH_ADMIN,
        defaults={"is_superuser": True, "is_staff": True, "password": make_password(None), "full_name": "bench"},
    )
    User.objects.filter(pk__in=[staff.pk, town_office.pk, worker.pk, admin.pk]).update(must_change_password=False)
    return People(village, village.town, staff, town_office, worker, admin)


def _holder(role: str, **place) -> User:
    today = timezone.localdate()
    assignment = Assignment.objects.active_on(today).filter(role=role, **place).select_related("user").first()
    if assignment is None:
        raise LookupError(f"nobody holds {role} at {place}")
    return assignment.user


# --- The floors: what each page shows, fetched by hand ------------------------------------------------

HOUSEHOLD_ROWS = """
SELECT h.id, h.number, h.address, h.phone, h.living_status, g.name, m.name, vg.name,
       (SELECT r.name FROM residents_resident r
         WHERE r.household_id = h.id AND r.relation = '02' AND r.archived_at IS NULL LIMIT 1),
       (SELECT count(*) FROM residents_resident r WHERE r.household_id = h.id AND r.archived_at IS NULL)
  FROM residents_household h
  JOIN grids_grid g ON g.id = h.grid_id
  JOIN grids_microgrid m ON m.id = h.micro_grid_id
  LEFT JOIN grids_villagergroup vg ON vg.id = h.villager_group_id
 WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL {extra}
 ORDER BY h.village_id, h.number LIMIT 50 OFFSET %s"""
HOUSEHOLD_COUNT = (
    "SELECT count(*) FROM residents_household h WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL {extra}"
)
RESIDENT_ROWS = """
SELECT r.id, r.name, r.gender, r.birth_date, r.phone, r.relation, r.id_cipher, h.number, h.address, g.name
  FROM residents_resident r
  LEFT JOIN residents_household h ON h.id = r.household_id
  LEFT JOIN grids_grid g ON g.id = h.grid_id
 WHERE r.village_id = ANY(%s) AND r.archived_at IS NULL {extra}
 ORDER BY r.village_id, h.number, r.relation LIMIT 50 OFFSET %s"""
RESIDENT_COUNT = """SELECT count(*) FROM residents_resident r LEFT JOIN residents_household h ON h.id = r.household_id
 WHERE r.village_id = ANY(%s) AND r.archived_at IS NULL {extra}"""
KEY_PERSON_ROWS = """
SELECT k.id, k.category, k.risk_level, k.attention, r.name, r.phone, h.address, g.name
  FROM residents_keyperson k
  JOIN residents_resident r ON r.id = k.resident_id
  LEFT JOIN residents_household h ON h.id = r.household_id
  LEFT JOIN grids_grid g ON g.id = h.grid_id
 WHERE r.village_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s) {extra}
 ORDER BY k.category, k.risk_level DESC, r.name LIMIT 50 OFFSET %s"""
KEY_PERSON_COUNT = """SELECT count(*) FROM residents_keyperson k JOIN residents_resident r ON r.id = k.resident_id
 WHERE r.village_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s) {extra}"""
CASE_ROWS = """
SELECT c.id, c.number, c.title, c.kind, c.category, c.state, c.tier, c.reported_at, c.state_since, g.name, u.full_name
  FROM disputes_case c
  LEFT JOIN grids_grid g ON g.id = c.grid_id
  LEFT JOIN grids_user u ON u.id = c.assignee_id
 WHERE c.village_id = ANY(%s) {extra}
 ORDER BY c.reported_at DESC LIMIT 50"""
CASE_COUNT = "SELECT count(*) FROM disputes_case c WHERE c.village_id = ANY(%s) {extra}"
# A month's coverage per grid: households due and visited (the coverage pages, the town's home).
COVERAGE = """
SELECT h.grid_id, count(*), count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM visits_visit v WHERE v.household_id = h.id AND v.month = %s AND v.outcome = 'done'))
  FROM residents_household h JOIN grids_grid g ON g.id = h.grid_id
 WHERE g.village_id = ANY(%s) AND h.archived_at IS NULL
 GROUP BY h.grid_id"""
# The same figures kept per grid (visits.live): what the pages read when nothing changed since.
KEPT_COVERAGE = """
SELECT c.* FROM visits_livecoverage c JOIN grids_grid g ON g.id = c.grid_id
 WHERE c.month = %s AND g.village_id = ANY(%s)"""
WORK_LIST = """
SELECT h.id, h.number, h.address, h.micro_grid_id,
       (SELECT r.name FROM residents_resident r
         WHERE r.household_id = h.id AND r.relation = '02' AND r.archived_at IS NULL LIMIT 1)
  FROM residents_household h
 WHERE h.grid_id = ANY(%s) AND h.archived_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM visits_visit v WHERE v.household_id = h.id AND v.month = %s AND v.outcome = 'done')
 ORDER BY h.micro_grid_id, h.address LIMIT 30"""
KEY_PERSONS_DUE = """
SELECT k.id, k.category, k.risk_level, r.name,
       (SELECT max(v.visited_on) FROM visits_visit v WHERE v.key_person_id = k.id AND v.outcome = 'done')
  FROM residents_keyperson k JOIN residents_resident r ON r.id = k.resident_id
  JOIN residents_household h ON h.id = r.household_id
 WHERE h.grid_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s)"""


def _fmt(sql: str, extra: str = "") -> str:
    return sql.format(extra=extra)


def pages(p: People) -> list[Page]:
    today = timezone.localdate()
    month = due.month_start(today)
    village_ids = [p.village.pk]
    town_ids = list(Village.objects.filter(town=p.town).values_list("pk", flat=True))
    resident = Resident.objects.filter(village=p.village, archived_at__isnull=True).order_by("pk")[7]
    household = Household.objects.filter(village=p.village).order_by("number")[len(village_ids) * 10]
    case = Case.objects.filter(village=p.village).annotate(n=Count("events")).order_by("-n").first()
    grid_ids = list(Assignment.objects.active_on(today).filter(user=p.worker).values_list("grid_id", flat=True))
    town_households = Household.objects.filter(village_id__in=town_ids, archived_at__isnull=True).count()
    town_residents = Resident.objects.filter(village_id__in=town_ids, archived_at__isnull=True).count()
    deep_h, deep_r = max(1, town_households // 50 - 1), max(1, town_residents // 50 - 1)
    name = resident.name
    phone = (
        Resident.objects.filter(village=p.village, archived_at__isnull=True)
        .exclude(phone="")
        .order_by("pk")
        .values_list("phone", flat=True)
        .first()
        or "13800000000"
    )
    by_phone = (
        "AND (h.phone = %s OR EXISTS (SELECT 1 FROM residents_resident m WHERE m.household_id = h.id AND m.phone = %s))"
    )
    tail = resident.id_number[-4:]
    hl, rl, kl, cl = (
        reverse(n)
        for n in (
            "residents:household-list",
            "residents:resident-list",
            "residents:keyperson-list",
            "disputes:case-list",
        )
    )
    admin_h = reverse("admin:residents_household_changelist")
    admin_r = reverse("admin:residents_resident_changelist")
    admin_k = reverse("admin:residents_keyperson_changelist")
    admin_c = reverse("admin:disputes_case_changelist")
    away = "AND h.living_status = 'away'"
    like = "AND (h.address LIKE %s OR EXISTS (SELECT 1 FROM residents_resident m WHERE m.household_id = h.id AND m.name LIKE %s))"
    return [
        # The registry lists, as the town office (a whole town) and as a village's staff.
        Page(
            "household list",
            p.town_office,
            hl,
            [(_fmt(HOUSEHOLD_ROWS), [town_ids, 0]), (_fmt(HOUSEHOLD_COUNT), [town_ids])],
            admin_h,
        ),
        Page(
            "household list, filtered",
            p.town_office,
            hl + "?living_status=away",
            [(_fmt(HOUSEHOLD_ROWS, away), [town_ids, 0]), (_fmt(HOUSEHOLD_COUNT, away), [town_ids])],
            admin_h + "?living_status__exact=away",
        ),
        Page(
            "household list, deep page",
            p.town_office,
            hl + f"?page={deep_h}",
            [(_fmt(HOUSEHOLD_ROWS), [town_ids, (deep_h - 1) * 50]), (_fmt(HOUSEHOLD_COUNT), [town_ids])],
            admin_h + f"?p={deep_h}",
        ),
        Page(
            "household list, search",
            p.town_office,
            hl + f"?q={name}",
            [
                (_fmt(HOUSEHOLD_ROWS, like), [town_ids, f"%{name}%", f"%{name}%", 0]),
                (_fmt(HOUSEHOLD_COUNT, like), [town_ids, f"%{name}%", f"%{name}%"]),
            ],
            admin_h + f"?q={name}",
        ),
        Page(
            "household list, search by phone",
            p.town_office,
            hl + f"?q={phone}",
            [
                (_fmt(HOUSEHOLD_ROWS, by_phone), [town_ids, phone, phone, 0]),
                (_fmt(HOUSEHOLD_COUNT, by_phone), [town_ids, phone, phone]),
            ],
            admin_h + f"?q={phone}",
        ),
        Page(
            "household list, village staff",
            p.staff,
            hl,
            [(_fmt(HOUSEHOLD_ROWS), [village_ids, 0]), (_fmt(HOUSEHOLD_COUNT), [village_ids])],
        ),
        Page(
            "resident list",
            p.town_office,
            rl,
            [(_fmt(RESIDENT_ROWS), [town_ids, 0]), (_fmt(RESIDENT_COUNT), [town_ids])],
            admin_r,
        ),
        Page(
            "resident list, filtered",
            p.town_office,
            rl + "?gender=2&lives_here=false",
            [
                (_fmt(RESIDENT_ROWS, "AND r.gender = '2' AND NOT r.lives_here"), [town_ids, 0]),
                (_fmt(RESIDENT_COUNT, "AND r.gender = '2' AND NOT r.lives_here"), [town_ids]),
            ],
            admin_r + "?gender__exact=2",
        ),
        Page(
            "resident list, deep page",
            p.town_office,
            rl + f"?page={deep_r}",
            [(_fmt(RESIDENT_ROWS), [town_ids, (deep_r - 1) * 50]), (_fmt(RESIDENT_COUNT), [town_ids])],
            admin_r + f"?p={deep_r}",
        ),
        Page(
            "resident list, search by name",
            p.town_office,
            rl + f"?q={name}",
            [
                (_fmt(RESIDENT_ROWS, "AND r.name LIKE %s"), [town_ids, f"%{name}%", 0]),
                (_fmt(RESIDENT_COUNT, "AND r.name LIKE %s"), [town_ids, f"%{name}%"]),
            ],
            admin_r + f"?q={name}",
        ),
        Page(
            "resident list, search by two characters",
            p.town_office,
            rl + f"?q={name[-2:]}",
            [
                (_fmt(RESIDENT_ROWS, "AND r.name LIKE %s"), [town_ids, f"%{name[-2:]}%", 0]),
                (_fmt(RESIDENT_COUNT, "AND r.name LIKE %s"), [town_ids, f"%{name[-2:]}%"]),
            ],
            admin_r + f"?q={name[-2:]}",
        ),
        Page(
            "resident list, search ID tail",
            p.staff,
            rl + f"?q={tail}",
            [(_fmt(RESIDENT_ROWS, "AND r.id_tail_hash = %s"), [village_ids, resident.id_tail_hash, 0])],
        ),
        Page(
            "key person list",
            p.staff,
            kl,
            [
                (_fmt(KEY_PERSON_ROWS), [village_ids, today, today, 0]),
                (_fmt(KEY_PERSON_COUNT), [village_ids, today, today]),
            ],
            admin_k,
        ),
        Page(
            "key person list, filtered",
            p.staff,
            kl + "?category=mental",
            [
                (_fmt(KEY_PERSON_ROWS, "AND k.category = 'mental'"), [village_ids, today, today, 0]),
                (_fmt(KEY_PERSON_COUNT, "AND k.category = 'mental'"), [village_ids, today, today]),
            ],
            admin_k + "?category__exact=mental",
        ),
        Page(
            "key person list, search",
            p.staff,
            kl + f"?q={name[:1]}",
            [(_fmt(KEY_PERSON_ROWS, "AND r.name LIKE %s"), [village_ids, today, today, f"%{name[:1]}%", 0])],
        ),
        Page("case list", p.town_office, cl, [(_fmt(CASE_ROWS), [town_ids]), (_fmt(CASE_COUNT), [town_ids])], admin_c),
        Page(
            "case list, overdue",
            p.staff,
            cl + "?overdue=true",
            [(_fmt(CASE_ROWS, "AND c.state NOT IN ('closed', 'rejected')"), [village_ids])],
            admin_c + "?state__exact=handling",
        ),
        Page(
            "case list, search",
            p.town_office,
            cl + "?q=纠纷",
            [(_fmt(CASE_ROWS, "AND c.title LIKE %s"), [town_ids, "%纠纷%"])],
            admin_c + "?q=纠纷",
        ),
        Page(
            "case page",
            p.staff,
            reverse("disputes:case-detail", args=[case.pk]),
            [
                ("SELECT * FROM disputes_case WHERE id = %s", [case.pk]),
                ("SELECT * FROM disputes_caseevent WHERE case_id = %s ORDER BY at", [case.pk]),
                ("SELECT * FROM disputes_caseparty WHERE case_id = %s", [case.pk]),
            ],
        ),
        Page(
            "household page",
            p.staff,
            reverse("residents:household-detail", args=[household.pk]),
            [
                ("SELECT * FROM residents_household WHERE id = %s", [household.pk]),
                ("SELECT * FROM residents_resident WHERE household_id = %s", [household.pk]),
            ],
        ),
        Page(
            "village overview",
            p.staff,
            reverse("reports:village-overview", args=[p.village.pk]),
            [
                (KEPT_COVERAGE, [month, village_ids]),
                (_fmt(CASE_COUNT, "AND c.state NOT IN ('closed', 'rejected')"), [village_ids]),
            ],
        ),
        Page(
            "field work list",
            p.worker,
            reverse("visits:work-list"),
            [(WORK_LIST, [grid_ids, month]), (KEY_PERSONS_DUE, [grid_ids, month, today])],
        ),
        Page("coverage, town", p.town_office, reverse("visits:coverage"), [(KEPT_COVERAGE, [month, town_ids])]),
        Page(
            "coverage, town, counted afresh",
            p.town_office,
            reverse("visits:coverage"),
            [(COVERAGE, [month, town_ids])],
            before=lambda: live.forget(Grid.objects.filter(village__in=town_ids).values_list("pk", flat=True)),
        ),
        Page("town home", p.town_office, reverse("reports:town-home"), [(KEPT_COVERAGE, [month, town_ids])]),
        Page("town dashboard", p.town_office, reverse("reports:town-dashboard"), [(KEPT_COVERAGE, [month, town_ids])]),
    ]


API_LISTS = [
    "households",
    "residents",
    "key-persons",
    "key-places",
    "visits",
    "cases",
    "reports",
    "grids",
    "micro-grids",
    "assignments",
    "villages",
    "mediators",
    "notices",
]


def api_pages(p: People) -> list[Page]:
    """Each API list endpoint's first page, as the town office (the widest role short of the admin)."""
    return [Page(f"API {name}", p.town_office, f"/api/v1/{name}/") for name in API_LISTS]


# --- Running ---------------------------------------------------------------------------------------


def _rows(response) -> int | None:
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        return len(data["results"]) if isinstance(data, dict) and "results" in data else None
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
    row = {
        "scenario": page.name,
        "url": page.url,
        "status": response.status_code,
        "requests": n,
        "rows": _rows(response),
    }
    row |= summary(timed(lambda: client.get(page.url), n, page.before))
    row["queries"] = queries
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


def machine() -> dict:
    settings: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(",")[0] if connection.vendor == "postgresql" else connection.vendor
        if connection.vendor == "postgresql":  # the server's memory settings, as the figures depend on them
            for name in ("shared_buffers", "effective_cache_size", "work_mem", "jit"):
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
