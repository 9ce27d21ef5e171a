"""A county-scale data set for load and performance work (``make bench`` builds a county of a million
residents, the size the pages are timed at): ``manage.py generate_scale``.

    generate(residents=1_000_000, months=12)

At a million residents: 300,000 households in 3,000 grids of 200 villages in 15 towns, 50,000 key
persons, 60,000 cases and about 3.9 million visits a year (each household about once a month at ~90 %
coverage, plus key persons on their cadence and key places); every count scales with ``residents``
(``territory.Shape``). Accounts: one town-office account per town, one village-staff account per
village, one grid worker per grid (usernames ``gen<size>_town01``, ``…_staff001``, ``…_worker0001``), all
with the demo password (``DEMO_PASSWORD``), to be changed at the first login outside DEBUG as the
demo's are.

Deterministic: the data follow from ``residents`` and ``seed`` (the size by default), through seeded
``random.Random`` streams, one per part, so a change to one part leaves the others as they were. The
registry (territory, people, households, residents, ID numbers) is the same on every run; visits and
cases end today, so they move with the date the run is made.

Idempotent per size: the towns are the marker. They are named ``规模<size>·…镇`` (``规模<size>（种子<seed>）``
with another seed), and the whole run is one transaction, so either every row of a size is there or
none is: a run finding its towns prints that the data set is already there and does nothing; a run
that was interrupted (Ctrl-C, a crash, a killed process) left nothing behind, and the next run simply
starts again. Two runs of one size at the same time cannot both succeed (town names are unique).

Fast: rows are written with COPY on PostgreSQL (``writer.py``), ids drawn from the tables' sequences
up front; other databases get ``bulk_create`` (SQLite: small sizes, for tests). Nothing is saved
through a model, so no signal fires and no audit entry is written; ``trail.suspended()`` guards the run
all the same. PostgreSQL's statistics are refreshed (VACUUM ANALYZE) after the commit, so the pages'
queries are planned for the new row counts at once.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from audit import trail
from grids.models import Town
from reports.scorecard import kept
from tooling.demo import registry as demo_registry
from visits import fielddays, live
from visits.due import month_start, previous_month

from . import activity, care, civility, cogovernance, departments, party, registry, territory, towntasks
from .territory import Shape
from .writer import Writer

MIN_RESIDENTS = 200
PROGRESS_EVERY = 10.0  # seconds between progress lines inside a long phase
# Region codes the demo uses: generated ID numbers never share them.
DEMO_REGIONS = demo_registry.DEMO_REGIONS
PROVINCES = ["32", "34", "36", "37", "41", "42", "43", "51"]


class ScaleError(Exception):
    """The data set cannot be generated as asked (and nothing was written)."""


def label_for(residents: int, seed: int) -> str:
    return f"规模{residents}" if seed == residents else f"规模{residents}（种子{seed}）"


def generated_towns(residents: int, seed: int | None = None):
    """The towns of a generated size: the marker of that data set."""
    seed = residents if seed is None else seed
    return Town.objects.active().filter(name__startswith=label_for(residents, seed) + "·")


@dataclass
class Result:
    created: bool
    label: str
    residents: int
    months: int
    seed: int
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    database_seconds: dict[str, float] = field(default_factory=dict)  # per table: time in COPY / bulk_create

    def summary(self) -> str:
        """One JSON line: what was written, per table, and how long it took."""
        data = {
            "created": self.created,
            "label": self.label,
            "residents": self.residents,
            "months": self.months,
            "seed": self.seed,
            "database": connection.vendor,
            "seconds": round(self.seconds, 1),
            "phases": {name: round(s, 1) for name, s in self.phases.items()},
            "rows": self.rows,
            "database_seconds": {label: round(s, 1) for label, s in self.database_seconds.items()},
        }
        return json.dumps(data, ensure_ascii=False)


class Phase:
    """Times one part of the run: progress lines while it lasts, one line with its rows when done."""

    def __init__(self, name: str, run: _Run):
        self.name = name
        self.run = run

    def __enter__(self) -> Phase:
        self.start = self.last = time.perf_counter()
        self.before = self.run.writer.counts()
        return self

    def tick(self, done: int, total: int, unit: str) -> None:
        now = time.perf_counter()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            self.run.log(f"  {self.name}: {done:,} of ~{total:,} {unit}, {now - self.start:.0f} s")

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:
            return
        self.run.writer.flush()  # the phase's time includes writing its last batches
        seconds = time.perf_counter() - self.start
        rows = {label: n - self.before.get(label, 0) for label, n in self.run.writer.counts().items()}
        rows = {label: n for label, n in rows.items() if n}
        total = sum(rows.values())
        if rows:
            listed = ", ".join(f"{label.split('.')[-1]} {n:,}" for label, n in rows.items())
            self.run.log(f"{self.name}: {listed} · {seconds:.1f} s · {total / max(seconds, 1e-9):,.0f} rows/s")
        else:
            self.run.log(f"{self.name}: {seconds:.1f} s")
        self.run.result.phases[self.name] = seconds


class _Run:
    def __init__(self, residents: int, months: int, seed: int, log: Callable[[str], None]):
        self.residents = residents
        self.seed = seed
        self.log = log
        self.shape = Shape.of(residents, months)
        self.label = label_for(residents, seed)
        self.result = Result(created=True, label=self.label, residents=residents, months=months, seed=seed)
        now = timezone.now()
        months_list = [month_start(timezone.localdate(now))]
        for _ in range(months - 1):
            months_list.insert(0, previous_month(months_list[0]))
        self.calendar = activity.Calendar(months_list, now)
        self.writer = Writer(now)

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.residents}:{self.seed}:{part}")  # noqa: S311 (test data, not security)

    def regions(self) -> Callable[[int], str]:
        """The county's region code (GB/T 2260, a real county of one of ``PROVINCES``), from the seed; the
        codes that follow it if a day runs out of numbers."""
        rng = self.rng("region")
        codes = [c for c in registry.county_codes(PROVINCES) if c not in DEMO_REGIONS]
        start = rng.randrange(len(codes))

        def region(n: int) -> str:
            return codes[(start + n) % len(codes)]

        return region

    def id_offset(self) -> int:
        """Where the run's ID counters start among a code's 499 numbers per day and sex (``IdNumbers``)."""
        return self.rng("id-offset").randrange(499)

    def phase(self, name: str) -> Phase:
        return Phase(name, self)

    def generate(self) -> None:
        shape, cal, writer = self.shape, self.calendar, self.writer
        writer.begin()
        regions = self.regions()
        with self.phase("territory"):
            county = territory.build(
                writer,
                self.rng("territory"),
                shape,
                label=self.label,
                region=regions(0),
                username_prefix=f"gen{self.residents}" + ("" if self.seed == self.residents else f"s{self.seed}"),
                assigned_from=cal.months[0].replace(year=cal.months[0].year - 1),
            )
        with self.phase("departments"):
            # Before the cases: a town's cases go to its own departments (docs/departments.md).
            departments.build(
                writer,
                self.rng("departments"),
                county,
                prefix=f"gen{self.residents}" + ("" if self.seed == self.residents else f"s{self.seed}"),
                assigned_from=cal.months[0].replace(year=cal.months[0].year - 1),
            )
        with self.phase("registry") as phase:
            people = registry.Registry(
                writer, self.rng("registry"), registry.IdNumbers(regions, self.id_offset()), (cal.months[0], cal.today)
            )
            people.build(county, shape.residents, lambda n: phase.tick(n, shape.residents, "residents"))
        with self.phase("cases") as phase:
            cases = activity.Cases(writer, self.rng("cases"), cal)
            cases.build(county, shape.cases, lambda n: phase.tick(n, shape.cases, "cases"))
        with self.phase("visits") as phase:
            # ~90 % of households a month, and key persons on their cadence (for the progress lines only)
            expected = round((shape.households * 0.9 + shape.key_persons) * len(cal.months))
            visits = activity.Visits(writer, self.rng("visits"), cal, cases.visited)
            visits.build(county, people.key_persons, lambda n: phase.tick(n, expected, "visits"))
            writer.flush()
            fielddays.rebuild()  # the weeks in the field, kept as services.visit_record keeps them
        with self.phase("party") as phase:
            the_party = party.Party(writer, self.rng("party"), cal)
            the_party.build(county, people.party_members, lambda n: phase.tick(n, shape.villages, "villages"))
        with self.phase("cogovernance") as phase:
            cogovernance.CoGovernance(writer, self.rng("cogovernance"), cal, the_party.tops).build(
                county, lambda n: phase.tick(n, shape.villages, "villages")
            )
        with self.phase("civility") as phase:
            civility.Civility(writer, self.rng("civility"), cal).build(
                county, lambda n: phase.tick(n, shape.villages, "villages")
            )
        with self.phase("care") as phase:
            care.Care(writer, self.rng("care"), cal).build(county, lambda n: phase.tick(n, shape.villages, "villages"))
        with self.phase("towntasks") as phase:
            towntasks.TownTasks(writer, self.rng("towntasks"), cal).build(
                county, lambda n: phase.tick(n, shape.villages, "villages")
            )
        self.result.rows = writer.counts()
        self.result.database_seconds = {label: table.seconds for label, table in writer.tables.items()}


def generate(
    *, residents: int, months: int = 12, seed: int | None = None, log: Callable[[str], None] = print
) -> Result:
    """Generate the data set of ``residents`` people and ``months`` months, unless it is there already."""
    if residents < MIN_RESIDENTS:
        raise ScaleError(f"--residents must be at least {MIN_RESIDENTS}.")
    if not 1 <= months <= 36:
        raise ScaleError("--months must be between 1 and 36.")
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise ScaleError("generate_scale writes to PostgreSQL (or SQLite, for small sizes) only.")
    seed = residents if seed is None else seed
    run = _Run(residents, months, seed, log)
    found = generated_towns(residents, seed).count()
    if found == run.shape.towns:
        log(f"{run.label}: already there ({found} towns); nothing to do.")
        run.result.created = False
        return run.result
    if found:
        raise ScaleError(
            f"{run.label}: {found} of its {run.shape.towns} towns exist, so the data set was changed after it was "
            "generated (a run writes everything or nothing). Archive or rename those towns, then run again."
        )
    s = run.shape
    log(
        f"{run.label}: {s.residents:,} residents, {s.households:,} households, {s.towns} towns, {s.villages} villages, "
        f"{s.grids:,} grids, ~{s.key_persons:,} key persons, ~{s.cases:,} cases, {months} months to "
        f"{run.calendar.today} ({'COPY' if connection.vendor == 'postgresql' else 'bulk_create'})"
    )
    start = time.perf_counter()
    with trail.suspended(), transaction.atomic():
        run.generate()
        committing = time.perf_counter()
    run.result.phases["commit"] = time.perf_counter() - committing
    log(f"commit: {run.result.phases['commit']:.1f} s")
    if connection.vendor == "postgresql":
        # VACUUM too where it may run (not inside a transaction, as tests are): it sets the visibility map, so
        # index-only scans skip the heap at once, and autovacuum does not start on 3.6 million new visits
        # in the middle of a benchmark.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with run.phase("analyze"), connection.cursor() as cursor:
            for table in run.writer.tables.values():
                cursor.execute(f"{command} {connection.ops.quote_name(table.model._meta.db_table)}")
    run.result.seconds = time.perf_counter() - start
    kept.forget()  # rows written by COPY send no signals: no value kept before is read again
    live.forget()  # nor a grid's kept figures or work list (visits/kept_list.py)
    return run.result
