// One card of the sessions view: name, lifecycle badge, id, host and pid, last heartbeat, who started it, when,
// its tasks (the first TASKS_SHOWN, then a count), the error of a failed session, a late heartbeat ("unresponsive
// since …") and stale work (tasks it has not reported on for too long), and Stop or Restart as the lifecycle allows
// (spec §4.3). Cards are filled only when near the screen (sessions.js), and filled again only
// when something they show changed.

import { h, setChildren, timeElement } from './dom.js';
import { canRestart, canStop, statusLabel } from './model.js';
import { isUnresponsive, unresponsiveNote } from './staleness.js';
import { clip, taskHref } from './text.js';

/** Tasks named on a card; the rest are counted. */
const TASKS_SHOWN = 20;

/** An empty card for a session (its content comes with fillCard). */
export function createCard(sessionId) {
  const main = h('div', { class: 'session-main' });
  const actions = h('div', { class: 'row-actions' });
  const error = h('p', { class: 'inline-error', role: 'alert' });
  const row = h('li', { class: 'session-row card unfilled', dataset: { sessionId } }, main, actions, error);
  row.parts = { main, actions, error };
  return row;
}

/** The attributes every card carries, filled or not (lifecycle status, for styles and tests). */
export function markCard(row, session, filled) {
  row.dataset.status = session.status;
  row.dataset.unresponsive = String(isUnresponsive(session));
  const className = `session-row card lifecycle-row-${session.status}${filled ? '' : ' unfilled'}`;
  if (row.className !== className) row.className = className;
}

/**
 * Shows `session` and its `tasks` on the card; `onLifecycle(button, sessionId, action)` runs Stop and Restart.
 * Does nothing when nothing shown changed.
 */
export function fillCard(row, session, tasks, onLifecycle) {
  markCard(row, session, true);
  const unresponsive = isUnresponsive(session);
  const stale = tasks.filter((task) =>
    task.sessionProgress?.some((entry) => entry.sessionId === session.id && entry.staleSince),
  );
  const signature = JSON.stringify([
    session.status, session.name, session.host, session.pid, session.lastHeartbeat, session.error, session.createdAt,
    tasks.slice(0, TASKS_SHOWN).map((task) => [task.id, task.title, task.status]), tasks.length,
    unresponsive && session.unresponsiveSince, stale.map((task) => task.id),
  ]);
  if (row.dataset.signature === signature) return;
  row.dataset.signature = signature;
  const name = session.name || 'Unnamed session';
  setChildren(
    row.parts.main,
    h(
      'div',
      { class: 'session-head' },
      h('h2', { class: 'session-name' }, name),
      h(
        'span',
        { class: `badge lifecycle-badge lifecycle-${session.status}`, dataset: { role: 'lifecycle' } },
        statusLabel(session.status),
      ),
    ),
    h(
      'dl',
      { class: 'session-facts' },
      fact('Id', h('code', { title: session.id }, session.id)),
      fact('Host', session.host ? `${session.host}${session.pid ? ` (pid ${session.pid})` : ''}` : unknown('not known')),
      fact('Last heartbeat', session.lastHeartbeat ? timeElement(session.lastHeartbeat) : unknown('none yet')),
      fact('Started by', session.spawnSource === 'session' ? 'another session' : 'the dashboard or API'),
      fact('Created', timeElement(session.createdAt)),
      session.legacyStatus ? fact('Old status', session.legacyStatus) : null,
      fact('Tasks', taskLinks(tasks)),
    ),
    session.status === 'failed' && session.error
      ? h('p', { class: 'banner banner-failed' }, h('strong', {}, 'Failed: '), session.error)
      : null,
    unresponsive ? h('p', { class: 'banner banner-unresponsive' }, unresponsiveNote(session)) : null,
    stale.length
      ? h(
          'p',
          { class: 'banner banner-stale', dataset: { role: 'stale-work' } },
          h('span', { 'aria-hidden': 'true' }, '◷ '),
          `No report for too long on ${stale.length === 1 ? 'one task' : `${stale.length} tasks`}: `,
          taskLinks(stale),
        )
      : null,
  );
  const buttons = [];
  if (canStop(session)) buttons.push(lifecycleButton(session, name, 'stop', 'Stop', 'danger', onLifecycle));
  if (canRestart(session)) {
    buttons.push(lifecycleButton(session, name, 'restart', 'Restart', 'secondary', onLifecycle));
  }
  const hadFocus = row.parts.actions.contains(document.activeElement);
  setChildren(row.parts.actions, buttons);
  if (hadFocus) (row.parts.actions.querySelector('button') ?? row.parts.main.querySelector('.session-name'))?.focus?.();
}

function lifecycleButton(session, name, action, label, kind, onLifecycle) {
  return h(
    'button',
    {
      type: 'button',
      class: kind,
      dataset: { action },
      'aria-label': `${label} ${name}`,
      onclick: (event) => onLifecycle(event.currentTarget, session.id, action),
    },
    label,
  );
}

function taskLinks(tasks) {
  if (!tasks.length) return h('span', { class: 'muted' }, 'none');
  const shown = tasks.slice(0, TASKS_SHOWN);
  return h(
    'ul',
    { class: 'inline-list' },
    shown.map((task) => h('li', {}, h('a', { href: taskHref(task.id) }, task.title ? clip(task.title, 50) : task.id))),
    tasks.length > shown.length ? h('li', { class: 'muted' }, `and ${tasks.length - shown.length} more`) : null,
  );
}

function unknown(text) {
  return h('span', { class: 'muted' }, text);
}

function fact(term, value) {
  return h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, value));
}
