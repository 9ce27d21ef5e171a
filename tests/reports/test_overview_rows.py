"""The village overview's grid table: grids, micro-grids and villager groups in the models' order, read
without joining the village and town that order names (the same for every row of one village), and each
micro-grid's households written in the reader's language."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids import selectors as territory
from grids.models import Grid, MicroGrid, VillagerGroup
from tests.conftest import make_household


def test_grids_micro_grids_and_groups_in_order_without_the_town(client, world, staff):
    # Created out of order: the page still lists them by number.
    late = Grid.objects.create(village=world.village, number=0, name="零网格")
    MicroGrid.objects.create(grid=world.grid1, number=3, name="1c")
    MicroGrid.objects.create(grid=world.grid1, number=2, name="1b")
    VillagerGroup.objects.create(village=world.village, number=0, name="第0组")
    make_household(world.micro1, world.group1, "0003", "张庄3号")
    with CaptureQueriesContext(connection) as statements:
        grids, groups = territory.village_grids(world.village), territory.village_groups(world.village)
    assert len(statements) == 3 and not any("grids_town" in q["sql"] for q in statements.captured_queries)
    assert [g.pk for g in grids] == [late.pk, world.grid1.pk, world.grid2.pk]
    assert [m.name for m in grids[1].active_micro_grids] == ["1a", "1b", "1c"]
    assert [g.name for g in groups] == ["第0组", "第1组"]
    client.force_login(staff)
    url = reverse("reports:village-overview", args=[world.village.pk])
    page = client.get(url).content.decode()
    grid_rows = re.findall(r'data-grid="(\d+)"', page)
    assert grid_rows == [str(late.pk), str(world.grid1.pk), str(world.grid2.pk)]
    assert page.index("1a · ") < page.index("1b · ") < page.index("1c · ")
    assert page.index("第0组") < page.index("第1组")
    assert "1a · " in page and "· 2 户</li>" in page and "· 0 户</li>" in page

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "· 2 households</li>" in english and "· 0 households</li>" in english
    assert "· 1 household</li>" in english  # the second grid's micro-grid


def test_groups_and_natural_villages_are_named_without_building_them(client, world, staff):
    """The villager groups' table and the natural villages' names are read as values (docs/performance.md,
    "What a row shows"): no group or natural village object is made for the page; a group without a natural
    village shows a dash; names are escaped."""
    from grids.models import NaturalVillage
    from tests.conftest import models_built

    east = NaturalVillage.objects.create(village=world.village, name="东<庄>")
    NaturalVillage.objects.create(village=world.village, name="西庄")
    VillagerGroup.objects.create(village=world.village, number=5, name="第5组", natural_village=east)
    client.force_login(staff)
    url = reverse("reports:village-overview", args=[world.village.pk])
    client.get(url)
    with models_built() as built:
        page = client.get(url).content.decode()
    assert built["VillagerGroup"] == built["NaturalVillage"] == 0
    assert "<tr><td>第5组</td><td>东&lt;庄&gt;</td>" in page
    assert re.search(r"<tr><td>第1组</td><td>(—|[^<]+)</td>", page)
    names = list(
        NaturalVillage.objects.filter(village=world.village, archived_at__isnull=True).values_list("name", flat=True)
    )
    assert "东&lt;庄&gt;" in page and "、".join(n.replace("<", "&lt;").replace(">", "&gt;") for n in names) in page
