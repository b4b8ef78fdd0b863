// The fleet page's tables: one row per session (project, name, host and pid, lifecycle with a late heartbeat
// beside it, heartbeat age, its progress counts by status, stale work, links to its tasks) and the totals by host and
// by project. Pure DOM building; fleet.js decides what to show and when.

import { duration, h, setChildren } from './dom.js';
import { SESSION_STATUSES, indicator, shortId, statusLabel } from './model.js';
import { isUnresponsive, unresponsiveNote } from './staleness.js';
import { taskHref } from './text.js';

/** Tasks linked from a row; the rest are counted. */
const TASKS_SHOWN = 5;
const LIFECYCLES = ['active', 'spawning', 'stopped', 'failed'];
const LIFECYCLE_ORDER = { active: 2, spawning: 3, failed: 4, stopped: 5 };

/** The key of a fleet row: sessions are unique within a project. */
export function rowKey(item) {
  return `${item.projectId}\u0000${item.session.id}`;
}

/** What wants a person first: late heartbeats, stale work, questions and blocks; then by lifecycle, project, name. */
export function compareFleetRows(a, b) {
  return (
    urgency(a) - urgency(b) ||
    a.projectId.localeCompare(b.projectId) ||
    String(a.session.name ?? '').localeCompare(String(b.session.name ?? '')) ||
    (a.session.id < b.session.id ? -1 : a.session.id > b.session.id ? 1 : 0)
  );
}

function urgency(item) {
  if (isUnresponsive(item.session)) return 0;
  if (item.stale > 0 || item.progress?.needs_input || item.progress?.blocked) return 1;
  return LIFECYCLE_ORDER[item.session.status] ?? 6;
}

/** The address of a view of another project: `?project=P#/…` (fleet.js opens it in this page). */
export function projectHref(projectId, hash) {
  return `?project=${encodeURIComponent(projectId)}${hash}`;
}

/** An empty row for a fleet session (filled by fillRow). */
export function createRow() {
  const row = h('tr', { class: 'fleet-row' });
  row.age = h('span', { class: 'fleet-age' });
  return row;
}

/**
 * Shows `item` (a FleetSession, read at `receivedAt`) in `row`; `titleOf(projectId, taskId)` is a task's title when
 * known. Rebuilt only when something shown changed; the heartbeat age is set every time and ticks by itself.
 */
export function fillRow(row, item, { receivedAt, titleOf }) {
  const { session, projectId } = item;
  const unresponsive = isUnresponsive(session);
  row.dataset.sessionId = session.id;
  row.dataset.project = projectId;
  row.dataset.lifecycle = session.status;
  row.dataset.stale = String(item.stale ?? 0);
  row.dataset.unresponsive = String(unresponsive);
  row.className = `fleet-row lifecycle-row-${session.status}${item.stale ? ' fleet-row-stale' : ''}`;
  const age = item.heartbeatAgeSeconds;
  // When the last heartbeat was by this browser's clock (the server's age, not its clock, so skew does not count).
  row.age.dataset.at = age == null ? '' : String(receivedAt - age * 1000);
  tickAges(row, 0);
  const signature = JSON.stringify({ ...item, heartbeatAgeSeconds: age == null });
  if (row.signature === signature) return;
  row.signature = signature;
  const name = session.name || 'Unnamed session';
  setChildren(
    row,
    h(
      'th',
      { scope: 'row', class: 'fleet-session' },
      h(
        'a',
        { href: projectHref(projectId, `#/sessions/${encodeURIComponent(session.id)}`), dataset: { project: projectId } },
        name,
      ),
      h('span', { class: 'muted session-short', title: session.id }, ` ${shortId(session.id)}`),
    ),
    h('td', { dataset: { role: 'project' } }, projectId),
    h(
      'td',
      { dataset: { role: 'host' } },
      session.host ?? h('span', { class: 'muted' }, 'not known'),
      session.pid ? h('span', { class: 'muted' }, ` (pid ${session.pid})`) : null,
    ),
    h(
      'td',
      {},
      h(
        'span',
        { class: `badge lifecycle-badge lifecycle-${session.status}`, dataset: { role: 'lifecycle' } },
        statusLabel(session.status),
      ),
      unresponsive ? h('div', {}, unresponsiveNote(session, { heartbeat: null })) : null,
    ),
    h('td', { dataset: { role: 'heartbeat' } }, age == null ? h('span', { class: 'muted' }, 'none') : row.age),
    h('td', { dataset: { role: 'work' } }, workCounts(item)),
    h('td', { dataset: { role: 'tasks' } }, taskLinks(item, titleOf)),
  );
}

