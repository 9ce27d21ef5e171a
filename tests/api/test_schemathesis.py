"""schemathesis over the whole OpenAPI schema, in process, as the village's staff, a grid worker and the
town office: no input may cause a 5xx, and every answer (errors included) must have a status, a content type
and a body the schema documents (the JSON error shape of ``core.rest`` included).

What runs, bounded so that the file takes about two minutes on two cores:

- Phases ``examples``, ``coverage`` and ``fuzzing``, with valid and invalid data (schemathesis's positive and
  negative modes). ``coverage`` is deterministic: boundary values, missing, extra and wrong-typed fields and
  methods the path does not take, for every parameter and body property (most of the run's ~10,000
  requests); ``fuzzing`` adds ``MAX_EXAMPLES`` random inputs per operation.
- Each request goes out as one of the three personas, picked from what it sends: the personas share the
  inputs (a third each) instead of tripling the run, and a failing input replays as the same persona.
- Real ids. A random id in a path is nearly always a 404 that goes no deeper, so for valid data the path's
  ``{id}`` is swapped for a record the test world holds (a case in mediation, a mediator, a household …);
  invalid data keeps its invalid id (``0.5``, ``-9.1e-276``), which must answer the JSON 404.
- A stateful run (``test_api_statefully``) over the cases and the mediation teams, as the town office and the
  village's staff, follows the links schemathesis infers from the schema (a list's ids into the calls on one
  record: ``GET /cases/`` → ``POST /cases/{id}/sessions/``), with valid data so that a chain gets past its
  first step.
- Reproducible: hypothesis is derandomized (a fixed seed per operation) and ``coverage`` is deterministic,
  so CI sends the same requests every run.

On the code before ``core/rest.py``'s error handling and the fixes it came with, this run found: the 500 of
``POST cases/{id}/sessions/`` without a date or a place (the service was called before the permission check,
missing its arguments), and on SQLite the 500 of ``POST cases/{id}/mediators/`` with a number past 2⁶³
(PostgreSQL compares it as a numeric and finds nothing); the HTML 404 of an id such as ``0.5``; 500s for a
JSON list as a body, for a form-encoded PATCH of a key person, for a boolean where a form wants a date, for a
party without a role, for a second micro-grid of the same name and for a username with a NUL; and a case's
``outcome`` and ``department`` not as the schema said.

Checks on: ``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance``,
``response_schema_conformance``, ``response_headers_conformance``, ``missing_required_header``,
``unsupported_method`` (a method the path does not take is a JSON 405), ``allow_header_conformance`` and
``ignored_auth`` (an answer given with the token is refused without it); in the stateful run also
``ensure_resource_availability`` and ``use_after_free`` (what a chain created can be read; nothing is
deleted there). Checks off, each for a reason:

- ``negative_data_rejection`` (invalid data must be refused): three designs of the API accept what the
  schema calls invalid, on purpose. The list filters are the pages' FilterSets, which drop a filter that does
  not apply to the caller (the village for someone who sees one village; a grid before its village is
  chosen), so its malformed value is ignored rather than refused. The writes of the territory and the
  registry go through the pages' forms, which read text: a number where the schema says string is taken as
  its text (``0`` → ``"0"``), and a PUT keeps the fields it leaves out, like a PATCH. DRF's paging falls back
  to 50 rows on a malformed ``page_size``. A list or an object where a form wants one value is refused
  (``core.rest.form_valid_or_400``), which is where accepting it did harm.
- ``positive_data_acceptance``: valid-by-schema is not valid-by-rule. A random grid number, an id of
  another village or a date in the future is rightly refused with a 400; the schema cannot say which ids
  exist or what the door allows.
- ``object_level_authorization``: the persona matrix (``test_api_matrix``) pins who sees which record, with
  the out-of-scope 404 the house rule wants; this check cannot know the rule.
"""

from __future__ import annotations

import datetime
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from tests.conftest import make_case

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), headers={"Host": "localhost"})
# ``stateful`` on lets schemathesis infer the links ``as_state_machine`` follows (``parametrize`` runs the rest).
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# The stateful run: the cases and the mediation teams, where a record's state decides what may follow. Valid
# data only, so that a chain gets past the first 400 (the stateless run sends the invalid data).
schema.config.phases.stateful.generation.update(modes=[GenerationMode.POSITIVE])
Workflow = schema.include(path_regex=r"^/api/v1/(cases|mediators)/").as_state_machine()

PERSONAS = ["town", "staff", "worker"]
MAX_EXAMPLES = 20
STATEFUL_EXAMPLES = 15  # scenarios per persona, each up to STATEFUL_STEPS calls
STATEFUL_STEPS = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]
# After a create or a delete in a chain: what was created can be read, what was deleted cannot.
STATEFUL_CHECKS = [*CHECKS, ensure_resource_availability, use_after_free]
HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI app closes the database connection after each request (as in production); inside a
    test transaction that would drop the test's data. Django's own test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(personas, world) -> dict[str, str]:
    return {name: Token.objects.get_or_create(user=personas[name])[0].key for name in PERSONAS}


