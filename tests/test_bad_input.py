"""Bad input on every page form: refused with a message, never a server error, nothing half-saved.

The pages are those of the permission matrix (tests/test_permission_matrix.py) that each persona may open,
plus a few states the matrix does not reach (a case being mediated, a report being written, a visit to a
key person with a "四帮一" team). Every ``<form method="post">`` on them is read from the HTML, filled in
as a person would, and posted again with: every text field over-long, every field empty, wrong types
(letters and "²" in numbers, dates that are not dates, ids that do not exist, numbers too big for the
database), the other village's ids in the choices, and files that are not what they should be. Each POST
runs in a savepoint that is rolled back, so the next one starts from the same world.

The filter forms (GET) and the links that carry a query string (?grid=, ?version=, ?page=…) get the same
wrong values: ignored or refused, never a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import resolve, reverse
from django.utils import timezone

from residents import excel
from residents.idnumber import check_character
from tests.conftest import PASSWORD, png_bytes
from tests.test_permission_matrix import CASE1, MATRIX

# Forms that are not data entry: signing out, switching language.
SKIPPED_ACTIONS = {"logout", "set_language", "login"}
OVER_LONG = "长" * 5000
NOT_A_NUMBER = "abc"
NO_SUCH_ID = "99999999999"
# Past the 64-bit integers of PostgreSQL: a form must refuse it before the database sees it.
TOO_BIG = "9" * 25
NOT_NUMBERS = [
    ("letters", NOT_A_NUMBER),
    ("a superscript digit", "²"),  # str.isdigit() says yes, int() says no
    ("too big", TOO_BIG),
    ("negative", "-" + NO_SUCH_ID),
]
MANAGEMENT_FORM = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")
TEXT_TYPES = {"text", "search", "email", "tel", "url", "password"}
# An element that shows a refusal: templates/partials/form_errors.html, the field-level errors, Django's
# own error lists and an error message of the messages framework.
ERROR_SHOWN = re.compile(r'class="[^"]*\b(form-errors|field-error|errorlist|msg-error)\b')


# --- Reading the forms of a page -----------------------------------------------------------------------


@dataclass
class Field:
    name: str
    tag: str  # input, textarea, select
    type: str = "text"  # an input's type; "select"/"select-multiple"; "textarea"
    value: str = ""
    checked: bool = False
    required: bool = False
    maxlength: int | None = None
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    accept: str = ""  # a file input's accepted types


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    submits: list[tuple[str, str] | None] = field(default_factory=list)  # (name, value); None: unnamed
    submit: tuple[str, str] | None = None  # the button this copy of the form is sent with
    shortcuts: set[str] = field(default_factory=set)  # buttons marked data-quick: they fill the form themselves

    @property
    def url_name(self) -> str:
        return resolve(urlsplit(self.action).path).view_name

    def key(self) -> tuple:
        return (self.url_name, tuple(sorted({f.name for f in self.fields})), self.submit)


class PageParser(HTMLParser):
    """The forms of a page, and its links that carry a query string (filters, pages, chosen versions)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None  # an open <option>: its value and whether selected
        self._option_text = ""
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "?" in (a.get("href") or "") and not urlsplit(a["href"]).netloc:
            self.links.add(a["href"])
        if tag == "form":
            self._form = Form(action=a.get("action") or self.page_url, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        maxlength = int(a["maxlength"]) if a.get("maxlength") else None
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "image"}:
                form.submits.append((name, a.get("value") or ""))
            if kind in {"submit", "image", "button", "reset"}:
                return
            form.fields.append(
                Field(
                    name,
                    "input",
                    kind,
                    a.get("value") or "",
                    "checked" in a,
                    "required" in a,
                    maxlength,
                    accept=a.get("accept") or "",
                )
            )
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            if "data-quick" in a:
                form.shortcuts.add(name)
            form.submits.append((name, a.get("value") or "") if name else None)
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", "textarea", "", False, "required" in a, maxlength)
            form.fields.append(self._textarea)
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(name, "select", kind, required="required" in a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._end_option()
            self._option, self._option_text = (a.get("value"), "selected" in a), ""

    def _end_option(self):
        """An option's value is its text when it has no value attribute."""
        if self._option is not None:
            value, selected = self._option
            self._select.options.append((self._option_text.strip() if value is None else value, selected))
            self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops the newline that follows <textarea> (Django writes one).
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self._select = None


def read_page(html: str, page_url: str) -> PageParser:
    parser = PageParser(page_url)
    parser.feed(html)
    return parser


def post_forms(page: PageParser) -> list[Form]:
    """The page's POST forms, one copy per submit button (approve / return, save / submit). Where a form
    also has an unnamed button, that is its full save and the only one used: a named one next to it is a
    shortcut that fills the form itself (a visit's "visited, nothing found"). A button marked
    ``data-quick`` is such a shortcut too, and skipped."""
    forms = []
    for form in page.forms:
        if form.method != "post" or form.url_name in SKIPPED_ACTIONS:
            continue
        named = [b for b in form.submits if b is None or b[0] not in form.shortcuts]
        buttons = [None] if None in named or not named else named
        forms += [replace(form, submit=button) for button in buttons]
    return forms


# --- What to post --------------------------------------------------------------------------------------

# Values for required fields the page leaves empty, so that one bad value is the only thing wrong.
FILL_BY_TYPE = {"number": "1", "tel": "13800138000"}  # and today for a date
NEW_PASSWORD = "Zq8!vR3#mK9$"
FILL_BY_NAME = {
    "id_number": "11010519800101003" + check_character("11010519800101003"),  # registered nowhere
    "phone": "13800138000",
    "party_phone": "13800138000",
    "old_password": PASSWORD,
    "new_password1": NEW_PASSWORD,
    "new_password2": NEW_PASSWORD,
    "tenant_id_numbers": "",  # ID numbers of the village's residents, one a line: none is a valid answer
}


FORMSET_ROW = re.compile(r"-\d+-")


def filled_in(form: Form) -> dict[str, list[str]]:
    """The form as a person would send it: the page's values and choices, an option picked in every
    select and radio group, the required fields filled."""
    data: dict[str, list[str]] = {}
    for f in form.fields:
        if f.type == "file":
            continue
        if f.type == "checkbox":
            if f.checked:
                data.setdefault(f.name, []).append(f.value or "on")
        elif f.type == "radio":
            if f.checked or (f.required and f.name not in data):
                data[f.name] = [f.value]
        elif f.tag == "select":
            chosen = [v for v, selected in f.options if selected]
            # A choice made in every select, except in the rows of a formset that are left unused.
            if f.type == "select" and chosen in ([], [""]) and not FORMSET_ROW.search(f.name):
                chosen = [v for v, _selected in f.options if v][:1]
            elif f.type == "select" and not chosen:
                chosen = [v for v, _selected in f.options][:1]  # a browser sends the first option
            data[f.name] = chosen
        elif not f.value.strip() and (f.required or (f.tag == "textarea" and not FORMSET_ROW.search(f.name))):
            # Required fields, and the free text of textareas (a report's sections must be written
            # before it is submitted; the form does not mark them required).
            fill = FILL_BY_TYPE | {"date": timezone.localdate().isoformat()}
            data[f.name] = [FILL_BY_NAME.get(_bare(f.name), fill.get(f.type, "测试"))]
        else:
            data[f.name] = [f.value]
    if form.submit:
        data[form.submit[0]] = [form.submit[1]]
    return data


@dataclass
class Variant:
    label: str
    data: dict[str, list[str]]
    # What makes it invalid: a redirect (saved) after it is a bug. Empty: it may be valid after all.
    faults: list[str]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)  # name: (file name, content, type)
    must_say: re.Pattern | None = None  # what the refusal must name


