"""A day without signal on a 360×740 phone: the demo grid worker opens /field/ (the service worker keeps the
pages of their grids), loses the network, records five visits (one with a photo, two in one household),
reloads — the page still opens and says "5 条待上传" — and when the signal is back exactly those visits arrive, once each; the one
whose household was archived meanwhile stays on the phone, refused, with the reason. Every request the
pages and the service worker made went to this server."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.signals import request_started
from django.utils import timezone

from residents.models import Household
from tests.browser.conftest import PHONE, log_in
from tests.conftest import png_bytes
from visits.models import Visit

pytestmark = pytest.mark.browser


def _household_id(href: str) -> int:
    return int(urlparse(href).path.rstrip("/").rsplit("/", 1)[1])


def _back_on_the_list(url: str) -> bool:
    path = urlparse(url).path
    return path.startswith("/field/") and not path.startswith("/field/visit/")


def _session_ends(context) -> None:
    """The idle time-out: the server forgets the session and the browser's cookie goes. Clearing the cookie
    alone is not enough: a page the phone was fetching in the background (kept for offline use) answers
    after it with the session cookie set again (the idle expiry moved on, ``core/sessions.py``)."""
    Session.objects.all().delete()
    context.clear_cookies()


# How many visits wait in the phone's IndexedDB, asked from any page of the site (no idb library needed).
_KEPT_VISITS = """() => new Promise(done => {
    const open = indexedDB.open('field-queue');
    open.onsuccess = () => {
        const count = open.result.transaction('visits').objectStore('visits').count();
        count.onsuccess = () => { open.result.close(); done(count.result); };
    };
})"""


def _waiting(page) -> str:
    """The header's count, once the page's script has read the phone's queue (it marks ``data-waiting``)."""
    page.wait_for_selector("[data-sync-count][data-waiting]", state="attached", timeout=20000)
    return page.locator("[data-sync-count]").inner_text()


