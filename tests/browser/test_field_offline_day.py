"""The rest of the offline field view's acceptance (README, "Offline field view") on a 360×740 phone:
ten visits recorded without signal in a browser profile that is closed and opened again while still
offline arrive once each, photos intact; the work list's progress counts what waits on the phone; a sync
cut off half-way (the server saved a visit, the phone never heard back) ends with nothing twice and
nothing missing."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.utils import timezone
from PIL import Image

from grids import access
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in
from tests.browser.test_field_offline import _back_on_the_list, _household_id, _waiting
from tests.conftest import png_bytes
from visits import due, services
from visits.models import Visit

pytestmark = pytest.mark.browser

OPEN_ROWS = ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)"


def _line(page) -> tuple[int, int]:
    """The work list's line "本月的户（已走访 X / N）" as shown: (X, N)."""
    text = page.locator(".card h2", has_text="本月的户").inner_text()
    done, due = re.fullmatch(r"本月的户（已走访 (\d+) / (\d+)）", text).groups()
    return int(done), int(due)


def _top(page) -> tuple[int, int, int]:
    """The progress card at the top: everything visited, households visited, the progress bar's value."""
    total = re.search(r"已走访 (\d+) / 应走访", page.locator(".progress-line").inner_text()).group(1)
    households = re.match(r"户 (\d+)/", page.locator(".progress-card .small").inner_text()).group(1)
    return int(total), int(households), int(page.locator(".progress-card progress").get_attribute("value") or 0)