# A choice from elsewhere is refused as not this village's (VillageScopedChoice), as no valid choice
# (Django's ModelChoiceField) or as no such household of the village (a household typed by its number).
NOT_OURS = re.compile(r"不属于本村|选择一个有效的选项|本村没有")


def good_files(form: Form, stem: str = "x", *, every: bool = False) -> dict[str, tuple[str, bytes, str]]:
    """A real file for each required upload (or for ``every`` one): a photo, or the import's template."""
    return {
        f.name: (f"{stem}.png", png_bytes(), "image/png")
        if "image" in f.accept
        else (f"{stem}.xlsx", excel.template("households"), "application/octet-stream")
        for f in form.fields
        if f.type == "file" and (f.required or every)
    }


def variants(form: Form, other_ids: dict[str, int]) -> list[Variant]:
    """The form as filled in, then with one kind of bad input at a time (files stay good but in the
    variants that are about them)."""
    base = filled_in(form)
    out = [Variant("as filled in", base, [])]

    texts = [f for f in form.fields if f.tag == "textarea" or (f.tag == "input" and f.type in TEXT_TYPES)]
    if texts:
        over = [f.name for f in texts if f.maxlength is not None]
        out.append(Variant("every text over-long", base | {f.name: [OVER_LONG] for f in texts}, over))
    # A field without a length in the page has none in the form: it must fit the database all the same.
    out += [Variant(f"{f.name} over-long", base | {f.name: [OVER_LONG]}, []) for f in texts if f.maxlength is None]

    dates = [f for f in form.fields if f.type == "date"]
    # A checkbox without a value is a yes/no field: anything sent means yes.
    choices = [f for f in form.fields if f.tag == "select" or f.type == "radio" or (f.type == "checkbox" and f.value)]
    for label, value in (("no such choice", NO_SUCH_ID), ("a choice too big for the database", TOO_BIG)):
        if choices:
            out.append(Variant(label, base | {f.name: [value] for f in choices}, [f.name for f in choices]))
    if dates:
        out.append(Variant("dates not dates", base | {f.name: [NOT_A_NUMBER] for f in dates}, [f.name for f in dates]))

    # Numbers one at a time: a number the form lets through must still fit its column. A formset's
    # management numbers are Django's (it refuses them when they are not numbers, and caps them).
    integers = [
        f
        for f in form.fields
        if (f.type == "number" or (f.type == "hidden" and re.fullmatch(r"\d+", f.value)))
        and not MANAGEMENT_FORM.search(f.name)
    ]
    for f in integers:
        for label, value in NOT_NUMBERS:
            out.append(Variant(f"{f.name} {label}", base | {f.name: [value]}, [f.name]))

    # The other village's objects one field at a time: each field must refuse them itself.
    for name in dict.fromkeys(f.name for f in form.fields if _bare(f.name) in other_ids):
        pk = str(other_ids[_bare(name)])
        out.append(Variant(f"{name} of the other village", base | {name: [pk]}, [name], must_say=NOT_OURS))

    files = good_files(form)
    out = [replace(v, files=files) for v in out]
    uploads = [f for f in form.fields if f.type == "file"]
    if uploads:
        garbage = {f.name: ("照片" * 150 + ".png", b"not an image", "image/png") for f in uploads}
        out.append(Variant("a file that is neither a photo nor a workbook", base, [f.name for f in uploads], garbage))
        out.append(Variant("a good file with a very long name", base, [], good_files(form, "长" * 300, every=True)))

    empty = {f.name: [""] for f in form.fields} | ({form.submit[0]: [form.submit[1]]} if form.submit else {})
    out.append(Variant("every field empty", empty, [f.name for f in form.fields if f.required]))
    return out