def test_visits_recorded_without_signal_arrive_once(
    seeded_registry, live_server, browser, output_dir, tmp_path, settings
):
    settings.FIELD_WARM_PAGES = True
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    served_while_offline: list[str] = []
    offline = {"on": False}

    def on_request(sender, environ, **kwargs):
        if offline["on"]:
            served_while_offline.append(environ.get("PATH_INFO", ""))

    request_started.connect(on_request, weak=False)
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        assert page.url == f"{live_server.url}/field/"
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        # The phone keeps the pages of the worker's grids (the work list's visit pages among them).
        page.wait_for_function("() => document.documentElement.dataset.fieldWarmed", timeout=180000)
        hrefs = page.eval_on_selector_all(
            ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)",
            "links => links.map(a => a.getAttribute('href'))",
        )[:4]
        assert len(hrefs) == 4
        households = [_household_id(h) for h in hrefs]
        visits_before = Visit.objects.count()
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        context.set_offline(True)
        # A check-in the page started just before may still arrive: what counts is what starts offline.
        page.wait_for_timeout(1500)
        offline["on"] = True

        # 1: the big button.
        page.goto(f"{live_server.url}{hrefs[0]}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        assert "已存入手机" in page.locator(".messages").inner_text()
        # 2: not possible, with a reason.
        page.goto(f"{live_server.url}{hrefs[1]}")
        page.select_option("#id_reason", index=1)
        page.click("button[name=not_possible]")
        page.wait_for_url(_back_on_the_list)
        # 3: with a photo.
        photo = tmp_path / "door.png"
        photo.write_bytes(png_bytes((3000, 1200)))  # a phone camera's size
        page.goto(f"{live_server.url}{hrefs[2]}")
        page.click(".visit-form details > summary")
        page.set_input_files("#id_photos", str(photo))
        page.fill("#id_note", "门牌已更换")
        page.click("button[name=done]")
        page.wait_for_url(_back_on_the_list)
        # The photo waits on the phone made small: JPEG, the longest side 2048 px.
        kept = page.evaluate(
            """async () => {
                const db = await idb.openDB("field-queue");
                for (const visit of await db.getAll("visits"))
                    for (const [name, value] of visit.fields)
                        if (value instanceof Blob) {
                            const bitmap = await createImageBitmap(value);
                            return [name, value.type, bitmap.width, bitmap.height];
                        }
                return null;
            }"""
        )
        assert kept == ["photos", "image/jpeg", 2048, 819]
        # 2 again, later that day: someone is home now. The kept page is the same page, with the token it
        # was first loaded with; the phone gives this visit a token of its own, so both arrive.
        page.goto(f"{live_server.url}{hrefs[1]}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        # 4: the big button, for a household the village archives before the phone has signal again.
        page.goto(f"{live_server.url}{hrefs[3]}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        Household.objects.filter(pk=households[3]).update(archived_at=timezone.now())

        page.reload()
        assert page.locator(".progress-line").count() == 1  # the work list, from the phone
        assert _waiting(page) == "5 条待上传"
        assert page.locator("[data-sync-offline]").is_visible()
        assert page.locator(".tap-list .queue-mark").count() >= 1  # rows of queued households say 待上传
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("() => window.scrollTo(0, 0)")  # the list opens at the row; the header at the top
        page.screenshot(path=str(output_dir / "field-offline-waiting-360.png"))
        assert Visit.objects.count() == visits_before
        assert served_while_offline == [], served_while_offline

        offline["on"] = False
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=60000
        )
        assert _waiting(page) == "1 条被退回"
        assert "上次同步" in page.locator("[data-sync-time]").inner_text()
        # One line for what went in the background, not a banner per visit on the next page.
        assert page.locator(".messages .msg").all_inner_texts() == ["已上传 4 条走访。"]

        new = list(Visit.objects.filter(pk__gt=last_pk).order_by("pk"))  # in the order recorded
        # Once each, the revisit too; not the archived one.
        assert sorted(v.household_id for v in new) == sorted([*households[:3], households[1]])
        by_household = {v.household_id: v for v in new if v.outcome == "done"}
        assert by_household[households[0]].outcome == "done"
        assert [v.outcome for v in new if v.household_id == households[1]] == ["not_possible", "done"]
        assert by_household[households[2]].photos.count() == 1
        assert all(v.visited_on == timezone.localdate() for v in new)

        page.reload()  # sending again (a reload, the timer) records nothing twice
        page.wait_for_timeout(1500)
        assert Visit.objects.count() == visits_before + 4
        assert page.locator(".messages").count() == 0  # the server kept no message for the queue's posts
        page.evaluate("() => window.scrollTo(0, 0)")  # the list opens at the row; the header at the top
        page.screenshot(path=str(output_dir / "field-offline-synced-360.png"))

        page.goto(f"{live_server.url}/field/queue/")
        item = page.locator(".queue-item[data-state=refused]")
        item.first.wait_for(timeout=10000)  # the page fills the list from the phone's storage
        assert item.count() == 1
        assert item.locator("[data-reason]").inner_text()
        page.screenshot(path=str(output_dir / "field-offline-refused-360.png"), full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        item.locator("[data-discard]").click()
        page.wait_for_selector(".queue-item", state="detached")

        host = urlparse(live_server.url).netloc
        elsewhere = {
            url for url in seen if urlparse(url).scheme not in ("data", "blob") and urlparse(url).netloc != host
        }
        assert seen and not elsewhere, elsewhere
        assert any(url.endswith("/sw.js") for url in seen)
    finally:
        request_started.disconnect(on_request)
        context.close()


def test_a_visit_waits_through_an_ended_session_and_a_new_worker_version(
    seeded_registry, live_server, browser, output_dir, monkeypatch
):
    """The session ends (idle time-out) while a visit waits: it stays, the header asks to log in again, and
    after the login (which returns to /field/) it is sent. A new service-worker version meanwhile keeps it:
    the queue is in IndexedDB, which no version of the worker deletes."""
    from visits import offline

    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    checks: list[int] = []
    context.on("response", lambda r: "/field/device-check/" in r.url and checks.append(r.status))
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        href = page.locator(
            ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)"
        ).first.get_attribute("href")
        household = _household_id(href)
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page.goto(f"{live_server.url}{href}")  # kept on the phone as it is opened
        page.goto(f"{live_server.url}/field/")
        # A day without signal: the session ends meanwhile (SESSION_IDLE_MINUTES).
        context.set_offline(True)
        _session_ends(context)
        page.goto(f"{live_server.url}{href}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        context.set_offline(False)
        login = page.locator("[data-sync-login]")
        login.wait_for(state="visible", timeout=20000)
        assert _waiting(page) == "1 条待上传"
        assert not Visit.objects.filter(pk__gt=last_pk).exists()
        # The phone asked whether its data must go (an idle time-out: no) and kept everything.
        assert checks and set(checks) == {200}
        assert page.evaluate("document.documentElement.dataset.fieldWiped") is None
        page.screenshot(path=str(output_dir / "field-offline-login-again-360.png"))

        # A new version of the service worker (a static file changed): installed, active, the visit still waits.
        old = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).active.scriptURL")
        before = page.request.get(f"{live_server.url}/sw.js").text()
        monkeypatch.setattr(offline, "_revision", lambda name: "a-new-version")
        assert page.request.get(f"{live_server.url}/sw.js").text() != before
        replaced = page.evaluate(
            """async () => {
                const registration = await navigator.serviceWorker.getRegistration();
                const before = registration.active;
                await registration.update();
                const next = registration.installing || registration.waiting;
                if (next && next.state !== "activated")
                    await new Promise(done => next.addEventListener("statechange", () => next.state === "activated" && done()));
                return registration.active !== before && registration.active.state === "activated";
            }"""
        )
        assert old.endswith("/sw.js") and replaced
        assert page.evaluate("async () => (await (await idb.openDB('field-queue')).getAll('visits')).length") == 1

        login.click()
        page.fill("#id_username", "worker")
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(_back_on_the_list)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=30000
        )
        assert [v.household_id for v in Visit.objects.filter(pk__gt=last_pk)] == [household]

        # Logging out leaves nothing of the registry on the phone: no kept pages, no queue, no worker.
        assert page.evaluate("async () => (await caches.keys()).length") > 0
        page.click("form[data-logout] button")
        page.wait_for_url("**/accounts/login/**")
        left = page.evaluate(
            """async () => [
                (await caches.keys()).length,
                (await indexedDB.databases()).map(d => d.name),
                (await navigator.serviceWorker.getRegistrations()).length,
            ]"""
        )
        assert left == [0, [], 0]
    finally:
        context.close()


_LEFT_ON_THE_PHONE = """async () => [
    (await caches.keys()).length,
    (await indexedDB.databases()).map(d => d.name),
    (await navigator.serviceWorker.getRegistrations()).length,
]"""
_HAS_DEVICE_KEY = """async () => {
    const db = await idb.openDB('field-queue');
    const device = await db.get('meta', 'device');
    db.close();
    return Boolean(device && device.key);
}"""


def test_a_password_reset_wipes_the_phone_at_its_next_contact(seeded_registry, live_server, browser, output_dir):
    """The worker keeps the field view and a visit waits offline; meanwhile the admin resets the worker's
    password (which ends the session). Back online, the phone asks /field/device-check/ with its key and
    wipes: no kept pages, no queue, no service worker, and a message says why. The visit is not sent."""
    from grids.models import User

    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        href = page.locator(
            ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)"
        ).first.get_attribute("href")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page.goto(f"{live_server.url}{href}")  # kept on the phone as it is opened
        page.goto(f"{live_server.url}/field/")
        for _ in range(100):  # the page keeps the device key the offline manifest handed out
            if page.evaluate(_HAS_DEVICE_KEY):
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError("the phone kept no device key")

        context.set_offline(True)
        page.goto(f"{live_server.url}{href}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        assert _waiting(page) == "1 条待上传"
        assert page.evaluate(_LEFT_ON_THE_PHONE)[0] > 0

        # The admin resets the password (the admin's reset does just this): the session ends with it.
        worker = User.objects.get(username="worker")
        worker.set_password("Kq7!rain-field-42")
        worker.must_change_password = True
        worker.save()

        context.set_offline(False)
        message = page.locator("article[data-field-wiped]")
        message.wait_for(state="visible", timeout=20000)
        assert "手机上的数据已清除" in message.inner_text()
        assert page.locator(".tap-list").count() == 0  # the names on the screen went too
        page.screenshot(path=str(output_dir / "field-wiped-after-reset-360.png"))
        assert page.evaluate(_LEFT_ON_THE_PHONE) == [0, [], 0]
        assert not Visit.objects.filter(pk__gt=last_pk).exists()
    finally:
        context.close()


def test_an_assignment_over_the_same_day_wipes_the_phone_at_the_next_contact(seeded_registry, live_server, browser):
    """The last assignment ended yesterday and the nightly job has not yet ended the session: the phone's
    next contact (opening the field view) answers 403 and empties it."""
    from grids.models import Assignment, User

    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        page.wait_for_function("() => document.documentElement.dataset.fieldWarmed !== undefined", timeout=30000)
        assert page.evaluate(_LEFT_ON_THE_PHONE)[0] > 0
        worker = User.objects.get(username="worker")
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Assignment.objects.filter(user=worker).update(end=yesterday)  # the day passed: nothing was saved
        response = page.goto(f"{live_server.url}/field/")
        assert response.status == 403
        assert "岗位已结束" in page.inner_text("main")
        for _ in range(50):
            left = page.evaluate(_LEFT_ON_THE_PHONE)
            if left == [0, [], 0]:
                break
            page.wait_for_timeout(200)
        assert left == [0, [], 0]
    finally:
        context.close()


def test_a_signal_that_returns_slowly_is_tried_again_within_seconds(seeded_registry, live_server, browser):
    """The "online" event often comes before the connection carries anything: the first contacts fail. The
    phone tries again after 2, 4, 8 and 16 s, so the visit arrives within seconds, not at the next
    half-minute round."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    failed: list[str] = []
    cut = {"left": 0}

    def flaky(route):
        if cut["left"]:
            cut["left"] -= 1
            failed.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        href = page.locator(
            ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)"
        ).first.get_attribute("href")
        page.goto(f"{live_server.url}{href}")
        page.goto(f"{live_server.url}/field/")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        context.set_offline(True)
        page.goto(f"{live_server.url}{href}")
        page.click("button[data-quick]")
        page.wait_for_url(_back_on_the_list)
        assert _waiting(page) == "1 条待上传"
        context.route("**/field/offline-manifest.json*", flaky)
        cut["left"] = 2  # the page's contact and the send's session check both find no connection
        context.set_offline(False)
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=15000
        )
        assert len(failed) == 2
        assert [v.household_id for v in Visit.objects.filter(pk__gt=last_pk)] == [_household_id(href)]
    finally:
        context.close()


def test_a_session_that_expires_between_two_visits_loses_no_tap(seeded_registry, live_server, browser):
    """Online all along: the first visit is recorded; the session then ends (30 idle minutes); the second
    tap is kept on the phone, not sent to the login page; after the login (back on /field/) it is sent once."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        rows = page.locator(".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)")
        first, second = rows.nth(0).get_attribute("href"), rows.nth(1).get_attribute("href")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page.goto(f"{live_server.url}{first}")
        page.click("button[data-quick]")
        page.locator(".messages", has_text="已记录").wait_for(timeout=20000)

        page.goto(f"{live_server.url}{second}")
        page.wait_for_selector("form.visit-form[data-queue=ready]")
        _session_ends(context)  # while the form is open
        page.click("button[data-quick]")
        page.wait_for_url(lambda url: "/accounts/login/" in url and "kept=1" in url)
        assert "刚才的走访已存在手机上" in page.locator("[data-kept]").inner_text()
        assert [v.household_id for v in Visit.objects.filter(pk__gt=last_pk)] == [_household_id(first)]
        assert page.evaluate(_KEPT_VISITS) == 1  # on the phone, waiting

        page.fill("#id_username", "worker")
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: url.endswith(f"/field/#h-{_household_id(second)}"))  # back at the row
        page.wait_for_function(
            "() => document.querySelector('[data-sync-count]').dataset.waiting === '0'", timeout=30000
        )
        page.reload()
        page.wait_for_timeout(1000)
        households = [v.household_id for v in Visit.objects.filter(pk__gt=last_pk).order_by("pk")]
        assert households == [_household_id(first), _household_id(second)]
    finally:
        context.close()