def _open(playwright, profile, offline=False):
    """The phone's browser on its profile; ``offline`` from its first moment (a tab the profile restores
    must not reach the server before the test takes the signal away)."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        service_workers="allow",
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        offline=offline,
        **PHONE,
    )


def _record(page, live_server, href, photo=None):
    page.goto(f"{live_server.url}{href}")
    if photo is None:
        page.click("button[data-quick]")
    else:
        page.click(".visit-form details > summary")
        page.set_input_files("#id_photos", str(photo))
        page.click("button[name=done]")
    page.wait_for_url(_back_on_the_list)


def test_ten_visits_survive_a_closed_browser_offline(seeded_registry, live_server, playwright, output_dir, tmp_path):
    profile = tmp_path / "profile"
    served_while_offline: list[str] = []
    offline = {"on": False}

    def on_request(sender, environ, **kwargs):
        # What the phone sends: a visit is a POST. A GET check-in (/field/offline-manifest.json) started just
        # before the signal went may still arrive under load; that the service worker itself is cut off is
        # shown by tests/browser/test_field_offline.py, which counts every request.
        if offline["on"] and environ.get("REQUEST_METHOD") != "GET":
            served_while_offline.append(environ.get("PATH_INFO", ""))

    request_started.connect(on_request, weak=False)
    context = _open(playwright, profile)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        assert page.url == f"{live_server.url}/field/"
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        hrefs = page.eval_on_selector_all(OPEN_ROWS, "links => links.map(a => a.getAttribute('href'))")[:10]
        assert len(hrefs) == 10
        households = [_household_id(h) for h in hrefs]
        done, due = _line(page)
        assert done + 10 <= due
        top = _top(page)
        assert top[1] == done
        plus_ten = tuple(n + 10 for n in top)
        for href in hrefs:  # each visit page is kept on the phone as it is opened
            page.goto(f"{live_server.url}{href}")
        # The page checks in with the server when it opens: let that finish before the signal goes.
        with page.expect_response(lambda r: "/field/offline-manifest.json" in r.url, timeout=20000):
            page.goto(f"{live_server.url}/field/")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        context.set_offline(True)
        offline["on"] = True
        photos = []
        for i, size in enumerate([(3000, 1200), (1200, 1600)]):
            photos.append(tmp_path / f"door{i}.png")
            photos[-1].write_bytes(png_bytes(size))
        for i, href in enumerate(hrefs):
            _record(page, live_server, href, photos[i // 5] if i in (2, 7) else None)
        page.reload()
        assert _waiting(page) == "10 条待上传"
        # The progress line counts the ten waiting on the phone; their rows say 待上传.
        assert _line(page) == (done + 10, due)
        assert page.evaluate("document.querySelector('.progress-card progress').value") == plus_ten[2]
        assert _top(page)[:2] == plus_ten[:2]
        assert page.locator(".tap-list .queue-mark").count() == 10

        # The browser is closed and opened again, still without signal.
        context.close()
        context = _open(playwright, profile, offline=True)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{live_server.url}/field/")
        page.locator("[data-sync-count]").wait_for(state="visible", timeout=10000)
        assert _waiting(page) == "10 条待上传"
        assert _line(page) == (done + 10, due)
        assert _top(page)[:2] == plus_ten[:2]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(output_dir / "field-offline-reopened-360.png"))
        assert not Visit.objects.filter(pk__gt=last_pk).exists()
        assert served_while_offline == [], served_while_offline

        offline["on"] = False
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=60000
        )
        new = list(Visit.objects.filter(pk__gt=last_pk).order_by("pk"))
        assert sorted(v.household_id for v in new) == sorted(households)  # ten, each once
        assert all(v.outcome == "done" for v in new)
        with_photos = [v for v in new if v.photos.exists()]
        assert sorted(v.household_id for v in with_photos) == sorted([households[2], households[7]])
        for visit in with_photos:
            (photo,) = visit.photos.all()
            data = photo.image.read()
            assert len(data) > 0
            image = Image.open(io.BytesIO(data))
            image.load()
            assert max(image.size) <= 2048 and (image.width, image.height) == (photo.width, photo.height)
        page.reload()  # the server now counts them; the phone adds nothing on top
        assert _waiting(page) == "" or page.locator("[data-sync-count]").get_attribute("data-waiting") == "0"
        assert _line(page) == (done + 10, due)
        assert _top(page) == plus_ten
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(output_dir / "field-offline-reopened-synced-360.png"))
    finally:
        request_started.disconnect(on_request)
        context.close()


def test_a_sync_cut_off_half_way_records_each_visit_once(seeded_registry, live_server, browser, output_dir):
    """The server saves the 2nd visit but its answer never reaches the phone (the line drops): the phone
    sends it again with the same token, and the server records it once."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        hrefs = page.eval_on_selector_all(OPEN_ROWS, "links => links.map(a => a.getAttribute('href'))")[:5]
        households = [_household_id(h) for h in hrefs]
        done, due = _line(page)
        for href in hrefs:
            page.goto(f"{live_server.url}{href}")
        page.goto(f"{live_server.url}/field/")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        context.set_offline(True)
        for href in hrefs:
            _record(page, live_server, href)
        page.reload()
        assert _waiting(page) == "5 条待上传"

        posts: list[str] = []
        let_through = {"on": False}

        def visit_posts(route):
            request = route.request
            if request.method != "POST" or let_through["on"]:
                route.continue_()
                return
            posts.append(request.url)
            if len(posts) == 2:
                route.fetch()  # the server saves it ...
                route.abort("connectionreset")  # ... and the phone never hears back
            elif len(posts) <= 3:
                route.continue_()
            else:
                route.abort("internetdisconnected")

        page.route("**/field/visit/household/**", visit_posts)
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '4'", timeout=30000
        )
        # The 1st arrived; the 2nd is on the server although the phone keeps it; the queue stops there, in order.
        saved = list(Visit.objects.filter(pk__gt=last_pk).order_by("pk").values_list("household_id", flat=True))
        assert saved == households[:2]
        assert len(posts) == 2

        let_through["on"] = True
        page.evaluate("() => window.dispatchEvent(new Event('online'))")  # as when the signal comes back
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=30000
        )
        saved = list(Visit.objects.filter(pk__gt=last_pk).order_by("pk").values_list("household_id", flat=True))
        assert saved == households  # all five, none twice, in the order recorded
        # The page opened before they were sent still counts them once sent, as the server now does.
        assert _line(page) == (done + 5, due)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(output_dir / "field-offline-cut-off-360.png"))
    finally:
        context.close()


def _small(page) -> dict[str, int]:
    """The card's line "户 a/b · 重点人员 c/d · 场所 e/f": the figures visited, by name."""
    text = page.locator(".progress-card .small").inner_text()
    h, k, p = re.match(r"户 (\d+)/\d+ · 重点人员 (\d+)/\d+ · 场所 (\d+)/\d+", text).groups()
    return {"households": int(h), "key_persons": int(k), "key_places": int(p)}


