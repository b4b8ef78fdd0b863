"""What the CLI fuzzing runs in and checks with: a case (argv as raw bytes, the exit codes it may end with, changes
to the session environment) and its result, the world the real `maestro` binary runs against (a redis-server of its
own with a project of tasks and a session, over Redis or over HTTP), and the rule an error message must follow."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field

from blackbox_env import Api, MaestroServer, RedisServer, clean_environment

PROJECT = "fz"
MAX_ARG = 131071  # MAX_ARG_STRLEN (32 pages) minus the terminating NUL
RUN_TIMEOUT_S = 15
USAGE_LINE_PREFIXES = ("usage: ", "  See ")


@dataclass
class Case:
    label: str                          # what was done to it (mutation names)
    argv: list[bytes]
    expected: set[int]                  # acceptable exit codes
    env: dict[bytes, bytes | None] = field(default_factory=dict)  # changes to the session environment
    valid: bool = False
    check: tuple | None = None          # valid update: (task, status, notes)
    after: callable = None              # valid: updates the model once it succeeded


@dataclass
class Result:
    case: Case
    code: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    changed: str | None                 # refused cases: what changed in Redis, if anything
    problems: list[str]


def b(text) -> bytes:
    return text if isinstance(text, bytes) else text.encode()


# --- the world the CLI runs in ---------------------------------------------------------------------------------------

class World:
    """A redis-server of the suite's own with a project `fz`: a few tasks, one cancelled by the user, and a session
    spawned through the API. In `redis` mode the CLI writes to Redis (MAESTRO_REDIS_URL) and the server is stopped
    before the fuzzing so nothing else writes; in `http` mode the CLI goes through maestro-server (MAESTRO_URL only),
    which must behave the same, and the idle server writes nothing either."""

    def __init__(self, binaries, work_dir, artifacts, mode: str = "redis"):
        self.binaries = binaries
        self.mode = mode
        self.redis = RedisServer(work_dir, artifacts, name=f"redis-cli-fuzz-{mode}")
        self.server = MaestroServer(binaries, self.redis, work_dir, artifacts).start()
        try:
            api = Api(self.server.base_url, PROJECT)
            self.tasks: dict[str, str | None] = {}  # task id → this session's status on it (None: not queued)
            for index in range(4):
                task_id = f"fz-{index}"
                api.create_task(f"Fuzz task {index}", id=task_id)
                self.tasks[task_id] = None
            api.create_task("Cancelled by the user", id="fz-cancelled")
            api.set_status("fz-cancelled", "cancelled")
            api.create_task("Parent", id="fz-parent")
            spawned = api.spawn_session("fuzzer")
            self.session_id = spawned["session"]["id"]
            self.token = spawned["token"]
        finally:
            if mode == "redis":
                self.server.stop()
        self.env = clean_environment()
        self.env.update({"MAESTRO_PROJECT_ID": PROJECT, "MAESTRO_SESSION_ID": self.session_id,
                         "MAESTRO_SESSION_TOKEN": self.token, "MAESTRO_CONNECT_TIMEOUT": "3"})
        if mode == "redis":
            self.env["MAESTRO_REDIS_URL"] = self.redis.url
        else:
            self.env["MAESTRO_URL"] = self.server.base_url
        self.created = 0

    def run(self, case: Case) -> tuple[int | None, bytes, bytes, float]:
        env = {b(key): b(value) for key, value in self.env.items()}
        for key, value in case.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        started = time.monotonic()
        try:
            done = subprocess.run([b(str(self.binaries.cli)), *case.argv], env=env, capture_output=True,
                                  timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
            return done.returncode, done.stdout, done.stderr, time.monotonic() - started
        except subprocess.TimeoutExpired as expired:
            return None, expired.stdout or b"", expired.stderr or b"", time.monotonic() - started

    def progress(self, task_id: str) -> dict | None:
        code, out, err, _ = self.run(Case("show", [b"task", b"show", b(task_id), b"--json"], {0}))
        assert code == 0, f"maestro task show {task_id} exited {code}: {err!r}"
        for entry in json.loads(out)["sessionProgress"]:
            if entry["sessionId"] == self.session_id:
                return entry
        return None

    def stop(self):
        if self.mode == "http":
            self.server.stop()
        self.redis.stop()


def stderr_problems(stderr: bytes, code: int) -> list[str]:
    text = stderr.decode("utf-8", errors="replace")
    if code == 2:
        return [] if text == "No session found. This command must be run from a session.\n" else [
            f"exit 2 without the documented message: {text[:200]!r}"]
    lines = [line for line in text.split("\n") if line]
    while lines and lines[0].startswith("warning: "):
        lines.pop(0)
    if not lines or not lines[0].startswith("error: "):
        return [f"stderr does not start with one `error:` line: {text[:300]!r}"]
    problems = []
    error_line, rest = lines[0], lines[1:]
    strays = [line for line in rest if not line.startswith(USAGE_LINE_PREFIXES)]
    if strays:
        problems.append(f"the error message is not one line (input echoed raw?): {text[:300]!r}")
    if any(ord(ch) < 0x20 and ch != "\t" or ch == "\x7f" for ch in error_line):
        problems.append(f"raw control characters in the error line: {error_line[:200]!r}")
    if len(error_line) > 1000:
        problems.append(f"error line of {len(error_line)} characters (input echoed in full?): {error_line[:120]!r}…")
    return problems
