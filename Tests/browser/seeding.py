"""Seeding a large project quickly, straight into Redis through the Maestro function library (what the store does,
without a process per call): FCALL commands pipelined over one raw socket, a few thousand per round trip.

Used by test_large_project.py and dashboard_bench.py. Every write goes through the same functions the server and the
CLI call (maestro_create_task, maestro_spawn_session, maestro_update_progress), so indexes, versions and events are
exactly what real use leaves behind."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field

from redis_client import RedisConnection, RedisError

STREAM_CAP = "100000"


class RedisPipe(RedisConnection):
    """One connection to Redis that sends commands in pipelined batches and parses the replies as text."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60):
        super().__init__(port, timeout=timeout, host=host, decode=True, buffering=1 << 20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def receive(self, count: int, errors: str = "raise") -> list:
        """Reads `count` replies; a Redis error raises (errors="raise") or comes back as a RedisError (errors="keep")."""
        replies = super().receive(count)
        if errors == "raise":
            failed = next((reply for reply in replies if isinstance(reply, RedisError)), None)
            if failed is not None:
                raise failed
        return replies

    def pipeline(self, commands, batch: int = 2000, errors: str = "raise") -> list:
        """Sends `commands` in batches of `batch` and returns every reply, in order."""
        replies: list = []
        commands = list(commands)
        for start in range(0, len(commands), batch):
            chunk = commands[start:start + batch]
            self.send(chunk)
            replies.extend(self.receive(len(chunk), errors))
        return replies

    def command(self, *args):
        return self.pipeline([args])[0]


def library_version(pipe: RedisPipe) -> str:
    """The version of the loaded maestro function library (each call passes it; a mismatch is refused)."""
    listing = pipe.command("FUNCTION", "LIST", "LIBRARYNAME", "maestro", "WITHCODE")
    text = json.dumps(listing)
    match = re.search(r"LIBRARY_VERSION = '(\d+)'", text)
    if not match:
        raise RuntimeError("the maestro function library is not loaded (start maestro-server or run maestro setup)")
    return match.group(1)


@dataclass
class Project:
    """Calls of the function library for one project."""

    pipe: RedisPipe
    project: str
    version: str = field(default="")

    def __post_init__(self):
        self.version = self.version or library_version(self.pipe)
        self.events = f"mae:{{{self.project}}}:events"

    def _call(self, function: str, *args) -> tuple:
        return ("FCALL", f"maestro_{function}", "1", self.events, self.version, "", STREAM_CAP, *args)

    # Commands (send them with pipe.pipeline or pipe.send)

    def create_task(self, task_id: str, title: str, description: str = "", priority: str = "medium",
                    parent_id: str = "") -> tuple:
        return self._call("create_task", task_id, title, description, priority, parent_id)

    def spawn_session(self, session_id: str, token: str, name: str = "", task_ids=()) -> tuple:
        return self._call("spawn_session", session_id, token, name, "ui", "", "", *task_ids)

    def update_progress(self, task_id: str, session_id: str, token: str, status: str, notes: str = "") -> tuple:
        return self._call("update_progress", task_id, session_id, token, status, notes)

    def claim_session(self, session_id: str, token: str, supervisor: str, lease_seconds: int = 60) -> tuple:
        return self._call("claim_session", session_id, token, supervisor, str(lease_seconds), "")

    def report_lifecycle(self, session_id: str, token: str, supervisor: str, target: str) -> tuple:
        return self._call("report_lifecycle", session_id, token, supervisor, target, "", "")

    def update_task(self, task_id: str, **fields) -> tuple:
        pairs = [item for name, value in fields.items() for item in (name, value)]
        return self._call("update_task", task_id, *pairs)

    def delete_task(self, task_id: str) -> tuple:
        return self._call("delete_task", task_id)


def session_token(index: int) -> str:
    return f"seed-token-{index:08d}-abcdefghij"


VERBS = ["Fix", "Add", "Remove", "Refactor", "Document", "Test", "Speed up", "Review", "Migrate", "Upgrade"]
NOUNS = ["the billing export", "the login form", "the search index", "the webhook sender", "the CI cache",
         "the rate limiter", "the onboarding guide", "the audit log", "the cache layer", "the API client",
         "the deploy script", "the metrics page", "the retry policy"]
PRIORITIES = ["medium", "medium", "high", "low", "medium", "urgent", "medium", "low"]


def task_id(index: int) -> str:
    return f"task_{index:06d}"


def task_title(index: int) -> str:
    return f"{VERBS[index % len(VERBS)]} {NOUNS[(index // len(VERBS)) % len(NOUNS)]} #{index}"


@dataclass
class Link:
    """One session's progress on one task, as seeded."""

    task_id: str
    session_id: str
    token: str
    status: str


@dataclass
class SeededProject:
    project: str
    tasks: int
    open_ids: list[str]
    closed: dict[str, str]
    links: list[Link]
    sessions: list[tuple[str, str]]

    def with_status(self, status: str) -> list[Link]:
        return [link for link in self.links if link.status == status]


def seed_project(project: Project, tasks: int, sessions: int = 0, tasks_per_session: int = 5,
                 closed_every: int = 20, open_of_every: int = 3, needs_input: int = 0, blocked: int = 0,
                 batch: int = 2000, progress=None) -> SeededProject:
    """Creates `tasks` tasks (ids task_000000…, titles "<verb> <noun> #<index>"); of every `closed_every` tasks,
    `open_of_every` stay open and the others are completed (most) or cancelled (every tenth); then `sessions` sessions,
    each queued on `tasks_per_session` distinct open tasks spread over the project and working on them, of which `needs_input` links ask a
    question and `blocked` links are blocked (both with notes). `progress(text)` is told how far it got."""
    say = progress or (lambda text: None)
    pipe = project.pipe
    commands = (project.create_task(task_id(i), task_title(i), "", PRIORITIES[i % len(PRIORITIES)]) for i in range(tasks))
    _run(pipe, commands, tasks, batch, say, "tasks created")
    closed: dict[str, str] = {}
    open_ids: list[str] = []
    for i in range(tasks):
        if i % closed_every < open_of_every:
            open_ids.append(task_id(i))
        else:
            closed[task_id(i)] = "cancelled" if (i // closed_every) % 10 == 0 else "completed"
    _run(pipe, (project.update_task(tid, status=status) for tid, status in closed.items()), len(closed), batch, say,
         "tasks finished")
    links: list[Link] = []
    spawned: list[tuple[str, str]] = []
    if sessions:
        if sessions * tasks_per_session > len(open_ids):
            raise ValueError("not enough open tasks for every session's tasks")
        spawn = []
        for s in range(sessions):
            session_id, token = f"sess_{s:05d}", session_token(s)
            # Spread over the whole project: session s works on open tasks s, s + sessions, s + 2 × sessions, …
            chosen = open_ids[s::sessions][:tasks_per_session]
            spawned.append((session_id, token))
            spawn.append(project.spawn_session(session_id, token, f"agent-{s:04d}", chosen))
            links.extend(Link(tid, session_id, token, "working") for tid in chosen)
        _run(pipe, spawn, len(spawn), 200, say, "sessions spawned")
        updates = [project.update_progress(link.task_id, link.session_id, link.token, "working") for link in links]
        # Questions and blocks on every k-th link, spread over the project.
        step = max(1, len(links) // max(1, needs_input + blocked))
        chosen = links[::step][:needs_input + blocked]
        for n, link in enumerate(chosen):
            if n < needs_input:
                link.status = "needs_input"
                updates.append(project.update_progress(link.task_id, link.session_id, link.token, "needs_input",
                                                       f"Which option for {link.task_id}: A or B?"))
            else:
                link.status = "blocked"
                updates.append(project.update_progress(link.task_id, link.session_id, link.token, "blocked",
                                                       f"Need credentials for {link.task_id}"))
        _run(pipe, updates, len(updates), batch, say, "progress reported")
    return SeededProject(project.project, tasks, open_ids, closed, links, spawned)


def _run(pipe: RedisPipe, commands, total: int, batch: int, say, what: str):
    done = 0
    chunk: list = []
    for command in commands:
        chunk.append(command)
        if len(chunk) == batch:
            pipe.pipeline(chunk, batch=batch)
            done += len(chunk)
            chunk = []
            if done % (batch * 10) == 0:
                say(f"{done:,} of {total:,} {what}")
    if chunk:
        pipe.pipeline(chunk, batch=batch)
        done += len(chunk)
    say(f"{done:,} {what}")
