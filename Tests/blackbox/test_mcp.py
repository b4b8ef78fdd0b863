"""`maestro mcp` driven by the official Python MCP client (PyPI `mcp`) over stdio: the real binary, against the suite's
real redis-server and maestro-server, as a real session spawned through the HTTP API.

  - initialize (version negotiation, capabilities), the tools' names and schemas, the client's newest "auto" mode
    (it probes `server/discover` first, which must fall back cleanly);
  - every tool's happy path, over Redis (MAESTRO_REDIS_URL) and over the HTTP API (MAESTRO_URL only);
  - refusals and bad arguments — a refused transition, schema violations, an unknown task, a wrong token, no session
    context — each a tool error (`isError`) that says why, with every key of the project in Redis (DUMP, TTL, stream
    length and last id) the same before and after;
  - the answer loop: update_status needs_input, get_answer waiting while the test answers through the dashboard's
    HTTP API (POST /api/tasks/:id/sessions/:sid/answer), over both backends;
  - resources (templates, list, read, subscribe → notifications/resources/updated, unsubscribe);
  - raw JSON-RPC the client cannot send: malformed JSON, batches, unknown methods and tools, bad params, an
    over-long line, cancellation of a waiting get_answer while a ping is answered.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time
from contextlib import asynccontextmanager

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

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


@pytest.fixture
def project(server, redis, binaries, artifacts) -> Project:
    return Project(server, redis, binaries, artifacts)


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


# --- initialize and the tool list -----------------------------------------------------------------------------------

def test_initialize_and_tool_schemas(project):
    async def scenario():
        async with connected(project, project.env()) as session:
            init = session.init_result
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "maestro"
            assert init.capabilities.tools is not None
            assert init.capabilities.resources.subscribe is True
            assert "update_status" in init.instructions
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                assert tool.input_schema["type"] == "object"
                assert tool.input_schema["additionalProperties"] is False
                assert tool.output_schema["type"] == "object"
                assert len(tool.description) > 80
            assert tools["queue_tasks"].input_schema["required"] == ["taskIds"]
            assert tools["queue_tasks"].input_schema["properties"]["taskIds"]["type"] == "array"
            assert set(tools["update_status"].input_schema["required"]) == {"taskId", "status"}
            assert set(tools["update_status"].input_schema["properties"]["status"]["enum"]) == {
                "queued", "working", "needs_input", "blocked", "completed", "failed", "cancelled"}
            assert tools["update_status"].input_schema["properties"]["notes"]["maxLength"] == 4096
            assert tools["get_answer"].input_schema["properties"]["waitSeconds"]["maximum"] == 600
            assert set(tools["list_tasks"].input_schema["properties"]["status"]["enum"]) == {
                "todo", "inprogress", "completed", "cancelled"}
            assert "required" not in tools["list_tasks"].input_schema
            # The descriptions teach when to report what.
            description = tools["update_status"].description
            for phrase in ("needs_input", "get_answer", "blocked", "completed", "failed", "notes"):
                assert phrase in description
            assert tools["show_task"].annotations.read_only_hint is True
            assert tools["update_status"].annotations.read_only_hint is False
    run(scenario)


def test_newest_client_mode_falls_back_to_initialize(project):
    """The client's default "auto" mode probes `server/discover` (a newer protocol) first: the -32601 answer must lead
    it to the classic handshake, after which tools work."""
    from mcp.client import Client

    async def scenario():
        params = StdioServerParameters(command=str(project.binaries.cli), args=["mcp"], env=project.env())
        async with Client(params) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names == TOOLS
            result = await client.call_tool("show_task", {"taskId": "t1"})
            assert not result.is_error and result.structured_content["id"] == "t1"
    run(scenario)


# --- happy paths ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["redis", "http"])
def test_every_tool_happy_path(project, mode):
    async def scenario():
        async with connected(project, project.env(mode)) as session:
            queued = await call_ok(session, "queue_tasks", {"taskIds": ["t1", "t2"]})
            assert [(t["taskId"], t["queued"], t["status"]) for t in queued["tasks"]] == [
                ("t1", True, "queued"), ("t2", True, "queued")]
            again = await call_ok(session, "queue_tasks", {"taskIds": ["t1"]})
            assert again["tasks"][0]["queued"] is False
            assert project.progress("t1")["status"] == "queued"

            working = await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            assert (working["status"], working["previousStatus"], working["taskStatus"]) == (
                "working", "queued", "inprogress")
            assert working["sessionId"] == project.session_id
            assert project.api.task("t1")["status"] == "inprogress"

            blocked = await call_ok(session, "update_status",
                                    {"taskId": "t1", "status": "blocked", "notes": "Need the staging API key"})
            assert blocked["notes"] == "Need the staging API key"
            await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            done = await call_ok(session, "update_status",
                                 {"taskId": "t1", "status": "completed", "notes": "Fixed in 3 commits"})
            assert done["previousStatus"] == "working"
            entry = project.progress("t1")
            assert (entry["status"], entry["notes"]) == ("completed", "Fixed in 3 commits")

            shown = await call_ok(session, "show_task", {"taskId": "t1"})
            expected = project.api.task("t1")
            assert shown == expected
            assert shown["description"] == "Do t1"

            listed = await call_ok(session, "list_tasks", {})
            assert [task["id"] for task in listed["tasks"]] == ["t1", "t2", "t3"]
            assert (listed["total"], listed["offset"]) == (3, 0)
            page = await call_ok(session, "list_tasks", {"limit": 1, "offset": 1})
            assert [task["id"] for task in page["tasks"]] == ["t2"] and page["total"] == 3
            started = await call_ok(session, "list_tasks", {"status": "inprogress"})
            assert [task["id"] for task in started["tasks"]] == ["t1"]
            empty = await call_ok(session, "list_tasks", {"status": "cancelled"})
            assert empty == {"tasks": [], "total": 0, "offset": 0}

            nothing_asked = await call_ok(session, "get_answer", {"taskId": "t2", "waitSeconds": 30})
            assert nothing_asked["answered"] is False and nothing_asked["status"] == "queued"
    run(scenario)


# --- refusals and bad arguments: a tool error, nothing changed ------------------------------------------------------

def test_refused_transition_names_current_and_allowed(project):
    async def scenario():
        async with connected(project, project.env()) as session:
            await call_ok(session, "queue_tasks", {"taskIds": ["t1"]})
            text = await call_refused(session, project, "update_status", {"taskId": "t1", "status": "completed"},
                                      "Refused", "from queued to completed", "allowed from queued:", "working",
                                      "cancelled")
            assert project.session_id in text
            await call_ok(session, "update_status", {"taskId": "t1", "status": "cancelled"})
            await call_refused(session, project, "update_status", {"taskId": "t1", "status": "working"},
                               "from cancelled to working")
            # Queueing a task the user cancelled is refused too, for the whole call.
            project.api.set_status("t3", "cancelled")
            await call_refused(session, project, "queue_tasks", {"taskIds": ["t2", "t3"]}, "Refused", "t3")
            assert project.progress("t2") is None
    run(scenario)


BAD_ARGUMENTS = [
    ("update_status", {"taskId": "t1"}, "missing required argument 'status'"),
    ("update_status", {"status": "working"}, "missing required argument 'taskId'"),
    ("update_status", {"taskId": "t1", "status": "done"}, "'done' is not a valid status"),
    ("update_status", {"taskId": 7, "status": "working"}, "'taskId' must be a string (got a number)"),
    ("update_status", {"taskId": "t1", "status": "working", "note": "x"}, "unknown argument 'note'"),
    ("update_status", {"taskId": "t1", "status": "working", "notes": 5}, "'notes' must be a string"),
    ("update_status", {"taskId": "t1", "status": "blocked", "notes": "x" * 4097}, "notes"),
    ("update_status", {"taskId": "t 1", "status": "working"}, "task id"),
    ("update_status", {"taskId": "a/b", "status": "working"}, "task id"),
    ("update_status", {"taskId": "", "status": "working"}, "task id"),
    ("queue_tasks", {"taskIds": "t1"}, "'taskIds' must be an array of strings (got a string)"),
    ("queue_tasks", {"taskIds": []}, "'taskIds' must hold at least one string"),
    ("queue_tasks", {"taskIds": ["t1", 2]}, "'taskIds[1]' must be a string"),
    ("queue_tasks", {}, "missing required argument 'taskIds'"),
    ("queue_tasks", {"taskIds": ["t{1}"]}, "task id"),
    ("get_answer", {"taskId": "t1", "waitSeconds": 601}, "'waitSeconds' must be from 0 to 600"),
    ("get_answer", {"taskId": "t1", "waitSeconds": -1}, "'waitSeconds' must be from 0 to 600"),
    ("get_answer", {"taskId": "t1", "waitSeconds": "10"}, "'waitSeconds' must be a whole number"),
    ("get_answer", {"taskId": "t1", "waitSeconds": 1.5}, "'waitSeconds' must be a whole number"),
    ("show_task", {}, "missing required argument 'taskId'"),
    ("show_task", {"taskId": ["t1"]}, "'taskId' must be a string (got an array)"),
    ("list_tasks", {"status": "open"}, "'open' is not a valid status"),
    ("list_tasks", {"limit": 0}, "'limit' must be from 1 to 1000"),
    ("list_tasks", {"limit": 1001}, "'limit' must be from 1 to 1000"),
    ("list_tasks", {"offset": -5}, "'offset' must be from 0"),
    ("list_tasks", {"status": "todo", "page": 2}, "unknown argument 'page'"),
]


def test_schema_violations_are_tool_errors_that_change_nothing(project):
    async def scenario():
        async with connected(project, project.env()) as session:
            await call_ok(session, "queue_tasks", {"taskIds": ["t1"]})
            await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            for tool, arguments, fragment in BAD_ARGUMENTS:
                await call_refused(session, project, tool, arguments, fragment)
            assert project.progress("t1")["status"] == "working"
    run(scenario)


@pytest.mark.parametrize("mode", ["redis", "http"])
def test_unknown_task_and_wrong_token(project, mode):
    async def scenario():
        async with connected(project, project.env(mode)) as session:
            await call_refused(session, project, "update_status", {"taskId": "nope", "status": "working"}, "Not found")
            await call_refused(session, project, "queue_tasks", {"taskIds": ["t1", "nope"]}, "nope")
            assert project.progress("t1") is None  # all or nothing
            await call_refused(session, project, "show_task", {"taskId": "nope"}, "Not found", "nope")
            await call_refused(session, project, "get_answer", {"taskId": "nope", "waitSeconds": 1}, "nope")
            await call_refused(session, project, "get_answer", {"taskId": "t2", "waitSeconds": 1},
                               "Not found", "has not queued task t2")
        async with connected(project, project.env(mode, token="not-the-token")) as session:
            await call_refused(session, project, "queue_tasks", {"taskIds": ["t1"]}, "Not allowed")
            await call_refused(session, project, "update_status", {"taskId": "t1", "status": "working"}, "Not allowed")
    run(scenario)


def test_no_session_context(project):
    async def scenario():
        async with connected(project, project.env(session=False)) as session:
            assert {tool.name for tool in (await session.list_tools()).tools} == TOOLS
            for tool, arguments in [("queue_tasks", {"taskIds": ["t1"]}),
                                    ("update_status", {"taskId": "t1", "status": "working"}),
                                    ("get_answer", {"taskId": "t1"})]:
                text = await call_refused(session, project, tool, arguments, NO_SESSION)
                assert text.startswith(NO_SESSION)
            # Reads need no session over Redis, as with `maestro task show`.
            assert (await call_ok(session, "show_task", {"taskId": "t1"}))["id"] == "t1"
            assert (await session.list_resources()).resources == []
    run(scenario)


# --- the answer loop with the dashboard's HTTP API ------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["redis", "http"])
def test_answer_loop_through_the_dashboard_api(project, mode):
    question = "Squash the commits before merging?"

    async def scenario():
        async with connected(project, project.env(mode)) as session:
            await call_ok(session, "queue_tasks", {"taskIds": ["t1"]})
            await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            asked = await session.call_tool("update_status",
                                            {"taskId": "t1", "status": "needs_input", "notes": question})
            assert not asked.is_error and "get_answer" in text_of(asked)
            assert project.api.task("t1")["aggregateStatus"] == "needs_input"

            started = time.monotonic()
            none_yet = await call_ok(session, "get_answer", {"taskId": "t1", "waitSeconds": 1})
            assert time.monotonic() - started >= 0.9
            assert none_yet["answered"] is False and none_yet["question"] == question
            assert "get_answer again" in (await session.call_tool("get_answer", {"taskId": "t1", "waitSeconds": 0})
                                          ).content[0].text

            # A person answers in the dashboard while the agent waits.
            answering = threading.Timer(1.0, project.answer, args=("t1", "Yes, squash them"))
            answering.start()
            try:
                started = time.monotonic()
                got = await call_ok(session, "get_answer", {"taskId": "t1", "waitSeconds": 60})
                waited = time.monotonic() - started
            finally:
                answering.join()
            assert got["answered"] is True and got["answer"] == "Yes, squash them"
            assert got["status"] == "needs_input" and got["answeredAt"]
            assert 0.5 < waited < 30, f"get_answer returned after {waited:.1f} s"
            # Answering did not change the status: the agent does.
            assert project.progress("t1")["status"] == "needs_input"
            await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            again = await call_ok(session, "get_answer", {"taskId": "t1", "waitSeconds": 0})
            assert again["answer"] == "Yes, squash them"
    run(scenario)


# --- resources ------------------------------------------------------------------------------------------------------

# resources/subscribe is how clients of the handshake-era revisions (through 2025-11-25) follow a resource; the client
# warns that the stateless 2026-07-28 revision replaces it.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("mode", ["redis", "http"])
def test_task_resources_and_change_notifications(project, mode):
    updates: list[str] = []

    async def on_message(message):
        params = getattr(message, "params", None)
        if getattr(message, "method", None) == "notifications/resources/updated":
            updates.append(str(params.uri))

    async def wait_for_updates(count: int, seconds: float):
        deadline = time.monotonic() + seconds
        while len(updates) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def scenario():
        async with connected(project, project.env(mode), message_handler=on_message) as session:
            templates = (await session.list_resource_templates()).resource_templates
            assert [template.uri_template for template in templates] == ["maestro://task/{taskId}"]
            await call_ok(session, "queue_tasks", {"taskIds": ["t1", "t2"]})
            listed = (await session.list_resources()).resources
            assert sorted(str(resource.uri) for resource in listed) == ["maestro://task/t1", "maestro://task/t2"]

            contents = (await session.read_resource("maestro://task/t1")).contents
            assert contents[0].mime_type == "application/json"
            assert json.loads(contents[0].text) == project.api.task("t1")
            with pytest.raises(MCPError) as unknown:
                await session.read_resource("maestro://task/nope")
            assert unknown.value.error.code == -32002
            with pytest.raises(MCPError) as malformed:
                await session.read_resource("maestro://tasks/t1")
            assert malformed.value.error.code == -32602

            await session.subscribe_resource("maestro://task/t1")
            await session.subscribe_resource("maestro://task/t3")
            # A change by this agent, one by a person, and one to an unwatched task.
            await call_ok(session, "update_status", {"taskId": "t1", "status": "working"})
            await wait_for_updates(1, 10)
            assert updates[:1] == ["maestro://task/t1"]
            project.api.set_status("t3", "inprogress")
            await wait_for_updates(2, 10)
            assert "maestro://task/t3" in updates
            await call_ok(session, "update_status", {"taskId": "t2", "status": "working"})
            await session.unsubscribe_resource("maestro://task/t1")
            count = len(updates)
            await call_ok(session, "update_status", {"taskId": "t1", "status": "completed"})
            await asyncio.sleep(1.5)  # the watcher reads after every event: time enough for a wrong notification
            assert len(updates) == count and "maestro://task/t2" not in updates
            with pytest.raises(MCPError) as missing:
                await session.subscribe_resource("maestro://task/nope")
            assert missing.value.error.code == -32002
    run(scenario)


# --- raw JSON-RPC over stdio ----------------------------------------------------------------------------------------

class RawServer:
    """`maestro mcp` with pipes, for messages the client library would never send."""

    def __init__(self, project: Project, env: dict[str, str]):
        self.process = subprocess.Popen([str(project.binaries.cli), "mcp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.lines: list[dict] = []
        self.condition = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.condition:
                self.lines.append(json.loads(line))
                self.condition.notify_all()

    def send(self, data: bytes | dict):
        self.process.stdin.write(data if isinstance(data, bytes) else json.dumps(data).encode() + b"\n")
        self.process.stdin.flush()

    def reply(self, predicate, seconds: float = 10) -> dict:
        deadline = time.monotonic() + seconds
        with self.condition:
            while True:
                found = next((line for line in self.lines if predicate(line)), None)
                if found is not None:
                    self.lines.remove(found)
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching reply within {seconds} s; got {self.lines}")
                self.condition.wait(remaining)

    def request(self, id_, method: str, params: dict | None = None, seconds: float = 10) -> dict:
        message = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.reply(lambda line: line.get("id") == id_, seconds)

    def initialize(self, version: str = "2025-06-18") -> dict:
        return self.request(1, "initialize", {"protocolVersion": version, "capabilities": {},
                                              "clientInfo": {"name": "raw", "version": "0"}})

    def call(self, id_, tool: str, arguments: dict) -> dict:
        """A tool call that must succeed; its result."""
        reply = self.request(id_, "tools/call", {"name": tool, "arguments": arguments})
        assert reply["result"]["isError"] is False, reply
        return reply["result"]

    def ask_question(self, task_id: str = "t1"):
        """Queues the task and reports needs_input on it (ids 2 to 4)."""
        self.call(2, "queue_tasks", {"taskIds": [task_id]})
        self.call(3, "update_status", {"taskId": task_id, "status": "working"})
        self.call(4, "update_status", {"taskId": task_id, "status": "needs_input", "notes": "A or B?"})

    def close(self) -> int:
        self.process.stdin.close()
        return self.process.wait(timeout=5)


def test_raw_protocol_errors(project):
    raw = RawServer(project, project.env())
    try:
        for version in ("2025-06-18", "2025-03-26", "2024-11-05", "1999-12-31"):
            init = raw.initialize(version)
            expected = version if version != "1999-12-31" else "2025-11-25"
            assert init["result"]["protocolVersion"] == expected
        raw.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert raw.request("p", "ping") == {"jsonrpc": "2.0", "id": "p", "result": {}}

        raw.send(b'{"jsonrpc": "2.0", "id": 5, "method": \n')
        assert raw.reply(lambda line: "error" in line)["error"]["code"] == -32700
        raw.send(b"[" + json.dumps({"jsonrpc": "2.0", "id": 6, "method": "ping"}).encode() + b"]\n")
        batch = raw.reply(lambda line: "error" in line)
        assert (batch["id"], batch["error"]["code"]) == (None, -32600)
        raw.send({"jsonrpc": "1.0", "id": 7, "method": "ping"})
        assert raw.reply(lambda line: line.get("id") == 7)["error"]["code"] == -32600
        assert raw.request(8, "prompts/list")["error"]["code"] == -32601
        assert raw.request(9, "tools/call", {"name": "delete_everything", "arguments": {}})["error"]["code"] == -32602
        assert raw.request(10, "tools/call", {"name": "show_task", "arguments": ["t1"]})["error"]["code"] == -32602
        assert raw.request(11, "tools/call", {"arguments": {}})["error"]["code"] == -32602
        assert raw.request(12, "initialize", {})["error"]["code"] == -32602
        assert raw.request(13, "resources/read", {})["error"]["code"] == -32602
        # A line over 4 MiB is refused without taking the server down.
        raw.send(b'{"jsonrpc":"2.0","id":14,"method":"ping","params":{"x":"' + b"a" * (5 << 20) + b'"}}\n')
        assert raw.reply(lambda line: "error" in line)["error"]["code"] == -32700
        assert raw.request(15, "ping")["result"] == {}
        # A notification never gets an answer; the next request still does, in order.
        raw.send({"jsonrpc": "2.0", "method": "notifications/whatever", "params": {}})
        shown = raw.request(16, "tools/call", {"name": "show_task", "arguments": {"taskId": "t1"}})
        assert shown["result"]["isError"] is False
        assert raw.lines == []
        assert raw.close() == 0
    finally:
        raw.process.kill()


def test_pipelined_calls_apply_in_order(project):
    """Calls sent back to back (as a model's parallel tool calls are) are carried out in the order they arrive: the
    report of `working` finds the task queued, `blocked` finds it working, and the replies come in that order."""
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        calls = [("queue_tasks", {"taskIds": ["t1", "t2"]})] + [
            ("update_status", {"taskId": task, "status": status, "notes": f"{status} {task}"})
            for task in ("t1", "t2") for status in ("working", "blocked", "working", "needs_input")]
        payload = b"".join(json.dumps({"jsonrpc": "2.0", "id": 100 + index, "method": "tools/call",
                                       "params": {"name": name, "arguments": arguments}}).encode() + b"\n"
                           for index, (name, arguments) in enumerate(calls))
        raw.send(payload)
        replies = [raw.reply(lambda line, id_=100 + index: line.get("id") == id_) for index in range(len(calls))]
        assert [reply["result"]["isError"] for reply in replies] == [False] * len(calls), replies
        assert [(p["status"], p["notes"]) for p in (project.progress("t1"), project.progress("t2"))] == [
            ("needs_input", "needs_input t1"), ("needs_input", "needs_input t2")]
        assert raw.close() == 0
    finally:
        raw.process.kill()


def test_cancelled_wait_and_concurrent_calls(project):
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        raw.ask_question()
        raw.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                  "params": {"name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 600}}})
        started = time.monotonic()
        # Neither a ping nor the next ordered call is held up by the waiting one.
        assert raw.request(6, "ping", seconds=3)["result"] == {}
        shown = raw.request(8, "tools/call", {"name": "show_task", "arguments": {"taskId": "t1"}}, seconds=3)
        assert shown["result"]["structuredContent"]["id"] == "t1"
        raw.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}})
        assert raw.request(7, "ping", seconds=3)["result"] == {}
        # The cancelled call gets no response, not even when the answer it waited for comes right after.
        project.answer("t1", "B")
        time.sleep(2.5)
        assert all(line.get("id") != 5 for line in raw.lines), raw.lines
        # An uncancelled wait does answer (the same call, so the silence above is the cancellation's doing).
        again = raw.request(9, "tools/call", {"name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 5}})
        assert again["result"]["structuredContent"]["answer"] == "B"
        assert raw.close() == 0
        assert time.monotonic() - started < 30
    finally:
        raw.process.kill()


def test_calls_sent_before_stdin_closes_are_carried_out(project):
    """`printf '…' | maestro mcp`: every call already sent is carried out and answered before the server exits."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "pipe", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "queue_tasks", "arguments": {"taskIds": ["t2"]}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "update_status", "arguments": {"taskId": "t2", "status": "working"}}},
    ]
    finished = subprocess.run([str(project.binaries.cli), "mcp"], env=project.env(), capture_output=True, timeout=20,
                              input=b"".join(json.dumps(message).encode() + b"\n" for message in messages))
    assert finished.returncode == 0, finished.stderr
    replies = [json.loads(line) for line in finished.stdout.splitlines()]
    assert [reply["id"] for reply in replies] == [1, 2, 3]
    assert replies[0]["result"]["protocolVersion"] == "2025-03-26"
    assert replies[2]["result"]["structuredContent"]["status"] == "working"
    assert project.progress("t2")["status"] == "working"


def test_waiting_calls_are_bounded(project):
    """Each waiting get_answer holds a thread and a connection: the 17th at once is refused, the others go on."""
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        raw.ask_question()
        waits = list(range(100, 117))
        raw.send(b"".join(json.dumps({"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": {
            "name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 60}}}).encode() + b"\n"
            for id_ in waits))
        refused = raw.reply(lambda line: "error" in line, seconds=5)
        assert refused["id"] == 116 and "more than 16 waiting calls" in refused["error"]["message"]
        # The others are still waiting and still answer: a person answers, all sixteen return it.
        project.answer("t1", "A")
        answers = [raw.reply(lambda line, id_=id_: line.get("id") == id_, seconds=10) for id_ in waits[:16]]
        assert {answer["result"]["structuredContent"]["answer"] for answer in answers} == {"A"}
        assert raw.close() == 0
    finally:
        raw.process.kill()
