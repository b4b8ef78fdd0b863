"""Bad input schemathesis cannot produce, sent raw to the live server: broken JSON and encodings, oversized bodies
and headers, wrong tokens on every operation, idempotent replays with someone else's token, percent-encoded ids.
Every answer must be one the document lists for that operation, in the API's error shape, and the server must
stay up."""

from __future__ import annotations

import json
import socket
import time

import pytest

from blackbox_env import OPENAPI_PATH, USER_TOKEN, Api

SUITE = "api-raw"
PROJECT = "bbx-raw"

with open(OPENAPI_PATH) as file:
    DOCUMENT = json.load(file)


def documented(method: str, path: str) -> set[int]:
    return {int(code) for code in DOCUMENT["paths"][path][method.lower()]["responses"]}


def is_error_shape(text: str) -> bool:
    try:
        body = json.loads(text)
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


@pytest.fixture(scope="module")
def raw(server):
    api = Api(server.base_url, PROJECT)
    api.create_task("Raw input", id="raw-1")
    api.create_task("Colon id", id="raw:colon")
    spawned = api.spawn_session("raw", task_ids=["raw-1"], session_id="raw-sess")
    other = api.spawn_session("other", session_id="raw-other")
    return {"api": api, "server": server, "token": spawned["token"], "other_token": other["token"]}


def _record(figures, name: str, failure: str | None):
    figures.case(SUITE, f"{name}: {failure}" if failure else None)
    assert failure is None, failure


BODIES = {
    "truncated JSON": b'{"title": "a"',
    "JSON null": b"null",
    "JSON array": b"[]",
    "JSON string": b'"title"',
    "empty body": b"",
    "invalid UTF-8": b'{"title": "\xff\xfe"}',
    "lone surrogate escape": b'{"title": "\\ud800"}',
    "NUL escape in the title": b'{"title": "a\\u0000b"}',
    "100000 nested arrays": b"[" * 100000,
    "40000 nested objects": b'{"a":' * 40000,  # 200 KB: under the body limit
    "number where a string goes": b'{"title": 1e999}',
    "unknown field": b'{"title": "a", "status": "completed"}',
    "title of 501 characters": json.dumps({"title": "t" * 501}).encode(),
    "title with a line break": b'{"title": "a\\nb"}',
    "description of 64 KiB + 1": json.dumps({"title": "a", "description": "d" * 65537}).encode(),
    "parent that does not exist": b'{"title": "a", "parentId": "nope"}',
    "id with a brace": b'{"title": "a", "id": "x{y}"}',
}


@pytest.mark.parametrize("name", list(BODIES))
def test_broken_body_is_refused(raw, figures, name):
    status, text = raw["api"].request("POST", "/api/tasks", raw=BODIES[name])
    failure = None
    if status not in documented("POST", "/api/tasks") or not 400 <= status < 500:
        failure = f"answered {status} (documented: {sorted(documented('POST', '/api/tasks'))}): {text[:200]}"
    elif not is_error_shape(text):
        failure = f"{status} without the error shape: {text[:200]}"
    if not raw["server"].alive():
        failure = f"server down after it: {raw['server'].exit_description()}"
    _record(figures, f"body {name}", failure)


def test_oversized_body_answer_is_documented(raw, figures):
    """A 1 MiB body is refused (the server's limit is 256 KiB) with a status the document lists."""
    status, text = raw["api"].request("POST", "/api/tasks", raw=json.dumps({"title": "a", "description": "d" * (1 << 20)}).encode())
    failure = None
    if not 400 <= status < 500:
        failure = f"answered {status}: {text[:200]}"
    elif status not in documented("POST", "/api/tasks"):
        failure = (f"answered {status} {text[:120]}, which the document does not list for POST /api/tasks "
                   f"(it lists {sorted(documented('POST', '/api/tasks'))})")
    elif not is_error_shape(text):
        failure = f"{status} without the error shape: {text[:200]}"
    _record(figures, "body of 1 MiB", failure)


def test_oversized_header_is_answered_or_closed(raw, figures):
    """A request with a 1 MiB header line gets an answer (431 or 400) or its connection closed — promptly, not
    left open."""
    server = raw["server"]
    failure = None
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n")
            sock.settimeout(5)
            answer = sock.recv(200)
            if answer and not answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")):
                failure = f"answered {answer[:60]!r}"
        except (ConnectionResetError, BrokenPipeError):
            pass
        except TimeoutError:
            failure = f"no answer and still open {time.monotonic() - started:.0f} s after a 1 MiB header"
    if not server.alive():
        failure = f"server down: {server.exit_description()}"
    _record(figures, "1 MiB header", failure)


