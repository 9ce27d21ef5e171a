"""Pages of visits: the grid worker's work list and visit page on the phone (/field/), and coverage for
staff and the town. Every lookup goes through ``visible_to``; the lists stay a fixed number of queries."""

from __future__ import annotations

import datetime
import functools
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from core.db import get_as_written_or_404
from core.links import url_with_pk
from core.natural import NaturalOrder
from core.pages import stored_file_response
from grids import access, credentials, selectors
from grids.forms import add_service_errors
from grids.models import Grid, Village
from residents.models import Household, KeyPerson, KeyPlace, Resident, head_name
from towntasks import selectors as town_tasks

from . import due, kept_list, offline, services, summary, walk
from .forms import VisitForm
from .models import NotPossibleReason, Outcome, Subject, Visit
from .offline import visit_url

FIELD_PAGE = 30


def _month_param(request: HttpRequest) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return (
            due.month_start(datetime.date.fromisoformat(f"{raw}-01")) if raw else due.month_start(timezone.localdate())
        )
    except ValueError:
        return due.month_start(timezone.localdate())


# The field pages travel compressed: a phone on a slow line opens the work list again in well under 20 KB
# (tests/browser/test_field_budgets.py; README, "Offline field view"). Django's GZipMiddleware pads each
# answer with random bytes against BREACH (docs.djangoproject.com, "GZip middleware").
@gzip_page
@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    """The grid worker's month: overdue key persons first, then key persons due, then the month's
    households in walking order (visits/walk.py), each with what was done, then key places; a search, a
    grouping and a filter by micro-grid or natural village; the month's progress."""
    scope = access.scope_for(request.user)
    if not scope.works_in_field:
        if credentials.assignments_over(request.user):
            return offline.assignment_ended_page(request)
        raise PermissionDenied(_("此页面供网格员、微网格联络员和信息员使用。"))
    if not scope.grid_ids:
        # Liaisons and information officers: the places they cover.
        return render(request, "grids/field_home.html", selectors.field_places(request.user))
    parts = work_list_content(request, sorted(scope.grid_ids))
    context = {
        "top": parts[0],
        "rest": parts[1],
        # The town's tasks with households to tick in these grids (docs/towntasks.md): shown beside the
        # visits, never counted in them.
        "tasks": town_tasks.open_items_for(request.user),
    }
    return render(request, "visits/work_list.html", context)


def work_list_content(request: HttpRequest, grid_ids: list[int], *, ttl: int | None = None):
    """The work list's content before and after the town's tasks, kept under the grids' marks
    (visits/kept_list.py) or counted and kept; the town's tasks are read for each request. After a new visit
    to a household the content is counted from the kept frame: only the month's figures and the page's
    households' visits are read again."""
    today = timezone.localdate()
    month = due.month_start(today)
    content_key, frame_key = kept_list.keys(request, grid_ids, month, today)
    parts = kept_list.read(content_key)
    if parts is None:
        frame = kept_list.read_frame(frame_key)
        if frame is None:
            frame = _work_list_frame(request, grid_ids, month, today)
            kept_list.keep_frame(frame_key, frame, ttl=ttl)
        else:
            _households_visited(frame["page"].object_list, month)
        progress = summary.households_progress(grid_ids, month, frame["figures"])
        # The households still to visit this month (all pages): the phone counts a queued visit to one of them
        # as done in the progress line (static/js/field-queue.js; README, "Offline field view").
        context = {**frame, "progress": progress, "open_households": progress.extra["open_households"]}
        parts = kept_list.split(render_to_string(kept_list.BODY, context, request))
        kept_list.keep(content_key, parts, ttl=ttl)
    return parts


def _households_visited(rows: list[Household], month: datetime.date) -> None:
    """The page's households' visits of the month read again: ``done`` and the latest attempt, as
    ``due.households_on_walk`` says them (tests/visits/test_kept_list.py holds the two equal)."""
    if not rows:
        return
    visits = Visit.objects.filter(household_id__in=[h.pk for h in rows], month=due.month_start(month)).order_by()
    done, attempts = set(), {}
    for household_id, outcome, reason, day, recorded in visits.values_list(
        "household_id", "outcome", "reason", "visited_on", "recorded_at"
    ):
        if outcome == Outcome.DONE:
            done.add(household_id)
        elif outcome == Outcome.NOT_POSSIBLE:
            latest = attempts.get(household_id)
            if latest is None or (day, recorded) > latest[:2]:
                attempts[household_id] = (day, recorded, reason)
    for h in rows:
        h.done = h.pk in done
        h.attempt_on, _recorded, h.attempt_reason = attempts.get(h.pk, (None, None, None))
        _attempt_label(h)


