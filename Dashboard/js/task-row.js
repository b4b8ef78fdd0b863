// One row of the task list: the aggregate's sign, the title, one line for what waits for a person (the question or
// reason of a waiting session, since when a stale session has not reported, or the suggestion once every session
// finished, with its button), the status badge, the aggregate, a stale badge, the number of sessions, the priority and
// the short id. Rows have a fixed height (taller with that line, see isTall) so the list can place them without
// measuring. The suggestion's button stands beside the row's link (a button cannot sit inside a link); the list takes
// its clicks.

import { h, setChildren } from './dom.js';
import { indicator, shortId, statusLabel } from './model.js';
import { staleBadge, stalestEntry } from './staleness.js';
import { isTall } from './task-records.js';
import { suggestionButton, suggestionOf } from './task-suggestion.js';
import { clip, taskHref } from './text.js';

/** A new, empty row (filled by updateRow). */
export function createRow() {
  const link = h('a', { class: 'task-link' });
  return h('li', { class: 'task-row' }, link);
}

/** Makes `row` show `task`; rebuilds its content only when something it shows changed. */
export function updateRow(row, task, selected, project = null) {
  const link = row.firstElementChild;
  if (row.task !== task || row.project !== project) {
    row.task = task;
    row.project = project;
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
    const stale = stalestEntry(task);
    const suggestion = suggestionOf(task);
    const signature = [
      task.id, task.title, task.status, aggregate, sessions, task.priority, waiting.length, note,
      stale ? `${stale.entry.staleSince} ${stale.entry.lastUpdated} ${stale.count}` : '', suggestion?.target,
      project?.staleAfterSeconds,
    ].join('\u0000');
    if (row.signature !== signature) {
      row.signature = signature;
      fill(link, task, aggregate, { waiting: waiting.length > 0, note, sessions, stale, project });
      showSuggestion(row, task, suggestion);
    }
  }
  if (selected) {
    if (link.getAttribute('aria-current') !== 'true') link.setAttribute('aria-current', 'true');
  } else if (link.hasAttribute('aria-current')) link.removeAttribute('aria-current');
}

function fill(link, task, aggregate, { waiting, note, sessions, stale, project }) {
  const suggestion = suggestionOf(task);
  let line = null;
  if (waiting) line = h('span', { class: 'task-waiting', title: note || null }, note ? `“${clip(note, 90)}”` : '');
  else if (stale) line = h('span', { class: 'task-waiting' }, staleBadge(stale.entry, project, { count: stale.count }));
  else if (suggestion) line = h('span', { class: 'task-waiting task-suggestion' }, suggestion.short);
  setChildren(
    link,
    h('span', { class: `indicator indicator-${aggregate}`, 'aria-hidden': 'true' }, indicator(aggregate)),
    h('span', { class: 'task-main' }, h('span', { class: 'task-title', title: task.title }, task.title), line),
    h(
      'span',
      { class: 'task-meta' },
      h('span', { class: `badge status-${task.status}`, dataset: { role: 'status' } }, statusLabel(task.status)),
      h('span', { class: `aggregate aggregate-label-${aggregate}`, dataset: { role: 'aggregate' } }, statusLabel(aggregate)),
      // Stale work behind a question or a block (which come first in the aggregate) still shows.
      stale && waiting ? h('span', { class: 'stale-flag', dataset: { role: 'stale' } }, '◷ stale') : null,
      sessions > 0 ? h('span', { class: 'session-count' }, `${sessions} session${sessions === 1 ? '' : 's'}`) : null,
      task.priority && task.priority !== 'medium'
        ? h('span', { class: `priority priority-${task.priority}` }, statusLabel(task.priority))
        : null,
      h('span', { class: 'task-id muted' }, shortId(task.id)),
    ),
  );
}

/** The suggestion's button beside the link (or none). */
function showSuggestion(row, task, suggestion) {
  const held = row.querySelector(':scope > button[data-action="suggestion"]');
  if (!suggestion) {
    held?.remove();
    return;
  }
  const button = suggestionButton(task, suggestion, null, { small: true });
  button.classList.add('row-suggestion');
  if (held) held.replaceWith(button);
  else row.append(button);
}

/** Whether the row shows a session waiting whose question or reason is not known yet (a summary). */
export function wantsNotes(task) {
  if (task.full) return false;
  return task.sessionProgress.some(
    (entry) => (entry.status === 'needs_input' || entry.status === 'blocked') && !entry.known,
  );
}
