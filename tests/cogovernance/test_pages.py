"""The village's deliberation pages (docs/cogovernance.md): a topic proposed, edited and taken through every
step from the pages, refusals that save nothing, the list's search, filters, paging and Excel, what the
pages cost in queries, and the town office reading without changing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import ExportRecord
from cogovernance.models import Deliberation, DeliberationEvent, DeliberationMeeting, Progress, Research, Stage
from tests.cogovernance.conftest import propose, to_stage
from tests.conftest import make_case, png_bytes

TODAY = timezone.localdate


def _days_ago(n: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=n)


def _detail(d) -> str:
    return reverse("cogovernance:deliberation-detail", args=[d.pk])


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- a topic: new and edit -------------------------------------------------------------------------------


def test_staff_propose_a_topic_from_a_case(client, world, staff):
    case = make_case(world, staff)
    client.force_login(staff)
    url = reverse("cogovernance:deliberation-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "排水沟改造",
            "summary": "张庄排水沟常年堵塞。",
            "proposer": "村民代表",
            "origin_case": case.pk,
            "grid": world.grid1.pk,
            "natural_village": world.group1.natural_village_id,
        },
    )
    d = Deliberation.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(d)
    assert (d.village, d.stage, d.origin_case_id, d.grid, d.created_by) == (
        world.village,
        Stage.PROPOSED,
        case.pk,
        world.grid1,
        staff,
    )
    assert DeliberationEvent.objects.filter(deliberation=d, to_stage=Stage.PROPOSED).count() == 1


def test_another_villages_case_or_grid_is_refused_and_input_kept(client, world, staff, outsider):
    other_case = make_case(world, outsider, grid=world.other_grid)
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:deliberation-new", args=[world.village.pk]),
        {"title": "排水沟改造", "summary": "说明", "proposer": "村民", "origin_case": other_case.pk},
    )
    assert response.status_code == 400
    assert "origin_case" in response.context["form"].errors
    assert "排水沟改造" in response.content.decode()
    assert not Deliberation.objects.exists()


def test_edit_until_submitted(client, world, staff, deliberation):
    client.force_login(staff)
    url = reverse("cogovernance:deliberation-edit", args=[deliberation.pk])
    response = client.post(url, {"title": "安装太阳能路灯", "summary": "新说明", "proposer": "村民代表"})
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.title == "安装太阳能路灯"
    submitted = to_stage(deliberation, Stage.SUBMITTED, staff)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == _detail(submitted)


def test_empty_topic_keeps_the_form_with_errors(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("cogovernance:deliberation-new", args=[world.village.pk]), {"proposer": "张三"})
    assert response.status_code == 400
    assert "请更正以下问题" in response.content.decode() and "张三" in response.content.decode()


# --- each step through the pages -------------------------------------------------------------------------


def _move(client, d, action, note="", version=None):
    return client.post(
        reverse("cogovernance:deliberation-move", args=[d.pk]),
        {"action": action, "note": note, "version": version or d.version},
        follow=True,
    )


def test_the_whole_path_through_the_pages(client, world, staff, deliberation):
    client.force_login(staff)
    d = deliberation
    # Research, with two files (a photo is re-encoded, a PDF kept).
    response = _move(client, d, "research", "开始入户调查")
    d.refresh_from_db()
    assert d.stage == Stage.RESEARCH and "已开展调查研究" in _messages(response)
    url = reverse("cogovernance:deliberation-research", args=[d.pk])
    assert client.get(url).status_code == 200
    files = [
        SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("问卷.pdf", b"%PDF-1.4 questionnaire", content_type="application/pdf"),
    ]
    response = client.post(
        url, {"kind": "questionnaire", "held_on": _days_ago(20), "count": 120, "summary": "九成赞成", "files": files}
    )
    assert response.status_code == 302
    research = Research.objects.get(deliberation=d)
    assert research.files.count() == 2
    page = client.get(_detail(d)).content.decode()
    pdf = research.files.get(name="问卷.pdf")
    assert reverse("cogovernance:research-file", args=[pdf.pk]) in page
    download = client.get(reverse("cogovernance:research-file", args=[pdf.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 questionnaire"

    # Submitted, sent back with a reason, submitted again, approved ten days ago.
    _move(client, d, "submit")
    d.refresh_from_db()
    _move(client, d, "send_back", "请补充费用测算")
    d.refresh_from_db()
    assert d.stage == Stage.RETURNED
    _move(client, d, "submit")
    d.refresh_from_db()
    assert d.stage == Stage.SUBMITTED
    url = reverse("cogovernance:deliberation-approve", args=[d.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"version": d.version, "approved_on": _days_ago(10), "opinions_to": "村委会办公室", "note": ""}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.stage, d.publish_on, d.opinions_to) == (Stage.PUBLISHED, _days_ago(9), "村委会办公室")

    # The meeting.
    url = reverse("cogovernance:deliberation-meeting", args=[d.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": d.version,
            "held_on": _days_ago(5),
            "place": "村委会议室",
            "cppcc_members": 2,
            "representatives": 15,
            "departments": "镇城建办",
            "department_people": 2,
            "residents": 6,
            "minutes": "逐项协商",
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.stage == Stage.DELIBERATED and DeliberationMeeting.objects.filter(deliberation=d).exists()

    # The resolution (the publicity week ended two days ago), implementation, progress, closing.
    url = reverse("cogovernance:deliberation-resolve", args=[d.pk])
    response = client.post(url, {"version": d.version, "resolved_on": TODAY(), "resolution": "安装路灯 187 盏"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.stage == Stage.RESOLVED
    _move(client, d, "implement")
    d.refresh_from_db()
    url = reverse("cogovernance:deliberation-progress", args=[d.pk])
    for spent in ("120000.00", "80000.50"):
        assert client.post(url, {"noted_on": TODAY(), "text": "安装完成一批", "spent": spent}).status_code == 302
    page = client.get(_detail(d)).content.decode()
    assert "200,000.50" in page
    url = reverse("cogovernance:deliberation-close", args=[d.pk])
    response = client.post(url, {"version": d.version, "closed_on": TODAY(), "note": "全部完工"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.stage == Stage.CLOSED and d.closed_on == TODAY()
    assert Progress.objects.filter(deliberation=d).count() == 2
    stages = list(DeliberationEvent.objects.filter(deliberation=d).values_list("to_stage", flat=True))
    assert stages[-1] == Stage.CLOSED and len(stages) == 10


def test_a_refused_move_says_why_and_saves_nothing(client, world, staff, deliberation):
    client.force_login(staff)
    d = deliberation
    # Implementing a topic only proposed: not a move the table allows.
    response = _move(client, d, "implement")
    assert "不能组织实施" in _messages(response)
    # Sending back needs a reason (and is not allowed from proposed anyway); submit needs the current version.
    d = to_stage(d, Stage.SUBMITTED, staff)
    response = _move(client, d, "send_back", "")
    assert "请填写说明" in _messages(response)
    response = _move(client, d, "send_back", "补充材料", version=d.version - 1)
    assert "刚刚被别人处理过" in _messages(response)
    d.refresh_from_db()
    assert d.stage == Stage.SUBMITTED
    assert DeliberationEvent.objects.filter(deliberation=d).count() == 3  # proposed, research, submitted
    response = client.post(reverse("cogovernance:deliberation-move", args=[d.pk]), {"action": "nonsense"})
    assert response.status_code == 302


def test_resolution_refused_during_publicity_then_accepted(client, world, staff, deliberation):
    client.force_login(staff)
    d = to_stage(deliberation, Stage.DELIBERATED, staff, publish_on=_days_ago(3))
    ends, first = _days_ago(3) + datetime.timedelta(days=6), _days_ago(3) + datetime.timedelta(days=7)
    page = client.get(_detail(d)).content.decode()
    assert f"公示中：{_days_ago(3):%Y-%m-%d} 至 {ends:%Y-%m-%d}，{first:%Y-%m-%d} 起可形成决议" in page
    url = reverse("cogovernance:deliberation-resolve", args=[d.pk])
    response = client.post(url, {"version": d.version, "resolved_on": TODAY(), "resolution": "安装路灯"})
    assert response.status_code == 400
    assert f"{first:%Y-%m-%d} 起才能形成决议" in response.content.decode()
    assert "安装路灯" in response.content.decode()  # the input kept
    d.refresh_from_db()
    assert d.stage == Stage.DELIBERATED and d.resolution == ""

    # The same, once the week is over.
    Deliberation.objects.filter(pk=d.pk).update(publish_on=_days_ago(8), approved_on=_days_ago(9))
    d.refresh_from_db()
    assert "公示中" not in client.get(_detail(d)).content.decode()
    response = client.post(url, {"version": d.version, "resolved_on": TODAY(), "resolution": "安装路灯"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.stage == Stage.RESOLVED and d.resolution == "安装路灯"


def test_a_step_at_the_wrong_stage_goes_back_to_the_topic(client, world, staff, deliberation):
    client.force_login(staff)
    for name in ("approve", "meeting", "resolve", "close", "progress"):
        response = client.get(reverse(f"cogovernance:deliberation-{name}", args=[deliberation.pk]))
        assert response.status_code == 302 and response["Location"] == _detail(deliberation), name


def test_buttons_are_the_actions_the_user_may_take(client, world, staff, town, deliberation):
    client.force_login(staff)
    page = client.get(_detail(deliberation)).content.decode()
    assert 'value="research"' in page and 'value="submit"' in page and 'value="implement"' not in page
    assert reverse("cogovernance:deliberation-edit", args=[deliberation.pk]) in page
    client.force_login(town)
    page = client.get(_detail(deliberation)).content.decode()
    assert 'id="actions"' not in page
    assert reverse("cogovernance:deliberation-edit", args=[deliberation.pk]) not in page


# --- the printable notice --------------------------------------------------------------------------------


def test_notice_only_once_approved_and_only_its_fields(client, world, staff, deliberation):
    client.force_login(staff)
    url = reverse("cogovernance:deliberation-notice", args=[deliberation.pk])
    assert client.get(url).status_code == 404
    d = to_stage(deliberation, Stage.PUBLISHED, staff, publish_on=_days_ago(1))
    Deliberation.objects.filter(pk=d.pk).update(proposer="提议人王某某")
    page = client.get(url).content.decode()
    assert d.title in page and d.summary in page and "村委会办公室" in page and world.village.name in page
    assert f"{_days_ago(1):%Y年%-m月%-d日}" in page
    assert "提议人王某某" not in page and "mainnav" not in page and "print.css" in page


# --- the list --------------------------------------------------------------------------------------------


def test_list_search_filters_and_paging(client, world, staff):
    propose(world.village, staff, title="安装路灯", grid=world.grid1)
    square = propose(world.village, staff, title="修建文化广场")
    to_stage(square, Stage.PUBLISHED, staff, publish_on=_days_ago(2))
    old = propose(world.village, staff, title="修路")
    old = to_stage(old, Stage.DELIBERATED, staff, publish_on=_days_ago(30))
    Deliberation.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=800))
    propose(world.other_village, staff, title="外村议题")
    client.force_login(staff)
    url = reverse("cogovernance:deliberation-list", args=[world.village.pk])

    def titles(**params) -> set[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {d.title for d in response.context["page"].object_list}

    assert titles() == {"安装路灯", "修建文化广场", "修路"}
    assert titles(q="广场") == {"修建文化广场"}
    assert titles(q="夜间无照明") == {"安装路灯", "修建文化广场", "修路"}  # the summary
    assert titles(q="村民代表") == {"安装路灯", "修建文化广场", "修路"}  # the proposer
    assert titles(stage=Stage.PUBLISHED) == {"修建文化广场"}
    assert titles(grid=world.grid1.pk) == {"安装路灯"}
    assert titles(year=TODAY().year) == {"安装路灯", "修建文化广场"}
    assert titles(publicity="true") == {"修建文化广场"}
    assert titles(publicity="false") == {"安装路灯", "修路"}
    bad_year = client.get(url, {"year": 99999})  # no date holds it: the field's error, not a 500
    assert bad_year.status_code == 200 and "year" in bad_year.context["filter"].form.errors
    page = client.get(url).content.decode()
    assert f"公示 {_days_ago(2):%Y-%m-%d} 至" in page and "公示中" in page
    for n in range(60):
        Deliberation.objects.create(
            village=world.village, title=f"议题{n}", summary="s", proposer="p", created_by=staff
        )
    response = client.get(url, {"page": 2})
    assert response.context["page"].number == 2 and len(response.context["page"].object_list) == 13


def test_list_and_detail_query_counts_do_not_grow_with_rows(client, world, staff, django_assert_num_queries):
    client.force_login(staff)
    url = reverse("cogovernance:deliberation-list", args=[world.village.pk])

    def make(n):
        for i in range(n):
            d = propose(world.village, staff, title=f"议题{Deliberation.objects.count()}", grid=world.grid1)
            if i % 2:
                to_stage(d, Stage.PUBLISHED, staff, publish_on=_days_ago(1))

    make(2)
    client.get(url)  # the session warmed
    # session, user, scope, village, page ids (fewer than a page: no count), page rows, the inbox badge, the grid
    # choices (the session is read, not written: core/sessions.py)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    make(18)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_detail_query_count_does_not_grow(client, world, staff, deliberation, django_assert_num_queries):
    client.force_login(staff)
    Research.objects.create(
        deliberation=deliberation, kind="interview", held_on=TODAY(), count=1, summary="s", recorded_by=staff
    )
    d = to_stage(deliberation, Stage.IMPLEMENTING, staff, publish_on=_days_ago(20))
    client.get(_detail(d))
    # session, user, scope, the deliberation, its meeting, progress, events, research and their files,
    # projects, the inbox badge
    with django_assert_num_queries(11):
        assert client.get(_detail(d)).status_code == 200
    for _n in range(5):
        Progress.objects.create(deliberation=d, noted_on=TODAY(), text="t", spent=1, recorded_by=staff)
        Research.objects.create(
            deliberation=d, kind="interview", held_on=TODAY(), count=1, summary="s", recorded_by=staff
        )
    with django_assert_num_queries(11):
        assert client.get(_detail(d)).status_code == 200


def test_export_opens_with_the_filtered_rows_and_is_recorded(client, world, staff):
    propose(world.village, staff, title="安装路灯")
    propose(world.village, staff, title='=HYPERLINK("x")')
    propose(world.village, staff, title="修建文化广场")
    client.force_login(staff)
    response = client.get(reverse("cogovernance:deliberation-export", args=[world.village.pk]), {"q": "安装"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("议题", "环节")
    assert [r[0] for r in rows[1:]] == ["安装路灯"]
    record = ExportRecord.objects.get()
    assert (record.kind, record.rows, record.user, record.village) == ("cogov_deliberations", 1, staff, world.village)
    response = client.get(reverse("cogovernance:deliberation-export", args=[world.village.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert '=HYPERLINK("x")' in [r[0] for r in rows[1:]] and len(rows) == 4


# --- who may do what -------------------------------------------------------------------------------------


def test_town_reads_but_cannot_change(client, world, staff, town, deliberation):
    d = to_stage(deliberation, Stage.SUBMITTED, staff)
    client.force_login(town)
    assert client.get(reverse("cogovernance:deliberation-list", args=[world.village.pk])).status_code == 200
    assert client.get(_detail(d)).status_code == 200
    assert client.get(reverse("cogovernance:deliberation-export", args=[world.village.pk])).status_code == 200
    for name in ("edit", "research", "approve", "meeting", "resolve", "close", "progress", "move"):
        url = reverse(f"cogovernance:deliberation-{name}", args=[d.pk])
        assert client.post(url, {"action": "send_back", "note": "x", "version": d.version}).status_code == 403, name
    assert client.get(reverse("cogovernance:deliberation-new", args=[world.village.pk])).status_code == 403
    d.refresh_from_db()
    assert d.stage == Stage.SUBMITTED


@pytest.mark.parametrize("persona", ["worker", "outsider"])
def test_others_get_404(client, world, staff, deliberation, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_detail(deliberation)).status_code == 404
    assert client.get(reverse("cogovernance:deliberation-list", args=[world.village.pk])).status_code == 404
    response = client.post(
        reverse("cogovernance:deliberation-move", args=[deliberation.pk]), {"action": "research", "version": 1}
    )
    assert response.status_code == 404


def test_main_menu_link_for_staff_only(client, world, staff, town, worker):
    link = f'<a href="{reverse("cogovernance:deliberation-list", args=[world.village.pk])}">共治</a>'
    client.force_login(staff)
    assert link in client.get(reverse("residents:household-list")).content.decode()
    for user in (town, worker):
        client.force_login(user)
        assert "共治</a>" not in client.get(reverse("residents:household-list")).content.decode()