def test_a_visit_sent_with_a_stale_page_token_asks_for_a_fresh_one_and_goes_once(
    seeded_registry, live_server, browser, settings
):
    """Online, the visit goes at once with the form's own CSRF token (a round trip less on a slow line). A
    page whose token no longer holds (the CSRF cookie changed since it was loaded) is refused with a 403:
    the phone asks for a fresh token and sends the same visit again, once."""
    settings.FIELD_WARM_PAGES = False  # no page fetched in the background answers with the old cookie again
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    posts: list[int] = []
    context.on("response", lambda r: r.request.method == "POST" and "/field/visit/" in r.url and posts.append(r.status))
    try:
        page = context.new_page()
        log_in(page, live_server, "worker", settings.DEMO_PASSWORD)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        href = page.locator(
            ".tap-list a[href*='/field/visit/household/']:not(.state-done):not(.state-attempt)"
        ).first.get_attribute("href")
        last_pk = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page.goto(f"{live_server.url}{href}")
        page.wait_for_load_state("networkidle")  # the page's own check-in done before the cookie changes
        host = urlparse(live_server.url).hostname
        context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "domain": host, "path": "/"}])
        page.click("button[data-quick]")
        page.locator(".messages", has_text="已记录").wait_for(timeout=20000)
        assert posts == [403, 201]
        assert [v.household_id for v in Visit.objects.filter(pk__gt=last_pk)] == [_household_id(href)]
    finally:
        context.close()