def _bare(name: str) -> str:
    """A field's name without its form prefix (``assign-assignee`` → ``assignee``, ``form-0-grid`` → ``grid``)."""
    return name.rsplit("-", 1)[-1]


# --- The world and the pages ---------------------------------------------------------------------------

PERSONAS = ["staff", "worker", "town"]


def _accepted_case(w, u):
    from disputes import services
    from disputes.models import Case

    case = Case.objects.get(**CASE1(w, u))
    return services.case_accept(case=case, by=u["staff"], version=case.version, tier=2)


def CASE_ACCEPTED(w, u) -> dict:
    """A dispute accepted by the village, to be handed to someone: who, with which mediators."""
    return {"pk": _accepted_case(w, u).pk}


def CASE_MEDIATING(w, u) -> dict:
    """A dispute handed to the village's staff: sign, mediate, record a session, resolve."""
    from disputes import services

    case = _accepted_case(w, u)
    services.case_assign(case=case, by=u["staff"], version=case.version, assignee=u["staff"])
    return {"pk": case.pk}


def CASE_AT_TOWN(w, u) -> dict:
    """A major dispute sent up to the town and accepted there: the town hands it to a department."""
    from disputes import services

    case = _accepted_case(w, u)
    case = services.case_escalate(case=case, by=u["staff"], version=case.version, note="重大", major=True)
    return {"pk": services.case_accept(case=case, by=u["town"], version=case.version).pk}


