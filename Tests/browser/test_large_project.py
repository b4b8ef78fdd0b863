"""The task list with 20,000 tasks: it stays virtual (a bounded number of rows in the DOM whatever the number of
tasks), scrolls to the last tasks, finds a task deep in the list, shows a live change of one task by changing exactly
its row, and counts right — also when tasks change, finish and disappear while the pages are still loading.

The project is seeded straight into Redis through the function library (pipelined FCALLs, as the store makes them),
which takes a few seconds; the agent of the live update uses the real `maestro` CLI. This guards behaviour, not speed:
scripts/dashboard-bench measures the speed at 100,000 tasks."""

from __future__ import annotations

import json
import random
import threading
import time

from selenium.webdriver.support.ui import Select

from seeding import Project, RedisPipe, seed_project, task_id

TASKS = 20_000
SESSIONS = 40
NEEDS_INPUT = 6
BLOCKED = 4
# A virtual list keeps about three screens of rows; a generous bound that is still far below 20,000.
MAX_ROWS = 80

SLOW_PAGES = """
const realFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await realFetch(...args);
  const url = String(args[0]);
  if (url.includes('view=summary') && !url.includes('limit=1&') && !url.endsWith('limit=1') && !url.includes('offset=0&')) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return response;
};
"""

MUTATIONS = """
window.__mutatedRows = new Set();
window.__rowObserver?.disconnect();
window.__rowObserver = new MutationObserver((records) => {
  for (const record of records) {
    const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    const row = node && node.closest('#task-list > li');
    window.__mutatedRows.add(row ? row.dataset.taskId : '(the list itself)');
  }
});
window.__rowObserver.observe(document.getElementById('task-list'),
  { subtree: true, childList: true, attributes: true, characterData: true });
"""


def summary(page) -> str:
    return page.find("#task-list-summary").text


def wait_all_loaded(page, total: int, timeout: float = 40):
    text = f"{total:,} tasks"
    page.wait(lambda d: summary(page) == text, f"the list to say {text!r} (all pages loaded)", timeout)


def dom_rows(page) -> int:
    return page.driver.execute_script("return document.querySelectorAll('#task-list > li').length;")


class Reporter(threading.Thread):
    """Sessions reporting `working`, with a new note each time, until stopped: every 50 ms on each of the `hot` tasks
    (so that reports keep landing while their pages are on the way) and on the next few of the `others`; and each
    time one more of the `doomed` tasks deleted (which shifts the pages after it, or lands while its page is on the
    way); and after two seconds the `burst` at once (more than the pages overlap: pages read after it start later
    than the loader asks)."""

    def __init__(self, port: int, project: str, hot, others, doomed, burst):
        super().__init__(daemon=True)
        self.port, self.project, self.hot, self.others, self.doomed = port, project, hot, others, doomed
        self.burst = burst
        self.stopped = threading.Event()
        self.written = 0
        self.deleted: list[str] = []

    def run(self):
        with RedisPipe(self.port) as pipe:
            library = Project(pipe, self.project)
            turn = 0
            ticks = 0
            while not self.stopped.is_set():
                ticks += 1
                if ticks == 40:
                    pipe.pipeline([library.delete_task(tid) for tid in self.burst])
                    self.deleted.extend(self.burst)
                batch = self.hot + self.others[turn:turn + 10]
                turn = turn + 10 if turn + 10 < len(self.others) else 0
                commands = [library.update_progress(tid, sid, token, "working", f"report {self.written + n}")
                            for n, (tid, sid, token) in enumerate(batch)]
                doomed = self.doomed.pop() if self.doomed else None
                if doomed:
                    commands.append(library.delete_task(doomed))
                pipe.pipeline(commands)
                self.written += len(batch)
                if doomed:
                    self.deleted.append(doomed)
                self.stopped.wait(0.05)

    def stop(self):
        self.stopped.set()
        self.join(timeout=10)


