// One row of the task list: the aggregate's sign, the title, the question or reason of a session waiting for a
// person, the status badge, the aggregate, the number of sessions, the priority and the short id. Rows have a
// fixed height (taller when a session waits, see isTall) so the list can place them without measuring.

import { h, setChildren } from './dom.js';
import { indicator, shortId, statusLabel } from './model.js';
import { isTall } from './task-records.js';
import { clip, taskHref } from './text.js';

/** A new, empty row (filled by updateRow). */
export function createRow() {
  const link = h('a', { class: 'task-link' });
  return h('li', { class: 'task-row' }, link);
}

/** Makes `row` show `task`; rebuilds its content only when something it shows changed. */
export function updateRow(row, task, selected) {
  const link = row.firstElementChild;
  if (row.task !== task) {
    row.task = task;
    const aggregate = task.aggregateStatus;
    const className = `task-row aggregate-${aggregate} task-${task.status}${isTall(task) ? ' tall' : ''}`;
    if (row.className !== className) row.className = className;
    if (row.dataset.taskId !== task.id) {
      row.dataset.taskId = task.id;
      row.dataset.key = task.id;
      link.setAttribute('href', taskHref(task.id));
    }
    row.dataset.status = task.status;
    row.dataset.aggregate = aggregate;
    row.dataset.version = String(task.version);
    const waiting = task.sessionProgress.filter((entry) => entry.status === 'needs_input' || entry.status === 'blocked');
    const note = waiting.find((entry) => entry.notes)?.notes ?? '';
    const sessions = task.sessionProgress.length;
    const signature = `${task.id}\u0000${task.title}\u0000${task.status}\u0000${aggregate}\u0000${sessions}\u0000${task.priority}\u0000${waiting.length}\u0000${note}`;
    if (row.signature !== signature) {
      row.signature = signature;
      fill(link, task, aggregate, waiting.length > 0, note, sessions);
    }
  }
  if (selected) {
    if (link.getAttribute('aria-current') !== 'true') link.setAttribute('aria-current', 'true');
  } else if (link.hasAttribute('aria-current')) link.removeAttribute('aria-current');
}

function fill(link, task, aggregate, waiting, note, sessions) {
  setChildren(
    link,
    h('span', { class: `indicator indicator-${aggregate}`, 'aria-hidden': 'true' }, indicator(aggregate)),
    h(
      'span',
      { class: 'task-main' },
      h('span', { class: 'task-title', title: task.title }, task.title),
      waiting ? h('span', { class: 'task-waiting', title: note || null }, note ? `“${clip(note, 90)}”` : '') : null,
    ),
    h(
      'span',
      { class: 'task-meta' },
      h('span', { class: `badge status-${task.status}`, dataset: { role: 'status' } }, statusLabel(task.status)),
      h('span', { class: `aggregate aggregate-label-${aggregate}`, dataset: { role: 'aggregate' } }, statusLabel(aggregate)),
      sessions > 0 ? h('span', { class: 'session-count' }, `${sessions} session${sessions === 1 ? '' : 's'}`) : null,
      task.priority && task.priority !== 'medium'
        ? h('span', { class: `priority priority-${task.priority}` }, statusLabel(task.priority))
        : null,
      h('span', { class: 'task-id muted' }, shortId(task.id)),
    ),
  );
}

/** Whether the row shows a session waiting whose question or reason is not known yet (a summary). */
export function wantsNotes(task) {
  if (task.full || !isTall(task)) return false;
  return task.sessionProgress.some(
    (entry) => (entry.status === 'needs_input' || entry.status === 'blocked') && !entry.known,
  );
}
