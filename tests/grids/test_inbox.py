"""The inbox: a notice arrives once per occasion, opening it marks it read, the badge counts unread."""

from django.urls import reverse

from messaging.models import Notice
from messaging.services import notice_send


def test_the_same_occasion_is_delivered_once(world, worker, colleague):
    assert notice_send(recipients=[worker, colleague], key="k1", kind="case", title="t") == 2
    assert notice_send(recipients=[worker, colleague], key="k1", kind="case", title="t") == 0
    assert Notice.objects.filter(key="k1").count() == 2


def test_opening_marks_read_and_goes_to_the_link(client, world, worker):
    notice_send(recipients=[worker], key="k", kind="case", title="请签收", url="/field/")
    client.force_login(worker)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "请签收" in page and 'class="badge"' in page
    response = client.post(reverse("messaging:notice-open", args=[Notice.objects.get().pk]))
    assert response["Location"] == "/field/"
    assert Notice.objects.get().read_at is not None
    assert 'class="badge"' not in client.get(reverse("messaging:inbox")).content.decode()


def test_a_notice_never_sends_anyone_off_site(client, world, worker):
    notice = Notice.objects.create(recipient=worker, key="x", kind="case", title="t", url="https://evil.example/")
    client.force_login(worker)
    assert client.post(reverse("messaging:notice-open", args=[notice.pk]))["Location"] == reverse("messaging:inbox")
