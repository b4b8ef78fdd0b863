"""`maestro mcp` driven by the official Python MCP client (PyPI `mcp`) over stdio: the real binary, against the suite's
real redis-server and maestro-server, as a real session spawned through the HTTP API. What the tests of this folder
share: a project of their own with tasks and a session, a connected client session, and tool calls that must succeed
or must be refused with nothing changed in Redis."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from blackbox_env import Api, clean_environment, describe_difference

TOOLS = {"queue_tasks", "update_status", "get_answer", "show_task", "list_tasks"}
NO_SESSION = "No session found."


# --- the world: a project with tasks and a session ------------------------------------------------------------------

class Project:
    """A project of its own per test (so tests never see each other's keys), a few tasks created through the API,
    and a session spawned through it; `env(...)` is what `maestro mcp` gets, over Redis or over HTTP."""

    counter = 0

    def __init__(self, server, redis, binaries, artifacts, tasks=("t1", "t2", "t3")):
        Project.counter += 1
        self.id = f"mcp{Project.counter}-{int(time.time() * 1000) % 100000}"
        self.server, self.redis, self.binaries, self.artifacts = server, redis, binaries, artifacts
        self.api = Api(server.base_url, self.id)
        for task in tasks:
            self.api.create_task(f"Task {task}", id=task, description=f"Do {task}")
        spawned = self.api.spawn_session("mcp-agent")
        self.session_id = spawned["session"]["id"]
        self.token = spawned["token"]

    def env(self, mode: str = "redis", session: bool = True, token: str | None = None) -> dict[str, str]:
        env = {key: value for key, value in clean_environment().items() if key in ("PATH", "HOME", "LANG")}
        env["MAESTRO_PROJECT_ID"] = self.id
        if mode == "redis":
            env["MAESTRO_REDIS_URL"] = self.redis.url
        else:
            env["MAESTRO_URL"] = self.server.base_url
        if session:
            env["MAESTRO_SESSION_ID"] = self.session_id
            env["MAESTRO_SESSION_TOKEN"] = token or self.token
        return env

    def snapshot(self) -> dict:
        return self.redis.snapshot(f"mae:{{{self.id}}}:*")

    def progress(self, task_id: str) -> dict | None:
        task = self.api.task(task_id)
        return next((entry for entry in task["sessionProgress"] if entry["sessionId"] == self.session_id), None)

    def answer(self, task_id: str, text: str):
        self.api.call("POST", f"/api/tasks/{task_id}/sessions/{self.session_id}/answer", {"answer": text})

@asynccontextmanager
async def connected(project: Project, env: dict[str, str], message_handler=None):
    """An initialized client session with `maestro mcp` (its stderr goes to the artifacts)."""
    params = StdioServerParameters(command=str(project.binaries.cli), args=["mcp"], env=env)
    with open(project.artifacts / f"mcp-{project.id}.stderr", "a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write, message_handler=message_handler) as session:
                result = await session.initialize()
                session.init_result = result
                yield session


def run(scenario):
    """Runs one async scenario to its end."""
    return asyncio.run(scenario())


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content)


async def call_ok(session, tool: str, arguments: dict):
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, f"{tool} {arguments} failed: {text_of(result)}"
    assert result.structured_content is not None
    # The JSON of the structured result is there as text too, for clients that read only text.
    assert json.loads(result.content[-1].text) == result.structured_content
    return result.structured_content


async def call_refused(session, project: Project, tool: str, arguments: dict, *expected: str) -> str:
    """A tool error whose text has every `expected` fragment, with nothing changed in Redis."""
    before = project.snapshot()
    result = await session.call_tool(tool, arguments)
    after = project.snapshot()
    text = text_of(result)
    assert result.is_error, f"{tool} {arguments} should have failed, got: {text}"
    assert result.structured_content is None
    for fragment in expected:
        assert fragment in text, f"{tool} {arguments}: {fragment!r} not in {text!r}"
    assert before == after, f"{tool} {arguments} changed Redis: {describe_difference(before, after)}"
    return text
