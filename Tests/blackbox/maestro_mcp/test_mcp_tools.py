"""`maestro mcp`'s tools through the official client:
  - initialize (version negotiation, capabilities), the tools' names and schemas, the client's newest "auto" mode
    (it probes `server/discover` first, which must fall back cleanly);
  - every tool's happy path, over Redis (MAESTRO_REDIS_URL) and over the HTTP API (MAESTRO_URL only).
"""

from __future__ import annotations

import pytest
from mcp import StdioServerParameters

from mcp_session import TOOLS, call_ok, connected, run

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
            assert "This session works on" not in init.instructions, "no MAESTRO_TASK_IDS, no task named"
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


def test_instructions_name_the_tasks_maestro_run_hands_on(project):
    # `maestro run` sets MAESTRO_TASK_IDS; what is not a valid id never reaches the model.
    async def scenario():
        env = project.env() | {"MAESTRO_TASK_IDS": "t1 t2 {bad} t3\nx"}
        async with connected(project, env) as session:
            instructions = session.init_result.instructions
            assert "This session works on tasks t1, t2: use these ids when you report." in instructions, instructions
            assert "{bad}" not in instructions and "t3" not in instructions
        async with connected(project, project.env() | {"MAESTRO_TASK_IDS": "t2"}) as session:
            assert "This session works on task t2:" in session.init_result.instructions

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