def test_unfinished_first_request_is_closed(raw, figures):
    """A connection that starts a request and never finishes its head is closed by the server (within its 10 s
    first-request timeout), so silent clients hold nothing for long."""
    server = raw["server"]
    failure = None
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: the head never ends
        try:
            while sock.recv(4096):
                pass
            elapsed = time.monotonic() - started
            if elapsed > 12:
                failure = f"closed only after {elapsed:.1f} s"
        except ConnectionResetError:
            pass
        except TimeoutError:
            failure = "still open after 20 s"
    _record(figures, "unfinished first request", failure)


def _operations():
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            if method == "parameters" or not operation.get("security") or path in ("/events", "/ws"):
                continue
            yield method.upper(), path


def _concrete(path: str) -> str:
    return path.replace("{taskId}", "raw-1").replace("{sessionId}", "raw-sess")


VALID_BODIES = {  # so that the token is the only thing wrong
    ("POST", "/api/tasks"): {"title": "x"},
    ("PUT", "/api/tasks/{taskId}"): {"title": "x"},
    ("POST", "/api/tasks/{taskId}/queue"): {"sessionId": "raw-sess"},
    ("PUT", "/api/tasks/{taskId}/sessions/{sessionId}/status"): {"status": "working"},
    ("POST", "/api/tasks/{taskId}/sessions/{sessionId}/answer"): {"answer": "a"},
    ("POST", "/api/sessions"): {"name": "n"},
    ("POST", "/api/sessions/{sessionId}/queue"): {"taskIds": ["raw-1"]},
}


@pytest.mark.parametrize("method,path", list(_operations()), ids=lambda value: str(value))
def test_wrong_token_answer_is_documented(raw, figures, method, path):
    """Every operation that needs a token refuses a wrong one with 401 or 403, and the document lists it."""
    body = VALID_BODIES.get((method, path))
    status, text = raw["api"].request(method, _concrete(path), body, token="not-the-token")
    failure = None
    if status not in (401, 403):
        failure = f"answered {status} to a wrong token: {text[:200]}"
    elif status not in documented(method, path):
        failure = (f"answered {status} ({text[:100]}) to a wrong token, but the document lists only "
                   f"{sorted(documented(method, path))} for {method} {path}")
    _record(figures, f"wrong token {method} {path}", failure)


REPLAYS = {
    "status update": ("PUT", "/api/tasks/raw-1/sessions/raw-sess/status", {"status": "working"}),
    "queue": ("POST", "/api/tasks/raw-1/queue", {"sessionId": "raw-sess"}),
}


@pytest.mark.parametrize("name", list(REPLAYS))
@pytest.mark.parametrize("intruder", ["wrong token", "another session's token", "the user token"])
def test_idempotent_replay_still_needs_the_sessions_token(raw, figures, name, intruder):
    """A session write done with Idempotency-Key K, resent with K by someone without that session's token, is
    refused (403) — not answered with the stored result."""
    method, path, body = REPLAYS[name]
    key = f"replay-{name.replace(' ', '-')}-{intruder.replace(' ', '-').replace(chr(39), '')}"
    api = raw["api"]
    first, text = api.request(method, path, body, token=raw["token"], headers={"Idempotency-Key": key})
    assert first == 200, f"the session's own request failed: {first} {text}"
    token = {"wrong token": "mst_" + "0" * 64, "another session's token": raw["other_token"],
             "the user token": USER_TOKEN}[intruder]
    status, text = api.request(method, path, body, token=token, headers={"Idempotency-Key": key})
    failure = None
    if status != 403:
        failure = (f"{method} {path} with Idempotency-Key {key} and {intruder} answered {status} "
                   f"(expected 403 as without the key): {text[:200]}")
    _record(figures, f"replay {name} with {intruder}", failure)


@pytest.mark.parametrize("encoded", ["raw%3Acolon", "raw%3acolon", "%72aw-1"])
def test_percent_encoded_task_id_is_decoded(raw, figures, encoded):
    """/api/tasks/raw%3Acolon is the task raw:colon (RFC 3986: percent-encoded octets are the same characters);
    browsers' encodeURIComponent, which the dashboard uses, writes ':' as %3A."""
    status, text = raw["api"].request("GET", f"/api/tasks/{encoded}")
    expected = "raw:colon" if "colon" in encoded else "raw-1"
    failure = None
    if status != 200:
        failure = f"GET /api/tasks/{encoded} answered {status}: {text[:200]}"
    elif json.loads(text).get("id") != expected:
        failure = f"GET /api/tasks/{encoded} gave task {json.loads(text).get('id')}, expected {expected}"
    _record(figures, f"percent-encoded id {encoded}", failure)
