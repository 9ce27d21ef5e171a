"""The report's page with the drafted sections (reports/prefill.py, docs/scorecard.md "Monthly report,
pre-filled"): empty sections arrive drafted, written ones are kept, "按本月记录重新生成" replaces only what was
asked, a prefill saves nothing and is no submission, and the page's queries do not grow with the records."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.models import ActivityKind
from cogovernance.models import Project
from people.models import GoodPractice, PracticeKind
from reports import services
from reports.models import MonthlyReport, ReportEvent, ReportVersion, State
from tests.civility.test_activities import make_activity
from tests.conftest import make_case
from visits import due

TODAY = timezone.localdate()
THIS_MONTH = due.month_start(TODAY)
NOTE = "以下内容根据本月记录自动生成，请核对修改"


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


def _open(client, world, staff) -> MonthlyReport:
    client.force_login(staff)
    client.post(reverse("reports:report-start", args=[world.village.pk]), {"month": f"{THIS_MONTH:%Y-%m}"})
    return MonthlyReport.objects.get(village=world.village, month=THIS_MONTH)


def _page(client, report) -> str:
    response = client.get(reverse("reports:report-detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_report_opens_with_its_sections_drafted_and_nothing_saved(client, world, staff):
    make_activity(world.village, staff, title="宪法宣传进万家", held_on=TODAY, participants=40)
    report = _open(client, world, staff)
    page = _page(client, report)
    assert NOTE in page and "data-prefilled" in page and "按本月记录重新生成" in page
    assert "《宪法宣传进万家》" in _textarea(page, "work_done")
    assert "下月应走访农户 2 户" in _textarea(page, "next_plan")
    assert _textarea(page, "problems")  # household 2 and the others not visited
    # A prefill is neither a save nor a submission: the row, its revision, events and versions are as made.
    report.refresh_from_db()
    assert (report.work_done, report.problems, report.next_plan, report.revision) == ("", "", "", 1)
    assert report.state == State.DRAFT
    assert not ReportEvent.objects.exists() and not ReportVersion.objects.exists()


def test_a_section_the_staff_wrote_is_kept_and_only_the_empty_ones_are_drafted(client, world, staff):
    report = _open(client, world, staff)
    services.report_save(report=report, by=staff, revision=report.revision, work_done="本村自己写的工作情况")
    page = _page(client, report)
    assert _textarea(page, "work_done") == "本村自己写的工作情况"
    assert "下月应走访农户" in _textarea(page, "next_plan")
    note = page.split("data-prefilled>")[1].split("</p>")[0]
    assert NOTE in note and "下月工作计划" in note and "本月工作开展情况" not in note


def test_a_fully_written_report_shows_no_note(client, world, staff):
    report = _open(client, world, staff)
    texts = {"work_done": "甲", "problems": "乙", "next_plan": "丙", "good_practices": "丁"}
    services.report_save(report=report, by=staff, revision=report.revision, **texts)
    page = _page(client, report)
    assert NOTE not in page
    assert {name: _textarea(page, name) for name in texts} == texts


def test_saving_the_draft_is_an_ordinary_save(client, world, staff):
    report = _open(client, world, staff)
    page = _page(client, report)
    data = {name: _textarea(page, name) for name in ("work_done", "problems", "next_plan", "good_practices")}
    response = client.post(reverse("reports:report-save", args=[report.pk]), {"revision": 1, **data, "save": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.work_done == data["work_done"].strip() and report.revision == 2 and report.state == State.DRAFT
    assert not ReportEvent.objects.exists() and not ReportVersion.objects.exists()


def _regenerate(client, report, **data):
    posted = {"revision": report.revision, "work_done": "", "problems": "", "next_plan": "", "good_practices": ""}
    posted.update(data)
    return client.post(reverse("reports:report-prefill", args=[report.pk]), posted)


def test_regenerate_replaces_only_the_ticked_sections_and_saves_nothing(client, world, staff):
    report = _open(client, world, staff)
    report = services.report_save(
        report=report, by=staff, revision=report.revision, work_done="保存过的", problems="保存过的问题"
    )
    response = _regenerate(client, report, work_done="刚刚输入的", problems="刚刚输入的问题", regenerate=["problems"])
    assert response.status_code == 200
    page = response.content.decode()
    assert _textarea(page, "work_done") == "刚刚输入的"  # typed, not saved, not ticked: kept
    assert "户农户未走访" in _textarea(page, "problems")  # ticked: drafted again
    assert _textarea(page, "next_plan") == ""  # not ticked: left alone although empty
    assert "尚未保存" in page
    assert f'name="revision" value="{report.revision}"' in page
    report.refresh_from_db()
    assert (report.work_done, report.problems, report.revision) == ("保存过的", "保存过的问题", 2)


def test_regenerate_with_nothing_ticked_fills_the_empty_sections(client, world, staff):
    report = _open(client, world, staff)
    page = _regenerate(client, report, work_done="刚刚输入的").content.decode()
    assert _textarea(page, "work_done") == "刚刚输入的"
    assert "户农户未走访" in _textarea(page, "problems") and "下月应走访农户" in _textarea(page, "next_plan")


def test_regenerate_refuses_an_unknown_section_and_keeps_the_text(client, world, staff):
    report = _open(client, world, staff)
    response = _regenerate(client, report, work_done="刚刚输入的", regenerate=["nonsense"])
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有「nonsense」这一部分" in page and _textarea(page, "work_done") == "刚刚输入的"
    response = _regenerate(client, report, revision="x")
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.revision == 1 and report.work_done == ""


def test_a_stale_page_regenerated_is_still_refused_when_saved(client, world, staff):
    report = _open(client, world, staff)
    services.report_save(report=report, by=staff, revision=1, work_done="同事写的")
    page = _regenerate(client, report, revision=1).content.decode()
    assert 'name="revision" value="1"' in page  # the page's own revision, not the colleague's
    data = {name: _textarea(page, name) for name in ("work_done", "problems", "next_plan", "good_practices")}
    client.post(reverse("reports:report-save", args=[report.pk]), {"revision": 1, **data})
    report.refresh_from_db()
    assert report.work_done == "同事写的"


def test_a_submitted_report_is_not_rewritten(client, world, staff, town):
    month = due.previous_month(TODAY)
    report = services.report_open(village=world.village, month=month, by=staff)
    report = services.report_save(report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训")
    report = services.report_submit(report=report, by=staff, revision=report.revision)
    client.force_login(staff)
    assert _regenerate(client, report, regenerate=["work_done"]).status_code == 302
    client.force_login(town)
    assert _regenerate(client, report, regenerate=["work_done"]).status_code == 403
    report.refresh_from_db()
    assert report.work_done == "走访" and report.versions.get().sections["work_done"] == "走访"


def _records(world, staff, worker, n: int) -> None:
    """``n`` of each record a draft reads: activities, projects, good practices, cases."""
    for i in range(n):
        make_activity(world.village, staff, title=f"活动{i}", kind=ActivityKind.CARE, held_on=TODAY, participants=3)
        Project.objects.create(
            village=world.village, title=f"项目{i}", budget=1, started_on=THIS_MONTH, done_on=TODAY, created_by=staff
        )
        GoodPractice.objects.create(
            village=world.village,
            kind=PracticeKind.METHOD,
            title=f"做法{i}",
            body="正文",
            reported_on=TODAY,
            reported_by=staff,
        )
        make_case(world, worker, title=f"纠纷{i}")


@pytest.mark.parametrize("rows", [2, 20])
def test_the_edit_page_query_count_is_pinned(client, world, staff, worker, rows, django_assert_num_queries):
    _records(world, staff, worker, rows)
    report = _open(client, world, staff)
    url = reverse("reports:report-detail", args=[report.pk])
    client.get(url)  # the first view after starting the report reads the message left for it
    # The page as it was (session, user, scope, the report, versions, the live figures, the policy, the
    # months compared, inbox, comments, events: 42) and the draft's eight: activities,
    # set dates, projects, practices, the Party's rules and organisations (no organisation here: no meetings
    # to read), the case policy, the cases due next month.
    with django_assert_num_queries(50):
        page = client.get(url).content.decode()
    assert "项目0" in page and "做法0" in page
    # Written whole, the page makes no draft: the eight are the draft's and nothing else.
    texts = {"work_done": "甲", "problems": "乙", "next_plan": "丙", "good_practices": "丁"}
    services.report_save(report=report, by=staff, revision=report.revision, **texts)
    with django_assert_num_queries(42):
        client.get(url)


def test_saving_with_a_tick_that_is_no_section_is_refused(client, world, staff):
    report = _open(client, world, staff)
    data = {"revision": 1, "work_done": "甲", "next_plan": "丙", "regenerate": ["work_done", "nonsense"]}
    response = client.post(reverse("reports:report-save", args=[report.pk]), data)
    assert response.status_code == 400 and "没有「nonsense」这一部分" in response.content.decode()
    report.refresh_from_db()
    assert report.work_done == "" and report.revision == 1
    data["regenerate"] = ["work_done"]  # a real section ticked: saving ignores it
    assert client.post(reverse("reports:report-save", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert report.work_done == "甲" and report.revision == 2
