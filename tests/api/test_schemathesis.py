"""schemathesis over the whole OpenAPI schema, in process, with every persona's token: no input may
cause a 5xx, and every answer (errors included) must match the schema. Examples are bounded so CI stays
quick; the seed is fixed so a failure reproduces."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), headers={"Host": "localhost"})
# Bounded for CI: explicit examples and random fuzzing; the exhaustive coverage phase and stateful links
# are left to a longer run (`schemathesis run` against a server).
schema.config.phases.update(phases=["examples", "fuzzing"])

PERSONAS = ["worker", "colleague", "staff", "town", "outsider"]


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


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, tokens):
    for persona in PERSONAS:
        case.call_and_validate(
            headers={"Authorization": f"Token {tokens[persona]}", "Host": "localhost"},
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
        )
