"""The demo village A's yearly 汇报材料 (docs/scorecard.md, "The 汇报材料 draft"), read back from the .docx with
python-docx: every figure found in its text is compared with the same figure counted here, independently,
from the database; the profile carries seed 000's figures (tooling/demo/profile.py)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from docx import Document

from civility.models import Activity, ActivityKind, LegalAdvisor
from cogovernance.models import Project
from disputes.models import Case, Mediator
from grids.models import Assignment, Grid, MicroGrid, NaturalVillage, Role, User, Village, VillagerGroup
from party.models import Meeting, MeetingKind, OrgKind, PartyMember, PartyOrganisation
from reports.draft.text import CRITERIA, THREE_MEETINGS
from residents.models import Household, KeyPerson, Registration, Resident
from tests.demo_state import seed_demo
from tooling import demo
from visits.models import Visit


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    seed_demo()


@pytest.fixture
def draft(seeded, client):
    """Village A's draft of the year (``_year``), as its staff download it."""
    village = Village.objects.get(name=demo.VILLAGE_A)
    client.force_login(User.objects.get(username="staff"))
    response = client.get(reverse("reports:governance-report-docx", args=[village.pk]), {"period": _year()})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    return village, document


def _year() -> int:
    """This year; in January the year just ended, which the demo's twelve months then cover (the first
    days of a year have no meeting of each kind yet, and a village writes January's report on last year)."""
    today = timezone.localdate()
    return today.year if today.month > 1 else today.year - 1


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, f"{pattern} not in the draft"
    return int(match[1])


def _said(pattern: str, text: str) -> int:
    """The figure the draft gives, or 0 where it leaves the sentence out: it says nothing of what did not
    happen (a kind of meeting not yet held this year, early in January)."""
    match = re.search(pattern, text)
    return int(match[1]) if match else 0


def test_profile_has_seed_000s_figures(draft):
    village, document = draft
    text = _text(document)
    v = village.pk
    registered = Resident.objects.active().filter(village=v, registration=Registration.REGISTERED)
    liaisons = (
        Assignment.objects.active_on(timezone.localdate())
        .filter(role=Role.LIAISON, micro_grid__grid__village=v)
        .values("user")
        .distinct()
        .count()
    )
    expected = {
        r"户数(\d+)户": (Household.objects.active().filter(village=v).count(), 1832),
        r"，人口(\d+)人": (registered.count(), 5616),
        r"常住人口(\d+)人": (registered.filter(lives_here=True).count(), 4743),
        r"自然村(\d+)个": (NaturalVillage.objects.active().filter(village=v).count(), 32),
        r"下辖(\d+)个村民小组": (VillagerGroup.objects.active().filter(village=v).count(), 69),
        r"分为(\d+)个网格": (Grid.objects.active().filter(village=v).count(), 6),
        r"，(\d+)个微网格": (MicroGrid.objects.active().filter(grid__village=v).count(), 22),
        r"配备(\d+)名微网格联络员": (liaisons, 22),
        r"下辖(\d+)个党支部": (PartyOrganisation.objects.active().filter(village=v, kind=OrgKind.BRANCH).count(), 5),
        r"共有党员(\d+)名": (PartyMember.objects.active().filter(village=v).count(), 229),
    }
    for pattern, (counted, seed) in expected.items():
        assert _number(pattern, text) == counted == seed, pattern
    profile = document.paragraphs[3].text  # title, period, opening, profile
    assert profile.startswith("新庄村位于丁店镇集镇西部，总面积10.2平方公里，户数1832户，人口5616人，常住人口4743人")
    assert "新庄村党委下辖5个党支部，共有党员229名" in profile
    assert "2022年村集体收入123.6万元，主要经济产业为床上用品、户外用品、五金、水产养殖、苗木。" in profile
    assert "2020年被评为连云港市文明村" in profile
    assert "2021年被评为连云港市第七次全国人口普查先进集体" in profile
    assert "2023年被评为连云港市“书香乡村社区”" in profile


def test_chapters_are_the_six_criteria(draft):
    _village, document = draft
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split("：")[0] for h in headings] == [
        f"{n}、{name}" for n, (_key, name, _sub) in zip("一二三四五六", CRITERIA, strict=True)
    ]


def test_chapter_figures_match_the_records(draft):
    village, document = draft
    text = _text(document)
    v = village.pk
    start, end = datetime.date(_year(), 1, 1), datetime.date(_year(), 12, 31)
    meetings = Meeting.objects.filter(village=v, held_on__range=(start, end))
    assert _number(r"召开“三会一课”(\d+)次", text) == meetings.filter(kind__in=THREE_MEETINGS).count() > 0
    assert _said(r"召开“五事联动”会议(\d+)次", text) == meetings.filter(kind=MeetingKind.FIVE_LINKAGE).count()
    assert _number(r"村党组织共召开各类会议(\d+)次", text) == meetings.count()
    # 二: the facilities of seed 000, in the order the seed names them.
    assert (
        "建设有法治广场、网格服务站、微网格员服务驿站、警务室、调解室、心理咨询室、新时代文明实践所、农家书屋、道德讲堂"
        in text
    )
    # 三
    done_visits = Visit.objects.filter(village=v, visited_on__range=(start, end), outcome="done")
    assert _number(r"本期网格员入户走访(\d+)次", text) == done_visits.filter(subject="household").count() > 0
    # 四
    cases = Case.objects.filter(village=v, reported_at__date__range=(start, end))
    assert _number(r"本期排查上报矛盾纠纷(\d+)件", text) == cases.filter(kind="dispute").count() > 0
    assert _number(r"上报镇综治中心协调处置(\d+)件", text) == cases.filter(kind="dispute", tier=3).count()
    assert _number(r"排查安全隐患(\d+)处", text) == cases.filter(kind="hazard").count()
    assert _number(r"现有成员(\d+)名", text) == Mediator.objects.active().filter(village=v).count()
    listed = KeyPerson.objects.filter(resident__village=v, listed_from__lte=end).filter(
        Q(listed_until__isnull=True) | Q(listed_until__gte=start)
    )
    assert _number(r"在册重点人员(\d+)人", text) == listed.count()
    # 五
    done = Project.objects.active().filter(village=v, done_on__range=(start, end))
    assert _number(r"办结民生实事(\d+)件", text) == done.count()
    spent = done.aggregate(s=Sum("spent"))["s"] or 0
    funds = re.search(r"投入资金([\d.]+)万元", text)
    if spent:
        assert funds[1] == f"{spent / 10000:.2f}".rstrip("0").rstrip(".")
    else:  # early in a year the demo's projects done this year may have spent nothing yet, or be none
        assert funds is None
    # 六: every kind of activity with its count.
    activities = Activity.objects.active().filter(village=v, held_on__range=(start, end))
    for kind, label in ActivityKind.choices:
        n = activities.filter(kind=kind).count()
        if n:
            assert f"{label}{n}场" in text
        else:
            assert f"{label}0场" not in text
    assert _number(r"现有法律明白人(\d+)名", text) == LegalAdvisor.objects.active().filter(village=v).count()


def test_village_b_has_no_profile_and_says_so(seeded, client):
    """Village B has no profile rows (the seed 000 profile is village A's): no area, income or honours
    sentence, and no facilities."""
    village = Village.objects.get(name=demo.VILLAGE_B)
    client.force_login(User.objects.get(username="staff_b"))
    page = client.get(reverse("reports:governance-report", args=[village.pk])).content.decode()
    assert "河西村基层社会治理示范村验收汇报材料" in page
    assert "被评为" not in page and "集体收入" not in page
    assert "本期未记录服务阵地。" in page
