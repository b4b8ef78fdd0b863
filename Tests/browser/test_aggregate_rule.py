"""The dashboard's copy of the aggregate rule (Dashboard/js/model.js) against the specification's table and against
the server's own rule (Sources/MaestroDomain/AggregateStatus.swift, as GET /api/tasks/:id reports it): every
combination of up to two sessions' statuses, each stale or not, first match wins:
needs_input, blocked, stale, working, queued, all_completed, all_failed (no_sessions when none; otherwise working)."""

import itertools

from maestro_env import make_stale, wait_until
from seeding import Project, RedisPipe

STATUSES = ["queued", "working", "needs_input", "blocked", "completed", "failed", "cancelled"]
FINAL = {"completed", "failed", "cancelled"}


def expected_aggregate(entries):
    """The rule as the specification states it (§5, with stale after blocked); `entries`: (status, stale) pairs."""
    statuses = [status for status, _ in entries]
    rules = [
        (lambda: not entries, "no_sessions"),
        (lambda: "needs_input" in statuses, "needs_input"),
        (lambda: "blocked" in statuses, "blocked"),
        (lambda: any(stale for _, stale in entries), "stale"),
        (lambda: "working" in statuses, "working"),
        (lambda: "queued" in statuses, "queued"),
        (lambda: all(status == "completed" for status in statuses), "all_completed"),
        (lambda: all(status == "failed" for status in statuses), "all_failed"),
        (lambda: True, "working"),
    ]
    return next(result for matches, result in rules if matches())


PURE_CHECK = """
const [cases, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const { aggregateStatus } = await import('/js/model.js');
  const { fromFull, fromSummary } = await import('/js/task-records.js');
  const entries = (combination) => combination.map(([status, stale], index) => ({
    sessionId: `s${index}`, status, lastUpdated: '2026-01-01T00:00:00Z',
    ...(stale ? { staleSince: '2026-01-01T00:30:00Z' } : {}) }));
  const task = (combination) => ({ id: 't', title: 't', status: 'inprogress', priority: 'medium', version: 1,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' });
  done(cases.map((combination) => [
    aggregateStatus({ sessionProgress: entries(combination) }),
    fromSummary({ ...task(), progress: entries(combination).map(({ sessionId, status, staleSince }) =>
      ({ sessionId, status, ...(staleSince ? { staleSince } : {}) })) }).aggregateStatus,
    fromFull({ ...task(), sessionProgress: entries(combination) }).aggregateStatus,
  ]));
})().catch((error) => done([[String(error && error.stack || error)]]));
"""


def test_model_js_follows_the_rule_for_every_combination(browser):
    variants = [(status, stale) for status in STATUSES for stale in (False, True)]
    cases = [[]] + [[variant] for variant in variants] + [list(pair) for pair in itertools.product(variants, repeat=2)]
    assert len(cases) == 1 + 14 + 196
    page = browser()
    results = page.driver.execute_async_script(PURE_CHECK, cases)
    wrong = [(case, got, expected_aggregate(case)) for case, got in zip(cases, results)
             if got != [expected_aggregate(case)] * 3]
    assert wrong == [], wrong[:10]


# Real progress entries: how each status is reached through the state machine (spec §4.2), and which may be stale.
PATHS = {
    "queued": [],
    "working": ["working"],
    "needs_input": ["working", "needs_input"],
    "blocked": ["working", "blocked"],
    "completed": ["working", "completed"],
    "failed": ["working", "failed"],
    "cancelled": ["cancelled"],
}
ENTRY_VARIANTS = [(status, False) for status in STATUSES] + [("queued", True), ("working", True)]


def expected_suggestion(entries):
    worked = any(PATHS[status] and PATHS[status][0] == "working" for status, _ in entries)
    if not worked or not entries or not all(status in FINAL for status, _ in entries):
        return None
    return "completed" if any(status == "completed" for status, _ in entries) else "todo"


STORE_STATE = """
return Object.fromEntries([...window.maestroDashboard.store.tasks.values()]
  .map((task) => [task.id, [task.aggregateStatus, task.suggestedStatus]]));
"""


def test_dashboard_and_server_agree_on_real_tasks(browser, api, redis, project):
    """55 tasks with no, one or two real sessions in every status (queued and working ones also stale), written
    through the function library as agents would; the page (by its events, then from a fresh snapshot) and the server
    must both derive what the rule says."""
    combinations = [()] + [(variant,) for variant in ENTRY_VARIANTS] + list(
        itertools.combinations_with_replacement(ENTRY_VARIANTS, 2))
    sessions = [("sess_rule_a", "rule-token-a-0123456789abcdef"), ("sess_rule_b", "rule-token-b-0123456789abcdef")]
    tasks = {f"task_rule_{n:03d}": combination for n, combination in enumerate(combinations)}
    with RedisPipe(redis.port) as pipe:
        library = Project(pipe, project)
        pipe.pipeline([library.create_task(task_id, f"Rule case {task_id[-3:]}") for task_id in tasks])
        pipe.pipeline([library.spawn_session(session_id, token, session_id,
                                             [task_id for task_id, combination in tasks.items() if len(combination) > i])
                       for i, (session_id, token) in enumerate(sessions)])
        updates = []
        for task_id, combination in tasks.items():
            for (status, _), (session_id, token) in zip(combination, sessions):
                for step in PATHS[status]:
                    notes = "Why?" if step in ("needs_input", "blocked") else ""
                    updates.append(library.update_progress(task_id, session_id, token, step, notes))
        pipe.pipeline(updates)

    page = browser()
    page.wait(lambda d: len(page.driver.execute_script(STORE_STATE)) == len(tasks), "every task on the page")
    for task_id, combination in tasks.items():
        for (status, stale), (session_id, _) in zip(combination, sessions):
            if stale:
                make_stale(api, redis, task_id, session_id)

    def stale_marked():
        return all(all(bool(entry.get("staleSince")) == stale for entry, (_, stale) in
                       zip(api.task(task_id)["sessionProgress"], combination))
                   for task_id, combination in tasks.items() if any(stale for _, stale in combination))

    wait_until(stale_marked, 15, "the server to mark the stale entries")
    expected = {task_id: [expected_aggregate(combination), expected_suggestion(combination)]
                for task_id, combination in tasks.items()}
    server = {task_id: [task["aggregateStatus"], task.get("suggestedStatus")]
              for task_id, task in ((task_id, api.task(task_id)) for task_id in tasks)}
    assert {k: v for k, v in server.items() if v != expected[k]} == {}, "the server disagrees with the rule"

    def differences():
        state = page.driver.execute_script(STORE_STATE)
        return {task_id: (state.get(task_id), want) for task_id, want in expected.items() if state.get(task_id) != want}

    # Live: the stale marks arrived as events.
    page.wait(lambda d: differences() == {}, "the page to agree after the events")
    # From a snapshot: summaries carry each entry's staleSince and the task's suggestion.
    page.open(token=None)
    page.wait_live()
    page.wait(lambda d: len(page.driver.execute_script(STORE_STATE)) == len(tasks), "every task after a reload")
    assert differences() == {}
