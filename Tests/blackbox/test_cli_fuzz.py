"""CLI argument fuzzing: the real `maestro` binary against a real redis-server (its own, with the function library
loaded by `maestro setup`), as a real session (spawned through POST /api/sessions), run a few hundred times with
random statuses, ids, notes, titles, option orders, unknown options and broken session environments — argv passed
as raw bytes, so invalid UTF-8 reaches the binary as it would from a shell.

Every refused case must:
  - exit with its documented code (2 no session, 3 refused transition or conflict, 4 unknown task or session,
    5 wrong or missing token, 64 bad usage or invalid input) — never 0, never 1 "unexpected failure", never a
    signal, never hang;
  - say why in one `error: ...` line on stderr (maybe after `warning:` lines, maybe followed by the usage lines),
    with no raw control character from the input in it, and print nothing on stdout;
  - change nothing: every key of the Redis database (DUMP of each, TTL presence, XLEN and last id of the streams)
    is the same before and after.
Valid commands are interleaved (a random walk of the state machine, with random valid notes and option orders):
each must exit 0 and leave exactly the status and notes it asked for.

One seeded run (module fixture) feeds four tests, one per property, so one broken property does not hide another.
Notes of 1 MiB cannot be passed: Linux refuses any single argument over 128 KiB (MAX_ARG_STRLEN) before the
binary starts, so the largest note is 131071 bytes, and 1 MiB is spread over eight task ids of `task queue`.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from blackbox_env import USER_TOKEN, Api, MaestroServer, RedisServer, clean_environment, describe_difference

SUITE = "cli-fuzz"
SEED = 4242
REFUSED_CASES = 640
HTTP_REFUSED_CASES = 240
VALID_EVERY = 4  # one valid command after every few refused ones
PROJECT = "fz"
MAX_ARG = 131071  # MAX_ARG_STRLEN (32 pages) minus the terminating NUL
RUN_TIMEOUT_S = 15

SESSION_STATUSES = ["queued", "working", "needs_input", "blocked", "completed", "failed", "cancelled"]
ALLOWED = {  # README: `task update` allows ... ; repeating the current status refreshes it
    "queued": {"working", "cancelled", "queued"},
    "working": {"completed", "blocked", "needs_input", "failed", "cancelled", "working"},
    "blocked": {"working", "cancelled", "blocked"},
    "needs_input": {"working", "cancelled", "needs_input"},
    "failed": {"working", "cancelled", "failed"},
    "completed": {"cancelled", "completed"},
    "cancelled": {"cancelled"},
}
FORBIDDEN_CONTROLS = [chr(c) for c in range(1, 0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\x7f"]  # NUL cannot be in argv
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
                b"\xc3", b"\xe2\x82", b"abc\xf0\x9f\x98", b"\xf8\x88\x80\x80\x80"]
BAD_ID_PIECES = ["{", "}", " ", "\n", "/", "\t", "\r", "é", "*", "?", "#", "%", "\"", "'", "\\", "\u00a0", "ǅ", "😀",
                 "{P}", "a/b", "\x1b[31m"]
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


# --- random inputs ---------------------------------------------------------------------------------------------------

class Generator:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.rng = random.Random(seed)

    # valid pieces

    def valid_id(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"
        text = "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 40)))
        return "x" + text if text.startswith("-") else text

    def valid_notes(self) -> str:
        r = self.rng
        kind = r.randrange(9)
        if kind == 0:
            return "Need the staging API key"
        if kind == 1:
            return "línea 1\n\tlínea 2 — ünïcödé 漢字 😀 \u200f\u0645\u0631\u062d\u0628\u0627"
        if kind == 2:
            return "x" * 4096  # the limit exactly
        if kind == 3:
            return "é" * 2048  # 4096 bytes of two-byte characters
        if kind == 4:
            return "CRLF\r\nline\u0085NEL and C1 \u0090 are not C0 controls"
        if kind == 5:
            return "-1 tests fail; --verbose did not help"
        if kind == 6:
            return "".join(chr(r.choice([r.randint(0x20, 0x7e), r.randint(0xa0, 0x2fff), 0x0a, 0x09]))
                           for _ in range(r.randint(1, 300)))
        if kind == 7:
            return "{P} /tmp/x \"quoted\" 'single' $HOME `cmd` %s %n \\"
        return " ".join(r.choice(["ok", "done", "step", "42", "ñ"]) for _ in range(r.randint(1, 20)))

    # invalid pieces

    def invalid_id(self) -> bytes:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:
            return b""
        if kind == 1:
            return b("a" * r.choice([129, 200, 1000, MAX_ARG]))
        if kind == 2:
            return r.choice(INVALID_UTF8) + b("task")
        if kind == 3:
            return b("fz-0" + r.choice(BAD_ID_PIECES))
        base = self.valid_id()
        position = r.randint(0, len(base))
        return b(base[:position] + r.choice(BAD_ID_PIECES) + base[position:])

    def invalid_status(self) -> bytes:
        r = self.rng
        choices = [b"", b"Working", b"WORKING", b" working", b"working ", b"working\n", b"work\ning", b"todo",
                   b"inprogress", b"running", b"done", b"needs-input", b"needs input", b"in_progress", b"1",
                   b"queued,working", b"w\xc3\xb6rking", b"working\x01", b"\x1b[2Jworking",
                   b("s" * 300), b("x" * MAX_ARG), b"worki\xffng", b"null", b"--status", b"-"]
        return r.choice(choices)

    def invalid_notes(self) -> tuple[bytes, str]:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            text = self.valid_notes()[:4000]
            position = r.randint(0, len(text))
            return b(text[:position] + r.choice(FORBIDDEN_CONTROLS) + text[position:]), "notes-control"
        if kind == 1:
            text = b(self.valid_notes()[:3000])
            position = r.randint(0, len(text))
            # cut inside a multi-byte character would also be invalid; insert whole bad sequences
            return text[:position] + r.choice(INVALID_UTF8) + text[position:], "notes-utf8"
        if kind == 2:
            return b("n" * r.choice([4097, 5000, 65537, 100000, MAX_ARG])), "notes-size"
        if kind == 3:
            return b("x" * 4095 + "é"), "notes-size"  # 4097 bytes, 4096 characters
        return b("\x1b]0;pwned\x07 title change"), "notes-control"

    def unknown_option(self) -> list[bytes]:
        return self.rng.choice([[b"--bogus"], [b"--Status", b"working"], [b"--note", b"x"], [b"--notes-file", b"/etc/passwd"],
                                [b"--json=yes"], [b"--status-"], [b"--\xff"], [b"--force"], [b"--project", b"other"],
                                [b"--session", b"x"], [b"--=x"], [b"---status", b"working"]])

    # cases

    def next_refused(self) -> Case:
        r = self.rng
        kind = r.choices(["update", "transition", "unknown-task", "queue", "create", "session", "read", "root", "env"],
                         weights=[40, 8, 4, 12, 10, 6, 6, 4, 6])[0]
        return getattr(self, "refused_" + kind.replace("-", "_"))()

    def _update_parts(self, task: bytes, status: bytes, notes: bytes | None) -> list[list[bytes]]:
        parts = [[task], [b"--status", status]]
        if notes is not None:
            parts.append([b"--notes", notes])
        return parts

    def _assemble(self, command: list[bytes], parts: list[list[bytes]]) -> list[bytes]:
        self.rng.shuffle(parts)
        return command + [word for part in parts for word in part]

    def refused_update(self) -> Case:
        r = self.rng
        task_id = r.choice(list(self.world.tasks))
        status, notes = b"cancelled", None  # valid from every state, so only the mutations make it wrong
        if r.random() < 0.5:
            notes = b(self.valid_notes())
        task = b(task_id)
        mutations, expected, extra, env = [], set(), [], {}
        omit_status = False
        chosen = r.sample(["status", "id", "notes", "option", "extra", "repeat", "missing-value", "missing-status",
                           "options-ended", "env"], k=r.choice([1, 1, 1, 2, 3]))
        if "missing-status" in chosen and "repeat" in chosen:
            chosen.remove("repeat")  # a repeated --status would put the missing one back
        for mutation in chosen:
            if mutation == "status":
                status = self.invalid_status()
            elif mutation == "id":
                task = self.invalid_id()
            elif mutation == "notes":
                notes, mutation = self.invalid_notes()
            elif mutation == "option":
                extra.append(self.unknown_option())
            elif mutation == "extra":
                extra.append([r.choice([b"fz-1", b"-x", b"extra", b"\xff", b"-"])])
            elif mutation == "repeat":
                # a second --status, --notes or --json: "given more than once"
                extra.append(r.choice([[b"--status", b"working"], [b"--notes", b"again"], [b"--json", b"--json"]])
                             if notes is not None else [b"--status", b"cancelled"])
            elif mutation == "missing-value":
                pass  # handled below: a trailing option without its value
            elif mutation == "missing-status":
                omit_status = True
            elif mutation == "options-ended":
                pass
            elif mutation == "env":
                env, codes, mutation = self.broken_env()
                expected |= codes
                mutations.append(mutation)
                continue
            mutations.append(mutation)
            expected.add(64)
        parts = self._update_parts(task, status, notes)
        if omit_status:
            parts = [part for part in parts if part[0] != b"--status"]
        argv = self._assemble([b"task", b"update"], parts + extra)
        if "missing-value" in mutations:
            argv.append(r.choice([b"--status", b"--notes", b"--idempotency-key"]))
        if "options-ended" in mutations:
            # after `--` everything is positional: the status option becomes two unexpected arguments
            argv = [b"task", b"update", task] + ([b"--notes", notes] if notes is not None else []) + [b"--", b"--status", status]
        return Case("update:" + "+".join(mutations), argv, expected, env=env)

    def broken_env(self) -> tuple[dict, set[int], str]:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:
            return {b"MAESTRO_SESSION_ID": None}, {2}, "env-no-session"
        if kind == 1:
            return {b"MAESTRO_SESSION_TOKEN": b"mst_" + b"0" * 64}, {5}, "env-wrong-token"
        if kind == 2:
            return {b"MAESTRO_SESSION_TOKEN": r.choice([None, b""])}, {5}, "env-no-token"
        if kind == 3:
            return {b"MAESTRO_SESSION_ID": b"sess_does_not_exist"}, {4}, "env-unknown-session"
        if kind == 4:
            # an environment string is limited to 128 KiB too
            return {b"MAESTRO_SESSION_ID": self.invalid_id()[:1000] or b"{x}"}, {64}, "env-bad-session-id"
        if kind == 5:
            return {b"MAESTRO_PROJECT_ID": r.choice([b"{fz}", b"f z", b"fz/other", b"\xff", b"a" * 200])}, {64}, "env-bad-project"
        return {b"MAESTRO_SESSION_TOKEN": self.world.token.encode()[:-1] + b"\xff"}, {5, 64}, "env-token-bytes"

    def refused_env(self) -> Case:
        """A command that would succeed, run with a broken session environment."""
        r = self.rng
        env, codes, label = self.broken_env()
        queued = [task for task, status in self.world.tasks.items() if status not in (None, "cancelled")]
        if queued and r.random() < 0.7:
            argv = [b"task", b"update", b(r.choice(queued)), b"--status", b"cancelled"]
        else:
            argv = [b"task", b"queue", *map(b, r.sample(list(self.world.tasks), 2))]
        return Case(f"env:{label}:{argv[1].decode()}", argv, codes, env=env)

    def refused_transition(self) -> Case:
        r = self.rng
        queued = [task for task, status in self.world.tasks.items() if status is not None]
        if not queued:
            return self.refused_update()
        task_id = r.choice(queued)
        current = self.world.tasks[task_id]
        status = r.choice(sorted(set(SESSION_STATUSES) - ALLOWED[current]))
        argv = [b"task", b"update", b(task_id), b"--status", b(status)]
        if r.random() < 0.5:
            argv += [b"--notes", b(self.valid_notes())]
        return Case(f"transition:{current}->{status}", argv, {3})

    def refused_unknown_task(self) -> Case:
        r = self.rng
        command = r.choice(["update", "queue", "answer"])
        unknown = b("nope-" + self.valid_id())
        if command == "update":
            argv = [b"task", b"update", unknown, b"--status", b"working"]
        elif command == "queue":
            known = [b(task) for task in self._some_tasks(2)]
            ids = known + [unknown]
            r.shuffle(ids)
            argv = [b"task", b"queue", *ids]  # all or nothing: the known ones must stay unqueued too
        else:
            argv = [b"task", b"answer", unknown]
        return Case(f"unknown-task:{command}", argv, {4})

    def _some_tasks(self, count: int) -> list[str]:
        """Tasks this session has not queued first: a refused queue must leave them unqueued (all or nothing)."""
        unqueued = [task for task, status in self.world.tasks.items() if status is None]
        others = [task for task in self.world.tasks if task not in unqueued]
        self.rng.shuffle(unqueued)
        self.rng.shuffle(others)
        return (unqueued + others)[:count]

    def refused_queue(self) -> Case:
        r = self.rng
        ids = [b(task) for task in self._some_tasks(r.randint(1, 3))]
        kind = r.randrange(4)
        if kind == 0:
            ids.insert(r.randint(0, len(ids)), self.invalid_id())
            label, expected = "queue:bad-id", {64}
        elif kind == 1:
            ids.insert(r.randint(0, len(ids)), b"fz-cancelled")
            label, expected = "queue:cancelled-task", {3}
        elif kind == 2:
            # 1 MiB of arguments: eight ids of 128 KiB each
            ids += [b("q" * MAX_ARG) for _ in range(8)]
            label, expected = "queue:1MiB-of-ids", {64}
        else:
            ids.append(b"--bogus")
            label, expected = "queue:unknown-option", {64}
        argv = [b"task", b"queue", *ids]
        if r.random() < 0.3:
            argv += [b"--idempotency-key", r.choice([b"a b", b"{k}", b("k" * 129), b"", b"\xff"])]
            label += "+bad-key"
            expected = expected | {64}
        return Case(label, argv, expected)

    def refused_create(self) -> Case:
        r = self.rng
        title, options = b"A fine title", []
        kind = r.randrange(8)
        if kind == 0:
            title, label, expected = r.choice([b"", b"\n", b"line\nbreak", b"tab\there", b("t" * 501), b"\xff\xfe",
                                               b"bell\x07", b"esc\x1b[1m", b("é" * 501)]), "create:title", {64}
        elif kind == 1:
            options, label, expected = [b"--priority", r.choice([b"huge", b"", b"Low", b"\xff", b"urgent!"])], "create:priority", {64}
        elif kind == 2:
            options, label, expected = [b"--parent", self.invalid_id()], "create:parent-format", {64}
        elif kind == 3:
            options, label, expected = [b"--parent", b"nope-parent"], "create:unknown-parent", {4}
        elif kind == 4:
            options, label, expected = [b"--id", self.invalid_id()], "create:id-format", {64}
        elif kind == 5:
            options, label, expected = [b"--id", b"fz-0"], "create:duplicate-id", {3}
        elif kind == 6:
            description = r.choice([b("d" * 65537), b"desc\x02", b"bad \xff utf8"])
            options, label, expected = [b"--description", description], "create:description", {64}
        else:
            options, label, expected = self.unknown_option(), "create:unknown-option", {64}
        parts = [[title], options] if options else [[title]]
        return Case(label, self._assemble([b"task", b"create"], parts), expected)

    def refused_session(self) -> Case:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            options, label, expected = [b"--name", r.choice([b"a\nb", b("n" * 201), b"\xff", b"ctl\x01"])], "session:name", {64}
        elif kind == 1:
            options, label, expected = [b"--id", self.invalid_id()], "session:id-format", {64}
        elif kind == 2:
            options, label, expected = [b"--id", b(self.world.session_id)], "session:duplicate-id", {3}
        elif kind == 3:
            options, label, expected = [b"--task", self.invalid_id()], "session:task-format", {64}
        else:
            options, label, expected = [b"--task", b"nope-task"], "session:unknown-task", {4}
        # over HTTP, creating a session takes the user token (README): give it, so the input checks are reached
        env = {b"MAESTRO_USER_TOKEN": USER_TOKEN.encode()} if self.world.mode == "http" else {}
        return Case(label, [b"session", b"create", *options], expected, env=env)

    def refused_read(self) -> Case:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            return Case("read:show-bad-id", [b"task", b"show", self.invalid_id()], {64})
        if kind == 1:
            return Case("read:answer-bad-id", [b"task", b"answer", self.invalid_id()], {64})
        if kind == 2:
            return Case("read:list-status", [b"task", b"list", b"--status", r.choice([b"queued", b"bogus", b"", b"\xff"])], {64})
        if kind == 3:
            value = r.choice([b"0", b"-1", b"1001", b"1e3", b"99999999999999999999999", b"", b"\xff", b"0x10"])
            return Case("read:list-limit", [b"task", b"list", b"--limit", value], {64})
        return Case("read:answer-timeout", [b"task", b"answer", b"fz-0", b"--wait", b"--timeout", r.choice([b"-5", b"abc", b""])], {64})

    def refused_root(self) -> Case:
        """Unknown options in front of the subcommands: `maestro --status working task update ...`."""
        r = self.rng
        option = r.choice([[b"--status", b"working"], [b"--bogus"], [b"--project", b"other"], [b"-x"], [b"--json"]])
        position = r.randint(0, 1)
        command = [b"task", b"update", b"fz-0", b"--status", b"cancelled"]
        argv = command[:position] + option + command[position:]
        return Case(f"root:unknown-option-at-{['maestro', 'task'][position]}", argv, {64})

    def next_valid(self) -> Case:
        r = self.rng
        world = self.world
        unqueued = [task for task, status in world.tasks.items() if status is None]
        live = [task for task, status in world.tasks.items() if status not in (None, "cancelled", "completed")]
        if not live and not unqueued:
            world.created += 1
            task_id = f"fz-new-{world.created}"
            title = r.choice(["New task", "Tâche n°2 — ünïcödé", "x" * 500, "{P} /a/b ?#"])
            parts = [[b(title)], [b"--id", b(task_id)], [b"--priority", b(r.choice(["low", "medium", "high", "urgent"]))]]
            if r.random() < 0.5:
                parts.append([b"--parent", b"fz-parent"])

            def created():
                world.tasks[task_id] = None
            return Case("valid:create", self._assemble([b"task", b"create"], parts), {0}, valid=True, after=created)
        if unqueued and (not live or r.random() < 0.3):
            ids = r.sample(unqueued, r.randint(1, len(unqueued)))

            def queued():
                for task in ids:
                    world.tasks[task] = "queued"
            return Case("valid:queue", [b"task", b"queue", *map(b, ids)], {0}, valid=True, after=queued)
        task_id = r.choice(live)
        current = world.tasks[task_id]
        # prefer moving on; cancel rarely, so the walk stays long
        targets = sorted(ALLOWED[current] - {"cancelled"}) if r.random() < 0.9 else ["cancelled"]
        status = r.choice(targets)
        notes = self.valid_notes() if status in ("blocked", "needs_input") or r.random() < 0.5 else None
        parts = [[b(task_id)]]
        parts.append([b"--status=" + b(status)] if r.random() < 0.3 else [b"--status", b(status)])
        if notes is not None:
            parts.append([b"--notes", b(notes)] if r.random() < 0.7 else [b"--notes=" + b(notes)])
        if r.random() < 0.2:
            parts.append([b"--json"])
        if r.random() < 0.2:
            parts.append([b"--idempotency-key", b("fz-key-" + self.valid_id())])
        argv = self._assemble([b"task", b"update"], parts)
        if r.random() < 0.15 and argv[2:3] == [b(task_id)]:
            argv = [b"task", b"update"] + argv[3:] + [b"--", b(task_id)]

        def updated():
            world.tasks[task_id] = status
        return Case(f"valid:{current}->{status}", argv, {0}, valid=True, check=(task_id, status, notes), after=updated)


# --- running ---------------------------------------------------------------------------------------------------------

def _category(problems: list[str], changed: str | None) -> str:
    """What kind of failure, for counting distinct failures: the wrong exit code, the message, Redis changed."""
    kinds = []
    for problem in problems:
        if problem.startswith("exit"):
            kinds.append(problem.split(",")[0])
        elif problem.startswith(("killed", "did not finish")):
            kinds.append(problem.split(" ")[0])
        else:
            kinds.append(problem.split(":")[0].split(" (")[0])
    return ", ".join(sorted(set(kinds + (["Redis changed"] if changed else []))))


def _stderr_problems(stderr: bytes, code: int) -> list[str]:
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


@pytest.fixture(scope="module", params=["redis", "http"])
def fuzz_run(request, binaries, work_dir, artifacts, figures):
    """The fuzzing, once with the CLI on Redis and once on the HTTP API (fewer cases: the same generator)."""
    mode = request.param
    world = World(binaries, work_dir, artifacts, mode)
    generator = Generator(world, SEED if mode == "redis" else SEED + 1)
    refused_target = REFUSED_CASES if mode == "redis" else HTTP_REFUSED_CASES
    results: list[Result] = []
    started = time.monotonic()
    try:
        before = world.redis.snapshot()
        refused = 0
        while refused < refused_target:
            if refused % VALID_EVERY == VALID_EVERY - 1 and (not results or not results[-1].case.valid):
                case = generator.next_valid()
            else:
                case = generator.next_refused()
                refused += 1
            code, stdout, stderr, seconds = world.run(case)
            problems, changed = [], None
            if code is None:
                problems.append(f"did not finish within {RUN_TIMEOUT_S} s")
            elif code < 0:
                problems.append(f"killed by signal {-code}")
            elif code not in case.expected:
                problems.append(f"exit {code}, expected {sorted(case.expected)}"
                                + (" (1 is 'unexpected failure')" if code == 1 else ""))
            if case.valid:
                if code == 0:
                    case.after()
                    if case.check:
                        task_id, status, notes = case.check
                        entry = world.progress(task_id)
                        if entry is None or entry["status"] != status or entry.get("notes") != notes:
                            problems.append(f"after exit 0, progress on {task_id} is {entry}, expected status "
                                            f"{status} with notes {notes!r}"[:500])
                after = world.redis.snapshot()
                if code == 0 and after == before:
                    problems.append("exit 0 but nothing changed in Redis")
            else:
                after = world.redis.snapshot()
                if after != before:
                    changed = describe_difference(before, after)
                if code is not None and code > 0:
                    problems += _stderr_problems(stderr, code)
                    if stdout:
                        problems.append(f"printed on stdout although refused: {stdout[:200]!r}")
            before = after
            if mode == "http" and world.server.process.poll() is not None:
                problems.append(f"maestro-server died: {world.server.exit_description()}")
            result = Result(case, code, stdout, stderr, seconds, changed, problems)
            results.append(result)
            failure = key = None
            if problems or changed:
                failure = f"[{mode}] {case.label}: {'; '.join(problems + ([f'Redis changed: {changed}'] if changed else []))}"
                key = f"{mode} {case.label.split(':')[0]}: {_category(problems, changed)}"
            figures.case(SUITE, failure, key=key)
        figures.note(SUITE, f"{mode}_refused_cases", sum(1 for r in results if not r.case.valid))
        figures.note(SUITE, f"{mode}_valid_cases", sum(1 for r in results if r.case.valid))
        figures.note(SUITE, f"{mode}_seconds", round(time.monotonic() - started, 1))
        _write_log(results, artifacts, mode)
        yield results
    finally:
        world.stop()


def _write_log(results: list[Result], artifacts, mode: str):
    with open(artifacts / f"cli-fuzz-cases-{mode}.txt", "w") as log:
        for index, result in enumerate(results):
            argv = " ".join(repr(arg[:80]) + (f"…({len(arg)} bytes)" if len(arg) > 80 else "") for arg in result.case.argv)
            env = {key.decode(): (value[:40] if value else value) for key, value in result.case.env.items()}
            log.write(f"#{index} {result.case.label} exit={result.code} expected={sorted(result.case.expected)} "
                      f"{result.seconds * 1000:.0f}ms env={env}\n  maestro {argv}\n")
            if result.stderr:
                log.write(f"  stderr: {result.stderr[:300]!r}\n")
            for problem in result.problems + ([f"Redis changed: {result.changed}"] if result.changed else []):
                log.write(f"  PROBLEM: {problem}\n")


def _report(failing: list[Result], what: str) -> str:
    kinds = Counter(result.case.label.split(":")[0] + ":" + result.case.label.split(":")[1].split("+")[0]
                    for result in failing)
    lines = [f"{len(failing)} cases {what}; by kind: {dict(kinds)}"]
    seen = set()
    for result in failing:
        key = result.case.label
        if key in seen or len(seen) >= 12:
            continue
        seen.add(key)
        argv = [arg[:60] + (b"..." if len(arg) > 60 else b"") for arg in result.case.argv]
        lines.append(f"- {result.case.label}: maestro {argv} env={result.case.env and {k: (v or b'')[:30] for k, v in result.case.env.items()}}"
                     f" → exit {result.code}; stderr {result.stderr[:200]!r}; "
                     + "; ".join(result.problems + ([f"Redis changed: {result.changed}"] if result.changed else [])))
    return "\n".join(lines)


@pytest.mark.time_limit(240)
def test_refusals_exit_with_documented_codes(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and any(
        p.startswith(("exit", "killed", "did not finish")) for p in r.problems)]
    assert not failing, _report(failing, "did not exit with their documented code")


def test_refusals_change_nothing(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and r.changed]
    assert not failing, _report(failing, "changed Redis although refused")


def test_refusals_say_why_in_one_error_line(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and any(
        not p.startswith(("exit", "killed", "did not finish")) for p in r.problems)]
    assert not failing, _report(failing, "did not report a clean one-line error")


def test_valid_commands_interleaved_still_work(fuzz_run):
    valid = [r for r in fuzz_run if r.case.valid]
    assert len(valid) >= HTTP_REFUSED_CASES // VALID_EVERY - 5
    failing = [r for r in valid if r.problems]
    assert not failing, _report(failing, "of valid commands failed")


def test_enough_cases_ran(fuzz_run):
    labels = Counter(r.case.label.split(":")[0] for r in fuzz_run)
    assert len(fuzz_run) >= HTTP_REFUSED_CASES, labels
    for kind in ("update", "transition", "unknown-task", "queue", "create", "session", "read", "root", "env", "valid"):
        assert labels[kind] > 0, f"no {kind} case was generated: {labels}"


# --- deterministic cases behind the fuzzing's findings ----------------------------------------------------------------

ECHO_CASES = {
    "status with a line break": [b"task", b"update", b"fz-0", b"--status", b"work\ning"],
    "status with an escape sequence": [b"task", b"update", b"fz-0", b"--status", b"\x1b[2Jworking"],
    "status of 128 KiB": [b"task", b"update", b"fz-0", b"--status", b"s" * MAX_ARG],
    "unknown option with a line break": [b"task", b"update", b"fz-0", b"--status", b"working", b"--bo\ngus"],
    "unexpected argument with an escape sequence": [b"task", b"update", b"fz-0", b"--status", b"working", b"ex\x1b[31mtra"],
    "unknown command with a line break": [b"task", b"up\ndate"],
    "priority with a line break": [b"task", b"create", b"title", b"--priority", b"lo\nw"],
    # checked by the Redis function, whose message quotes with Lua's %q: a line break stays a line break
    "session task id with a line break": [b"session", b"create", b"--task", b"fz-0\nx"],
    "session task id with an escape sequence": [b"session", b"create", b"--task", b"fz\x1b[31m0"],
}


@pytest.fixture(scope="module")
def quiet_world(binaries, work_dir, artifacts):
    """For the parser's cases: the same with either backend."""
    world = World(binaries, work_dir, artifacts, "redis")
    yield world
    world.stop()


