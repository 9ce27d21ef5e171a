"""The town dashboard's kept figures (docs/performance.md, "The town dashboard"): its mediation rates, Party
on-time shares (tests/party/test_town_compliance.py) and twelve-month series are read again while nothing they read has changed — a case, a meeting
or a closed month's snapshot written since makes the next reading count them again; so does a write made
while the cache was unreachable, and a reading without the cache counts everything."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from disputes import services as case_services
from disputes.models import Tier
from reports.models import KeptReset
from reports.scorecard import kept
from tests.conftest import make_case
from tests.reports.test_scorecard_kept import Unreachable
from visits import due
from visits.models import CoverageSnapshot

URL = reverse("reports:town-dashboard")
# Kept: session, user, scope, villages, the report policy with the last reset, grids, kept coverage, case
# policy, open cases, reports, late reports, the unread inbox. Counted: and mediation, Party (rules,
# organisations, meetings), the series (snapshots, cases, mediation).
COUNTED, KEPT = 18, 12
# Counted again after a case (mediation and the series) or a meeting (the Party's three) only.
AFTER_A_CASE, AFTER_A_MEETING = KEPT + 4, KEPT + 3


def _read(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    villages = response.context["villages"]
    figures = {
        "mediation": {v.pk: v.mediation for v in villages},
        "party": {v.pk: v.party_on_time for v in villages},
        "trends": response.context["trends"],
    }
    return len(queries), figures


def _village_series(figures, world, name: str) -> list:
    return next(s["data"] for s in figures["trends"][name] if s["label"] == world.village.name)


def test_a_second_reading_reads_the_kept_figures_and_shows_the_same(client, world, town):
    client.force_login(town)
    client.get(URL)  # this month's coverage counted (visits.live)
    kept.forget()
    first, counted = _read(client)
    second, kept_figures = _read(client)
    assert (first, second) == (COUNTED, KEPT)
    assert kept_figures == counted


def test_a_reported_case_counts_at_once(client, world, town, staff):
    client.force_login(town)
    _read(client)
    _n, before = _read(client)
    make_case(world, staff)
    n, after = _read(client)
    assert n == AFTER_A_CASE
    assert _village_series(after, world, "cases")[-1] == _village_series(before, world, "cases")[-1] + 1


def test_a_resolved_dispute_changes_the_mediation_rate_at_once(client, world, town, staff):
    case = make_case(world, staff)
    case = case_services.case_accept(case=case, by=staff, version=case.version, tier=Tier.VILLAGE)
    case = case_services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    client.force_login(town)
    _n, before = _read(client)
    assert before["mediation"][world.village.pk]["month"] is None  # nothing resolved yet
    case_services.case_resolve(case=case, by=staff, version=case.version, outcome="agreement", resolution="已调解")
    _n, after = _read(client)
    assert after["mediation"][world.village.pk]["month"] == 100
    assert after["trends"]["mediation"][-1] == 100


def test_a_closed_months_snapshot_written_changes_the_series_at_once(client, world, town):
    client.force_login(town)
    last_month = due.month_start(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    _n, before = _read(client)
    assert _village_series(before, world, "coverage")[-2] is None  # no snapshot of last month
    CoverageSnapshot.objects.create(
        grid=world.grid1, month=last_month, households_due=4, households_done=3, taken_at=timezone.now()
    )
    _n, after = _read(client)
    assert _village_series(after, world, "coverage")[-2] == 75


def test_kept_figures_are_shown_in_the_readers_language(client, world, town):
    client.force_login(town)
    _read(client)
    with translation.override("en"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    labels = response.context["trends"]["labels"]
    assert "so far" in labels[-1], labels[-1]


def test_a_write_without_the_cache_resets_the_kept_figures(client, world, town, staff, monkeypatch):
    client.force_login(town)
    _n, before = _read(client)
    monkeypatch.setattr(kept, "cache", Unreachable())
    make_case(world, staff)  # its mark fails: saved all the same, and every kept value reset
    assert KeptReset.objects.count() == 1
    monkeypatch.setattr(kept, "cache", cache)  # back, with the tokens the figures were kept under
    n, after = _read(client)
    assert n == COUNTED
    assert _village_series(after, world, "cases")[-1] == _village_series(before, world, "cases")[-1] + 1


def test_a_reading_without_the_cache_counts_everything(client, world, town, monkeypatch):
    client.force_login(town)
    _n, expected = _read(client)
    monkeypatch.setattr(kept, "cache", Unreachable())
    n, figures = _read(client)
    assert (n, figures) == (COUNTED, expected)
