"""`maestro mcp`'s resources, over both backends: templates, list, read, subscribe → notifications/resources/updated,
unsubscribe."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from mcp.shared.exceptions import MCPError

from mcp_session import call_ok, connected, run

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
