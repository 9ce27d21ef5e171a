"""What the case verbs do beyond the state: tiers, the town's decisions, notices, signing, photos."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disputes import services
from disputes.models import Case, CaseAttachment, CaseEvent, Department, Mediator, State, Tier
from messaging.models import Notice
from tests.conftest import make_case, png_bytes


def test_a_major_case_goes_to_the_town_at_once_and_the_town_office_is_told(world, worker, town, staff):
    case = make_case(world, worker, major=True)
    assert (case.state, case.tier) == (State.ESCALATED, Tier.TOWN)
    assert [e.action for e in case.events.all()] == ["report", "escalate"]
    assert Notice.objects.filter(recipient=town, url=f"/cases/{case.pk}/").count() == 1
    assert Notice.objects.filter(recipient=staff, url=f"/cases/{case.pk}/").count() == 1  # the village too


def test_an_ordinary_report_tells_the_village_staff(world, worker, staff, town):
    case = make_case(world, worker)
    assert Notice.objects.filter(recipient=staff, url=f"/cases/{case.pk}/").count() == 1
    assert not Notice.objects.filter(recipient=town).exists()


def _handled_by(world, staff, assignee, tier=1) -> Case:
    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=tier)
    return services.case_assign(case=case, by=staff, version=case.version, assignee=assignee)


def test_the_assignee_signs_and_the_time_is_kept(world, staff, worker, colleague):
    case = _handled_by(world, staff, worker)
    assert Notice.objects.filter(recipient=worker, title__startswith="请签收").count() == 1
    with pytest.raises(PermissionDenied):
        services.case_sign(case=case, by=colleague)
    signed = services.case_sign(case=case, by=worker)
    assert signed.signed_at is not None and signed.state == State.HANDLING
    assert case.events.filter(action="sign", by=worker).count() == 1
    with pytest.raises(PermissionDenied):
        services.case_sign(case=signed, by=worker)  # once


def test_assignee_must_work_in_the_village(world, staff, outsider):
    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    with pytest.raises(ValidationError) as caught:
        services.case_assign(case=case, by=staff, version=case.version, assignee=outsider)
    assert "assignee" in caught.value.error_dict
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_worker_escalates_to_the_village_then_village_to_town_and_town_sends_back(world, staff, worker, town):
    case = _handled_by(world, staff, worker, tier=1)
    case = services.case_escalate(case=case, by=worker, version=case.version, note="调解不成")
    assert (case.state, case.tier, case.assignee) == (State.ESCALATED, Tier.VILLAGE, None)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, by=town, version=case.version)  # tier 2 is the village's
    case = services.case_accept(case=case, by=staff, version=case.version)
    case = services.case_escalate(case=case, by=staff, version=case.version, note="涉及多户")
    assert case.tier == Tier.TOWN
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, by=staff, version=case.version)  # now the town's
    case = services.case_send_back(case=case, by=town, version=case.version, note="请先组织调解")
    assert (case.state, case.tier) == (State.ACCEPTED, Tier.VILLAGE)
    assert Notice.objects.filter(recipient=staff, title__contains="退回下级").count() == 1


def test_the_town_accepts_and_assigns_a_department(world, staff, town):
    case = make_case(world, staff, major=True)
    case = services.case_accept(case=case, by=town, version=case.version)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, by=town, version=case.version)  # a department is required
    department = Department.objects.get(name="司法所")
    case = services.case_assign(case=case, by=town, version=case.version, department=department)
    assert (case.state, case.department) == (State.HANDLING, department)
    # The village sees the town's decisions on the timeline and in its inbox.
    assert [e.action for e in case.events.all()] == ["report", "escalate", "accept", "assign"]
    assert Notice.objects.filter(recipient=staff, kind="case").count() >= 2


def test_not_settled_at_the_return_visit_reopens_with_the_same_handler(world, staff, worker):
    case = _handled_by(world, staff, worker)
    case = services.case_resolve(case=case, by=worker, version=case.version, outcome="agreement", resolution="达成")
    case = services.case_feedback(case=case, by=staff, version=case.version, note="已告知")
    case = services.case_reopen(case=case, by=staff, version=case.version, note="对方未履行")
    assert (case.state, case.assignee, case.satisfied, case.outcome) == (State.HANDLING, worker, False, "")
    case = services.case_resolve(case=case, by=worker, version=case.version, outcome="agreement", resolution="履行")
    case = services.case_feedback(case=case, by=worker, version=case.version, note="已告知")
    case = services.case_close(case=case, by=staff, version=case.version)
    assert (case.state, case.satisfied) == (State.CLOSED, True) and case.closed_at


def test_resolve_needs_an_outcome_for_its_kind_and_a_description(world, staff):
    case = _handled_by(world, staff, staff, tier=2)
    with pytest.raises(ValidationError) as caught:
        services.case_resolve(case=case, by=staff, version=case.version, outcome="done", resolution="")
    assert set(caught.value.error_dict) == {"outcome", "resolution"}
    assert Case.objects.get(pk=case.pk).state == State.HANDLING


def test_reject_needs_a_reason(world, staff):
    case = make_case(world, staff)
    with pytest.raises(ValidationError):
        services.case_reject(case=case, by=staff, version=case.version, note=" ")
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_mediation_session_and_team(world, staff):
    member = Mediator.objects.create(village=world.village, name="老党员甲", type="party_veteran")
    stranger = Mediator.objects.create(village=world.other_village, name="外村乙", type="deputy")
    case = _handled_by(world, staff, staff, tier=2)
    with pytest.raises(ValidationError):
        services.case_session_add(
            case=case,
            by=staff,
            held_on=case.reported_at.date(),
            place="调解室",
            parties_present="双方",
            notes="…",
            outcome="adjourned",
            mediators=[stranger],
        )
    session = services.case_session_add(
        case=case,
        by=staff,
        held_on=case.reported_at.date(),
        place="调解室",
        parties_present="双方",
        notes="释法明理",
        outcome="adjourned",
        mediators=[member],
    )
    assert list(session.mediators.all()) == [member] and list(case.mediators.all()) == [member]
    assert case.events.filter(action="session").count() == 1


def _jpeg_with_gps() -> SimpleUploadedFile:
    return SimpleUploadedFile("phone.jpg", png_bytes((3000, 2000), exif_gps=True), content_type="image/jpeg")


def test_photos_are_re_encoded_shrunk_and_stripped_of_metadata(world, worker):
    case = make_case(world, worker, photos=[_jpeg_with_gps()])
    attachment = case.attachments.get()
    with attachment.image.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        assert image.format == "JPEG"
        assert max(image.size) == 2048
        assert not image.getexif()  # no GPS, no device
    assert "phone" not in attachment.image.name  # the stored name is the app's, not the upload's


def test_a_file_that_is_not_a_photo_refuses_the_whole_report(world, worker):
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        make_case(world, worker, photos=[fake])
    assert "photos" in caught.value.error_dict
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_a_photo_too_large_is_refused_with_its_size(world, worker, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        make_case(world, worker, photos=[_jpeg_with_gps()])
    assert "MB" in caught.value.error_dict["photos"][0].messages[0]
