"""A Party member on a phone (360×740) records a contact with one of their households in one tap; a double
tap records it once; the list shows it done this month (docs/party.md)."""

import pytest
from django.conf import settings
from django.utils import timezone

from party import selectors
from party.models import Contact
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_member_records_a_contact_in_one_tap(seeded_registry, live_server, phone, output_dir):
    log_in(phone, live_server, "member", settings.DEMO_PASSWORD)
    assert phone.url.endswith("/field/party/")  # a member's home is their contact households
    assert phone.locator(".field-bar .brand").inner_text() == "我的联系户"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "party-field-contacts-360.png"), full_page=True)
    from grids.models import User

    member = selectors.member_for_user(User.objects.get(username="member"))
    todo = next(h for h in selectors.member_contact_households(member) if h.contacted_on is None)
    before = Contact.objects.filter(member=member).count()
    row = phone.locator(f"#h-{todo.pk}")
    row.locator("input[name=note]").fill("家中一切正常")
    row.locator("button[type=submit]").dblclick()  # a double tap
    phone.wait_for_load_state()
    phone.locator(f"#h-{todo.pk} .badge.state-done").wait_for()
    assert Contact.objects.filter(member=member).count() == before + 1
    contact = Contact.objects.filter(member=member).latest("pk")
    assert (contact.household_id, contact.note, contact.contacted_on) == (todo.pk, "家中一切正常", timezone.localdate())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "party-field-contact-recorded-360.png"), full_page=True)
