"""The deliberation's one state table (cogovernance/workflow.py) through the services: every allowed move
made, every other refused with nothing saved; the publicity week across a month end; the resolution refused
on the seventh day and accepted on the eighth."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cogovernance import services, workflow
from cogovernance.models import Deliberation, DeliberationEvent, DeliberationMeeting, Research, ResearchKind, Stage
from tests.cogovernance.conftest import D, meeting, propose, to_stage

pytestmark = pytest.mark.django_db

PUBLISH = D(2026, 1, 10)


def at(stage: str, village, by) -> Deliberation:
    d = propose(village, by)
    if stage == Stage.RETURNED:
        d = to_stage(d, Stage.SUBMITTED, by)
        return services.deliberation_move(deliberation=d, to=Stage.RETURNED, by=by, note="调研不充分，补充问卷。")
    return to_stage(d, stage, by, publish_on=PUBLISH)


def attempt(d: Deliberation, to: str, by) -> Deliberation:
    """The verb a person uses to bring a deliberation to ``to``, with what that step needs."""
    if to == Stage.PUBLISHED:
        return services.deliberation_approve(
            deliberation=d,
            by=by,
            approved_on=PUBLISH - datetime.timedelta(days=1),
            publish_on=PUBLISH,
            opinions_to="村委会",
        )
    if to == Stage.DELIBERATED:
        return services.deliberation_meeting(
            deliberation=d, by=by, meeting=meeting(PUBLISH + datetime.timedelta(days=1))
        )
    if to == Stage.RESOLVED:
        return services.deliberation_resolve(
            deliberation=d, by=by, resolution="决议", resolved_on=PUBLISH + datetime.timedelta(days=30)
        )
    if to == Stage.CLOSED:
        return services.deliberation_close(
            deliberation=d, by=by, note="办结", closed_on=PUBLISH + datetime.timedelta(days=40)
        )
    return services.deliberation_move(deliberation=d, to=to, by=by, note="说明")


def snapshot(d: Deliberation) -> tuple:
    fresh = Deliberation.objects.get(pk=d.pk)
    return (
        fresh.stage,
        fresh.version,
        fresh.publish_on,
        fresh.resolution,
        fresh.closed_on,
        DeliberationEvent.objects.filter(deliberation=d).count(),
        DeliberationMeeting.objects.filter(deliberation=d).count(),
    )


@pytest.mark.parametrize("source", Stage.values)
def test_every_move_from_each_stage(world, staff, source):
    for target in Stage.values:
        d = at(source, world.village, staff)
        assert d.stage == source
        before = snapshot(d)
        if workflow.is_allowed(source, target):
            moved = attempt(d, target, staff)
            assert moved.stage == target and moved.version == d.version + 1
            event = DeliberationEvent.objects.filter(deliberation=d).last()
            assert (event.from_stage, event.to_stage, event.by) == (source, target, staff)
        else:
            with pytest.raises(ValidationError):
                attempt(d, target, staff)
            assert snapshot(d) == before, (source, target)


def test_the_table_is_the_one_the_docs_draw():
    allowed = {(s, t) for s, ts in workflow.TRANSITIONS.items() for t in ts}
    assert allowed == {
        (Stage.PROPOSED, Stage.RESEARCH),
        (Stage.PROPOSED, Stage.SUBMITTED),
        (Stage.RESEARCH, Stage.SUBMITTED),
        (Stage.SUBMITTED, Stage.PUBLISHED),
        (Stage.SUBMITTED, Stage.RETURNED),
        (Stage.RETURNED, Stage.RESEARCH),
        (Stage.RETURNED, Stage.SUBMITTED),
        (Stage.PUBLISHED, Stage.DELIBERATED),
        (Stage.DELIBERATED, Stage.RESOLVED),
        (Stage.RESOLVED, Stage.IMPLEMENTING),
        (Stage.RESOLVED, Stage.CLOSED),
        (Stage.IMPLEMENTING, Stage.CLOSED),
    }
    # every edge is some action's, and every action's edges are in the table
    assert {(s, a.target) for a in workflow.ACTIONS.values() for s in a.sources} == allowed


def test_publicity_across_a_month_end_refuses_the_resolution_on_the_seventh_day(world, staff):
    d = to_stage(propose(world.village, staff), Stage.DELIBERATED, staff, publish_on=D(2026, 1, 28))
    assert (d.publish_on, d.publicity_ends, d.may_resolve_from) == (D(2026, 1, 28), D(2026, 2, 3), D(2026, 2, 4))
    assert d.in_publicity(D(2026, 1, 28)) and d.in_publicity(D(2026, 2, 3)) and not d.in_publicity(D(2026, 2, 4))
    before = snapshot(d)
    with pytest.raises(services.PublicityNotOver) as refused:
        services.deliberation_resolve(deliberation=d, by=staff, resolution="安装路灯", resolved_on=D(2026, 2, 3))
    assert refused.value.code == "publicity_not_over"
    assert "2026-02-03" in refused.value.messages[0] and "2026-02-04" in refused.value.messages[0]
    assert snapshot(d) == before
    resolved = services.deliberation_resolve(deliberation=d, by=staff, resolution="安装路灯", resolved_on=D(2026, 2, 4))
    assert (resolved.stage, resolved.resolved_on, resolved.resolution) == (Stage.RESOLVED, D(2026, 2, 4), "安装路灯")


def test_publicity_over_february_of_a_leap_year(world, staff):
    d = to_stage(propose(world.village, staff), Stage.DELIBERATED, staff, publish_on=D(2024, 2, 26))
    assert d.publicity_ends == D(2024, 3, 3)
    with pytest.raises(services.PublicityNotOver):
        services.deliberation_resolve(deliberation=d, by=staff, resolution="x", resolved_on=D(2024, 3, 3))
    assert (
        services.deliberation_resolve(deliberation=d, by=staff, resolution="x", resolved_on=D(2024, 3, 4)).stage
        == Stage.RESOLVED
    )


def test_approval_publishes_from_the_next_day_by_default(world, staff):
    d = to_stage(propose(world.village, staff), Stage.SUBMITTED, staff)
    d = services.deliberation_approve(deliberation=d, by=staff, approved_on=D(2026, 3, 31), opinions_to="村委会办公室")
    assert (d.approved_on, d.publish_on, d.publicity_ends) == (D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 7))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"approved_on": D(2026, 3, 31), "publish_on": D(2026, 3, 30), "opinions_to": "村委会"}, "publish_on"),
        ({"approved_on": D(2026, 3, 31), "opinions_to": "  "}, "opinions_to"),
        ({"approved_on": datetime.date.today() + datetime.timedelta(days=2), "opinions_to": "村委会"}, "approved_on"),
    ],
)
def test_a_bad_approval_says_which_field_and_saves_nothing(world, staff, fields, field):
    d = to_stage(propose(world.village, staff), Stage.SUBMITTED, staff)
    before = snapshot(d)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_approve(deliberation=d, by=staff, **fields)
    assert field in refused.value.message_dict
    assert snapshot(d) == before


def test_a_stale_version_is_refused_as_changed(world, staff):
    d = propose(world.village, staff)
    stale = Deliberation.objects.get(pk=d.pk)
    services.deliberation_move(deliberation=d, to=Stage.RESEARCH, by=staff)
    with pytest.raises(services.DeliberationChanged):
        services.deliberation_move(deliberation=stale, to=Stage.SUBMITTED, by=staff)
    assert Deliberation.objects.get(pk=d.pk).stage == Stage.RESEARCH


def test_steps_with_their_own_data_are_not_plain_moves(world, staff):
    d = to_stage(propose(world.village, staff), Stage.SUBMITTED, staff)
    with pytest.raises(ValidationError):
        services.deliberation_move(deliberation=d, to=Stage.PUBLISHED, by=staff)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_move(deliberation=d, to=Stage.RETURNED, by=staff, note=" ")
    assert "note" in refused.value.message_dict
    assert Deliberation.objects.get(pk=d.pk).stage == Stage.SUBMITTED


def test_a_meeting_with_nobody_present_saves_neither_meeting_nor_move(world, staff):
    d = to_stage(propose(world.village, staff), Stage.PUBLISHED, staff, publish_on=PUBLISH)
    before = snapshot(d)
    empty = DeliberationMeeting(held_on=PUBLISH, place="村部", minutes="无")
    with pytest.raises(ValidationError):
        services.deliberation_meeting(deliberation=d, by=staff, meeting=empty)
    assert snapshot(d) == before


def test_the_topic_is_fixed_once_submitted_and_research_only_before(world, staff):
    d = propose(world.village, staff)
    research = Research(kind=ResearchKind.QUESTIONNAIRE, held_on=D(2026, 1, 3), count=120, summary="九成农户支持")
    sheet = SimpleUploadedFile("问卷统计.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.research_add(deliberation=d, by=staff, research=research, files=[sheet])
    assert research.files.get().name == "问卷统计.pdf"
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=staff)
    d.title = "改了"
    with pytest.raises(ValidationError):
        services.deliberation_save(by=staff, deliberation=d)
    with pytest.raises(ValidationError):
        services.research_add(
            deliberation=d,
            by=staff,
            research=Research(kind=ResearchKind.INTERVIEW, held_on=D(2026, 1, 4), count=3, summary="x"),
        )
    assert (
        Deliberation.objects.get(pk=d.pk).title == "安装路灯" and Research.objects.filter(deliberation=d).count() == 1
    )


def test_a_bad_file_refuses_the_whole_research_record(world, staff):
    d = propose(world.village, staff)
    research = Research(kind=ResearchKind.SITE_VISIT, held_on=D(2026, 1, 3), count=2, summary="现场察看")
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as refused:
        services.research_add(deliberation=d, by=staff, research=research, files=[bad])
    assert "files" in refused.value.message_dict
    assert not Research.objects.filter(deliberation=d).exists()


def test_places_of_another_village_are_refused(world, staff):
    d = Deliberation(village=world.village, title="t", summary="s", proposer="p", grid=world.other_grid)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_save(by=staff, deliberation=d)
    assert "grid" in refused.value.message_dict and not Deliberation.objects.exists()
