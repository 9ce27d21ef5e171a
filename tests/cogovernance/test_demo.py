"""The demo's co-governance tells the seeds' story (tooling/demo/cogovernance.py; docs/sources.md): the street
lights of seed 003 through every step, for 200,000 元, with its project of 187 lamps; the two 公约 with 1,000
copies each and the 村规民约; seed 000's eight squares and the sewage of three natural villages; a topic in
its publicity week and one sent back. A second run adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from cogovernance import selectors
from cogovernance.models import (
    Deliberation,
    DeliberationEvent,
    DocumentVersion,
    Project,
    ProjectKind,
    ResearchKind,
    Stage,
    VillageDocument,
)
from grids.models import Village
from tests.demo_state import seed_demo
from tooling import demo
from tooling.demo import cogovernance as cogov_demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the demo as `make run` serves it: the run's one copy (tests/demo_state.py)
    seed_demo()


def test_the_street_lights_went_through_every_step(seeded):
    b = Village.objects.get(name=cogov_demo.LIGHTS_VILLAGE)
    d = Deliberation.objects.get(village=b, title=cogov_demo.LIGHTS_TITLE)
    assert d.stage == Stage.CLOSED
    steps = list(
        DeliberationEvent.objects.filter(deliberation=d).order_by("at", "pk").values_list("to_stage", flat=True)
    )
    assert steps == [
        Stage.PROPOSED,
        Stage.RESEARCH,
        Stage.SUBMITTED,
        Stage.PUBLISHED,
        Stage.DELIBERATED,
        Stage.RESOLVED,
        Stage.IMPLEMENTING,
        Stage.CLOSED,
    ]
    kinds = {r.kind: r.count for r in d.research.all()}
    assert kinds[ResearchKind.QUESTIONNAIRE] > 0 and kinds[ResearchKind.SITE_VISIT] > 0
    top = apps.get_model("party", "PartyOrganisation").objects.get(village=b, parent__isnull=True)
    assert d.party_organisation_id == top.pk
    assert d.resolved_on >= d.may_resolve_from and d.approved_on < d.publish_on
    meeting = d.meeting
    assert meeting.cppcc_members > 0 and meeting.representatives > 0 and meeting.department_people > 0
    assert meeting.departments
    assert d.progress.aggregate(s=Sum("spent"))["s"] == Decimal(200000)
    assert d.closed_on < timezone.localdate()
    project = Project.objects.get(deliberation=d)
    assert (project.kind, project.quantity, project.unit) == (ProjectKind.LIGHTING, 187, "盏")
    assert project.budget == project.spent == Decimal(200000) and project.is_done


def test_the_rules_and_their_copies(seeded):
    b = Village.objects.get(name=cogov_demo.LIGHTS_VILLAGE)
    for title in ("村庄清洁公约", "村社公路管护村规民约"):
        document = VillageDocument.objects.get(village=b, title=title)
        version = DocumentVersion.objects.get(document=document)
        assert version.copies == 1000 and title in version.text and version.text.count("第") >= 5
    for village in Village.objects.filter(name__in=[demo.VILLAGE_A, demo.VILLAGE_B]):
        assert VillageDocument.objects.filter(village=village, kind="rules").count() == 1


def test_squares_and_sewage_of_seed_000(seeded):
    a = Village.objects.get(name=demo.VILLAGE_A)
    squares = Project.objects.filter(village=a, kind=ProjectKind.SQUARE)
    assert squares.count() == 8 and all(p.is_done for p in squares)
    assert len({p.natural_villages.get().pk for p in squares}) == 8
    sewage = Project.objects.get(village=a, kind=ProjectKind.SEWAGE)
    assert sewage.natural_villages.count() == 3 == sewage.quantity and sewage.is_done


def test_one_in_its_publicity_week_and_one_sent_back(seeded):
    a = Village.objects.get(name=demo.VILLAGE_A)
    today = timezone.localdate()
    public = Deliberation.objects.get(village=a, stage=Stage.PUBLISHED)
    assert public.publish_on == today - datetime.timedelta(days=1) and public.in_publicity(today)
    assert public.party_organisation.village_id == a.pk
    returned = Deliberation.objects.get(village=a, stage=Stage.RETURNED)
    event = returned.events.get(to_stage=Stage.RETURNED)
    assert "调研不充分" in event.note and event.at.date() < today
    counts = selectors.town_counts([a.pk])[a.pk]
    assert counts.in_publicity == 1 and counts.open == 2


def test_a_second_run_adds_nothing(seeded):
    before = (Deliberation.objects.count(), Project.objects.count(), DocumentVersion.objects.count())
    cogov_demo.seed_cogovernance()
    assert (Deliberation.objects.count(), Project.objects.count(), DocumentVersion.objects.count()) == before
