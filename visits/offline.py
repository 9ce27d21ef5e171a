"""The field view offline (README, "Offline field view"): the service worker and the web app manifest served from the
site's root, the list of pages a grid worker's phone keeps for a day without signal, and the page that
shows the visits waiting on the phone. The queue itself lives in the phone's IndexedDB
(static/js/field-queue.js); the server only answers the visit form as before, in JSON when asked.

A phone whose worker's credentials were ended (a password reset, a deactivation, the last assignment over:
grids/credentials.py) wipes what it keeps at its next contact: the manifest says so to a phone that logs in
again, and /field/device-check/ to one whose session is gone — asked with the device key the manifest
handed out, so that nobody else learns whether a person's credentials ended."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.links import url_with_pk
from grids import access, credentials
from grids.models import User
from residents.models import Household

from . import due

# What every field page loads: kept by the service worker at install, so the pages open without signal.
FIELD_STATIC = (
    "vendor/pico-2.1.1/pico.min.css",
    "css/app.css",
    "vendor/idb-8.0.4/idb.umd.js",
    "js/field-queue.js",
    "js/visit-form.js",
    "js/locate.js",
    "img/field-icon.svg",
)
WORKBOX = "vendor/workbox-7.4.1/"
# A day's work at most: the work list's pages, the visit page of everything due, the grids' households.
MAX_WARM_URLS = 2000
FIELD_PAGE = 30  # as visits.views.FIELD_PAGE (the work list's page size)


@functools.cache
def _revision(name: str) -> str:
    """The content's hash: a changed file gives a changed service worker, which the phone then installs."""
    path = finders.find(name)
    if not path:
        return "missing"
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js, from the root so that it may answer for /field/. Never cached by the browser (``no-cache``):
    the phone checks for a new version on every visit while it has signal."""
    # Hashed names (WhiteNoise's manifest storage, production): the URL is the revision, and Workbox then
    # takes the file the page has just loaded from the browser's cache; a revision would make it fetch each
    # file a second time (``cache: "reload"``, static/vendor/workbox-7.4.1/workbox-precaching.prod.js).
    hashed = isinstance(staticfiles_storage, ManifestFilesMixin)
    precache = [
        {"url": staticfiles_storage.url(name), "revision": None if hashed else _revision(name)} for name in FIELD_STATIC
    ]
    modules = {
        f"workbox-{name}": staticfiles_storage.url(f"{WORKBOX}workbox-{name}.prod.js")
        for name in ("core", "routing", "strategies", "precaching", "cacheable-response")
    }
    context = {
        "precache": json.dumps(precache),
        "modules": json.dumps(modules),
        "workbox_sw": staticfiles_storage.url(WORKBOX + "workbox-sw.js"),
        "not_kept": json.dumps([reverse("visits:offline-manifest"), reverse("visits:device-check")]),
        "words": json.dumps(
            {
                "title": escape(_("没有网络")),
                "text": escape(_("这一页还没有保存在手机上，有信号后再打开。")),
                "back": escape(_("← 返回本月走访")),
                "back_url": escape(reverse("visits:work-list")),
                "css": escape(staticfiles_storage.url("vendor/pico-2.1.1/pico.min.css")),
            }
        ),
        "version": hashlib.sha256(repr((precache, modules)).encode()).hexdigest()[:12],
    }
    response = render(request, "visits/sw.js", context, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the field view added to the phone's home screen opens as an app."""
    manifest = {
        "name": _("村级网格化治理平台 · 网格工作"),
        "short_name": _("网格工作"),
        "lang": "zh-CN",
        "start_url": reverse("visits:work-list"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1c6e8c",
        "icons": [
            {"src": staticfiles_storage.url("img/field-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


def device_key(user_id: int) -> str:
    """The key a worker's phones get with the manifest and show to /field/device-check/: keyed by
    SECRET_KEY, so it cannot be guessed from the user id, and derived rather than stored, so that checking
    it needs no query (an unknown id and a wrong key take the same path)."""
    return salted_hmac("visits.offline.device-check", str(user_id), algorithm="sha256").hexdigest()


def _since(value: str) -> datetime.datetime | None:
    """The time of the phone's last sync, as the server's own ``now`` handed it out (ISO 8601, with offset)."""
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _wipe(response: HttpResponse) -> HttpResponse:
    """The browser empties this site's caches and storage itself (as at logout, grids.views.Logout), besides
    what the page's script deletes."""
    response["Clear-Site-Data"] = '"cache", "storage"'
    return _no_store(response)


def assignment_ended_page(request: HttpRequest) -> HttpResponse:
    """A field page asked by someone whose last assignment is over while the session lives (the same day,
    before the nightly job): a 403 that also empties the phone."""
    reason = _("您的岗位已结束，手机上保存的网格数据已清除。")
    # In the field layout: its script empties the phone too where a browser ignores the header.
    return _wipe(render(request, "403.html", {"reason": reason, "layout": "layouts/field.html"}, status=403))


@login_required
@require_GET
def offline_manifest(request: HttpRequest) -> JsonResponse:
    """What the phone keeps for offline use, scoped to the worker's grids: the pages the field view shows
    (no ID number is on any of them), plus a fresh CSRF token and who is signed in, which the queue needs
    before it sends (a queued visit is only ever sent for the person who recorded it), the device key and
    the server's time (what the phone asks /field/device-check/ with once its session is gone) and, for
    the ``since`` of the phone's last sync, whether its data must go. ``?urls=0``: all but the pages."""
    if credentials.assignments_over(request.user):
        # The last assignment ended and the nightly job has not yet ended the session: the phone wipes.
        return _wipe(
            JsonResponse(
                {"code": "assignment_ended", "message": _("您的岗位已结束。"), "wipe": True},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        )
    scope = access.scope_for(request.user)
    if not scope.works_in_field:
        raise PermissionDenied(_("此页面供网格员、微网格联络员和信息员使用。"))
    answer = {
        "user": request.user.pk,
        "csrf": get_token(request),
        "device": device_key(request.user.pk),
        "now": timezone.now().isoformat(),
        "wipe": False,
    }
    if request.GET.get("since"):
        since = _since(request.GET["since"])
        if since is None:
            return JsonResponse(
                {"code": "invalid", "message": _("同步时间格式不正确。")},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        answer["wipe"] = credentials.data_must_go(request.user, since)
    if request.GET.get("urls") == "0":
        return JsonResponse(answer)
    urls = [reverse("visits:work-list"), reverse("visits:queue"), reverse("residents:field-household-list")]
    grid_ids = sorted(scope.grid_ids)
    # FIELD_WARM_PAGES off (browser tests that do not test this) lists only the field's first pages.
    if grid_ids and getattr(settings, "FIELD_WARM_PAGES", True):
        today = timezone.localdate()
        month = due.month_start(today)
        for item in due.most_urgent_first(due.key_persons_due(grid_ids, month, today)):
            urls.append(visit_url("key_person", item.key_person.pk))
        households = list(due.households_to_visit(grid_ids, month).values_list("pk", flat=True))
        pages = (len(households) + FIELD_PAGE - 1) // FIELD_PAGE
        urls += [f"{reverse('visits:work-list')}?page={n}" for n in range(2, pages + 1)]
        urls += [visit_url("household", pk) for pk in households]
        urls += [
            visit_url("key_place", pk) for pk in due.key_places_to_visit(grid_ids, month).values_list("pk", flat=True)
        ]
        mine = Household.objects.visible_to(request.user).active().filter(grid_id__in=grid_ids)
        urls += [reverse("residents:field-household-detail", args=[pk]) for pk in mine.values_list("pk", flat=True)]
    return JsonResponse({**answer, "urls": list(dict.fromkeys(urls))[:MAX_WARM_URLS]})


@require_GET
def device_check(request: HttpRequest) -> JsonResponse:
    """``GET /field/device-check/?user=<id>&since=<iso>`` with the header ``X-Field-Device: <device key>``,
    no session needed: {"wipe": true} when the phone that last synced for that person at ``since`` must
    wipe what it keeps (grids.credentials.data_must_go). It answers nothing else, and only to the key the
    person's own phone was handed: a wrong key or an unknown person is the same 403."""
    user_id, since = request.GET.get("user", ""), _since(request.GET.get("since", ""))
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 18) or since is None:
        return _no_store(
            JsonResponse(
                {"wipe": False, "message": _("请求参数不正确。")}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        )
    if not constant_time_compare(request.headers.get("X-Field-Device", ""), device_key(int(user_id))):
        return _no_store(JsonResponse({"wipe": False}, status=403))
    user = User.objects.filter(pk=int(user_id)).first()
    must_go = credentials.data_must_go(user, since)
    return (_wipe if must_go else _no_store)(JsonResponse({"wipe": must_go}))


def visit_url(subject: str, pk: int) -> str:
    """``reverse("visits:visit-new", args=[subject, pk])``, reversed once per subject (core/links.py): the
    manifest lists a grid's hundred visit pages, the work list links each row."""
    return url_with_pk("visits:visit-new", pk, subject)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The visits waiting on this phone: the page is a frame, the phone fills it from its own storage."""
    if not access.scope_for(request.user).works_in_field:
        raise PermissionDenied(_("此页面供网格员、微网格联络员和信息员使用。"))
    return render(request, "visits/queue.html")
