"""Co-governance in the monthly report: deliberations by step, projects, money spent and documents adopted in
the month, counted by each event's own date and frozen in the report's version."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from cogovernance import selectors, services
from cogovernance.models import AdoptedBy, DocumentKind, DocumentVersion, Progress, Project, Stage, VillageDocument
from reports import figures
from reports import services as report_services
from reports.models import ReportVersion
from tests.cogovernance.conftest import propose, to_stage

D = datetime.date


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _backdate_proposal(d, day: datetime.date) -> None:
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    d.events.filter(from_stage="").update(at=at)


def _version(doc, by, number, adopted_on, copies):
    return DocumentVersion.objects.create(
        document=doc,
        number=number,
        text="第一条 爱护环境。",
        adopted_on=adopted_on,
        adopted_by=AdoptedBy.VILLAGERS_MEETING,
        copies=copies,
        recorded_by=by,
    )


def _street_lights(world, staff):
    """Proposed 2 Mar 2026, published 10 Mar, meeting 12 Mar, resolved 17 Mar, two progress notes (one in
    March, one in April), closed 9 May; its project started in March, done in April; a square entered
    directly, done in March; the cleanliness convention adopted in March."""
    d = propose(world.village, staff)
    _backdate_proposal(d, D(2026, 3, 2))
    d = to_stage(d, Stage.IMPLEMENTING, staff, publish_on=D(2026, 3, 10))
    for noted_on, spent in ((D(2026, 3, 25), 120000), (D(2026, 4, 20), 80000)):
        services.progress_add(
            deliberation=d, by=staff, progress=Progress(noted_on=noted_on, text="安装", spent=Decimal(spent))
        )
    services.deliberation_close(deliberation=d, by=staff, note="完工", closed_on=D(2026, 5, 9))
    Project.objects.create(
        village=world.village,
        title="路灯",
        kind="lighting",
        quantity=187,
        unit="盏",
        deliberation=d,
        budget=200000,
        spent=200000,
        started_on=D(2026, 3, 20),
        done_on=D(2026, 4, 28),
        created_by=staff,
    )
    Project.objects.create(
        village=world.village,
        title="文化广场",
        kind="square",
        quantity=1,
        unit="个",
        budget=30000,
        spent=28000,
        started_on=D(2026, 2, 1),
        done_on=D(2026, 3, 30),
        created_by=staff,
    )
    doc = VillageDocument.objects.create(
        village=world.village, kind=DocumentKind.CONVENTION, title="村庄清洁公约", created_by=staff
    )
    _version(doc, staff, 1, D(2026, 3, 15), 1000)
    return d


def test_march_of_the_street_lights(world, staff, django_assert_num_queries):
    _street_lights(world, staff)
    with django_assert_num_queries(5):
        data = selectors.month_figures(world.village.pk, D(2026, 3, 1))
    assert data == {
        "deliberations": {"proposed": 1, "approved": 1, "published": 1, "meetings": 1, "resolved": 1, "closed": 0},
        "projects": {"started": 1, "done": 1},
        "spent": {"progress": "120000.00", "projects": "28000.00", "total": "148000.00"},
        "documents": {"adopted": 1, "copies": 1000},
    }
    april = selectors.month_figures(world.village.pk, D(2026, 4, 1))
    assert april["spent"]["total"] == "80000.00" and april["projects"] == {"started": 0, "done": 1}
    assert selectors.month_figures(world.village.pk, D(2026, 5, 1))["deliberations"]["closed"] == 1


def test_a_closed_month_does_not_change_when_records_are_added_for_other_months(world, staff, outsider):
    _street_lights(world, staff)
    march = selectors.month_figures(world.village.pk, D(2026, 3, 1))
    # Later: another topic proposed and taken to its resolution in a later month, a second version of the
    # convention, a project in another village; March stays.
    to_stage(propose(world.village, staff, title="修路"), Stage.RESOLVED, staff, publish_on=D(2026, 6, 1))
    _version(VillageDocument.objects.get(title="村庄清洁公约"), staff, 2, D(2026, 6, 15), 500)
    Project.objects.create(
        village=world.other_village, title="路", budget=1, started_on=D(2026, 3, 3), created_by=outsider
    )
    assert selectors.month_figures(world.village.pk, D(2026, 3, 1)) == march


def test_the_report_shows_cogovernance_and_keeps_it_frozen(world, staff, town, client):
    month = _last_month()
    d = propose(world.village, staff)
    _backdate_proposal(d, month)
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    client.force_login(staff)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'id="cogovernance"' in page and 'data-figure="cogov-proposed">1<' in page
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    frozen = ReportVersion.objects.get(report=report).figures["cogovernance"]
    assert frozen == figures.compute(world.village, month)["cogovernance"]
    client.force_login(town)
    for route in ("reports:report-detail", "reports:report-print"):
        page = client.get(reverse(route, args=[report.pk])).content.decode()
        assert 'data-figure="cogov-proposed">1<' in page, route


def test_a_version_frozen_before_the_section_still_shows(world, staff, client):
    month = _last_month()
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    version = ReportVersion.objects.get(report=report)
    version.figures.pop("cogovernance")
    version.save(update_fields=["figures"])
    client.force_login(staff)
    response = client.get(reverse("reports:report-detail", args=[report.pk]))
    assert response.status_code == 200 and 'id="cogovernance"' not in response.content.decode()
