"""The village's 汇报材料 draft (docs/scorecard.md, "The 汇报材料 draft"): who may download it, what it says
when nothing is recorded, what it never names, the period it reads, and its fixed number of queries."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from audit.models import ExportRecord
from civility.models import Activity, ModelSelection
from cogovernance.models import Project
from disputes.models import CaseParty
from grids.models import Role, Town, User, Village
from reports.draft.text import CRITERIA
from residents import idnumber
from residents.codes import Relation
from residents.models import KeyCategory, KeyPerson
from tests.conftest import ID1, ID2, assign, make_case, make_household, make_resident, make_user
from visits import services as visit_services

TODAY = timezone.localdate
CRITERIA_NAMES = [str(name) for _key, name, _sub in CRITERIA]


def docx_url(village, period=None) -> str:
    url = reverse("reports:governance-report-docx", args=[village.pk])
    return f"{url}?period={period}" if period else url


def page_url(village, period=None) -> str:
    url = reverse("reports:governance-report", args=[village.pk])
    return f"{url}?period={period}" if period else url


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, read back with python-docx."""
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def headings(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


# --- The period -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [docx_url, page_url])
def test_bad_period_is_a_400_with_a_message(client, world, staff, url):
    client.force_login(staff)
    response = client.get(url(world.village, "2026-13"))
    assert response.status_code == 400
    assert "月份须在 01 到 12 之间" in response.content.decode()
    assert not ExportRecord.objects.exists()


# --- Who may open it --------------------------------------------------------------------------------------


@pytest.fixture
def member_login(world) -> User:
    user = make_user("member_login", world.village)
    assign(user, Role.PARTY_MEMBER, world.village)
    return user


@pytest.mark.parametrize("url", [docx_url, page_url])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("town", 200),
        ("admin", 200),
        ("worker", 404),
        ("colleague", 404),
        ("liaison", 404),
        ("outsider", 404),
        ("member_login", 404),
        ("other_town", 404),
    ],
)
def test_who_may_open_the_draft(client, world, request, who, status, url):
    if who == "admin":
        user = User.objects.create_superuser("root", password="x")
    elif who == "other_town":
        user = make_user("other_town", None)
        assign(user, Role.TOWN_OFFICE, Town.objects.create(name="别镇"))
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url(world.village, TODAY().year)).status_code == status


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(docx_url(world.village))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_download_is_filed_as_an_export(client, world, staff, town):
    client.force_login(staff)
    response = client.get(docx_url(world.village, f"{TODAY().year}-Q{(TODAY().month - 1) // 3 + 1}"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response["Content-Disposition"].startswith("attachment;")
    export = ExportRecord.objects.get()
    assert (export.kind, export.user, export.village) == ("governance_report", staff, world.village)
    client.force_login(town)
    client.get(docx_url(world.village))
    assert ExportRecord.objects.filter(user=town, kind="governance_report").count() == 1
    # The printable page is a page, not a download.
    client.get(page_url(world.village))
    assert ExportRecord.objects.count() == 2


# --- What it says -----------------------------------------------------------------------------------------


def test_six_chapters_and_a_chinese_font(client, world, staff):
    client.force_login(staff)
    content = client.get(docx_url(world.village)).content
    found = headings(content)
    assert len(found) == 6
    for heading, name in zip(found, CRITERIA_NAMES, strict=True):
        assert name in heading
    document = Document(io.BytesIO(content))
    rfonts = document.styles["Normal"].element.rPr.rFonts
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert rfonts.get(f"{w}eastAsia") == "仿宋"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(f"{w}eastAsia") == "黑体"
    assert heading.get(f"{w}eastAsiaTheme") is None  # a theme font would win over the named one
    assert next(document.styles.element.iter(f"{w}lang")).get(f"{w}eastAsia") == "zh-CN"
    assert document.paragraphs[0].text == "一村基层社会治理示范村验收汇报材料"
    # Every table ruled (its style set by id, reports/draft/word.py), every cell in the table text style.
    assert document.tables and {t.style.name for t in document.tables} == {"Table Grid"}
    assert {p.style.name for t in document.tables for c in t._cells for p in c.paragraphs} == {"Table Text"}


def test_nothing_recorded_is_said_plainly(client, world, staff):
    """The test village has a registry and grids but no Party, care, training, case, project or activity
    records: each chapter says what was not recorded instead of inventing it."""
    client.force_login(staff)
    text = docx_text(client.get(docx_url(world.village)).content)
    for missing in (
        "本期未记录党组织会议。",
        "本期未记录党员联系户。",
        "本期未记录服务阵地。",
        "本期未记录网格员保险和体检。",
        "本期未记录网格员入户走访。",
        "本期未记录网格员技能培训。",
        "本期未记录矛盾纠纷。",
        "本期未记录安全隐患。",
        "本期未记录协商议事。",
        "本期未记录民生实事项目。",
        "本期未记录群众诉求。",
        "本期未记录文明实践和法治宣传活动。",
        "本期未记录先进典型评选。",
    ):
        assert missing in text
    # The profile leaves out what the village lacks (area, income, industries, honours), never a "0" or "None".
    assert "总面积" not in text and "集体收入" not in text and "主要经济产业" not in text and "被评为" not in text
    assert "户数2户" in text and "分为2个网格" in text and "None" not in text


def test_a_recorded_figure_replaces_the_not_recorded_sentence(client, world, staff):
    make_case(world, staff)
    client.force_login(staff)
    text = docx_text(client.get(docx_url(world.village)).content)
    assert "本期排查上报矛盾纠纷1件" in text
    assert "本期未记录矛盾纠纷。" not in text


def test_html_page_says_what_the_document_says(client, world, staff):
    make_case(world, staff)
    client.force_login(staff)
    text = docx_text(client.get(docx_url(world.village)).content)
    page = client.get(page_url(world.village)).content.decode()
    with open("static/css/print.css", encoding="utf-8") as css:
        assert "@page" in css.read()
    # The A4 stylesheet, by its name or its hashed name (a test before may have left the manifest storage on).
    assert re.search(r"css/print(\.[0-9a-f]{12})?\.css", page)
    for line in text.splitlines():
        if line.strip():
            assert line in page


# --- Privacy: what is never named -------------------------------------------------------------------------


def _valid_id(first17: str) -> str:
    return first17 + idnumber.check_character(first17)


def test_privacy_attack(client, world, staff, worker):
    """Distinctive names, phones, ID numbers and addresses planted in key persons, case parties, case
    texts and visit notes appear nowhere in the draft; an honoured resident who is not a key person does
    (so the test can fail), and an honoured key person is counted without a name."""
    secret_id = _valid_id("32072319800101551")
    household = make_household(world.micro1, world.group1, "0099", "机密巷88号")
    household.phone = "13912345678"
    household.save(update_fields=["phone"])
    secret = make_resident(household, "甄隐名", secret_id, relation=Relation.HEAD)
    KeyPerson.objects.create(
        resident=secret,
        category=KeyCategory.RELEASED,
        listed_from=datetime.date(2025, 1, 1),
        note="隐私备注甲乙",
    )
    case = make_case(world, staff, title="甄家宅基地纠纷", description="当事人电话13800001111，住机密巷88号")
    CaseParty.objects.create(case=case, name="当事人贾某某", phone="13700002222")
    visit_services.visit_record(worker=worker, target=world.household1, note="走访备注：情绪不稳 13600003333")
    for honoured, honour in ((world.resident2, "daughter_in_law"), (secret, "neighbour")):
        ModelSelection.objects.create(
            village=world.village,
            year=TODAY().year,
            honour=honour,
            resident=honoured,
            reason="孝老爱亲",
            selected_on=TODAY(),
            created_by=staff,
        )
    ModelSelection.objects.create(  # household 1's head, 张三, is a key person (the world's): not named either
        village=world.village,
        year=TODAY().year,
        honour="civilised",
        household=world.household1,
        reason="家风好",
        selected_on=TODAY(),
        created_by=staff,
    )
    client.force_login(staff)
    texts = [
        docx_text(client.get(docx_url(world.village)).content),
        client.get(page_url(world.village)).content.decode(),
    ]
    planted = [
        "甄隐名", secret_id, "机密巷88号", "13912345678", "隐私备注甲乙",  # the key person and their household
        "甄家宅基地纠纷", "13800001111", "当事人贾某某", "13700002222",  # the case, its text and its party
        "情绪不稳", "13600003333",  # the visit's note
        "张三", "张大", ID1, ID2, "张庄1号", "张庄2号",  # the world's key person, guardian, IDs and addresses
    ]  # fmt: skip
    for text in texts:
        assert "排查上报矛盾纠纷1件" in text  # the case is counted
        assert "好媳妇1人（李四）" in text  # an honoured resident is named
        assert "好邻居1人" in text and "文明户1户" in text  # honoured key persons are counted, not named
        for value in planted:
            assert value not in text, value


# --- Queries: a fixed number, whatever the village's size ------------------------------------------------


def _grow(world, staff, n: int) -> None:
    """Add ``n`` of each kind of record the draft reads to the test village."""
    for i in range(n):
        household = make_household(world.micro1, world.group1, f"g{i:03d}", f"新村{i}号")
        resident = make_resident(household, f"居民{i}", _valid_id(f"32072319800101{i:03d}"), relation=Relation.HEAD)
        make_case(world, staff, kind=["dispute", "hazard", "request"][i % 3])
        Activity.objects.create(
            village=world.village,
            kind=["legal", "talk", "youth", "cleanup"][i % 4],
            title=f"活动{i}",
            held_on=TODAY(),
            organiser="村委",
            place="村部",
            participants=10 + i,
            created_by=staff,
        )
        ModelSelection.objects.create(
            village=world.village,
            year=TODAY().year,
            honour=["civilised", "neighbour"][i % 2],
            household=household if i % 2 == 0 else None,
            resident=None if i % 2 == 0 else resident,
            reason="好",
            selected_on=TODAY(),
            created_by=staff,
        )
        Project.objects.create(
            village=world.village,
            title=f"路灯{i}",
            kind="lighting",
            quantity=10,
            unit="盏",
            budget=Decimal(1000),
            spent=Decimal(900),
            started_on=TODAY(),
            done_on=TODAY(),
            created_by=staff,
        )


# The session and the user (2), the reader's scope (1), the village (1), the draft's facts (28: one grouped
# query per figure family, reports/draft/facts.py), the scorecard's indicators for the chapters' sentences
# (33, without the previous period: reports/scorecard), the export filed under the staff's village with its
# audit entry (3).
DOCX_QUERIES = 68


@pytest.mark.parametrize("size", [2, 20])
def test_docx_query_count_is_pinned(client, world, staff, django_assert_num_queries, size):
    _grow(world, staff, size)
    client.force_login(staff)
    with django_assert_num_queries(DOCX_QUERIES):
        response = client.get(docx_url(world.village))
    assert response.status_code == 200
    assert f"户数{2 + size}户" in docx_text(response.content)


def test_village_b_town_office_reads_any_village_of_its_town(client, world, town):
    client.force_login(town)
    response = client.get(page_url(world.other_village))
    assert response.status_code == 200
    assert "二村基层社会治理示范村验收汇报材料" in response.content.decode()
    assert Village.objects.count() == 2


def test_the_period_decides_what_is_counted(client, world, staff):
    """A case reported today counts in this month, this quarter and this year, and not in last year."""
    make_case(world, staff)
    client.force_login(staff)
    today = TODAY()
    for period in (f"{today:%Y-%m}", f"{today.year}-Q{(today.month - 1) // 3 + 1}", str(today.year)):
        text = docx_text(client.get(docx_url(world.village, period)).content)
        assert "本期排查上报矛盾纠纷1件" in text, period
    text = docx_text(client.get(docx_url(world.village, str(today.year - 1))).content)
    assert "本期未记录矛盾纠纷。" in text
    assert f"（{today.year - 1}年）" in text


def test_each_chapter_carries_the_scorecards_sentence(world, staff):
    """The chapter's second sentence is the scorecard's for its criterion: measured indicators beside their
    targets, or plainly that none could be computed; a record added changes it the next time."""
    import datetime

    from civility.models import Activity, ActivityKind
    from reports.draft import draft_for, parse

    period = parse("2026", datetime.date(2026, 12, 6))
    before = draft_for(world.village, period, today=datetime.date(2026, 12, 6))
    civility = before.chapters[5].paragraphs
    assert any("对照“六好”评分细则" in p for p in civility)
    assert any("开展德治法治活动0次（目标≥24次）" in p for p in civility)
    Activity.objects.create(
        village=world.village,
        kind=ActivityKind.LEGAL,
        title="宪法宣传日普法",
        held_on=datetime.date(2026, 12, 4),
        organiser="村委会",
        place="村部",
        participants=30,
        created_by=staff,
    )
    after = draft_for(world.village, period, today=datetime.date(2026, 12, 6))
    sentence = lambda d: next(p for p in d.chapters[5].paragraphs if "对照“六好”评分细则" in p)  # noqa: E731
    assert "开展德治法治活动1次（目标≥24次）" in sentence(after)


def test_key_persons_counted_by_their_listing_village_erased_ones_left_out(world, staff):
    """The territory's key persons are the village's listings of the period, read by the listing's own village;
    a listing erased at the end of its retention names no resident and is not counted."""
    from reports.draft.facts import gather
    from reports.scorecard.period import parse
    from residents.models import RetentionRule
    from residents.retention import key_person_erase

    period = parse(str(TODAY().year))
    before = gather(world.village, period).key_persons
    assert before == KeyPerson.objects.filter(village=world.village).count() >= 1
    rule = RetentionRule.objects.first() or RetentionRule.objects.create()
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(listed_until=TODAY() - datetime.timedelta(days=1))
    assert key_person_erase(key_person_id=world.key_person1.pk, rule=rule) == 1
    assert gather(world.village, period).key_persons == before - 1
