"""Submitting a monthly report: never before its month has ended (its figures are frozen when it is
sent), and always after a confirmation page that shows what will be sent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import MonthlyReport, ReportVersion, State
from visits import due

THIS_MONTH = due.month_start(timezone.localdate())
LAST_MONTH = due.previous_month(timezone.localdate())


def _draft(world, staff, month):
    report = services.report_open(village=world.village, month=month, by=staff)
    return services.report_save(report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训")


def test_a_month_still_running_cannot_be_submitted(world, staff):
    report = _draft(world, staff, THIS_MONTH)
    with pytest.raises(ValidationError) as refused:
        services.report_submit(report=report, by=staff, revision=report.revision)
    assert refused.value.code == "month_not_ended"
    assert due.next_month(THIS_MONTH).isoformat() in refused.value.messages[0]
    assert not ReportVersion.objects.exists()
    assert MonthlyReport.objects.get().state == State.DRAFT


def test_it_can_be_submitted_from_the_first_day_of_the_next_month(world, staff):
    report = _draft(world, staff, LAST_MONTH)
    last_day = timezone.make_aware(
        datetime.datetime.combine(THIS_MONTH - datetime.timedelta(days=1), datetime.time(23))
    )
    with pytest.raises(ValidationError):
        services.report_submit(report=report, by=staff, revision=report.revision, at=last_day)
    first_day = timezone.make_aware(datetime.datetime.combine(THIS_MONTH, datetime.time(0, 5)))
    report = services.report_submit(report=report, by=staff, revision=report.revision, at=first_day)
    assert report.state == State.SUBMITTED


def test_the_page_offers_no_submit_button_while_the_month_runs(client, world, staff):
    report = _draft(world, staff, THIS_MONTH)
    client.force_login(staff)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'name="submit"' not in page and "data-month-running" in page
    assert 'name="save"' in page  # writing and saving go on
    data = {"revision": report.revision, "work_done": "走访", "problems": "", "next_plan": "培训", "submit": "1"}
    response = client.post(reverse("reports:report-save", args=[report.pk]), data)
    assert response.status_code == 400 and "还没有结束" in response.content.decode()
    response = client.post(reverse("reports:report-submit", args=[report.pk]), {"revision": report.revision})
    assert response.status_code == 302 and MonthlyReport.objects.get().state == State.DRAFT


def test_the_api_refuses_a_month_still_running(world, staff):
    from rest_framework.test import APIClient

    report = _draft(world, staff, THIS_MONTH)
    api = APIClient()
    api.force_authenticate(staff)
    response = api.post(reverse("api:report-submit", args=[report.pk]), {"revision": report.revision}, format="json")
    assert response.status_code == 400 and "还没有结束" in response.json()["message"]
    assert MonthlyReport.objects.get().state == State.DRAFT


def test_submitting_asks_first_and_shows_what_is_sent(client, world, staff):
    report = _draft(world, staff, LAST_MONTH)
    client.force_login(staff)
    data = {"revision": report.revision, "work_done": "走访", "problems": "", "next_plan": "培训", "submit": "1"}
    response = client.post(reverse("reports:report-save", args=[report.pk]), data)
    confirm = reverse("reports:report-submit", args=[report.pk])
    assert response.status_code == 302 and response["Location"] == confirm
    assert MonthlyReport.objects.get().state == State.DRAFT  # nothing sent yet
    page = client.get(confirm).content.decode()
    assert f"{LAST_MONTH:%Y-%m}" in page and 'data-figure="coverage"' in page and 'name="confirm"' in page
    report.refresh_from_db()
    response = client.post(confirm, {"revision": report.revision, "confirm": "1"})
    assert response["Location"] == reverse("reports:report-detail", args=[report.pk])
    assert MonthlyReport.objects.get().state == State.SUBMITTED
    assert ReportVersion.objects.count() == 1


def test_a_stale_confirmation_is_refused(client, world, staff):
    report = _draft(world, staff, LAST_MONTH)
    client.force_login(staff)
    stale = report.revision
    services.report_save(report=report, by=staff, revision=report.revision, work_done="改过", next_plan="培训")
    client.post(reverse("reports:report-submit", args=[report.pk]), {"revision": stale})
    assert MonthlyReport.objects.get().state == State.DRAFT
    client.post(reverse("reports:report-submit", args=[report.pk]), {"revision": "x"})
    assert MonthlyReport.objects.get().state == State.DRAFT


def test_only_the_village_staff_confirm(client, world, staff, town, outsider, worker):
    report = _draft(world, staff, LAST_MONTH)
    url = reverse("reports:report-submit", args=[report.pk])
    for user, status in ((town, 403), (outsider, 404), (worker, 404)):
        client.force_login(user)
        assert client.post(url, {"revision": report.revision}).status_code == status
    assert MonthlyReport.objects.get().state == State.DRAFT
