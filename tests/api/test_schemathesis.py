"""Schemathesis drives the API from its own OpenAPI schema: no input gives a 5xx."""

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, settings

from jiesu.api import api
from jiesu.core.models import ApiToken
from jiesu.wsgi import application

# The schema is served only after a login: load it from the API object itself.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = application
schema.location = "/api/openapi.json"


@pytest.fixture
def token(people, categories, dispatched):
    cache.clear()
    return ApiToken.issue(people["zuzhang"])


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    content_type = str(response.headers.get("content-type", ""))
    if response.status_code >= 400 and "application/json" in content_type:
        assert "error" in response.json(), response.text[:500]
