"""Village staff on a desktop: a key person's page with their visits, what is due, attempts and cases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.services import PartyInput
from residents.models import KeyPersonResponsible, ResponsibleRole
from tests.browser.conftest import DESKTOP, log_in
from tests.conftest import PASSWORD, make_case
from visits.models import Finding, NotPossibleReason, Outcome, Subject, Visit

pytestmark = pytest.mark.browser


def test_key_person_page_with_visits(transactional_db, world, worker, staff, live_server, browser, output_dir):
    kp = world.key_person1
    team = [
        KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.DOCTOR, name="王医生"),
        KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.POLICE, name="赵警官"),
        KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.GUARDIAN, name="张大"),
    ]
    today = timezone.localdate()
    for days, extra in [
        (3, {"outcome": Outcome.NOT_POSSIBLE, "reason": NotPossibleReason.AWAY, "note": "去县城复诊"}),
        (9, {"finding": Finding.INFO_CHANGED, "note": "按时服药，情绪稳定"}),
        (23, {}),
        (37, {"outcome": Outcome.NOT_POSSIBLE, "reason": NotPossibleReason.REFUSED}),
        (40, {"finding": Finding.DISPUTE}),
    ]:
        day = today - datetime.timedelta(days=days)
        visit = Visit.objects.create(
            worker=worker,
            subject=Subject.KEY_PERSON,
            key_person=kp,
            village=world.village,
            grid=world.grid1,
            micro_grid=world.micro1,
            visited_on=day,
            month=day.replace(day=1),
            **extra,
        )
        if extra.get("outcome") != Outcome.NOT_POSSIBLE:
            visit.team.set(team)
    make_case(world, worker, title="院墙倒塌纠纷", household=world.household1)
    make_case(world, worker, title="借款纠纷", parties=[PartyInput(role="respondent", resident=world.resident1)])

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live_server, "staff", PASSWORD)
        page.goto(live_server.url + reverse("residents:keyperson-detail", args=[kp.pk]))
        assert "走访情况" in page.locator("#care h2").inner_text()
        assert page.locator("[data-care=history] tbody tr").count() == 5
        assert "王医生" in page.locator("[data-care=history]").inner_text()
        assert "院墙倒塌纠纷" in page.locator("#cases").inner_text()
        page.screenshot(path=str(output_dir / "key-person-care-desktop.png"), full_page=True)
    finally:
        context.close()