def _attempt_label(h: Household) -> None:
    h.attempt_label = NotPossibleReason(h.attempt_reason).label if h.attempt_reason else ""


def _work_list_frame(request: HttpRequest, grid_ids: list[int], month: datetime.date, today: datetime.date):
    """What the work list shows but the month's figures, counted (docs/performance.md, "The field work
    list"): all of it stays as it is after a new visit to a household but that household's row."""
    q = request.GET.get("q", "").strip()
    key_items = due.key_persons_due(grid_ids, month, today)
    # The month's key places due (a grid's few: one query) give the progress figures and the places to visit.
    places_due = list(due.key_places_due(grid_ids, month).order_by("name"))
    open_keys = due.most_urgent_first(key_items)
    households = due.households_on_walk(grid_ids, month)
    # Likewise a queued visit to a key person still short this month, up to the visits still due (the
    # cadence, residents/cadence.py: one more does not count), and to a key place not yet visited: the
    # key persons as "id:visits still due", the key places as ids — all of them, whatever the search.
    open_key_persons = [f"{k.key_person.pk}:{k.needed - k.done_in_month}" for k in key_items if not k.done]
    all_places = [p for p in places_due if not p.done and p.archived_at is None]  # due.key_places_to_visit
    open_places = [p.pk for p in all_places]
    # The search as ``name__contains`` / ``address__contains`` would do it (case-sensitive), on the rows read.
    places = [p for p in all_places if q in p.name or q in p.address]
    if q:
        members = Resident.objects.filter(household=OuterRef("pk"), archived_at__isnull=True, name__contains=q)
        households = households.filter(Q(address__contains=q) | Q(number=q) | Exists(members))
        open_keys = [k for k in open_keys if q in k.key_person.resident.name]
    by = request.GET.get("by") if request.GET.get("by") in walk.GROUPINGS else "micro"
    place = request.GET.get("place", "")
    route = walk.walk(households, by=by, place=place)
    page = Paginator(route.ids, FIELD_PAGE).get_page(request.GET.get("page"))
    # Unordered: the rows are put in walking order below, and a household's default order joins its village.
    rows = households.filter(pk__in=page.object_list).select_related("micro_grid").order_by()
    rows = {h.pk: h for h in rows.annotate(head_name=head_name())} if page.object_list else {}
    # Each row's link carries the way back: this page, this filter and search, scrolled to the row.
    params = request.GET.copy()
    if page.number > 1 or "page" in params:
        params["page"] = str(page.number)
    here = f"{reverse('visits:work-list')}?{params.urlencode()}" if params else reverse("visits:work-list")
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    # Each row's link to the visit form, built here: a {% url %} and an urlencode per row cost the page
    # more than its households' query (docs/performance.md, "The field work list").
    back = quote(here, safe="")
    for h in page.object_list:
        h.group = route.group_of[h.pk]
        h.back = f"{here}#h-{h.pk}"
        h.href = f"{visit_url('household', h.pk)}?next={quote(h.back, safe='')}"
        _attempt_label(h)
    for k in open_keys:
        k.href = f"{visit_url('key_person', k.key_person.pk)}?next={back}%23k-{k.key_person.pk}"
    places = places[:50]
    for p in places:
        p.href = f"{visit_url('key_place', p.pk)}?next={back}%23p-{p.pk}"
    params.pop("page", None)
    # The parts no household's visit changes, rendered here: the frame keeps their markup, not their rows.
    parts = {
        "key_items": open_keys,
        "places": places,
        "q": q,
        "by": by,
        "place": place,
        "route": route,
        "groupings": walk.GROUPINGS,
    }
    return {
        "month": month,
        "figures": summary.key_figures(key_items, places_due),
        "open_key_persons": open_key_persons,
        "open_places": open_places,
        "page": page,
        "query": params.urlencode(),
        "q": q,
        "by": by,
        "place": place,
        "here": here,
        "sections": {name: _section(name, parts) for name in ("filters", "key_persons", "places")},
    }


def _section(name: str, context: dict) -> SafeString:
    html = render_to_string(f"visits/partials/work_list_{name}.html", context)
    return mark_safe(html.removesuffix("\n"))  # noqa: S308 (our own rendered template)


SUBJECT_MODELS = {"household": Household, "key_person": KeyPerson, "key_place": KeyPlace}


