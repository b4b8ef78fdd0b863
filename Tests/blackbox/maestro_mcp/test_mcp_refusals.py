"""Refusals and bad arguments of `maestro mcp`'s tools — a refused transition, schema violations, an unknown task, a
wrong token, no session context — each a tool error (`isError`) that says why, with every key of the project in Redis
(DUMP, TTL, stream length and last id) the same before and after."""

from __future__ import annotations

import pytest

from mcp_session import NO_SESSION, TOOLS, call_ok, call_refused, connected, run

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
