"""Ending an assignment on the page or the API writes no history: the last day is today or later, an
assignment already over stays as it ended, and nobody ends their own. Each is refused with a message and
nothing is saved. A correction of the past is the system admin's act in the Django admin, audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry
from grids.models import Assignment

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def end_page(client, assignment, day):
    return client.post(reverse("grids:assignment-end", args=[assignment.pk]), {"end": day.isoformat()})


def end_api(user, assignment, day):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(reverse("api:assignment-end", args=[assignment.pk]), {"end": day.isoformat()}, format="json")


def set_end(assignment, day) -> Assignment:
    Assignment.objects.filter(pk=assignment.pk).update(end=day)
    return Assignment.objects.get(pk=assignment.pk)


# --- A date in the past ------------------------------------------------------------------------------------


def test_the_page_refuses_a_last_day_in_the_past(client, world, staff, worker, today):
    client.force_login(staff)
    assignment = worker.assignments.get()
    yesterday = today - DAY
    response = end_page(client, assignment, yesterday)
    assert response.status_code == 200
    page = response.content.decode()
    assert "最后在岗日期不能早于今天" in page
    assert f'value="{yesterday.isoformat()}"' in page  # what was typed is kept
    assert Assignment.objects.get(pk=assignment.pk).end is None


def test_the_api_refuses_a_last_day_in_the_past(world, staff, worker, today):
    assignment = worker.assignments.get()
    answer = end_api(staff, assignment, today - DAY)
    assert answer.status_code == 400
    assert "最后在岗日期不能早于今天" in answer.json()["fields"]["end"][0]
    assert Assignment.objects.get(pk=assignment.pk).end is None


def test_today_and_later_are_accepted(client, world, staff, worker, colleague, today):
    client.force_login(staff)
    assert end_page(client, worker.assignments.get(), today).status_code == 302
    assert Assignment.objects.get(user=worker).end == today
    assert end_api(staff, colleague.assignments.get(), today + 30 * DAY).status_code == 200
    assert Assignment.objects.get(user=colleague).end == today + 30 * DAY


# --- Ended already -----------------------------------------------------------------------------------------


def test_an_ended_assignment_is_not_ended_again_on_the_page(client, world, staff, worker, today):
    client.force_login(staff)
    assignment = worker.assignments.get()
    assert end_page(client, assignment, today).status_code == 302
    for day in (today, today + DAY):
        response = end_page(client, assignment, day)
        assert response.status_code == 200
        assert "该岗位已于" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).end == today


def test_an_assignment_over_in_the_past_is_not_ended_earlier(client, world, staff, worker, today):
    assignment = set_end(worker.assignments.get(), today - 10 * DAY)  # as the admin recorded it
    client.force_login(staff)
    response = end_page(client, assignment, today - 20 * DAY)
    assert response.status_code == 200
    assert Assignment.objects.get(pk=assignment.pk).end == today - 10 * DAY
    answer = end_api(staff, assignment, today)
    assert answer.status_code == 409
    assert answer.json()["code"] == "already_ended"
    assert "该岗位已于" in answer.json()["message"]
    assert Assignment.objects.get(pk=assignment.pk).end == today - 10 * DAY


def test_the_api_refuses_to_end_twice(world, staff, worker, today):
    assignment = worker.assignments.get()
    assert end_api(staff, assignment, today + DAY).status_code == 200
    answer = end_api(staff, assignment, today + DAY)
    assert answer.status_code == 409
    assert Assignment.objects.get(pk=assignment.pk).end == today + DAY


def test_a_planned_last_day_may_be_brought_forward_not_back(world, staff, worker, today):
    """An assignment made with a last day still to come has not ended: it may end sooner (not earlier
    than today), and asking for the same or a later day is refused."""
    assignment = set_end(worker.assignments.get(), today + 60 * DAY)
    assert end_api(staff, assignment, today + 60 * DAY).status_code == 409
    assert end_api(staff, assignment, today + 90 * DAY).status_code == 409
    assert end_api(staff, assignment, today + 5 * DAY).status_code == 200
    assert Assignment.objects.get(pk=assignment.pk).end == today + 5 * DAY


# --- One's own -----------------------------------------------------------------------------------------------


def test_staff_do_not_end_their_own_assignment_on_the_page(client, world, staff, today):
    client.force_login(staff)
    assignment = staff.assignments.get()
    response = end_page(client, assignment, today)
    assert response.status_code == 200
    assert "不能结束自己的岗位" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).end is None
    assert client.get(reverse("reports:village-overview", args=[world.village.pk])).status_code == 200


def test_staff_do_not_end_their_own_assignment_over_the_api(world, staff, today):
    assignment = staff.assignments.get()
    answer = end_api(staff, assignment, today + DAY)
    assert answer.status_code == 400
    assert "不能结束自己的岗位" in answer.json()["message"]
    assert Assignment.objects.get(pk=assignment.pk).end is None


# --- The admin corrects history, audited -----------------------------------------------------------------


def test_the_admin_may_correct_the_past_and_it_is_audited(admin_client, world, worker, today):
    assignment = worker.assignments.get()
    last_day = today - 40 * DAY
    response = admin_client.post(
        reverse("admin:grids_assignment_change", args=[assignment.pk]),
        {
            "user": worker.pk,
            "role": assignment.role,
            "grid": world.grid1.pk,
            "start": assignment.start.isoformat(),
            "end": last_day.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Assignment.objects.get(pk=assignment.pk).end == last_day
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, model="grids.assignment", object_id=str(assignment.pk))
    assert entry.actor.username == "admin"
    assert entry.changes["end"] == [None, last_day.isoformat()]
