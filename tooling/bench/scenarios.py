"""The bench's scenarios: who asks (the people of the biggest village), and every page and API list timed,
each with its floor (``floors``) and, for lists, Django admin's changelist of the same model."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from disputes.models import Case
from grids.models import Assignment, Grid, Role, Town, User, Village
from reports.scorecard import kept
from residents.models import Household, Resident
from visits import due, live

from .floors import (
    CASE_COUNT,
    CASE_ROWS,
    CIV_ACTIVITY_COUNTS,
    CIV_ACTIVITY_ROWS,
    CIV_ADVISOR_ROWS,
    CIV_LEDGER_COUNT,
    CIV_LEDGER_ROWS,
    CIV_SELECTION_COUNT,
    CIV_SELECTION_ROWS,
    CIV_TEAM_ROWS,
    COGOV_DELIBERATION_COUNT,
    COGOV_DELIBERATION_ROWS,
    COGOV_DOCUMENT_ROWS,
    COGOV_PROJECT_COUNT,
    COGOV_PROJECT_ROWS,
    COGOV_TOWN_DELIBERATIONS,
    COGOV_TOWN_DOCUMENTS,
    COGOV_TOWN_PROJECTS,
    COVERAGE,
    DEPT_CASE_COUNT,
    DEPT_CASE_ROWS,
    DRAFT_CASES,
    DRAFT_RESIDENTS,
    DRAFT_VISITS,
    HOUSEHOLD_COUNT,
    HOUSEHOLD_ROWS,
    KEPT_COVERAGE,
    KEY_PERSON_COUNT,
    KEY_PERSON_ROWS,
    KEY_PERSONS_DUE,
    PARTY_CONTACT_COVERAGE,
    PARTY_MEETINGS_OWED,
    PARTY_MEMBER_AGES,
    PARTY_MEMBER_COUNT,
    PARTY_MEMBER_ROWS,
    RESIDENT_COUNT,
    RESIDENT_ROWS,
    SCORECARD_ACTIVITIES,
    SCORECARD_CASES,
    SCORECARD_COVERAGE,
    TT_FIELD_CHECKLIST,
    TT_FIELD_OPEN,
    TT_TASK_LIST_ROWS,
    TT_TASK_PROGRESS,
    TT_TASK_TARGETS,
    WORK_LIST,
    fmt,
)

BENCH_ADMIN = "bench_admin"


@dataclass
class Page:
    name: str
    user: User
    url: str
    floor: list[tuple[str, list]] = field(default_factory=list)  # statements, run in order
    admin_url: str | None = None
    before: Callable[[], object] | None = None  # before each request, not timed (e.g. drop kept figures)
    # The same page for a much smaller place: its query count is reported beside, to show it is constant.
    compare_url: str | None = None
    compare_user: User | None = None  # who opens it (that place's own holder of the same role)


@dataclass
class People:
    village: Village
    town: Town
    staff: User
    town_office: User
    worker: User
    admin: User


def people() -> People:
    """The biggest village (by households), its staff, its town's office, the worker of its biggest grid,
    and a system admin for the admin's changelists. The bench runs outside DEBUG, where accounts set by
    someone else must change their password first: not these."""
    village = (
        Village.objects.annotate(n=Count("households")).filter(town__archived_at__isnull=True).order_by("-n").first()
    )
    if village is None:
        raise LookupError("no data: run manage.py generate_scale (or seed_demo) first")
    staff = _holder(Role.VILLAGE_STAFF, village=village)
    town_office = _holder(Role.TOWN_OFFICE, town=village.town)
    grid = village.grids.annotate(n=Count("households")).order_by("-n").first()
    worker = _holder(Role.GRID_WORKER, grid=grid)
    admin, _ = User.objects.get_or_create(
        username=BENCH_ADMIN,
        defaults={"is_superuser": True, "is_staff": True, "password": make_password(None), "full_name": "bench"},
    )
    User.objects.filter(pk__in=[staff.pk, town_office.pk, worker.pk, admin.pk]).update(must_change_password=False)
    return People(village, village.town, staff, town_office, worker, admin)


def _holder(role: str, **place) -> User:
    today = timezone.localdate()
    assignment = Assignment.objects.active_on(today).filter(role=role, **place).select_related("user").first()
    if assignment is None:
        raise LookupError(f"nobody holds {role} at {place}")
    return assignment.user


def pages(p: People) -> list[Page]:
    today = timezone.localdate()
    month = due.month_start(today)
    village_ids = [p.village.pk]
    town_ids = list(Village.objects.filter(town=p.town).values_list("pk", flat=True))
    resident = Resident.objects.filter(village=p.village, archived_at__isnull=True).order_by("pk")[7]
    household = Household.objects.filter(village=p.village).order_by("number")[len(village_ids) * 10]
    case = Case.objects.filter(village=p.village).annotate(n=Count("events")).order_by("-n").first()
    grid_ids = list(Assignment.objects.active_on(today).filter(user=p.worker).values_list("grid_id", flat=True))
    town_households = Household.objects.filter(village_id__in=town_ids, archived_at__isnull=True).count()
    town_residents = Resident.objects.filter(village_id__in=town_ids, archived_at__isnull=True).count()
    deep_h, deep_r = max(1, town_households // 50 - 1), max(1, town_residents // 50 - 1)
    name = resident.name
    phone = (
        Resident.objects.filter(village=p.village, archived_at__isnull=True)
        .exclude(phone="")
        .order_by("pk")
        .values_list("phone", flat=True)
        .first()
        or "13800000000"
    )
    by_phone = (
        "AND (h.phone = %s OR EXISTS (SELECT 1 FROM residents_resident m WHERE m.household_id = h.id AND m.phone = %s))"
    )
    tail = resident.id_number[-4:]
    hl, rl, kl, cl = (
        reverse(n)
        for n in (
            "residents:household-list",
            "residents:resident-list",
            "residents:keyperson-list",
            "disputes:case-list",
        )
    )
    admin_h = reverse("admin:residents_household_changelist")
    admin_r = reverse("admin:residents_resident_changelist")
    admin_k = reverse("admin:residents_keyperson_changelist")
    admin_c = reverse("admin:disputes_case_changelist")
    away = "AND h.living_status = 'away'"
    like = "AND (h.address LIKE %s OR EXISTS (SELECT 1 FROM residents_resident m WHERE m.household_id = h.id AND m.name LIKE %s))"
    return [
        # The registry lists, as the town office (a whole town) and as a village's staff.
        Page(
            "household list",
            p.town_office,
            hl,
            [(fmt(HOUSEHOLD_ROWS), [town_ids, 0]), (fmt(HOUSEHOLD_COUNT), [town_ids])],
            admin_h,
        ),
        Page(
            "household list, filtered",
            p.town_office,
            hl + "?living_status=away",
            [(fmt(HOUSEHOLD_ROWS, away), [town_ids, 0]), (fmt(HOUSEHOLD_COUNT, away), [town_ids])],
            admin_h + "?living_status__exact=away",
        ),
        Page(
            "household list, deep page",
            p.town_office,
            hl + f"?page={deep_h}",
            [(fmt(HOUSEHOLD_ROWS), [town_ids, (deep_h - 1) * 50]), (fmt(HOUSEHOLD_COUNT), [town_ids])],
            admin_h + f"?p={deep_h}",
        ),
        Page(
            "household list, search",
            p.town_office,
            hl + f"?q={name}",
            [
                (fmt(HOUSEHOLD_ROWS, like), [town_ids, f"%{name}%", f"%{name}%", 0]),
                (fmt(HOUSEHOLD_COUNT, like), [town_ids, f"%{name}%", f"%{name}%"]),
            ],
            admin_h + f"?q={name}",
        ),
        Page(
            "household list, search by phone",
            p.town_office,
            hl + f"?q={phone}",
            [
                (fmt(HOUSEHOLD_ROWS, by_phone), [town_ids, phone, phone, 0]),
                (fmt(HOUSEHOLD_COUNT, by_phone), [town_ids, phone, phone]),
            ],
            admin_h + f"?q={phone}",
        ),
        Page(
            "household list, village staff",
            p.staff,
            hl,
            [(fmt(HOUSEHOLD_ROWS), [village_ids, 0]), (fmt(HOUSEHOLD_COUNT), [village_ids])],
        ),
        Page(
            "resident list",
            p.town_office,
            rl,
            [(fmt(RESIDENT_ROWS), [town_ids, 0]), (fmt(RESIDENT_COUNT), [town_ids])],
            admin_r,
        ),
        Page(
            "resident list, filtered",
            p.town_office,
            rl + "?gender=2&lives_here=false",
            [
                (fmt(RESIDENT_ROWS, "AND r.gender = '2' AND NOT r.lives_here"), [town_ids, 0]),
                (fmt(RESIDENT_COUNT, "AND r.gender = '2' AND NOT r.lives_here"), [town_ids]),
            ],
            admin_r + "?gender__exact=2",
        ),
        Page(
            "resident list, deep page",
            p.town_office,
            rl + f"?page={deep_r}",
            [(fmt(RESIDENT_ROWS), [town_ids, (deep_r - 1) * 50]), (fmt(RESIDENT_COUNT), [town_ids])],
            admin_r + f"?p={deep_r}",
        ),
        Page(
            "resident list, search by name",
            p.town_office,
            rl + f"?q={name}",
            [
                (fmt(RESIDENT_ROWS, "AND r.name LIKE %s"), [town_ids, f"%{name}%", 0]),
                (fmt(RESIDENT_COUNT, "AND r.name LIKE %s"), [town_ids, f"%{name}%"]),
            ],
            admin_r + f"?q={name}",
        ),
        Page(
            "resident list, search by two characters",
            p.town_office,
            rl + f"?q={name[-2:]}",
            [
                (fmt(RESIDENT_ROWS, "AND r.name LIKE %s"), [town_ids, f"%{name[-2:]}%", 0]),
                (fmt(RESIDENT_COUNT, "AND r.name LIKE %s"), [town_ids, f"%{name[-2:]}%"]),
            ],
            admin_r + f"?q={name[-2:]}",
        ),
        Page(
            "resident list, search ID tail",
            p.staff,
            rl + f"?q={tail}",
            [(fmt(RESIDENT_ROWS, "AND r.id_tail_hash = %s"), [village_ids, resident.id_tail_hash, 0])],
        ),
        Page(
            "key person list",
            p.staff,
            kl,
            [
                (fmt(KEY_PERSON_ROWS), [village_ids, today, today, 0]),
                (fmt(KEY_PERSON_COUNT), [village_ids, today, today]),
            ],
            admin_k,
        ),
        Page(
            "key person list, filtered",
            p.staff,
            kl + "?category=mental",
            [
                (fmt(KEY_PERSON_ROWS, "AND k.category = 'mental'"), [village_ids, today, today, 0]),
                (fmt(KEY_PERSON_COUNT, "AND k.category = 'mental'"), [village_ids, today, today]),
            ],
            admin_k + "?category__exact=mental",
        ),
        Page(
            "key person list, search",
            p.staff,
            kl + f"?q={name[:1]}",
            [(fmt(KEY_PERSON_ROWS, "AND r.name LIKE %s"), [village_ids, today, today, f"%{name[:1]}%", 0])],
        ),
        Page("case list", p.town_office, cl, [(fmt(CASE_ROWS), [town_ids]), (fmt(CASE_COUNT), [town_ids])], admin_c),
        Page(
            "case list, overdue",
            p.staff,
            cl + "?overdue=true",
            [(fmt(CASE_ROWS, "AND c.state NOT IN ('closed', 'rejected')"), [village_ids])],
            admin_c + "?state__exact=handling",
        ),
        Page(
            "case list, search",
            p.town_office,
            cl + "?q=纠纷",
            [(fmt(CASE_ROWS, "AND c.title LIKE %s"), [town_ids, "%纠纷%"])],
            admin_c + "?q=纠纷",
        ),
        Page(
            "case page",
            p.staff,
            reverse("disputes:case-detail", args=[case.pk]),
            [
                ("SELECT * FROM disputes_case WHERE id = %s", [case.pk]),
                ("SELECT * FROM disputes_caseevent WHERE case_id = %s ORDER BY at", [case.pk]),
                ("SELECT * FROM disputes_caseparty WHERE case_id = %s", [case.pk]),
            ],
        ),
        Page(
            "household page",
            p.staff,
            reverse("residents:household-detail", args=[household.pk]),
            [
                ("SELECT * FROM residents_household WHERE id = %s", [household.pk]),
                ("SELECT * FROM residents_resident WHERE household_id = %s", [household.pk]),
            ],
        ),
        Page(
            "village overview",
            p.staff,
            reverse("reports:village-overview", args=[p.village.pk]),
            [
                (KEPT_COVERAGE, [month, village_ids]),
                (fmt(CASE_COUNT, "AND c.state NOT IN ('closed', 'rejected')"), [village_ids]),
            ],
        ),
        Page(
            "field work list",
            p.worker,
            reverse("visits:work-list"),
            [(WORK_LIST, [grid_ids, month]), (KEY_PERSONS_DUE, [grid_ids, month, today])],
        ),
        Page(
            # The list a worker sees after a write in the grid other than a new household visit (a key person's
            # visit, an address corrected): the grid's marks moved, everything counted again (visits/kept_list.py);
            # the same floor.
            "field work list, after a write",
            p.worker,
            reverse("visits:work-list"),
            [(WORK_LIST, [grid_ids, month]), (KEY_PERSONS_DUE, [grid_ids, month, today])],
            before=lambda: live.grids_changed(grid_ids),
        ),
        Page(
            # ... after a new visit to a household, the write of a worker's day: the figures and the page's
            # visits read again, the rest from the kept frame; the same floor.
            "field work list, after a household visit",
            p.worker,
            reverse("visits:work-list"),
            [(WORK_LIST, [grid_ids, month]), (KEY_PERSONS_DUE, [grid_ids, month, today])],
            before=lambda: live.grids_changed(grid_ids, household_visit=True),
        ),
        Page("coverage, town", p.town_office, reverse("visits:coverage"), [(KEPT_COVERAGE, [month, town_ids])]),
        Page(
            "coverage, town, counted afresh",
            p.town_office,
            reverse("visits:coverage"),
            [(COVERAGE, [month, town_ids])],
            before=lambda: live.forget(Grid.objects.filter(village__in=town_ids).values_list("pk", flat=True)),
        ),
        Page("town home", p.town_office, reverse("reports:town-home"), [(KEPT_COVERAGE, [month, town_ids])]),
        Page("town dashboard", p.town_office, reverse("reports:town-dashboard"), [(KEPT_COVERAGE, [month, town_ids])]),
    ]


def party_pages(p: People) -> tuple[list[Page], list[dict]]:
    """The Party's pages at county scale (docs/party.md): the village's overview and member list as its
    staff, the town's side-by-side compliance as the town office; each beside the same page for the
    village with the fewest members, whose query count should be the same. A page whose URL name is not
    there (yet) is skipped with a note: the bench runs all the same. Returns (pages, skipped rows)."""
    from party.models import PartyMember

    today = timezone.localdate()
    year = f"{today.year}-"
    counts = (
        PartyMember.objects.filter(archived_at__isnull=True, village__town__archived_at__isnull=True)
        .values("village")
        .annotate(n=Count("pk"))
        .order_by("n", "village")
    )
    small = counts.first()
    small_village = small["village"] if small else p.village.pk
    small_staff = _holder(Role.VILLAGE_STAFF, village_id=small_village) if small_village != p.village.pk else p.staff
    User.objects.filter(pk=small_staff.pk).update(must_change_password=False)
    small_staff.must_change_password = False
    village_ids = [p.village.pk]
    town_ids = list(Village.objects.filter(town=p.town).values_list("pk", flat=True))
    member = PartyMember.objects.filter(village=p.village, archived_at__isnull=True).select_related("resident").first()
    name = member.resident.name if member else "张"
    wanted = [
        (
            "party overview",
            p.staff,
            "party:overview",
            [p.village.pk],
            [small_village],
            [
                (PARTY_MEMBER_AGES, [village_ids]),
                (PARTY_CONTACT_COVERAGE, [today.replace(day=1), village_ids]),
                (PARTY_MEETINGS_OWED, [year, village_ids]),
            ],
        ),
        (
            "party member list",
            p.staff,
            "party:member-list",
            [p.village.pk],
            [small_village],
            [(fmt(PARTY_MEMBER_ROWS), [village_ids]), (PARTY_MEMBER_COUNT, [village_ids])],
        ),
        (
            "party member list, search",
            p.staff,
            "party:member-list",
            [p.village.pk],
            None,  # another village finds other rows: no like-for-like count
            [(fmt(PARTY_MEMBER_ROWS, "AND r.name LIKE %s"), [village_ids, f"%{name}%"])],
        ),
        (
            "party compliance, town",
            p.town_office,
            "party:town-compliance",
            [],
            None,
            [(PARTY_MEETINGS_OWED, [year, town_ids]), (PARTY_MEMBER_COUNT, [town_ids])],
        ),
    ]
    pages, skipped = [], []
    for name_, user, url_name, args, small_args, floor in wanted:
        try:
            url = reverse(url_name, args=args)
        except NoReverseMatch:
            skipped.append({"scenario": name_, "skipped": f"no URL named {url_name} in this build"})
            continue
        query = f"?q={name}" if name_.endswith("search") else ""
        compare = reverse(url_name, args=small_args) + query if small_args else None
        pages.append(Page(name_, user, url + query, floor, compare_url=compare, compare_user=small_staff))
    return pages, skipped


COGOV_SCENARIOS = ("deliberation list", "project list", "document list", "cogov town counts")


def cogovernance_pages(p: People) -> tuple[list[Page], list[dict]]:
    """Co-governance's pages at county scale (docs/cogovernance.md): the village's deliberation, project
    and document lists as its staff, beside the same list for the village with the fewest deliberations
    as that village's staff (the query count should be the same); the town's side-by-side counts as the
    town office. A list is reversed without arguments (the staff's own village) or, failing that, with the
    village's id; a page whose URL name is not there (yet) is skipped with a note. Returns (pages, skipped
    rows)."""
    from cogovernance.models import Deliberation

    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    counts = (
        Deliberation.objects.filter(archived_at__isnull=True, village__town__archived_at__isnull=True)
        .values("village")
        .annotate(n=Count("pk"))
        .order_by("n", "village")
    )
    small = counts.first()
    small_village = small["village"] if small else p.village.pk
    small_staff = _holder(Role.VILLAGE_STAFF, village_id=small_village) if small_village != p.village.pk else p.staff
    User.objects.filter(pk=small_staff.pk).update(must_change_password=False)
    small_staff.must_change_password = False
    village_ids = [p.village.pk]
    town_ids = list(Village.objects.filter(town=p.town).values_list("pk", flat=True))
    public_from = today - datetime.timedelta(days=6)
    wanted = [
        (
            "deliberation list",
            p.staff,
            "cogovernance:deliberation-list",
            [(COGOV_DELIBERATION_ROWS, [village_ids]), (COGOV_DELIBERATION_COUNT, [village_ids])],
        ),
        (
            "project list",
            p.staff,
            "cogovernance:project-list",
            [(COGOV_PROJECT_ROWS, [village_ids]), (COGOV_PROJECT_COUNT, [village_ids])],
        ),
        ("document list", p.staff, "cogovernance:document-list", [(COGOV_DOCUMENT_ROWS, [village_ids])]),
        (
            "cogov town counts",
            p.town_office,
            "cogovernance:town-counts",
            [
                (COGOV_TOWN_DELIBERATIONS, [public_from, today, year_start, year_start, town_ids]),
                (COGOV_TOWN_PROJECTS, [town_ids, year_start]),
                (COGOV_TOWN_DOCUMENTS, [town_ids]),
            ],
        ),
    ]
    pages, skipped = [], []
    for name, user, url_name, floor in wanted:
        town_page = user == p.town_office
        url = compare = None
        for args, small_args in ([], []), ([p.village.pk], [small_village]):
            try:
                url, compare = reverse(url_name, args=args), reverse(url_name, args=small_args)
                break
            except NoReverseMatch:
                continue
        if url is None:
            skipped.append({"scenario": name, "skipped": f"no URL named {url_name} in this build"})
            continue
        pages.append(
            Page(
                name,
                user,
                url,
                floor,
                compare_url=None if town_page else compare,
                compare_user=None if town_page else small_staff,
            )
        )
    return pages, skipped


CIVILITY_SCENARIOS = ("activity list", "points ledger", "selection list", "volunteer team list", "legal advisor list")


def civility_pages(p: People) -> tuple[list[Page], list[dict]]:
    """德治/法治's pages at county scale (docs/civility.md): the biggest village's activity list, points ledger,
    selection list, volunteer teams and 法律明白人 roster as its staff, beside the same page for the smallest village (fewest households) as
    that village's staff (the query count should be the same). A page whose URL name is not there (yet) is
    skipped with a note. Returns (pages, skipped rows)."""
    small = (
        Village.objects.filter(archived_at__isnull=True, town__archived_at__isnull=True)
        .annotate(n=Count("households"))
        .order_by("n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    small_village = small or p.village.pk
    small_staff = _holder(Role.VILLAGE_STAFF, village_id=small_village) if small_village != p.village.pk else p.staff
    User.objects.filter(pk=small_staff.pk).update(must_change_password=False)
    small_staff.must_change_password = False
    village_ids = [p.village.pk]
    year_start = timezone.localdate().replace(month=1, day=1)
    wanted = [
        (
            "activity list",
            "civility:activity-list",
            [(CIV_ACTIVITY_ROWS, [village_ids]), (CIV_ACTIVITY_COUNTS, [village_ids, year_start])],
        ),
        (
            "points ledger",
            "civility:points-ledger",
            [(CIV_LEDGER_ROWS, [village_ids]), (CIV_LEDGER_COUNT, [village_ids])],
        ),
        (
            "selection list",
            "civility:selection-list",
            [(CIV_SELECTION_ROWS, [village_ids]), (CIV_SELECTION_COUNT, [village_ids])],
        ),
        ("volunteer team list", "civility:team-list", [(CIV_TEAM_ROWS, [year_start, village_ids])]),
        ("legal advisor list", "civility:advisor-list", [(CIV_ADVISOR_ROWS, [village_ids])]),
    ]
    pages, skipped = [], []
    for name, url_name, floor in wanted:
        try:
            url, compare = reverse(url_name, args=[p.village.pk]), reverse(url_name, args=[small_village])
        except NoReverseMatch:
            skipped.append({"scenario": name, "skipped": f"no URL named {url_name} in this build"})
            continue
        pages.append(Page(name, p.staff, url, floor, compare_url=compare, compare_user=small_staff))
    return pages, skipped


def department_pages(p: People) -> tuple[list[Page], list[dict]]:
    """A department's case list at county scale (docs/departments.md): the person of the biggest village's
    town's busiest department, beside the same page for the department with the fewest cases (the query
    count should be the same). ``--only departments`` runs it alone."""
    from disputes.models import DepartmentMember

    today = timezone.localdate()
    members = (
        DepartmentMember.objects.active_on(today)
        .filter(user__is_active=True)
        .annotate(n=Count("department__cases"))
        .select_related("user")
    )
    busiest = members.filter(department__town=p.town).order_by("-n", "pk").first()
    quietest = members.order_by("n", "pk").first()
    try:
        url = reverse("disputes:department-cases")
    except NoReverseMatch:
        return [], [{"scenario": "departments case list", "skipped": "no department list in this build"}]
    if busiest is None:
        return [], [{"scenario": "departments case list", "skipped": "no department people: run generate_scale"}]
    users = [busiest.user, quietest.user]
    User.objects.filter(pk__in=[u.pk for u in users]).update(must_change_password=False)
    for user in users:
        user.must_change_password = False
    floor = [(DEPT_CASE_ROWS, [[busiest.department_id]]), (DEPT_CASE_COUNT, [[busiest.department_id]])]
    page = Page("departments case list", busiest.user, url, floor, compare_url=url, compare_user=quietest.user)
    return [page], []


DRAFT_SCENARIOS = ("governance report docx",)


def draft_pages(p: People) -> tuple[list[Page], list[dict]]:
    """The village's 汇报材料 draft (docs/scorecard.md) for the current year: the biggest village's .docx as its
    staff, beside the smallest village's as that village's staff (the query count should be the same). Skipped
    with a note when the URL is not in the build. Returns (pages, skipped rows)."""
    name, url_name = DRAFT_SCENARIOS[0], "reports:governance-report-docx"
    small = (
        Village.objects.filter(archived_at__isnull=True, town__archived_at__isnull=True)
        .annotate(n=Count("households"))
        .order_by("n", "pk")
        .values_list("pk", flat=True)
        .first()
    ) or p.village.pk
    small_staff = _holder(Role.VILLAGE_STAFF, village_id=small) if small != p.village.pk else p.staff
    User.objects.filter(pk=small_staff.pk).update(must_change_password=False)
    small_staff.must_change_password = False
    try:
        url, compare = reverse(url_name, args=[p.village.pk]), reverse(url_name, args=[small])
    except NoReverseMatch:
        return [], [{"scenario": name, "skipped": f"no URL named {url_name} in this build"}]
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    v = p.village.pk
    floor = [
        (DRAFT_RESIDENTS, [v, v]),
        (DRAFT_VISITS, [v, start, end]),
        (DRAFT_CASES, [v, since, until]),
    ]
    query = f"?period={today.year}"
    return [Page(name, p.staff, url + query, floor, compare_url=compare + query, compare_user=small_staff)], []


API_LISTS = [
    "households",
    "residents",
    "key-persons",
    "key-places",
    "visits",
    "cases",
    "reports",
    "grids",
    "micro-grids",
    "assignments",
    "villages",
    "mediators",
    "notices",
]


def api_pages(p: People) -> list[Page]:
    """Each API list endpoint's first page, as the town office (the widest role short of the admin)."""
    return [Page(f"API {name}", p.town_office, f"/api/v1/{name}/") for name in API_LISTS]


