"""`maestro mcp`'s answer loop, over both backends: update_status needs_input, get_answer waiting while the test
answers through the dashboard's HTTP API (POST /api/tasks/:id/sessions/:sid/answer)."""

from __future__ import annotations

import threading
import time

import pytest

from mcp_session import call_ok, connected, run, text_of

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
