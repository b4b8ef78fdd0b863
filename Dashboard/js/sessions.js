// The sessions view: every session of the project with its lifecycle status, name, tasks, host and last
// heartbeat; stop (when active) and restart (when stopped or failed), per spec §4.3; the "New session" form lives in
// session-spawn.js. It is drawn only while shown, and after that only the cards of sessions that changed (or whose
// tasks changed) are drawn again, unless the order changed.

import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import { canRestart, canStop, statusLabel } from './model.js';
import { SessionSpawnForm } from './session-spawn.js';
import { clip, plural, taskHref } from './text.js';

const LIFECYCLE_ORDER = { active: 0, spawning: 1, failed: 2, stopped: 3 };
/** Tasks named on a card; the rest are counted. */
const TASKS_SHOWN = 20;

export class SessionsView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('session-list');
    this.summary = document.getElementById('session-list-summary');
    this.empty = document.getElementById('session-list-empty');
    this.spawnForm = new SessionSpawnForm(app);
    /** @type {Map<string, HTMLLIElement>} */
    this.rows = new Map();
    this.drawn = false;
  }

  get store() {
    return this.app.store;
  }

  /** Draws what changed (`change`: {all, taskIds, sessionIds} as sets; null: everything). */
  render(change = null) {
    const store = this.store;
    this.spawnForm.render(change);
    const affected = change && !change.all && this.drawn ? this.affectedSessions(change) : null;
    if (affected && ![...affected].some((id) => this.moves(id))) {
      for (const id of affected) {
        const session = store.sessions.get(id);
        const row = this.rows.get(id);
        if (session && row) this.updateRow(row, session);
      }
      return;
    }
    const sessions = [...store.sessions.values()].sort(
      (a, b) =>
        (LIFECYCLE_ORDER[a.status] ?? 9) - (LIFECYCLE_ORDER[b.status] ?? 9) ||
        String(b.createdAt).localeCompare(String(a.createdAt)),
    );
    reconcile(
      this.list,
      sessions,
      (session) => session.id,
      (session) => this.createRow(session),
      (row, session) => this.updateRow(row, session),
    );
    this.rows = new Map([...this.list.children].map((row) => [row.dataset.key, row]));
    this.drawn = true;
    const active = sessions.filter((session) => session.status === 'active').length;
    this.summary.textContent = store.sessionsLoaded
      ? `${plural(sessions.length, 'session')}, ${active} active`
      : 'Loading sessions…';
    this.empty.hidden = !store.sessionsLoaded || sessions.length > 0;
  }

  /** The sessions whose cards show something that changed: their own record, or a task they work on. */
  affectedSessions(change) {
    const ids = new Set(change.sessionIds);
    for (const taskId of change.taskIds) {
      const task = this.store.tasks.get(taskId);
      for (const entry of task?.sessionProgress ?? []) ids.add(entry.sessionId);
    }
    return ids;
  }

  /** Whether a session's card must move (new, gone, or another lifecycle status, which orders the cards). */
  moves(sessionId) {
    const session = this.store.sessions.get(sessionId);
    const row = this.rows.get(sessionId);
    if (!session || !row) return Boolean(session) !== Boolean(row);
    return row.dataset.status !== session.status;
  }

  createRow(session) {
    const main = h('div', { class: 'session-main' });
    const actions = h('div', { class: 'row-actions' });
    const error = h('p', { class: 'inline-error', role: 'alert' });
    const row = h('li', { class: 'session-row card', dataset: { sessionId: session.id } }, main, actions, error);
    row.parts = { main, actions, error };
    return row;
  }

  updateRow(row, session) {
    const tasks = this.store.tasksOfSession(session.id);
    const signature = JSON.stringify([
      session.status, session.name, session.host, session.pid, session.lastHeartbeat, session.error,
      tasks.slice(0, TASKS_SHOWN).map((task) => [task.id, task.title, task.status]), tasks.length,
    ]);
    row.dataset.status = session.status;
    row.className = `session-row card lifecycle-row-${session.status}`;
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
    );
    const buttons = [];
    if (canStop(session)) buttons.push(this.lifecycleButton(session, name, 'stop', 'Stop', 'danger'));
    if (canRestart(session)) buttons.push(this.lifecycleButton(session, name, 'restart', 'Restart', 'secondary'));
    const hadFocus = row.parts.actions.contains(document.activeElement);
    setChildren(row.parts.actions, buttons);
    if (hadFocus) (row.parts.actions.querySelector('button') ?? row.parts.main.querySelector('.session-name'))?.focus?.();
  }

  lifecycleButton(session, name, action, label, kind) {
    return h(
      'button',
      {
        type: 'button',
        class: kind,
        dataset: { action },
        'aria-label': `${label} ${name}`,
        onclick: (event) => this.lifecycle(event.currentTarget, session.id, action),
      },
      label,
    );
  }

  async lifecycle(button, sessionId, action) {
    const row = button.closest('li');
    row.parts.error.textContent = '';
    button.disabled = true;
    try {
      const api = this.app.api();
      const session = action === 'stop' ? await api.stopSession(sessionId) : await api.restartSession(sessionId);
      // Lifecycle records carry no version: while live, the events (in order) are the truth, and this reply may
      // arrive after a later event (a restart is followed at once by the supervisor's active).
      if (session?.id && !this.app.live.connected) this.store.putSession(session);
      announce(action === 'stop' ? 'Session stopped.' : 'Session restarting.');
    } catch (error) {
      row.parts.error.textContent = error.message;
      this.app.refreshSession(sessionId);
    } finally {
      button.disabled = false;
    }
  }

  /** Scrolls to a session's card (links from a task's progress list), once it is there. */
  showSession(sessionId, attempts = 20) {
    const card = this.rows.get(sessionId);
    if (!card || !card.isConnected) {
      if (attempts > 0) setTimeout(() => this.showSession(sessionId, attempts - 1), 100);
      return;
    }
    card.scrollIntoView({ block: 'center' });
    const heading = card.querySelector('.session-name');
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    card.classList.add('highlight');
    setTimeout(() => card.classList.remove('highlight'), 2000);
  }
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