SCORECARD_SCENARIOS = (
    "scorecard town comparison",
    "scorecard town comparison, a case changed",
    "scorecard town comparison, counted afresh",
    "scorecard village",
)


def scorecard_pages(p: People) -> tuple[list[Page], list[dict]]:
    """The 六好 scorecard (docs/scorecard.md) for this year: the town's comparison as its office (beside the
    same page of the town with the fewest villages, as that town's office: the query count should not grow
    with the villages), and the biggest village's scorecard as its staff. Returns (pages, skipped rows)."""
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    year_start_dt = timezone.make_aware(datetime.datetime.combine(year_start, datetime.time()))
    town_ids = list(Village.objects.filter(town=p.town, archived_at__isnull=True).values_list("pk", flat=True))
    small_town = (
        Town.objects.filter(archived_at__isnull=True)
        .annotate(n=Count("villages"))
        .filter(n__gt=0)
        .order_by("n", "pk")
        .first()
    )
    small_office = None
    if small_town and small_town.pk != p.town.pk:
        try:
            small_office = _holder(Role.TOWN_OFFICE, town=small_town)
            User.objects.filter(pk=small_office.pk).update(must_change_password=False)
            small_office.must_change_password = False
        except LookupError:
            small_office = None
    floor = [
        (SCORECARD_COVERAGE, [town_ids, year_start]),
        (SCORECARD_CASES, [town_ids, year_start_dt]),
        (SCORECARD_ACTIVITIES, [town_ids, year_start]),
    ]
    try:
        town_url = reverse("reports:town-scorecards") + f"?period={today.year}"
        village_url = reverse("reports:scorecard", args=[p.village.pk]) + f"?period={today.year}"
    except NoReverseMatch:
        return [], [{"scenario": name, "skipped": "no scorecard in this build"} for name in SCORECARD_SCENARIOS]
    return [
        Page(
            "scorecard town comparison",
            p.town_office,
            town_url,
            floor,
            compare_url=town_url if small_office else None,
            compare_user=small_office,
        ),
        # After a case of one village was written: its four case indicators counted again (docs/scorecard.md).
        Page(
            "scorecard town comparison, a case changed",
            p.town_office,
            town_url,
            floor,
            before=lambda: kept.changed("cases", [p.village.pk]),
        ),
        # The first reader after a change to every village's records (or of a day the nightly run missed).
        Page("scorecard town comparison, counted afresh", p.town_office, town_url, floor, before=kept.forget),
        Page(
            "scorecard village",
            p.staff,
            village_url,
            [(sql, [[p.village.pk], day]) for sql, (_ids, day) in floor],
        ),
    ], []


