"""The demo grid worker on a 360×740 phone records three visits from the work list — two with the big
button, one with a dispute found — and the dispute becomes a case; the progress line moves by three."""

import re

import pytest
from django.conf import settings

from disputes.models import Case
from tests.browser.conftest import log_in
from visits.models import Visit

pytestmark = pytest.mark.browser


def _progress(page) -> tuple[int, int]:
    done, due = re.search(r"已走访 (\d+) / 应走访 (\d+)", page.locator(".progress-line").inner_text()).groups()
    return int(done), int(due)


def test_worker_records_three_visits_one_finding_a_dispute(seeded_registry, live_server, phone, output_dir):
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    assert phone.url.endswith("/field/")
    before = _progress(phone)
    phone.screenshot(path=str(output_dir / "field-work-list-before-360.png"), full_page=False)
    visits_before = Visit.objects.count()

    for _ in range(2):  # tap a household not yet visited, tap "visited, nothing found": two taps each
        phone.locator(".tap-list a[href*='/field/visit/household/']:not(.state-done)").first.click()
        phone.wait_for_load_state()
        phone.click("button[data-quick]")
        phone.wait_for_load_state()
        assert "已记录" in phone.locator(".messages").inner_text()

    phone.locator(".tap-list a[href*='/field/visit/household/']:not(.state-done)").first.click()
    phone.wait_for_load_state()
    phone.click(".visit-form details > summary")
    phone.select_option("#id_finding", "dispute")
    phone.select_option("#id_case_category", "dispute.neighbour")
    phone.fill("#id_note", "两户因宅前排水沟堵塞争吵，请村里调解")
    phone.screenshot(path=str(output_dir / "field-visit-dispute-360.png"), full_page=True)
    phone.click(".visit-form details button[type=submit]")
    phone.wait_for_load_state()
    message = phone.locator(".messages").inner_text()
    assert "并上报案件" in message

    after = _progress(phone)
    assert after[0] == before[0] + 3 and after[1] == before[1]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "field-work-list-after-360.png"), full_page=False)

    assert Visit.objects.count() == visits_before + 3
    case = Case.objects.get(visits__note__startswith="两户因宅前排水沟")
    assert (case.kind, case.category, case.source, case.state) == ("dispute", "dispute.neighbour", "visit", "reported")
    assert case.number in message