def _target(request: HttpRequest, subject: str, pk: int):
    model = SUBJECT_MODELS.get(subject)
    if model is None:
        raise Http404
    qs = model.objects.visible_to(request.user)
    if model is KeyPerson:
        qs = qs.select_related("resident__household__grid__village", "resident__household__micro_grid")
    else:
        qs = qs.select_related("village", "grid", "micro_grid")
    return get_as_written_or_404(qs, pk=pk)


@gzip_page
@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """One visit: the big button records "visited, nothing found"; the rest is for when there is more."""
    target = _target(request, subject, pk)
    _s, _village, grid, micro_grid = services.subject_place(target)
    if not access.may_record_visit(
        request.user, village_id=grid.village_id, grid_id=grid.pk, micro_grid_id=micro_grid.pk if micro_grid else None
    ):
        if _from_queue(request):
            return JsonResponse({"message": _("只有本网格的网格员或本村村干部可以记录走访。")}, status=403)
        raise PermissionDenied(_("只有本网格的网格员或本村村干部可以记录走访。"))
    key_person = target if subject == Subject.KEY_PERSON else None
    back = _local_path(request.POST.get("next") or request.GET.get("next"))
    data = request.POST or None
    if data is not None:
        data = data.copy()
        today = timezone.localdate().isoformat()
        if data.get("quick"):
            # The big button: visited today, nothing found, whatever the folded fields hold.
            fixed = {"outcome": "done", "finding": "nothing", "reason": "", "visited_on": today}
        elif data.get("not_possible"):
            # Nobody met (外出, 拒访…): an attempt with its reason; a finding needs someone met.
            fixed = {"outcome": "not_possible", "finding": "nothing", "case_category": ""}
            fixed["visited_on"] = data.get("visited_on") or today
        elif data.get("done"):
            fixed = {"outcome": "done", "reason": ""}
        else:
            fixed = {}
        for key, value in fixed.items():
            data[key] = value
    form = VisitForm(data, request.FILES or None, key_person=key_person, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, created = services.visit_record(
                worker=request.user,
                target=target,
                visited_on=data["visited_on"],
                outcome=data["outcome"],
                reason=data["reason"],
                finding=data["finding"],
                note=data["note"],
                photos=data["photos"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                team=data.get("team") or [],
                client_token=data["token"],
                case_category=data["case_category"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not created:
                message, level = _("这次走访已经记录过了，没有重复记录。"), messages.INFO
            elif visit.case_id:
                message, level = _("已记录走访，并上报案件 %s。") % visit.case.number, messages.SUCCESS
            else:
                message, level = _("已记录：%s。") % _visit_label(visit), messages.SUCCESS
            if _from_queue(request):
                # The phone shows it for the visit just tapped, and one line for visits sent in the
                # background: ten visits sent after a day without signal are not ten banners on the next page.
                return JsonResponse({"created": created, "message": message}, status=201 if created else 200)
            messages.add_message(request, level, message)
            return redirect(back or "visits:work-list")
    if request.method == "POST" and _from_queue(request):
        return JsonResponse({"message": " ".join(m for errors in form.errors.values() for m in errors)}, status=400)
    history = _history(target, subject)
    context = {
        "target": target,
        "subject": subject,
        "form": form,
        "fields": _visit_fields(form),
        "history": history,
        "key_person": key_person,
        "members": _members(target) if subject == Subject.HOUSEHOLD else [],
        "back": back,
        # The household's open town-task check (docs/towntasks.md): one stop does both, recorded apart.
        "task_items": town_tasks.open_items_for_household(request.user, target.pk)
        if subject == Subject.HOUSEHOLD
        else [],
        "here": request.get_full_path(),
    }
    return render(request, "visits/visit_new.html", context, status=400 if form.errors else 200)


VISIT_FIELDS = "visits/partials/visit_fields.html"


def _visit_fields(form: VisitForm) -> dict[str, SafeString]:
    """The form's fields but the token, as HTML in three parts (hidden, reason, fold). A form not yet posted
    and without a key person's team is the same on every visit page of a day: its fields are rendered once
    per process, language and day (Django renders each widget from templates: two thirds of the page's
    time, docs/performance.md, "The visit page")."""
    if form.is_bound or "team" in form.fields:
        return _fields_parts(render_to_string(VISIT_FIELDS, {"form": form}))
    return _unbound_fields(get_language(), timezone.localdate(), get_script_prefix())


@functools.lru_cache(maxsize=8)
def _unbound_fields(language: str, day: datetime.date, script_prefix: str) -> dict[str, SafeString]:
    return _fields_parts(render_to_string(VISIT_FIELDS, {"form": VisitForm()}))


def _fields_parts(html: str) -> dict[str, SafeString]:
    hidden, rest = html.split("<!-- reason -->", 1)
    reason, fold = rest.split("<!-- fold -->", 1)
    return {"hidden": mark_safe(hidden), "reason": mark_safe(reason), "fold": mark_safe(fold)}  # noqa: S308 (ours)


def _local_path(url: str | None) -> str:
    """``url`` if it is a path on this site (the page to return to), else "": never another host."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return ""


def _members(household: Household) -> list[Resident]:
    """Whom the worker meets: the household's members, head first (ages through the disclosure tag)."""
    return list(household.members.active().order_by("relation", "name"))


def _from_queue(request: HttpRequest) -> bool:
    """The phone's queue of visits recorded without signal (static/js/field-queue.js) posts the same form
    and asks for an answer it can read (JSON), with the message the page would have shown."""
    return request.method == "POST" and request.headers.get("X-Field-Queue") == "1"


def _visit_label(visit: Visit) -> str:
    target = visit.target
    name = getattr(target, "address", None) or getattr(getattr(target, "resident", None), "name", None) or str(target)
    return f"{visit.get_outcome_display()} · {name}"


def _history(target, subject: str):
    return (
        Visit.objects.filter(**{subject: target})
        .select_related("worker")
        .prefetch_related("photos")
        .order_by("-visited_on", "-recorded_at")[:6]
    )


@login_required
def visit_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A visit's photo, only through the visit's door (never a public media URL)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
    image = get_object_or_404(visit.photos, pk=photo)
    return stored_file_response(image.image)


# --- Coverage ---------------------------------------------------------------------------------------------


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Visited / due for a month per grid (with its worker), village and town, and what is outstanding."""
    scope = access.scope_for(request.user)
    if not (scope.is_admin or scope.town_ids or scope.village_ids):
        raise PermissionDenied(_("此页面供村干部和镇综治办使用。"))
    month = _month_param(request)
    villages = list(Village.objects.visible_to(request.user).active().select_related("town").order_by("name"))
    chosen = request.GET.get("village")
    if chosen and chosen.isdecimal():  # not isdigit(): int() refuses "²"
        villages = [v for v in villages if v.pk == int(chosen)]
    context = summary.coverage_table(villages, month)
    for village in context["village_rows"]:
        for grid in village.grid_rows:  # a town's two hundred rows: each link without a reverse() (core/links.py)
            grid.outstanding_url = "" if grid.archived_at else url_with_pk("visits:grid-outstanding", grid.pk)
    context.update(
        month=month,
        months=summary.recent_months(12),
        villages=villages,
        bars=summary.trend_bars(summary.trend([v.pk for v in villages], 12, live=context["town_total"]))
        if month == due.month_start(timezone.localdate())
        else summary.trend_bars(summary.trend([v.pk for v in villages], 12)),
    )
    return render(request, "visits/coverage.html", context)


@login_required
def grid_outstanding(request: HttpRequest, pk: int) -> HttpResponse:
    """Who and what in one grid is still to be visited this month."""
    grid = get_object_or_404(Grid.objects.visible_to(request.user).select_related("village"), pk=pk)
    month = due.month_start(timezone.localdate())
    households = NaturalOrder(due.households_to_visit([grid.pk], month), "micro_grid__number", "address")
    page = Paginator(households, 100).get_page(request.GET.get("page"))
    micro_rows = (
        due.households_due([grid.pk], month)
        .order_by("micro_grid__number")
        .values("micro_grid__name")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(done=True)))
    )
    # Key persons by name only for those who may see them (not the town office: counts only, PIPL).
    visible = set(
        KeyPerson.objects.visible_to(request.user).filter(resident__household__grid=grid).values_list("pk", flat=True)
    )
    open_keys = [k for k in due.key_persons_due([grid.pk], month) if not k.done]
    key_items = [k for k in open_keys if k.key_person.pk in visible]
    hidden_keys = len(open_keys) - len(key_items)
    places = due.key_places_to_visit([grid.pk], month)
    context = {
        "grid": grid,
        "month": month,
        "page": page,
        "query": "",
        "key_items": key_items,
        "hidden_keys": hidden_keys,
        "micro_rows": micro_rows,
        "places": places,
    }
    return render(request, "visits/grid_outstanding.html", context)
