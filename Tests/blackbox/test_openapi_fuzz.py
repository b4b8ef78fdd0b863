"""schemathesis against docs/openapi.json on a live maestro-server (real redis-server): no 5xx, no crash (the server
still answers /healthz after every operation), and every response conforms to the document (documented status
code, content type, headers, response schema); invalid input must be refused with a 4xx.

Two runs over every operation but the streams (/events and /ws are the WebSocket suite's and SSE never ends):
  - `test_api_random`: every parameter generated (random projects, ids, bodies), positive and negative data;
  - `test_api_known_records`: the path ids and the project pinned to records that exist (a task with a session
    queued on it), so bodies reach the state machines instead of stopping at 404.
User operations carry the user token, session operations (`sessionToken` in the document) the token of a session
created through POST /api/sessions in a fixture.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup

from blackbox_env import OPENAPI_PATH, USER_TOKEN, Api

SEED = 20251126
MAX_EXAMPLES = 50
PROJECT = "bbx-api"
TASK_ID = "bbx-task-1"
CHILD_TASK_ID = "bbx-task-2"
SESSION_ID = "bbx-sess-1"
SUITE = "schemathesis"

CHECKS = {
    # What the suite is for: no 5xx, documented status codes, content types, headers and bodies; invalid input
    # (by the document) refused with a 4xx; no operation that works without its token.
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_headers_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
    # 413 (a body over the server's 256 KiB limit) is a refusal too
    "negative_data_rejection": {"enabled": True, "expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]},
    "ignored_auth": {"enabled": True},
    # Off: the document does not spell out the id pattern, text rules or transitions, so schema-valid input is
    # rightly refused with a documented 400/409 (positive_data_acceptance); methods the document does not list
    # answer 404 rather than 405 (unsupported_method, allow_header_conformance); the rest needs stateful links or
    # timing this suite does not measure.
    "positive_data_acceptance": {"enabled": False},
    "unsupported_method": {"enabled": False},
    "allow_header_conformance": {"enabled": False},
    "missing_required_header": {"enabled": False},
    "use_after_free": {"enabled": False},
    "ensure_resource_availability": {"enabled": False},
}


def _config(parameters: dict | None = None) -> schemathesis.Config:
    project = {
        "seed": SEED,
        "request-timeout": 10,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": False,
            "database": "none",
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": CHECKS,
    }
    if parameters:
        project["parameters"] = parameters
    return schemathesis.Config.from_dict(project)


def _load(parameters: dict | None = None):
    return schemathesis.openapi.from_path(OPENAPI_PATH, config=_config(parameters)).exclude(
        path_regex=r"^/(events|ws)$")


random_schema = _load()
known_schema = _load({"taskId": TASK_ID, "sessionId": SESSION_ID, "projectId": PROJECT}).exclude(method="DELETE")

with open(OPENAPI_PATH) as file:
    _DOCUMENT = json.load(file)


def _scheme(method: str, path: str) -> str | None:
    """The security scheme the document names for an operation (None: public)."""
    operation = _DOCUMENT["paths"][path][method.lower()]
    requirements = operation.get("security", _DOCUMENT.get("security", []))
    for requirement in requirements:
        for name in requirement:
            return name
    return None


@pytest.fixture(scope="module")
def api_records(server):
    """A task, its subtask and a session queued on the task, in PROJECT; returns the session's token."""
    api = Api(server.base_url, PROJECT)
    api.create_task("Black-box task", id=TASK_ID, description="for schemathesis")
    api.create_task("Black-box subtask", id=CHILD_TASK_ID, parentId=TASK_ID)
    spawned = api.spawn_session("schemathesis", task_ids=[TASK_ID], session_id=SESSION_ID)
    TOKENS["sessionToken"] = spawned["token"]
    return spawned["token"]


@pytest.fixture
def still_alive(server):
    """Fails the test when the server is down after it (a crash or a hang)."""
    yield
    assert server.alive(), f"maestro-server does not answer /healthz after this operation: {server.exit_description()}"


# The tokens the auth providers hand out; the session's is set by the `api_records` fixture.
TOKENS = {"userToken": USER_TOKEN, "sessionToken": None}


class DocumentedToken:
    """Authorization: Bearer <the token of the scheme the document names for the operation> (schemathesis applies
    it, so its `ignored_auth` check can also send the request without it and with a wrong one)."""

    def get(self, case, context):
        scheme = _scheme(context.operation.method, context.operation.path)
        return TOKENS.get(scheme) if scheme else None

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


random_schema.auth(refresh_interval=None)(DocumentedToken)
known_schema.auth(refresh_interval=None)(DocumentedToken)


def _run(case, server, figures):
    try:
        case.call_and_validate(base_url=server.base_url)
    except (Exception, FailureGroup) as error:
        titles = sorted({failure.title for failure in getattr(error, "exceptions", [])}) or [type(error).__name__]
        label = f"{case.operation.method.upper()} {case.operation.path}"
        report = "\n".join(line if len(line) <= 400 else line[:400] + f"… ({len(line)} characters)"
                           for line in str(error).strip().splitlines())
        figures.case(SUITE, f"{label}: {report[:1500]}", key=f"{label}: {', '.join(titles)}")
        # schemathesis' own report, with its reproducing curl command cut to a readable length
        raise AssertionError(report) from None
    figures.case(SUITE)


@random_schema.parametrize()
@pytest.mark.time_limit(60)
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_random(case, server, api_records, still_alive, figures):
    _run(case, server, figures)


@known_schema.parametrize()
@pytest.mark.time_limit(60)
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_known_records(case, server, api_records, still_alive, figures):
    _run(case, server, figures)
