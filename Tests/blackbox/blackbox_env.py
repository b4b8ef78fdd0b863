"""The processes the black-box suites run against: a real redis-server and maestro-server (the binaries under test,
copied out of MAESTRO_BIN_DIR first so a rebuild during the run does not disturb them), snapshots of every key over
a binary-safe Redis connection, and the HTTP API with the user token (the shared parts are in Tests/pysupport).

Everything listens on 127.0.0.1, on free ports, with its files in a temporary directory, and is stopped by the
fixtures that start it. Nothing here depends on the browser tests' helpers."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT / "docs" / "openapi.json"
USER_TOKEN = "blackbox-test-user-token"


import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from maestro_processes import (  # noqa: E402,F401
    Binaries, MaestroServer as _MaestroServer, RedisProcess, clean_environment, free_port, stop_process, wait_until,
    webhook_delivery_args)
from maestro_api import MaestroApi  # noqa: E402
from redis_client import RedisConnection, RedisError  # noqa: E402,F401

# --- Redis ---------------------------------------------------------------------------------------------------------

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

class Api(MaestroApi):
    """The HTTP API, by default with the user token."""

    default_token = USER_TOKEN
    timeout = 15


def MaestroServer(binaries, redis, work_dir, log_dir, tls=None):  # noqa: N802 - reads like the class it makes
    """The shared maestro-server runner with this suite's user token (over TLS with `tls`). It sends no webhooks:
    schemathesis creates webhooks with whatever public URLs it makes up, and no request may leave this machine
    (test_webhooks.py runs servers of its own that deliver)."""
    return _MaestroServer(binaries, redis, work_dir, log_dir, USER_TOKEN, tls=tls,
                          extra_env={"MAESTRO_WEBHOOK_DELIVERY": "off"})


def DeliveringServer(binaries, redis, work_dir, log_dir, **options):  # noqa: N802 - reads like the class it makes
    """A maestro-server that sends webhooks (maestro_processes.webhook_delivery_args says how, from `options`)."""
    return _MaestroServer(binaries, redis, work_dir, log_dir, USER_TOKEN, extra_args=webhook_delivery_args(**options))