@pytest.fixture(scope="module", params=["redis", "http"])
def world_by_mode(request, binaries, work_dir, artifacts):
    world = World(binaries, work_dir, artifacts, request.param)
    yield world
    world.stop()


def test_queue_is_all_or_nothing(world_by_mode):
    """`maestro task queue A nope B` (nope does not exist) queues neither A nor B and changes nothing (README:
    "all or nothing"), on Redis and over HTTP alike."""
    before = world_by_mode.redis.snapshot()
    code, stdout, stderr, _ = world_by_mode.run(Case("queue", [b"task", b"queue", b"fz-2", b"nope-task", b"fz-3"], {4}))
    progress = {task: world_by_mode.progress(task) for task in ("fz-2", "fz-3")}
    assert code == 4, f"exit {code}: {stderr!r}"
    assert progress == {"fz-2": None, "fz-3": None}, f"queued although the command failed: {progress}"
    after = world_by_mode.redis.snapshot()
    assert after == before, f"Redis changed: {describe_difference(before, after)}"


@pytest.mark.parametrize("name", list(ECHO_CASES))
def test_usage_errors_do_not_echo_raw_input(quiet_world, name):
    """A usage error quotes the bad value escaped and cut (as the id checks already do), so the message stays one
    line and cannot drive the terminal."""
    before = quiet_world.redis.snapshot()
    code, stdout, stderr, _ = quiet_world.run(Case(name, ECHO_CASES[name], {64}))
    assert code == 64, f"exit {code}: {stderr[:300]!r}"
    assert quiet_world.redis.snapshot() == before
    problems = _stderr_problems(stderr, code)
    assert not problems, problems


@pytest.mark.parametrize("argv", [[b"--bogus"], [b"--status", b"working", b"task", b"update", b"fz-0"],
                                  [b"task", b"--json", b"list"], [b"-x", b"task", b"show", b"fz-0"]],
                         ids=["maestro --bogus", "maestro --status working task update", "maestro task --json list",
                              "maestro -x task show"])
def test_unknown_option_before_the_subcommand_is_refused(quiet_world, argv):
    """`maestro --bogus` is bad usage (64) like `maestro task update --bogus`, not a successful help (0)."""
    code, stdout, stderr, _ = quiet_world.run(Case("root", argv, {64}))
    assert code == 64, f"exit {code}; stdout {stdout[:120]!r}; stderr {stderr[:200]!r}"
    assert not _stderr_problems(stderr, code)