def REPORT_DRAFT(w, u) -> dict:
    """This month's report, opened and not yet submitted: the village may write it."""
    from reports import services
    from visits import due

    return {
        "pk": services.report_open(village=w.village, month=due.month_start(timezone.localdate()), by=u["staff"]).pk
    }


def VISIT_KEY_PERSON1(w, u) -> dict:
    return {"subject": "key_person", "pk": w.key_person1.pk}


EXTRA_PAGES = [
    ("disputes:case-detail", CASE_ACCEPTED, ["staff"]),
    ("disputes:case-detail", CASE_MEDIATING, ["staff"]),
    ("disputes:case-detail", CASE_AT_TOWN, ["town"]),
    ("reports:report-detail", REPORT_DRAFT, ["staff"]),
    ("visits:visit-new", VISIT_KEY_PERSON1, ["worker", "staff"]),
]


def pages(persona: str):
    for name, (kwargs_for, expected) in sorted(MATRIX.items()):
        if expected[persona] == 200:
            yield name, kwargs_for
    for name, kwargs_for, who in EXTRA_PAGES:
        if persona in who:
            yield name, kwargs_for


# The other village's objects, by the name of the field that chooses them.
def other_village_ids(world, outsider) -> dict[str, int]:
    from disputes.models import Mediator

    mediator = Mediator.objects.create(village=world.other_village, name="外村调解员", type="party_veteran")
    return {
        "grid": world.other_grid.pk,
        "micro_grid": world.other_micro.pk,
        "household": world.other_household.pk,
        "villager_group": world.other_group.pk,
        "user": outsider.pk,
        "assignee": outsider.pk,
        "mediators": mediator.pk,
    }


# Every table of the portal's apps. A refused POST must leave all their row counts as they were.
def _count_sql() -> str:
    tables = [
        connection.ops.quote_name(m._meta.db_table)
        for label in ("grids", "residents", "disputes", "visits", "reports")
        for m in apps.get_app_config(label).get_models()
    ]
    return "SELECT " + ", ".join(f"(SELECT count(*) FROM {t}) AS {t}" for t in tables)  # noqa: S608 — no input here


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_count_sql())
        return dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))


def _error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= constants.ERROR]


def check(client, user, form: Form, variant: Variant) -> str | None:
    """POST one variant in a savepoint rolled back afterwards; a problem found, or None."""
    client.force_login(user)  # a password change ends the session, and is rolled back with it
    uploads = {name: SimpleUploadedFile(*file) for name, file in variant.files.items()}
    payload = {**variant.data, **uploads}
    with transaction.atomic():
        try:
            return _judge(client, form, variant, payload)
        finally:
            transaction.set_rollback(True)


def _judge(client, form: Form, variant: Variant, payload: dict) -> str | None:
    before = row_counts()
    client.cookies.pop(CookieStorage.cookie_name, None)  # a message left by an earlier POST
    try:
        response = client.post(form.action, payload)
    except Exception as error:  # the server error is what is reported
        return f"server error {type(error).__name__}: {str(error)[:300]}"
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    page = response.content.decode() if status in (200, 400) else ""
    shown = bool(ERROR_SHOWN.search(page))
    # Refused: an error status, an error page (a page for input without faults may be a valid answer,
    # e.g. a revealed ID number), or a redirect carrying an error message (the record changed meanwhile).
    refused = (
        status not in (200, 302)
        or (status == 200 and (bool(variant.faults) or shown))
        or bool(_error_messages(response))
    )
    if not refused:
        if status == 302 and variant.faults:
            return f"accepted (302 → {response['Location']}) although {', '.join(variant.faults)} were bad"
        return None
    after = row_counts()
    changed = {table: (n, after[table]) for table, n in before.items() if after[table] != n}
    if changed:
        return f"refused ({status}) but rows were saved: {changed}"
    if status in (200, 400) and not shown:
        return f"refused ({status}) without an error message"
    if variant.must_say and not variant.must_say.search(page):
        return f"refused ({status}) but not for {', '.join(variant.faults)}"
    return None


def walk(client, world, personas, persona: str):
    """Every page the persona may open, read: (page name, the page's forms and links)."""
    made: dict = {}  # the objects pages are about are made once, for every page
    client.force_login(personas[persona])
    for name, kwargs_for in pages(persona):
        if kwargs_for not in made:
            made[kwargs_for] = kwargs_for(world, personas)
        url = reverse(name, kwargs=made[kwargs_for])
        response = client.get(url)
        assert response.status_code == 200, f"{persona} GET {url}"
        if response["Content-Type"].startswith("text/html"):
            yield name, read_page(response.content.decode(), url)