TOWNTASK_SCENARIOS = ("town task page", "town task list", "field task list", "field task checklist")


def towntasks_pages(p: People) -> tuple[list[Page], list[dict]]:
    """Town tasks at county scale (docs/towntasks.md): the town office's page of its checklist task handed to
    all its villages (each village's state and households ticked/total), the town's task list, and the
    worker's tasks to tick — beside the same pages for the town with the fewest villages (its own office and
    worker): the query count should be the same. Returns (pages, skipped rows)."""
    from towntasks.models import ReportKind, Task

    def biggest_task(town):
        return (
            Task.objects.filter(town=town, report_kind=ReportKind.CHECKLIST)
            .annotate(n=Count("targets"))
            .order_by("-n", "-pk")
            .first()
        )

    task = biggest_task(p.town)
    if task is None:
        return [], [{"scenario": name, "skipped": "no town tasks in this data set"} for name in TOWNTASK_SCENARIOS]
    small_town = (
        Town.objects.filter(archived_at__isnull=True, tasks__report_kind=ReportKind.CHECKLIST)
        .annotate(n=Count("villages", distinct=True))
        .order_by("n", "pk")
        .first()
    )
    small_task = biggest_task(small_town)
    small_office = _holder(Role.TOWN_OFFICE, town=small_town)
    small_grid = Grid.objects.filter(village__town=small_town).order_by("pk").first()
    small_worker = _holder(Role.GRID_WORKER, grid=small_grid)
    User.objects.filter(pk__in=[small_office.pk, small_worker.pk]).update(must_change_password=False)
    small_office.must_change_password = small_worker.must_change_password = False
    today = timezone.localdate()
    grid_ids = list(Assignment.objects.active_on(today).filter(user=p.worker).values_list("grid_id", flat=True))
    pages = [
        Page(
            "town task page",
            p.town_office,
            reverse("towntasks:task-detail", args=[task.pk]),
            [(TT_TASK_TARGETS, [task.pk]), (TT_TASK_PROGRESS, [task.pk])],
            compare_url=reverse("towntasks:task-detail", args=[small_task.pk]),
            compare_user=small_office,
        ),
        Page(
            "town task list",
            p.town_office,
            reverse("towntasks:task-list"),
            [(TT_TASK_LIST_ROWS, [[p.town.pk]])],
            compare_url=reverse("towntasks:task-list"),
            compare_user=small_office,
        ),
        Page(
            "field task list",
            p.worker,
            reverse("towntasks:field-list"),
            [(TT_FIELD_OPEN, [grid_ids])],
            compare_url=reverse("towntasks:field-list"),
            compare_user=small_worker,
        ),
    ]
    # A worker's household checklist of a task under way in their village: the biggest grid with one, beside
    # the smallest such grid.
    from towntasks.models import FIELD_STAGES, TaskItem

    under_way = (
        TaskItem.objects.filter(target__state__in=FIELD_STAGES)
        .values("grid_id", "target_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "grid_id")
    )
    big, small = under_way.first(), under_way.order_by("n", "grid_id").first()
    if big is None:
        return pages, [{"scenario": "field task checklist", "skipped": "no task under way in this data set"}]
    big_worker = _holder(Role.GRID_WORKER, grid_id=big["grid_id"])
    small_worker = _holder(Role.GRID_WORKER, grid_id=small["grid_id"])
    User.objects.filter(pk__in=[big_worker.pk, small_worker.pk]).update(must_change_password=False)
    big_worker.must_change_password = small_worker.must_change_password = False
    pages.append(
        Page(
            "field task checklist",
            big_worker,
            reverse("towntasks:field-checklist", args=[big["target_id"]]),
            [(TT_FIELD_CHECKLIST, [big["target_id"], [big["grid_id"]]])],
            compare_url=reverse("towntasks:field-checklist", args=[small["target_id"]]),
            compare_user=small_worker,
        )
    )
    return pages, []
