"""The processes the black-box suites run against: a real redis-server and maestro-server (the binaries under test,
copied out of MAESTRO_BIN_DIR first so a rebuild during the run does not disturb them), a binary-safe Redis client
for snapshots, and the HTTP API with the user token.

Everything listens on 127.0.0.1, on free ports, with its files in a temporary directory, and is stopped by the
fixtures that start it. Nothing here depends on the browser tests' helpers."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT / "docs" / "openapi.json"
USER_TOKEN = "blackbox-test-user-token"


import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from maestro_processes import (  # noqa: E402,F401
    Binaries, MaestroServer as _MaestroServer, RedisProcess, clean_environment, free_port, stop_process, wait_until,
    webhook_delivery_args)

# --- Redis ---------------------------------------------------------------------------------------------------------

class RedisError(Exception):
    pass


class RedisConnection:
    """One persistent RESP connection; arguments are str or bytes, bulk replies come back as bytes."""

    def __init__(self, port: int, timeout: float = 10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = self.sock.makefile("rb")

    def __call__(self, *args):
        return self.pipeline([args])[0]

    def pipeline(self, commands) -> list:
        """Sends every command at once, then reads every reply; an error reply comes back as a RedisError value."""
        parts = []
        for args in commands:
            parts.append(f"*{len(args)}\r\n".encode())
            for arg in args:
                data = arg if isinstance(arg, bytes) else str(arg).encode()
                parts += [f"${len(data)}\r\n".encode(), data, b"\r\n"]
        self.sock.sendall(b"".join(parts))
        replies = []
        for _ in commands:
            try:
                replies.append(self._reply())
            except RedisError as error:
                if "connection closed" in str(error):
                    raise
                replies.append(error)
        if len(replies) == 1 and isinstance(replies[0], RedisError):
            raise replies[0]
        return replies

    def _reply(self):
        line = self.reader.readline()
        if not line:
            raise RedisError("connection closed by redis-server")
        kind, rest = line[:1], line[1:].rstrip(b"\r\n")
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            data = self.reader.read(length + 2)
            return data[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._reply() for _ in range(count)]
        raise RedisError(f"unexpected reply {line!r}")

    def close(self):
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass


class RedisServer(RedisProcess):
    """A private redis-server without persistence, with a persistent binary-safe connection for snapshots."""

    def __init__(self, work_dir: Path, log_dir: Path, name: str = "redis"):
        self._connection: RedisConnection | None = None
        super().__init__(work_dir, log_dir, name)

    def ping(self) -> bool:
        connection = RedisConnection(self.port, timeout=2)
        try:
            return connection("PING") == "PONG"
        finally:
            connection.close()

    def command(self, *args):
        """One command over a shared persistent connection (reconnects once if it broke)."""
        for attempt in (1, 2):
            try:
                if self._connection is None:
                    self._connection = RedisConnection(self.port)
                return self._connection(*args)
            except (OSError, RedisError) as error:
                if isinstance(error, RedisError) and "connection closed" not in str(error):
                    raise
                if self._connection is not None:
                    self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise

    def keys(self, pattern: str = "*") -> list[bytes]:
        found, cursor = [], b"0"
        while True:
            cursor, batch = self.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")
            found += batch
            if cursor == b"0":
                return sorted(set(found))

    def pipeline(self, commands) -> list:
        if self._connection is None:
            self._connection = RedisConnection(self.port)
        return self._connection.pipeline(commands)

    def snapshot(self, pattern: str = "*") -> dict[bytes, tuple]:
        """Every key matching `pattern` with its type, its serialized value (DUMP, which covers every field, member,
        element and stream entry) and whether it expires; streams also with XLEN and their last id."""
        keys = self.keys(pattern)
        replies = self.pipeline([command for key in keys for command in (("TYPE", key), ("DUMP", key), ("PTTL", key))])
        state = {}
        for index, key in enumerate(keys):
            kind, dump, ttl = replies[3 * index:3 * index + 3]
            extra = ()
            if kind == "stream":
                info = self.command("XINFO", "STREAM", key)
                fields = dict(zip(info[0::2], info[1::2]))
                extra = (self.command("XLEN", key), fields.get(b"last-generated-id"))
            state[key] = (kind, dump, isinstance(ttl, int) and ttl >= 0, extra)
        return state

    def xrange_ids(self, key: str, after: str | None = None) -> list[str]:
        start = f"({after}" if after else "-"
        return [entry[0].decode() for entry in self.command("XRANGE", key, start, "+")]

    def stop(self):
        if self._connection is not None:
            self._connection.close()
        super().stop()


def describe_difference(before: dict, after: dict) -> str:
    """Which keys appeared, disappeared or changed between two snapshots."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(key for key in set(before) & set(after) if before[key] != after[key])
    parts = []
    for label, keys in (("added", added), ("removed", removed), ("changed", changed)):
        if keys:
            parts.append(f"{label}: " + ", ".join(key.decode(errors="replace") for key in keys[:8]))
    return "; ".join(parts) or "no difference"


# --- maestro-server and its API --------------------------------------------------------------------------------------

class Api:
    """The HTTP API, by default with the user token."""

    def __init__(self, base_url: str, project: str, token: str = USER_TOKEN, ssl_context=None):
        self.base_url = base_url
        self.project = project
        self.token = token
        self.ssl_context = ssl_context

    def request(self, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None,
                headers: dict | None = None) -> tuple[int, str]:
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
            with urllib.request.urlopen(request, timeout=15, context=self.ssl_context) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def call(self, method: str, path: str, body=None, expect: int | tuple = (200, 201), token: str | None = None):
        status, text = self.request(method, path, body, token=token)
        expected = expect if isinstance(expect, tuple) else (expect,)
        if status not in expected:
            raise AssertionError(f"{method} {path} answered {status}: {text}")
        return json.loads(text) if text else None

    def create_task(self, title: str, **fields):
        return self.call("POST", "/api/tasks", {"title": title, **fields})

    def task(self, task_id: str):
        return self.call("GET", f"/api/tasks/{task_id}")

    def set_status(self, task_id: str, status: str):
        return self.call("PUT", f"/api/tasks/{task_id}", {"status": status})

    def spawn_session(self, name: str, task_ids=(), session_id: str | None = None):
        body = {"name": name, "taskIds": list(task_ids)}
        if session_id:
            body["id"] = session_id
        return self.call("POST", "/api/sessions", body)

    def cursor(self) -> str:
        return self.call("GET", "/api/tasks?limit=1")["cursor"]


def MaestroServer(binaries, redis, work_dir, log_dir, tls=None):  # noqa: N802 - reads like the class it makes
    """The shared maestro-server runner with this suite's user token (over TLS with `tls`). It sends no webhooks:
    schemathesis creates webhooks with whatever public URLs it makes up, and no request may leave this machine
    (test_webhooks.py runs servers of its own that deliver)."""
    return _MaestroServer(binaries, redis, work_dir, log_dir, USER_TOKEN, tls=tls,
                          extra_env={"MAESTRO_WEBHOOK_DELIVERY": "off"})


def DeliveringServer(binaries, redis, work_dir, log_dir, **options):  # noqa: N802 - reads like the class it makes
    """A maestro-server that sends webhooks (maestro_processes.webhook_delivery_args says how, from `options`)."""
    return _MaestroServer(binaries, redis, work_dir, log_dir, USER_TOKEN, extra_args=webhook_delivery_args(**options))
