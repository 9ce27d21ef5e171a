"""Read-side composition of the pages that gather everything: the village overview and the town's home.

Each lower app hands over plain data through its own ``selectors``; the composition (totals, flags, the
figures hung on each grid and village) happens here, the top of the arrows.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from core.models import JobRun
from disputes.models import Case
from disputes.summary import town_summary, village_summary
from grids import access
from grids import selectors as territory
from grids.models import Grid, Village
from residents import selectors as registry
from residents.models import Household, KeyCategory
from visits import due
from visits import summary as visit_summary

from . import risks
from .models import MonthlyReport, ReportPolicy
from .scorecard import kept


def _registry_counts(village: Village) -> dict:
    return {
        "households": registry.households_by_micro_grid(village),
        "people": registry.people_by_micro_grid(village),
        "key_persons": registry.key_persons_by_grid(village),
        "key_places": registry.key_places_by_grid(village),
    }


# The topics the registry's counts read (reports.scorecard.kept): households (and the people archived with
# them), residents and key persons (``key_persons``: a resident's save draws it too), key places, and the
# territory (a grid or micro-grid archived or moved).
REGISTRY_TOPICS = ("households", "key_persons", "key_places", "territory")


def registry_overview(user, village: Village, kept_reset) -> dict:
    """The live registry of a village: its grids and micro-grids with their holders, households, people,
    key persons and key places, and the village's totals. The counts are kept while nothing they read changed
    (docs/performance.md, "The village overview"); ``kept_reset`` is the last reset's moment (None: none yet),
    read with the village (``kept.last_reset()``)."""
    grids = territory.village_grids(village)
    holders = territory.holders_by_place(village)
    today = timezone.localdate()  # key persons are counted as listed today
    counts = kept.reading(
        "registry", REGISTRY_TOPICS, [village.pk], today, kept_reset, lambda: _registry_counts(village)
    )
    households, people, places = counts["households"], counts["people"], counts["key_places"]
    key_by_grid = counts["key_persons"]
    totals = {"households": 0, "registered": 0, "living": 0, "key_persons": 0, "key_places": 0, "wechat": 0}
    # Translated once: each grid's row names every category in its title (a lazy label is translated again
    # each time it is written).
    categories = [(value, str(label)) for value, label in KeyCategory.choices]
    for grid in grids:
        grid.workers = holders.get(("grid", grid.pk), [])
        grid.n_households = grid.n_registered = grid.n_living = grid.n_wechat = 0
        for micro in grid.active_micro_grids:
            micro.liaisons = holders.get(("micro_grid", micro.pk), [])
            counted = households.get(micro.pk, {})
            micro.n_households, micro.n_wechat = counted.get("n", 0), counted.get("wechat", 0)
            grid.n_wechat += micro.n_wechat
            row = people.get(micro.pk, {})
            micro.n_registered, micro.n_living = row.get("registered", 0), row.get("living", 0)
            # Written here, not by {% blocktranslate count %} for each of a village's micro-grids in the template.
            micro.households_label = ngettext("%(n)s 户", "%(n)s 户", micro.n_households) % {"n": micro.n_households}
            grid.n_households += micro.n_households
            grid.n_registered += micro.n_registered
            grid.n_living += micro.n_living
        grid.key_persons = [(label, key_by_grid[grid.pk].get(value, 0)) for value, label in categories]
        grid.key_person_total = sum(key_by_grid[grid.pk].values())
        grid.n_key_places = places.get(grid.pk, 0)
        grid.size_flag = not settings.GRID_HOUSEHOLDS_MIN <= grid.n_households <= settings.GRID_HOUSEHOLDS_MAX
        grid.wechat_percent = round(100 * grid.n_wechat / grid.n_households) if grid.n_households else None
        totals["wechat"] += grid.n_wechat
        totals["households"] += grid.n_households
        totals["registered"] += grid.n_registered
        totals["living"] += grid.n_living
        totals["key_persons"] += grid.key_person_total
        totals["key_places"] += grid.n_key_places
    category_totals = [(label, sum(key_by_grid[g.pk].get(value, 0) for g in grids)) for value, label in categories]
    groups = territory.village_groups(village)
    for group in groups:
        group.officers = holders.get(("villager_group", group.pk), [])
    totals["wechat_percent"] = round(100 * totals["wechat"] / totals["households"]) if totals["households"] else None
    return {
        "village": village,
        "grids": grids,
        "totals": totals,
        "category_totals": category_totals,
        "micro_grid_count": sum(len(g.active_micro_grids) for g in grids),
        "liaison_count": sum(1 for g in grids for m in g.active_micro_grids if m.liaisons),
        "groups": groups,
        "natural_villages": territory.natural_village_names(village),
        "staff": territory.village_staff(village),
        "can_manage": access.can_manage_village(user, village),
        "last_heartbeat": JobRun.objects.filter(name="heartbeat").order_by("-started_at").first(),
        "size_min": settings.GRID_HOUSEHOLDS_MIN,
        "size_max": settings.GRID_HOUSEHOLDS_MAX,
    }


def village_overview(user, village: Village, kept_reset) -> dict:
    """The village overview: the live registry, the cases and this month's visits of one village."""
    context = registry_overview(user, village, kept_reset)
    context.update(village_summary(user, village))
    context.update(visit_summary.overview([village]))
    return context