def differences(page, pipe, project, ids):
    """The page's tasks (id → (version, status, aggregate)) and those that differ from the server's."""
    held = json.loads(page.driver.execute_script(
        "return JSON.stringify([...window.maestroDashboard.store.tasks.values()].map(t => [t.id, t.version,"
        " t.status, t.aggregateStatus]));"))
    held = {tid: (version, status, aggregate) for tid, version, status, aggregate in held}
    if set(held) != set(ids):
        return held, [("ids", sorted(set(held) ^ set(ids))[:5])]
    stored = pipe.pipeline([("HMGET", f"mae:{{{project}}}:task:{tid}", "version", "status") for tid in ids])
    return held, [(tid, held[tid][:2], (int(v), s)) for tid, (v, s) in zip(ids, stored) if held[tid][:2] != (int(v), s)]


def test_large_project_list_stays_virtual_and_correct(browser, api, redis, project, agents):
    started = time.monotonic()
    with RedisPipe(redis.port) as pipe:
        library = Project(pipe, project)
        seeded = seed_project(library, TASKS, sessions=SESSIONS, needs_input=NEEDS_INPUT, blocked=BLOCKED)
        # A session that worked on finished tasks deep in the list (their pages come last).
        finished = [tid for tid, status in seeded.closed.items() if status == "completed"]
        late = ("sess_late", "late-session-token-0123456789")
        deep_finished = finished[-400::10]
        pipe.pipeline([library.spawn_session(*late, "late", deep_finished)])
        # The task the live update is about: the newest, so it is the first row when sorted newest first.
        target = api.create_task("Live target: watch this row")
        total = TASKS + 1
        seeded_in = time.monotonic() - started

        page = browser(height=900)
        # Hold every later page for a while after the server read it, as a slow network would: reports committed
        # meanwhile reach the page before their tasks do, and must wait for them.
        page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SLOW_PAGES})
        page.open(token=None)
        # A task event that skips versions makes the page read the task again (and heal); with every event kept
        # until its task's page arrives, none should.
        page.driver.execute_script(
            "const store = window.maestroDashboard.store; const heal = store.onStale; store.gaps = [];"
            "store.onStale = (taskId) => { store.gaps.push(taskId); heal(taskId); };")
        # While later pages still load, tasks keep changing: sessions report, on tasks all over the project (many of
        # them in pages that have not come yet, or are on their way), finished tasks are reopened and others deleted
        # (both leave the status set being paged, which shifts the pages after them).
        reopened = finished[100:130]
        pipe.pipeline([library.update_task(tid, status="inprogress") for tid in reopened])
        others = [(link.task_id, link.session_id, link.token) for link in seeded.with_status("working")]
        burst = finished[:40]
        spared = set(reopened) | set(deep_finished) | set(burst)
        doomed = random.Random(7).sample([tid for tid in finished if tid not in spared], 400)
        writer = Reporter(redis.port, project, [(tid, *late) for tid in deep_finished], others, doomed, burst)
        writer.start()
        try:
            page.wait(lambda d: "loaded" not in summary(page) and "Loading" not in summary(page),
                      "every page to load", 60)
        finally:
            writer.stop()
        assert writer.written > 2 * len(deep_finished), "the reports did not overlap the loading"
        deleted = set(writer.deleted)
        total -= len(deleted)
        wait_all_loaded(page, total)
        ids = [task_id(i) for i in range(TASKS) if task_id(i) not in deleted] + [target["id"]]
        # Every task the server has, at the version it has, and nothing else: no event lost or applied twice.
        deadline = time.monotonic() + 15
        while True:
            held, wrong = differences(page, pipe, project, ids)
            if not wrong or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert wrong == [], f"{len(wrong)} tasks differ from the server, e.g. {wrong[:5]}"
        gaps = page.driver.execute_script("return window.maestroDashboard.store.gaps;")
        assert gaps == [], f"events were lost while the pages loaded (the page had to read {len(gaps)} tasks again)"
        for link in seeded.links:
            if link.status in ("needs_input", "blocked"):
                assert held[link.task_id][2] == link.status
        assert all(held[tid][2] == "working" for tid in deep_finished)

    # Bounded DOM, whatever the number of tasks.
    assert 0 < dom_rows(page) <= MAX_ROWS
    # The counts: the title and tab count the open questions; the aggregate filter counts its tasks.
    page.wait(lambda d: d.title.startswith(f"({NEEDS_INPUT}) Input needed"), "the title to count the questions")
    assert page.find("#nav-tasks-count").text == f"{NEEDS_INPUT} need input"
    Select(page.find("#filter-aggregate")).select_by_value("needs_input")
    page.wait(lambda d: summary(page) == f"Showing {NEEDS_INPUT} of {total:,} tasks", "the needs-input count")
    assert len(page.row_ids()) == NEEDS_INPUT
    Select(page.find("#filter-aggregate")).select_by_value("attention")
    page.wait(lambda d: summary(page) == f"Showing {NEEDS_INPUT + BLOCKED} of {total:,} tasks", "the attention count")
    Select(page.find("#filter-aggregate")).select_by_value("")
    Select(page.find("#filter-status")).select_by_value("cancelled")
    cancelled = sum(1 for tid, status in seeded.closed.items() if status == "cancelled" and tid not in deleted)
    page.wait(lambda d: summary(page) == f"Showing {cancelled:,} of {total:,} tasks", "the cancelled count")
    assert 0 < dom_rows(page) <= MAX_ROWS
    Select(page.find("#filter-status")).select_by_value("")

    # Scrolling to the end (oldest first) shows the last tasks, in order, with a bounded DOM.
    Select(page.find("#task-sort")).select_by_value("oldest")
    page.driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
    page.wait(lambda d: page.row_ids()[-1:] == [target["id"]], "the newest task as the last row")
    rows = page.row_ids()
    assert rows[-3:] == [task_id(TASKS - 2), task_id(TASKS - 1), target["id"]]
    assert 0 < len(rows) <= MAX_ROWS
    last = page.row(target["id"])
    assert last.get_attribute("aria-posinset") == str(total)
    assert last.is_displayed() and "Live target" in last.text

    # A search finds a task deep in the list (and only it).
    page.driver.execute_script("window.scrollTo(0, 0);")
    deep = task_id(12_345)
    page.find("#task-search").send_keys("#12345")
    page.wait(lambda d: page.row_ids() == [deep], "the search result")
    assert summary(page) == f"Showing 1 of {total:,} tasks"
    page.find("#task-search").send_keys("6")  # "#123456" does not exist
    page.wait(lambda d: page.row_ids() == [], "no result")
    page.wait_text("#task-list-empty", "No task matches")
    page.find("#task-search").clear()
    page.find("#task-search").send_keys(" ")
    page.wait(lambda d: len(page.row_ids()) > 5, "the whole list again")

    # A live update changes exactly its row.
    Select(page.find("#task-sort")).select_by_value("newest")
    page.wait(lambda d: page.row_ids()[:1] == [target["id"]], "the target as the first row")
    agent = agents(api, "large-project-agent")
    agent.queue(target["id"])
    page.wait_row_state(target["id"], status="todo", aggregate="queued")
    before = page.row_ids()
    page.driver.execute_script(MUTATIONS)
    agent.update(target["id"], "working")
    row = page.wait_row_state(target["id"], status="inprogress", aggregate="working")
    assert "1 session" in row.text and "In Progress" in row.text
    time.sleep(0.3)  # any other row that was going to change would have by now (the page draws once a frame)
    mutated = page.driver.execute_script("return [...window.__mutatedRows];")
    assert mutated == [target["id"]]
    assert page.row_ids() == before
    assert summary(page) == f"{total:,} tasks"
    assert time.monotonic() - started < 60, f"took {time.monotonic() - started:.0f} s (seeding {seeded_in:.0f} s)"
