"""The town's Party compliance page in real Chromium: the villages side by side with the on-time chart drawn,
and the town home's link to it (screenshot in test-output/)."""

import datetime

import pytest
from django.utils import timezone

from grids.models import User, Village
from party import services
from party.models import Meeting, OrgKind, PartyOrganisation

pytestmark = pytest.mark.browser


def _organise(village, *, held_every_month: bool):
    top = services.organisation_save(
        by=None,
        org=PartyOrganisation(
            village=village,
            kind=OrgKind.GENERAL_BRANCH,
            name=f"{village.name}党总支",
            founded_on=datetime.date(2020, 1, 1),
        ),
    )
    branch = services.organisation_save(
        by=None,
        org=PartyOrganisation(
            village=village,
            kind=OrgKind.BRANCH,
            name=f"{village.name}第一支部",
            parent=top,
            founded_on=datetime.date(2020, 1, 1),
        ),
    )
    staff = User.objects.filter(assignments__village=village).first()
    today = timezone.localdate()
    for month in range(1, today.month + 1):
        if held_every_month or month % 3 == 0:
            meeting = Meeting(
                organisation=branch,
                kind="branch_committee",
                held_on=datetime.date(today.year, month, 1),
                place="党群服务中心",
                topic="学习",
                others_present=5,
            )
            services.meeting_record(by=staff, meeting=meeting, present=[])


def test_the_town_sees_every_villages_meetings_side_by_side(seeded_registry, live_server, desk_as, output_dir):
    villages = list(Village.objects.order_by("name"))
    for i, village in enumerate(villages):
        _organise(village, held_every_month=i == 0)
    town = desk_as(live_server, "town")
    town.goto(f"{live_server.url}/town/")
    town.get_by_role("button", name="党建").click()
    town.wait_for_function("() => window.Chart && Chart.getChart('chart-party-on-time')")
    bars = town.evaluate("() => Chart.getChart('chart-party-on-time').data.labels")
    assert sorted(bars) == sorted(v.name for v in villages)
    assert bars[-1] == villages[0].name  # the village that held every month is the best, drawn last
    assert town.locator("#party-compliance tbody tr").count() == len(villages)
    town.screenshot(path=str(output_dir / "party-town-compliance.png"), full_page=True)