@pytest.fixture
def record_ids(world, personas) -> dict[str, int]:
    """One record of each kind the paths name, in the staff's village: what a valid ``{id}`` points at."""
    from disputes import services as cases
    from disputes.models import Mediator
    from grids.models import Assignment
    from messaging import services as messaging
    from messaging.models import Notice
    from reports import services as reports
    from visits import due
    from visits import services as visits

    staff, worker = personas["staff"], personas["worker"]
    case = make_case(world, staff)
    case = cases.case_accept(case=case, by=staff, version=case.version, tier=2)
    case = cases.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    mediator = Mediator.objects.create(village=world.village, name="老党员甲", type="party_veteran")
    visit = visits.visit_record(worker=worker, target=world.household1)[0]
    report = reports.report_open(village=world.village, month=due.previous_month(datetime.date.today()), by=staff)
    messaging.notice_send(recipients=[staff, worker], key="schemathesis", kind="reminder", title="提醒")
    from party import services as party
    from party.models import Meeting, OrgKind
    from tests.party.conftest import member, org

    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    branch = org(world.village, OrgKind.BRANCH, "第一网格党支部", parent=top, grid=world.grid1)
    party_member = member(world.village, world.resident1, branch)
    meeting = Meeting(organisation=branch, kind="branch_committee", held_on=datetime.date.today(), place="村部")
    meeting.topic = "学习"
    meeting = party.meeting_record(by=staff, meeting=meeting, present=[party_member])
    from cogovernance import services as cogov
    from cogovernance.models import Project, VillageDocument
    from tests.cogovernance.conftest import propose
    from tests.towntasks.conftest import issue, target_of

    deliberation = propose(world.village, staff)
    project = cogov.project_save(
        by=staff,
        project=Project(village=world.village, title="路灯", budget=1000, started_on=datetime.date(2026, 1, 5)),
    )
    document = cogov.document_save(
        by=staff, document=VillageDocument(village=world.village, kind="rules", title="村规民约")
    )
    from civility import services as civility
    from civility.models import Activity, ModelSelection, PointsAccount, VolunteerTeam

    activity = civility.activity_save(
        by=staff,
        activity=Activity(
            village=world.village,
            kind="legal",
            title="普法",
            held_on=datetime.date(2026, 3, 5),
            organiser="村委会",
            place="广场",
            participants=40,
        ),
    )
    team = civility.team_save(by=staff, team=VolunteerTeam(village=world.village, name="学雷锋志愿服务队"))
    selection = civility.selection_save(
        by=staff,
        selection=ModelSelection(
            village=world.village,
            year=2026,
            honour="civilised",
            household=world.household1,
            reason="孝老爱亲",
            selected_on=datetime.date(2026, 1, 5),
            points=10,
        ),
    )
    return {
        "activities": activity.pk,
        "volunteer-teams": team.pk,
        "model-households": selection.pk,
        "points": PointsAccount.objects.get(household=world.household1).pk,
        "villages": world.village.pk,
        "grids": world.grid1.pk,
        "micro-grids": world.micro1.pk,
        "assignments": Assignment.objects.get(user=worker).pk,
        "notices": Notice.objects.get(recipient=staff, key="schemathesis").pk,
        "households": world.household1.pk,
        "residents": world.resident1.pk,
        "key-persons": world.key_person1.pk,
        "key-places": world.key_place1.pk,
        "visits": visit.pk,
        "cases": case.pk,
        "mediators": mediator.pk,
        "reports": report.pk,
        "party-organisations": branch.pk,
        "party-members": party_member.pk,
        "meetings": meeting.pk,
        "deliberations": deliberation.pk,
        "projects": project.pk,
        "village-documents": document.pk,
        "town-tasks": target_of(issue(world, personas["town"]), world.village).pk,
    }


def _with_a_real_id(case, record_ids) -> None:
    """Valid data gets a record that exists; invalid data keeps its invalid id (the JSON 404)."""
    if "id" not in (case.path_parameters or {}):
        return
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if component is not None and component.mode == GenerationMode.NEGATIVE:
        return
    resource = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    case.path_parameters["id"] = record_ids[resource]


def _persona_for(case) -> str:
    """Each request goes out as one persona, picked from what it sends: the three share the inputs, and a
    failing input replays (and shrinks) as the same persona."""
    sent = f"{case.method} {case.formatted_path} {case.query!r} {case.body!r}"
    return PERSONAS[zlib.crc32(sent.encode("utf-8", "surrogatepass")) % len(PERSONAS)]


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Host": "localhost"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, **HYPOTHESIS)
def test_api_conforms_to_its_schema(case, tokens, record_ids):
    persona = _persona_for(case)  # before the real id: a test database's ids are not the same in every run
    _with_a_real_id(case, record_ids)
    try:
        case.call_and_validate(headers=_headers(tokens[persona]), checks=CHECKS)
    except FailureGroup as exc:
        exc.add_note(f"as: {persona}")
        raise


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["town", "staff"])
def test_api_statefully(persona, tokens, record_ids):
    """Chains of calls along the inferred links: a list's ids into the calls on one record."""
    headers = _headers(tokens[persona])

    class AsPersona(Workflow):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=STATEFUL_CHECKS, headers=headers, recorder=self.recorder)

    AsPersona.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS, **HYPOTHESIS))