def town_home(user) -> dict:
    """The town's home: its villages with territory counts, case figures, visit coverage and last month's
    report (its state and whether it was late)."""
    towns = list(territory.town_villages(user))
    cases = town_summary(user)
    for town in towns:
        for village in town.villages.all():
            village.case_figures = cases["case_by_village"].get(village.pk, {})
    villages = [v for town in towns for v in town.villages.all()]
    visits = visit_summary.overview(villages)
    coverage = {v.pk: v.cov for v in visits["visit_rows"]}
    for village in villages:
        village.cov = coverage.get(village.pk)
    report_month = due.previous_month(timezone.localdate())
    reports = {r.village_id: r for r in MonthlyReport.objects.filter(village__in=villages, month=report_month)}
    policy = ReportPolicy.current()
    for village in villages:
        village.last_report = reports.get(village.pk)
        village.last_report_late = policy.is_late(village.last_report, report_month)
    return {"towns": towns, **cases, **visits, "report_month": report_month}


# --- The risk list ----------------------------------------------------------------------------------------


def risk_grids(user, village: Village) -> list[Grid]:
    """The village's active grids the reader sees, for the risk list and its grid filter."""
    return list(Grid.objects.visible_to(user).active().filter(village=village).order_by("number", "name"))


def village_risk_list(user, village: Village, grids: list[Grid], *, kind: str = "", grid: Grid | None = None) -> dict:
    """A village's risk list, most urgent first, for its staff (it names key persons). Every kind is counted
    whatever the filter, so the page shows how many of each there are; the filter then keeps one kind."""
    rows = risks.village_risks(
        grids=[grid] if grid else grids,
        cases=Case.objects.visible_to(user).open(),
        households=Household.objects.visible_to(user),
    )
    names = {g.pk: g.name for g in grids}
    counts: Counter = Counter()
    for row in rows:
        row.grid_name = names.get(row.grid_id, "")
        counts.update(row.kinds)
    if kind:
        rows = [r for r in rows if kind in r.kinds]
    kinds = [(value, label, counts[value]) for value, label in risks.Kind.choices]
    return {"village": village, "rows": rows, "kinds": kinds, "total": sum(counts.values())}


def town_risk_counts(user) -> dict:
    """The town's risk list as counts per village and kind: no names (key persons are not the town's to
    read, PIPL); links go to the lists the town may open (cases, coverage)."""
    villages = list(
        Village.objects.visible_to(user)
        .active()
        .filter(town__archived_at__isnull=True)
        .select_related("town")
        .order_by("town__name", "name")
    )
    counts = risks.counts_by_village(
        grids=Grid.objects.visible_to(user).active().filter(village__in=villages),
        cases=Case.objects.visible_to(user).open(),
        households=Household.objects.visible_to(user),
    )
    for village in villages:
        village.risks = counts.get(village.pk, Counter())
    totals: Counter = Counter()
    for village in villages:
        totals.update(village.risks)
    return {"villages": villages, "totals": totals}
