"""The town home's case figures: each village's open, overdue and at-the-town counts (closed cases never
counted, a village with none shows 0) and the ten most overdue cases of the town, most overdue first — the
ten picked before their rows are read (disputes/summary.py)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, State
from tests.conftest import make_case


def test_the_ten_most_overdue_most_overdue_first_and_counts_of_open_cases_only(client, world, town, staff):
    now = timezone.now()
    cases = []
    for n in range(12):
        case = make_case(world, staff, title=f"纠纷{n:02d}")
        # Reported, waiting to be accepted (three days by the default policy): 4 to 15 days ago, two tied.
        days = 4 + n if n != 11 else 4 + 10
        Case.objects.filter(pk=case.pk).update(state_since=now - datetime.timedelta(days=days))
        cases.append(case)
    closed = make_case(world, staff, grid=world.other_grid, title="已结")
    Case.objects.filter(pk=closed.pk).update(state=State.CLOSED, state_since=now - datetime.timedelta(days=60))
    client.force_login(town)
    response = client.get(reverse("reports:town-home"))
    assert response.status_code == 200
    shown = [c.pk for c in response.context["overdue_cases"]]
    # Fourteen days (two cases, the older first), thirteen, … six: the two least late are left out.
    expected = [cases[n].pk for n in (10, 11, 9, 8, 7, 6, 5, 4, 3, 2)]
    assert shown == expected
    figures = {v.pk: v.case_figures for t in response.context["towns"] for v in t.villages.all()}
    assert figures[world.village.pk]["open"] == 12
    assert figures[world.village.pk]["overdue"] == 12
    assert figures.get(world.other_village.pk, {}).get("open", 0) == 0  # its only case is closed
    page = response.content.decode()
    assert page.index("纠纷10") < page.index("纠纷11") < page.index("纠纷09")
    assert "纠纷01" not in page and "纠纷00" not in page


def test_the_overdue_cases_name_village_and_grid_without_building_them(client, world, town, staff):
    """The rows carry their village's and grid's names as values (docs/performance.md, "What a row shows"):
    the town home builds no more grids or villages with an overdue case on it than without."""
    from tests.conftest import models_built

    def home():
        with models_built() as built:
            return client.get(reverse("reports:town-home")).content.decode(), built

    case = make_case(world, staff, grid=world.grid2, title="超期的纠纷")
    client.force_login(town)
    home()  # whatever is made once
    _page, without = home()
    Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=9))
    page, built = home()
    row = next(r for r in page.split("<tr") if "超期的纠纷" in r)
    assert f"<td>{world.village.name}</td><td>{world.grid2.name}</td>" in row
    assert built["Case"] == 1 and without["Case"] == 0
    assert (built["Grid"], built["Village"]) == (without["Grid"], without["Village"])
