"""maestro-server's HTTP API as the Python suites use it: one project, a bearer token (by default the suite's user
token), JSON in and out."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class MaestroApi:
    """The HTTP API of one project. A suite subclasses it to set `default_token` (its user token) and `timeout`."""

    default_token = ""
    timeout: float = 15

    def __init__(self, base_url: str, project: str, token: str | None = None, ssl_context=None):
        self.base_url = base_url
        self.project = project
        self.token = self.default_token if token is None else token
        self.ssl_context = ssl_context

    def request(self, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        """The status and text of one request; `token` "" sends none, `raw` is sent as the body as it is."""
        separator = "&" if "?" in path else "?"
        url = f"{self.base_url}{path}{separator}projectId={self.project}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        all_headers = {"Content-Type": "application/json"}
        token = self.token if token is None else token
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.ssl_context) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def call(self, method: str, path: str, body=None, expect: int | tuple = (200, 201), token: str | None = None):
        """The parsed answer of a request that must answer one of the `expect` statuses."""
        status, text = self.request(method, path, body, token=token)
        expected = expect if isinstance(expect, tuple) else (expect,)
        if status not in expected:
            raise AssertionError(f"{method} {path} answered {status}: {text}")
        return json.loads(text) if text else None

    def status_of(self, path: str) -> int:
        """The HTTP status of a GET without any credentials but what `path` carries."""
        try:
            with urllib.request.urlopen(f"{self.base_url}{path}", timeout=self.timeout,
                                        context=self.ssl_context) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def create_task(self, title: str, **fields):
        return self.call("POST", "/api/tasks", {"title": title, **fields})

    def task(self, task_id: str):
        return self.call("GET", f"/api/tasks/{task_id}")

    def tasks(self):
        return self.call("GET", "/api/tasks?limit=1000")["tasks"]

    def set_status(self, task_id: str, status: str):
        return self.call("PUT", f"/api/tasks/{task_id}", {"status": status})

    def session(self, session_id: str):
        return self.call("GET", f"/api/sessions/{session_id}")

    def spawn_session(self, name: str, task_ids=(), session_id: str | None = None):
        body = {"name": name, "taskIds": list(task_ids)}
        if session_id:
            body["id"] = session_id
        return self.call("POST", "/api/sessions", body)

    def cursor(self) -> str:
        """The id of the project's newest event (where a stream client resumes from)."""
        return self.call("GET", "/api/tasks?limit=1")["cursor"]
