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

from .runner import (
    client_for,
    data_size,
    machine,
    run_coverage_count,
    run_import,
    run_page,
    run_reminders,
    run_report,
    vacuum_when_autovacuum_is_off,
)
from .scenarios import (
    BENCH_ADMIN,
    CIVILITY_SCENARIOS,
    COGOV_SCENARIOS,
    DRAFT_SCENARIOS,
    SCORECARD_SCENARIOS,
    TOWNTASK_SCENARIOS,
    Page,
    People,
    api_pages,
    civility_pages,
    cogovernance_pages,
    department_pages,
    draft_pages,
    pages,
    party_pages,
    people,
    scorecard_pages,
    towntasks_pages,
)

__all__ = [
    "BENCH_ADMIN",
    "CIVILITY_SCENARIOS",
    "COGOV_SCENARIOS",
    "DRAFT_SCENARIOS",
    "SCORECARD_SCENARIOS",
    "TOWNTASK_SCENARIOS",
    "Page",
    "People",
    "api_pages",
    "civility_pages",
    "client_for",
    "cogovernance_pages",
    "data_size",
    "department_pages",
    "draft_pages",
    "machine",
    "pages",
    "party_pages",
    "people",
    "run_coverage_count",
    "run_import",
    "run_page",
    "run_reminders",
    "run_report",
    "scorecard_pages",
    "towntasks_pages",
    "vacuum_when_autovacuum_is_off",
]
