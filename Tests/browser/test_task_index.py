"""The task list's indexes, in the browser: a store fed random pages and events (progress, status changes, new and
deleted tasks) while the filters, search and order change at random must always show exactly what filtering and
sorting every task from scratch shows — the incremental indexes (sorted chunked lists, sets, narrowed searches)
never drift. Pure logic, checked in Chromium against the page's own modules."""

CHECK = """
const done = arguments[arguments.length - 1];
(async () => {
  const { ProjectStore } = await import('/js/store.js');
  const { TaskQuery } = await import('/js/task-query.js');
  const { TASK_ORDERS, isTall } = await import('/js/task-records.js');
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (items) => items[Math.floor(random() * items.length)];
  const statuses = ['todo', 'inprogress', 'completed', 'cancelled'];
  const progress = ['queued', 'working', 'needs_input', 'blocked', 'completed', 'failed'];
  const store = new ProjectStore();
  const query = new TaskQuery(store);
  const iso = (ms) => new Date(ms).toISOString();
  let made = 0;
  const row = () => {
    made += 1;
    const at = 1.7e12 + Math.floor(random() * 5000) * 1000;  // many tasks share a creation time
    return { id: `task_${String(made).padStart(5, '0')}`, title: `${pick(['Fix', 'Add', 'Test'])} thing ${made}`,
      status: pick(statuses), priority: pick(['low', 'medium', 'high', 'urgent']), createdAt: iso(at),
      updatedAt: iso(at), version: 1,
      progress: random() < 0.3 ? [{ sessionId: `s${Math.floor(random() * 5)}`, status: pick(progress) }] : [] };
  };
  const problems = [];
  const check = (step) => {
    const expected = [...store.tasks.values()].filter((task) => query.matches(task)).sort(TASK_ORDERS[query.filters.sort]);
    const list = query.list;
    const got = list.slice(0, list.size);
    if (got.length !== expected.length || got.some((task, i) => task !== expected[i])) {
      problems.push(`${step}: ${JSON.stringify(query.filters)} shows ${got.length}, expected ${expected.length}`);
    }
    // Row offsets (rows of waiting tasks are taller): where each row is, and which row is at an offset.
    const tall = expected.filter(isTall).length;
    if (list.tallCount !== tall) problems.push(`${step}: ${list.tallCount} tall rows, expected ${tall}`);
    for (let i = 0, top = 0; i < expected.length; top += 70 + (isTall(expected[i]) ? 20 : 0), i += 1) {
      if (i % 97 !== 0) continue;
      if (list.offsetOf(i, 70, 20) !== top || list.indexAt(top + 5, 70, 20) !== i) {
        problems.push(`${step}: row ${i} is not at ${top}`);
        break;
      }
    }
    let needsInput = 0;
    for (const task of store.tasks.values()) for (const entry of task.sessionProgress) if (entry.status === 'needs_input') needsInput += 1;
    if (needsInput !== store.needsInputCount()) problems.push(`${step}: ${store.needsInputCount()} questions, expected ${needsInput}`);
  };
  for (let page = 0; page < 4; page += 1) store.putPage(Array.from({ length: 1000 }, row), '1-0');
  check('pages');
  let clock = 1.8e12;
  for (let step = 0; step < 3000 && problems.length < 5; step += 1) {
    const ids = [...store.tasks.keys()];
    const roll = random();
    if (roll < 0.55) {
      const task = store.tasks.get(pick(ids));
      clock += 1000;
      store.apply({ type: 'task:session_status', payload: { taskId: task.id, sessionId: `s${Math.floor(random() * 5)}`,
        status: pick(progress), notes: random() < 0.5 ? 'why' : null, lastUpdated: iso(clock), version: task.version + 1 } });
    } else if (roll < 0.75) {
      const task = store.tasks.get(pick(ids));
      clock += 1000;
      store.putTask({ id: task.id, title: random() < 0.1 ? `Renamed ${step}` : task.title, status: pick(statuses),
        priority: random() < 0.2 ? pick(['low', 'high']) : task.priority, createdAt: task.createdAt, updatedAt: iso(clock),
        version: task.version + 1,
        sessionProgress: task.sessionProgress.map((entry) => ({ ...entry, lastUpdated: iso(clock) })) });
    } else if (roll < 0.85) {
      store.putTask({ ...row(), sessionProgress: [] });
    } else if (roll < 0.92) {
      store.removeTask(pick(ids));
    } else {
      const q = query.filters.query;
      query.set({ status: random() < 0.5 ? '' : pick(['open', ...statuses]),
        aggregate: random() < 0.5 ? '' : pick(['attention', 'needs_input', 'blocked', 'working', 'no_sessions']),
        sort: pick(Object.keys(TASK_ORDERS)),
        q: random() < 0.5 ? '' : random() < 0.5 && q ? q + pick(['1', '2', ' ']) : pick(['thing 1', 'fix', 'task_0', 'renamed']) });
    }
    if (step % 50 === 0) check(step);
  }
  check('end');
  done({ problems, tasks: store.tasks.size });
})().catch((error) => done({ problems: [String(error && error.stack || error)] }));
"""


def test_incremental_indexes_match_a_full_recount(browser, api):
    page = browser()
    page.driver.set_script_timeout(60)
    result = page.driver.execute_async_script(CHECK)
    assert result["problems"] == [], result["problems"]
    assert result["tasks"] > 3000