/** Brings the heartbeat age of every row under `root` up to date (`now`: 0 for the current time). */
export function tickAges(root, now = 0) {
  const time = now || Date.now();
  const rows = root.matches?.('tr.fleet-row') ? [root] : root.querySelectorAll('tr.fleet-row');
  for (const row of rows) {
    const at = Number(row.age?.dataset.at);
    if (!row.age?.dataset.at) continue;
    const text = `${duration((time - at) / 1000)} ago`;
    if (row.age.textContent !== text) row.age.textContent = text;
  }
}

function workCounts(item) {
  const parts = SESSION_STATUSES.filter((status) => item.progress?.[status] > 0).map((status) =>
    h(
      'li',
      { class: `work-count work-${status}`, dataset: { status } },
      h('span', { class: `indicator indicator-${status}`, 'aria-hidden': 'true' }, indicator(status)),
      ` ${item.progress[status]} ${statusLabel(status).toLowerCase()}`,
    ),
  );
  if (item.stale > 0) {
    parts.push(h('li', { class: 'stale-flag', dataset: { role: 'stale' } }, `◷ ${item.stale} stale`));
  }
  return parts.length ? h('ul', { class: 'inline-list' }, parts) : h('span', { class: 'muted' }, 'no tasks');
}

function taskLinks(item, titleOf) {
  const ids = item.session.taskIds ?? [];
  if (!ids.length) return h('span', { class: 'muted' }, 'none');
  const shown = ids.slice(0, TASKS_SHOWN);
  return h(
    'ul',
    { class: 'inline-list' },
    shown.map((taskId) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: projectHref(item.projectId, taskHref(taskId)), dataset: { project: item.projectId, taskId } },
          titleOf(item.projectId, taskId) ?? shortId(taskId),
        ),
      ),
    ),
    ids.length > shown.length ? h('li', { class: 'muted' }, `+${ids.length - shown.length} more`) : null,
  );
}

/** The head of a table of totals whose first column is `firstColumn` (Host, Project). */
export function totalsHead(firstColumn) {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      [firstColumn, 'Sessions', ...LIFECYCLES.map(statusLabel)].map((label) => h('th', { scope: 'col' }, label)),
      h('th', { scope: 'col', title: 'Sessions with work that had no report for longer than allowed' }, 'Stale work'),
    ),
  );
}

/**
 * A table of totals (`key`: 'host' or 'projectId'): sessions, by lifecycle, with stale work. The name in each row is
 * a button that filters the fleet by it (`onPick(value)`), when there is a value to filter by.
 */
export function fillTotals(tbody, totals, key, onPick) {
  setChildren(
    tbody,
    totals.map((total) => {
      const value = total[key] ?? '';
      const label = value || (key === 'host' ? 'host not known' : value);
      return h(
        'tr',
        { dataset: { key: value } },
        h(
          'th',
          { scope: 'row' },
          value
            ? h('button', { type: 'button', class: 'link-button', onclick: () => onPick(value) }, label)
            : h('span', { class: 'muted' }, label),
        ),
        h('td', { dataset: { role: 'sessions' } }, String(total.sessions)),
        LIFECYCLES.map((lifecycle) => h('td', { dataset: { lifecycle } }, String(total.lifecycle?.[lifecycle] ?? 0))),
        h('td', { dataset: { role: 'stale' } }, String(total.withStaleWork ?? 0)),
      );
    }),
  );
}
