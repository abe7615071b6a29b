"""Schemathesis against the OpenAPI schema, in process: whatever the generated parameters and
bodies, the API answers without a server error and within its documented response schemas.
Bounded in time: a few examples per operation (raise FUZZ_EXAMPLES for a longer run)."""

import datetime
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.choices import Role
from accounts.tokens import issue
from inspections.notices import make_notices
from poverty.wsgi import application
from tests.factories import (
    CadreFactory,
    FindingFactory,
    FundEntryFactory,
    HouseholdFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
    VisitFactory,
    build_world,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


# Loaded at collection: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
# Random generation only: the exhaustive "coverage" phase takes minutes over 70 operations.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, which closes the database connection at the end of
    each request; on PostgreSQL that would be the test's own transaction. django.test.Client
    unhooks the same signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _county_with_a_row_of_everything():
    world = build_world()
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    VisitFactory(household=HouseholdFactory(village=world.v11), cadre=cadre)
    FindingFactory(area=world.v11, person=None)
    FundEntryFactory(project=ProjectFactory(area=world.t1, areas=[world.v11]))
    make_notices(datetime.date(2019, 3, 1), today=datetime.date(2019, 4, 1))
    return world


@pytest.fixture
def token(db):
    """A county staff member's token, who sees personal data in full and may write."""
    world = _county_with_a_row_of_everything()
    return issue(UserFactory(role=Role.COUNTY_STAFF, areas=[world.county])).key


@pytest.fixture
def masked_token(db):
    """An API client's token, who sees personal data masked (phones 197****0714, ID numbers
    masked, health and birth dates withheld) and may only read."""
    world = _county_with_a_row_of_everything()
    return issue(UserFactory(role=Role.API_CLIENT, areas=[world.county])).key


fuzzed = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def call_and_validate(case, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@schema.parametrize()
@fuzzed
@pytest.mark.django_db
def test_no_server_errors_and_responses_match_the_schema(case, token):
    call_and_validate(case, token)


# A read-only role's writes are refused before their bodies are read: its reads are what differ.
@schema.include(method="GET").parametrize()
@fuzzed
@pytest.mark.django_db
def test_masked_responses_match_the_schema(case, masked_token):
    call_and_validate(case, masked_token)


def test_masked_values_are_valid_responses_and_invalid_requests():
    """The published schema says what a masked role gets back, without letting a client send a
    masked phone (the fuzz tests above check real responses of both roles against it)."""
    import re

    components = schema.raw_schema["components"]["schemas"]
    response = components["Cadre"]["properties"]["phone"]["oneOf"][0]
    request = components["CadreRequest"]["properties"]["phone"]["oneOf"][0]
    assert re.fullmatch(response["pattern"], "139****5678")
    assert not re.fullmatch(request["pattern"], "139****5678")
    assert re.fullmatch(request["pattern"], "13912345678")
    member = components["Member"]["properties"]
    assert member["health"]["nullable"] is True
    assert re.fullmatch(member["id_number"]["pattern"], "1410**********1234")
