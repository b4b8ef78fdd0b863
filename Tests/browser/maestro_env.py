"""The processes the browser tests run against: a real redis-server, maestro-server (the one under test, serving
the Dashboard/ of this checkout), the HTTP API for setting things up, and agents that use the real `maestro` CLI.

Everything listens on 127.0.0.1, on free ports, with its files in a temporary directory, and is stopped by the
fixtures that start it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
USER_TOKEN = "browser-test-user-token"


import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from maestro_processes import (  # noqa: E402,F401
    Binaries, MaestroServer as _MaestroServer, RedisProcess, clean_environment, free_port, stop_process, wait_until,
    webhook_delivery_args)
from maestro_api import MaestroApi  # noqa: E402
from redis_client import RedisConnection  # noqa: E402


class RedisServer(RedisProcess):
    """A private redis-server without persistence."""

    def ping(self) -> bool:
        return self.command("PING") == "PONG"

    def command(self, *args: str):
        """Sends one command on a connection of its own and returns its reply, as text."""
        with RedisConnection(self.port, timeout=5, decode=True) as connection:
            return connection(*args)


class Api(MaestroApi):
    """The HTTP API with the user token, for setting up what a test needs and checking what the page did."""

    default_token = USER_TOKEN
    timeout = 10


def make_stale(api: Api, redis: RedisServer, task_id: str, session_id: str, reported_seconds_ago: int = 120):
    """Makes a progress entry stale the way time would: the project allows 60 s without a report (the least it
    takes), and the entry's stale watch says its last report was `reported_seconds_ago` ago. The server's sweep (every
    second) then marks it. The entry must be queued or working (only those are watched)."""
    api.call("PUT", f"/api/projects/{api.project}", {"staleAfterSeconds": 60})
    key = f"mae:{{{api.project}}}:stale-due"
    member = f"{task_id} {session_id}"
    assert redis.command("ZSCORE", key, member) is not None, f"{member} is not watched for staleness"
    redis.command("ZADD", key, "XX", str(int(time.time() * 1000) - reported_seconds_ago * 1000), member)


def make_heartbeat_late(redis: RedisServer, project: str, session_id: str) -> bool:
    """Makes a supervised session's heartbeat overdue (as if its supervisor had gone quiet); the server's sweep then
    marks it unresponsive. False when the session has no heartbeat watch (not supervised, or already marked)."""
    key = f"mae:{{{project}}}:heartbeat-due"
    return redis.command("ZADD", key, "XX", "CH", str(int(time.time() * 1000) - 1000), session_id) == 1


class Agent:
    """An agent session: spawned through the API (as the dashboard would), acting only through the `maestro` CLI,
    which writes straight to Redis."""

    def __init__(self, binaries: Binaries, redis: RedisServer, api: Api, name: str):
        spawned = api.spawn_session(name)
        self.session_id = spawned["session"]["id"]
        self.name = name
        self.cli = str(binaries.cli)
        self.env = clean_environment()
        self.env.update({key: value for key, value in spawned["env"].items() if key != "MAESTRO_URL"})
        self.env["MAESTRO_REDIS_URL"] = redis.url
        self.env["MAESTRO_AGENT_REDIS_URL"] = redis.url  # what `maestro run` hands the agent it starts
        self.supervisors: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: float = 20, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([self.cli, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"maestro {' '.join(args)} exited {result.returncode}: {result.stderr or result.stdout}")
        return result

    def queue(self, *task_ids: str):
        return self.run("task", "queue", *task_ids)

    def update(self, task_id: str, status: str, notes: str | None = None):
        args = ["task", "update", task_id, "--status", status]
        if notes is not None:
            args += ["--notes", notes]
        return self.run(*args)

    def supervise(self) -> subprocess.Popen:
        """`maestro run --session <this session> -- sleep 300`: a supervisor takes the session over, so it is active
        with a host and heartbeats (as a real agent container would be). Stop it with stop_process."""
        process = subprocess.Popen([self.cli, "run", "--session", self.session_id, "--stop-grace", "1", "--", "sleep", "300"],
                                   env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.supervisors.append(process)
        return process

    def wait_for_answer(self, task_id: str, timeout: int = 30) -> subprocess.Popen:
        """`maestro task answer <task> --wait`, running in the background; read its output when it ends."""
        return subprocess.Popen([self.cli, "task", "answer", task_id, "--wait", "--timeout", str(timeout)],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def cli_without_session(binaries: Binaries, redis: RedisServer, project: str, *args: str) -> str:
    """Runs a `maestro` command that needs no session (task create, task show) against Redis directly."""
    env = clean_environment()
    env.update({"MAESTRO_REDIS_URL": redis.url, "MAESTRO_PROJECT_ID": project})
    result = subprocess.run([str(binaries.cli), *args], env=env, capture_output=True, text=True, timeout=20)
    if result.returncode != 0:
        raise AssertionError(f"maestro {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result.stdout.strip()


def MaestroServer(binaries, redis, work_dir, log_dir, tls=None, extra_args=()):  # noqa: N802 - reads like the class
    """The shared maestro-server runner with this suite's user token (over TLS with `tls`)."""
    return _MaestroServer(binaries, redis, work_dir, log_dir, USER_TOKEN, tls=tls, extra_args=extra_args)