def test_queued_visits_to_a_key_person_and_a_key_place_count_as_the_server_will(
    seeded_registry, live_server, browser, output_dir
):
    """Offline: a key person due twice with one visit done gets the second one queued (重点人员 +1), and a
    second visit queued adds nothing (beyond what is due); a key place's queued visit counts once, however
    many wait for it; the top card goes up by exactly these two."""
    worker = get_user_model().objects.get(username="worker")
    grid_ids = sorted(access.scope_for(worker).grid_ids)
    today = timezone.localdate()
    month = due.month_start(today)
    twice = next(k for k in due.key_persons_due(grid_ids, month, today) if k.needed == 2 and not k.done)
    if twice.done_in_month == 0:  # one of the two done already: the queued one is the second
        services.visit_record(worker=worker, target=twice.key_person)
    twice = twice.key_person
    place = due.key_places_to_visit(grid_ids, month).first()
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        person_href = f"/field/visit/key_person/{twice.pk}/"
        place_href = f"/field/visit/key_place/{place.pk}/"
        assert page.locator(f"a[href^='{person_href}']").count() == 1
        assert page.locator(f"a[href^='{place_href}']").count() == 1
        before, top = _small(page), _top(page)
        for href in (person_href, place_href):  # each visit page is kept on the phone as it is opened
            page.goto(f"{live_server.url}{href}")
        # The page checks in with the server when it opens: let that finish before the signal goes.
        with page.expect_response(lambda r: "/field/offline-manifest.json" in r.url, timeout=20000):
            page.goto(f"{live_server.url}/field/")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        context.set_offline(True)
        _record(page, live_server, person_href)
        _record(page, live_server, place_href)
        page.reload()
        assert _waiting(page) == "2 条待上传"
        after = _small(page)
        assert after == {**before, "key_persons": before["key_persons"] + 1, "key_places": before["key_places"] + 1}
        assert _top(page) == (top[0] + 2, top[1], top[2] + 2)

        # A second visit to the same key place, and a third to the key person: nothing more is due.
        _record(page, live_server, place_href)
        _record(page, live_server, person_href)
        page.reload()
        assert _waiting(page) == "4 条待上传"
        assert _small(page) == after
        assert _top(page) == (top[0] + 2, top[1], top[2] + 2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(output_dir / "field-offline-key-queued-360.png"))
        assert not Visit.objects.filter(pk__gt=last_pk).exists()

        # Once sent, the server counts them the same way.
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=60000
        )
        page.reload()
        assert _small(page) == after
        assert _top(page) == (top[0] + 2, top[1], top[2] + 2)
    finally:
        context.close()


def test_a_refused_visit_opens_again_as_it_was_filled_and_replaces_itself(
    seeded_registry, live_server, browser, output_dir, tmp_path
):
    """A visit kept offline with a finding, a note, a photo and a date typed one day ahead: the server
    refuses it ("走访日期不能晚于今天"). 重新填写 opens the form as the worker filled it, photo included, with
    the reason; the worker corrects the date and saves; one visit arrives, the refused one is gone."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    photo = tmp_path / "wall.png"
    photo.write_bytes(png_bytes((1200, 900)))
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        href = page.locator(OPEN_ROWS).first.get_attribute("href")
        page.goto(f"{live_server.url}{href}")
        page.goto(f"{live_server.url}/field/")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

        context.set_offline(True)
        page.goto(f"{live_server.url}{href}")
        page.click(".visit-form details > summary")
        page.select_option("#id_finding", "hazard")
        page.select_option("#id_case_category", index=1)
        category = page.input_value("#id_case_category")
        page.fill("#id_note", "院墙开裂，有倒塌危险")
        page.fill("#id_visited_on", tomorrow)
        page.set_input_files("#id_photos", str(photo))
        page.click("button[name=done]")
        page.wait_for_url(_back_on_the_list)
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').textContent.includes('1 条被退回')", timeout=30000
        )
        assert not Visit.objects.filter(pk__gt=last_pk).exists()

        page.goto(f"{live_server.url}/field/queue/")
        item = page.locator(".queue-item[data-state=refused]")
        item.first.wait_for(timeout=10000)
        assert "走访日期不能晚于今天" in item.locator("[data-reason]").inner_text()
        item.get_by_role("button", name="重新填写").click()
        page.locator("[data-redo-reason]").wait_for(timeout=10000)
        assert "走访日期不能晚于今天" in page.locator("[data-redo-reason]").inner_text()
        assert page.input_value("#id_finding") == "hazard"
        assert page.input_value("#id_case_category") == category
        assert page.input_value("#id_note") == "院墙开裂，有倒塌危险"
        assert page.input_value("#id_visited_on") == tomorrow
        assert page.evaluate("document.querySelector('#id_photos').files.length") == 1
        assert page.locator(".visit-form details").get_attribute("open") is not None
        page.screenshot(path=str(output_dir / "field-offline-redo-360.png"), full_page=True)

        page.fill("#id_visited_on", timezone.localdate().isoformat())
        page.click("button[name=done]")
        page.wait_for_url(_back_on_the_list)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=30000
        )
        assert page.locator("[data-sync-count]").inner_text() == ""  # nothing refused is left
        (visit,) = Visit.objects.filter(pk__gt=last_pk)
        assert visit.household_id == _household_id(href)
        assert (visit.finding, visit.note, visit.visited_on) == ("hazard", "院墙开裂，有倒塌危险", timezone.localdate())
        assert visit.photos.count() == 1
    finally:
        context.close()
