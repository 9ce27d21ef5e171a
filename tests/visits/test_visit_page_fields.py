"""The visit page's fields rendered once per process, language and day (visits/views.py, _visit_fields): the
page is the one Django's widgets render, a posted form keeps what was posted, the day and the language are
their own, and a key person's team is never shared."""

from __future__ import annotations

import datetime
import re

from django.template.loader import render_to_string
from django.urls import reverse

from residents.models import KeyPersonResponsible
from visits import views
from visits.forms import VisitForm

TOKEN = re.compile(r'value="[0-9a-f-]{36}"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, url) -> str:
    return CSRF.sub("", TOKEN.sub("", client.get(url).content.decode()))


def _rendered_each_time(monkeypatch):
    monkeypatch.setattr(
        views,
        "_unbound_fields",
        lambda language, day, prefix: views._fields_parts(render_to_string(views.VISIT_FIELDS, {"form": VisitForm()})),
    )


def test_the_page_is_the_one_the_widgets_render(client, world, worker, monkeypatch):
    client.force_login(worker)
    for url in (
        reverse("visits:visit-new", args=["household", world.household1.pk]),
        reverse("visits:visit-new", args=["key_place", world.key_place1.pk]),
    ):
        views._unbound_fields.cache_clear()
        kept = _page(client, url)
        assert _page(client, url) == kept  # read from the process's copy
        with monkeypatch.context() as m:
            _rendered_each_time(m)
            assert _page(client, url) == kept
        assert 'name="finding"' in kept and 'name="reason"' in kept and 'name="visited_on"' in kept


def test_each_day_and_language_has_its_own_fields(client, world, worker, monkeypatch):
    client.force_login(worker)
    url = reverse("visits:visit-new", args=["household", world.household1.pk])
    today = datetime.date(2026, 12, 6)
    monkeypatch.setattr(views.timezone, "localdate", lambda *a: today)
    monkeypatch.setattr("visits.forms.timezone.localdate", lambda *a: today)
    assert 'value="2026-12-06"' in _page(client, url)
    today = datetime.date(2026, 12, 7)
    assert 'value="2026-12-07"' in _page(client, url)
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = _page(client, url)
    assert "发现情况" not in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "发现情况" in _page(client, url)


def test_a_posted_form_keeps_its_input_and_errors(client, world, worker):
    client.force_login(worker)
    url = reverse("visits:visit-new", args=["household", world.household1.pk])
    client.get(url)  # the unbound fields kept
    answer = client.post(url, {"token": "not-a-token", "done": "1", "note": "院墙开裂", "visited_on": "2026-13-40"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "院墙开裂" in page and 'value="2026-13-40"' in page and "field-error" in page


def test_a_key_persons_team_is_their_own(client, world, worker):
    """A level-3 patient's 四帮一 team is listed on their page only: never in the fields kept for others."""
    helper = KeyPersonResponsible.objects.create(key_person=world.key_person1, role="doctor", name="李医生")
    client.force_login(worker)
    household = reverse("visits:visit-new", args=["household", world.household1.pk])
    person = reverse("visits:visit-new", args=["key_person", world.key_person1.pk])
    client.get(household)
    assert "李医生" in _page(client, person) and f'value="{helper.pk}"' in client.get(person).content.decode()
    assert "李医生" not in _page(client, household)