# Nothing silently skipped: per persona (one test each, so that test processes share the work), at least
# the forms and POSTs, and the filter forms and links and GETs, found when this was written.
FORMS_AND_POSTS = {"staff": (101, 734), "worker": (11, 70), "town": (11, 88)}
QUERIES_AND_GETS = {"staff": (98, 558), "worker": (26, 145), "town": (96, 530)}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_bad_input_on_every_form_is_refused_with_a_message(client, world, personas, persona):
    other_ids = other_village_ids(world, personas["outsider"])
    seen: set[tuple] = set()
    posts = 0
    problems: list[str] = []
    for name, page in walk(client, world, personas, persona):
        for form in post_forms(page):
            if form.key() in seen:
                continue
            seen.add(form.key())
            for variant in variants(form, other_ids):
                posts += 1
                problem = check(client, personas[persona], form, variant)
                if problem:
                    problems.append(f"{persona} {form.url_name} ({name} page) — {variant.label}: {problem}")
    assert not problems, "\n".join(problems)
    least_forms, least_posts = FORMS_AND_POSTS[persona]
    assert len(seen) >= least_forms, f"only {len(seen)} forms found"
    assert posts >= least_posts, f"only {posts} POSTs"


# --- Filters and links: what a GET carries -------------------------------------------------------------


def query_variants(params: dict[str, list[str]], texts: set[str], other_ids: dict[str, int]) -> list[tuple]:
    """Bad values for a query: over-long text, then one kind of wrong value in every parameter at once."""
    out = [("every text over-long", params | {n: [OVER_LONG] for n in texts})] if texts else []
    for label, value in [*NOT_NUMBERS, ("no such choice", NO_SUCH_ID)]:
        out.append((f"{label} everywhere", params | {n: [value] for n in params}))
    foreign = {n: [str(other_ids[_bare(n)])] for n in params if _bare(n) in other_ids}
    if foreign:
        out.append(("the other village's ids", params | foreign))
    return out


def fetch(client, url: str, params: dict) -> str | None:
    """GET in a savepoint rolled back afterwards (a page may record that it was seen); a problem or None."""
    with transaction.atomic():
        try:
            status = client.get(url, params).status_code
        except Exception as error:  # the server error is what is reported
            return f"server error {type(error).__name__}: {str(error)[:300]}"
        finally:
            transaction.set_rollback(True)
    return f"status {status}" if status >= 500 else None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_bad_filters_and_query_parameters_never_fail(client, world, personas, persona):
    """Filter forms and the links that carry ids, months and pages: a wrong value is ignored or refused,
    never a server error."""
    other_ids = other_village_ids(world, personas["outsider"])
    queries: dict[tuple, tuple] = {}  # one per page and set of parameters
    for name, page in walk(client, world, personas, persona):
        for form in page.forms:
            if form.method == "get":
                params = {f.name: [f.value] for f in form.fields if f.type != "file"}
                texts = {f.name for f in form.fields if f.tag == "textarea" or f.type in TEXT_TYPES}
                key = (form.url_name, tuple(sorted(params)))
                queries.setdefault(key, (name, urlsplit(form.action).path, params, texts))
        for href in page.links:
            parts = urlsplit(href)
            path = parts.path or urlsplit(page.page_url).path
            params = parse_qs(parts.query, keep_blank_values=True)
            key = (resolve(path).view_name, tuple(sorted(params)))
            queries.setdefault(key, (name, path, params, set(params)))
    gets = 0
    problems: list[str] = []
    client.force_login(personas[persona])
    for (target, names), (name, path, params, texts) in queries.items():
        for label, bad in query_variants(params, texts, other_ids):
            gets += 1
            problem = fetch(client, path, bad)
            if problem:
                problems.append(f"{persona} {target} {list(names)} (from {name}) — {label}: {problem}")
    assert not problems, "\n".join(problems)
    least_queries, least_gets = QUERIES_AND_GETS[persona]
    assert len(queries) >= least_queries, f"only {len(queries)} filter forms and links found"
    assert gets >= least_gets, f"only {gets} GETs"
