"""The dashboard's copies of the state machines (Dashboard/js/model.js) against the server, pair by pair: every task
status a user may move a task to (spec §4.1), and when a user may stop or restart a session (spec §3, §4.3). The
server's tables are the function library's (Sources/MaestroStore/Lua/machines.lua), which the store tests check
against MaestroDomain's transitions for every pair; this closes the circle for the JavaScript."""

import itertools

from seeding import Project, RedisPipe

TASK_STATUSES = ["todo", "inprogress", "completed", "cancelled"]
LIFECYCLES = ["spawning", "active", "stopped", "failed"]

JS_MACHINES = """
const done = arguments[arguments.length - 1];
(async () => {
  const model = await import('/js/model.js');
  const lifecycles = ['spawning', 'active', 'stopped', 'failed'];
  done({
    statuses: model.TASK_STATUSES,
    task: Object.fromEntries(model.TASK_STATUSES.map((status) => [status, model.allowedTaskTargets(status)])),
    stop: lifecycles.filter((status) => model.canStop({ status })),
    restart: lifecycles.filter((status) => model.canRestart({ status })),
  });
})().catch((error) => done({ error: String(error && error.stack || error) }));
"""


def test_task_transitions_match_the_server(browser, api):
    js = browser().driver.execute_async_script(JS_MACHINES)
    assert "error" not in js, js
    assert js["statuses"] == TASK_STATUSES
    allowed_by_server = {}
    for origin, target in itertools.permutations(TASK_STATUSES, 2):
        task_id = api.create_task(f"{origin} to {target}")["id"]
        if origin != "todo":
            api.set_status(task_id, origin)  # todo may move to any other status directly
        status, _ = api.request("PUT", f"/api/tasks/{task_id}", {"status": target})
        assert status in (200, 409), (origin, target, status)
        allowed_by_server.setdefault(origin, set())
        if status == 200:
            allowed_by_server[origin].add(target)
    assert {origin: set(targets) for origin, targets in js["task"].items()} == allowed_by_server


def test_stop_and_restart_match_the_server(browser, api, redis, project):
    js = browser().driver.execute_async_script(JS_MACHINES)
    assert "error" not in js, js
    stoppable, restartable = set(), set()
    with RedisPipe(redis.port) as pipe:
        library = Project(pipe, project)
        for action, lifecycle in itertools.product(["stop", "restart"], LIFECYCLES):
            session_id, token = f"sess_{action}_{lifecycle}", f"machine-token-{action}-{lifecycle}-0123456789"
            supervisor = f"sup_{action}_{lifecycle}"
            steps = [library.spawn_session(session_id, token, session_id)]
            if lifecycle != "spawning":
                steps += [library.claim_session(session_id, token, supervisor),
                          library.report_lifecycle(session_id, token, supervisor, "active")]
            if lifecycle == "failed":
                steps.append(library.report_lifecycle(session_id, token, supervisor, "failed"))
            pipe.pipeline(steps)
            if lifecycle == "stopped":
                api.call("POST", f"/api/sessions/{session_id}/stop")
            assert api.session(session_id)["status"] == lifecycle
            status, _ = api.request("POST", f"/api/sessions/{session_id}/{action}")
            assert status in (200, 409), (action, lifecycle, status)
            if status == 200:
                (stoppable if action == "stop" else restartable).add(lifecycle)
    assert set(js["stop"]) == stoppable
    assert set(js["restart"]) == restartable
