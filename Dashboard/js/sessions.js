// The sessions view: every session of the project (active first, then spawning, failed, stopped; newest first
// within each) as a card (session-card.js), with Stop and Restart; the "New session" form lives in
// session-spawn.js. It is drawn only while shown; after that only the cards of sessions that changed (or whose tasks
// changed) are drawn again, unless the order changed. With a thousand sessions, a card's content is built only when
// the card comes near the screen (IntersectionObserver); until then it is an empty box of about its size.

import { announce, reconcile } from './dom.js';
import { createCard, fillCard, markCard } from './session-card.js';
import { SessionSpawnForm } from './session-spawn.js';
import { plural } from './text.js';

const LIFECYCLE_ORDER = { active: 0, spawning: 1, failed: 2, stopped: 3 };

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
    this.observer =
      'IntersectionObserver' in window
        ? new IntersectionObserver((entries) => this.nearScreen(entries), { rootMargin: '800px 0px' })
        : null;
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
        String(b.createdAt).localeCompare(String(a.createdAt)) ||
        (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    reconcile(
      this.list,
      sessions,
      (session) => session.id,
      (session) => this.createRow(session),
      (row, session) => this.updateRow(row, session),
    );
    for (const [id, row] of this.rows) if (!row.isConnected) this.observer?.unobserve(row);
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
    const row = createCard(session.id);
    row.near = !this.observer;
    this.observer?.observe(row);
    return row;
  }

  updateRow(row, session) {
    row.session = session;
    if (row.near) this.fill(row);
    else markCard(row, session, row.filled === true);
  }

  fill(row) {
    fillCard(row, row.session, this.store.tasksOfSession(row.session.id), (button, id, action) =>
      this.lifecycle(button, id, action),
    );
    row.filled = true;
  }

  /** Cards that came near the screen get their content (and stay filled). */
  nearScreen(entries) {
    for (const entry of entries) {
      const row = entry.target;
      row.near = entry.isIntersecting;
      if (row.near && row.session && this.rows.get(row.session.id) === row) this.fill(row);
    }
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
    if (!card.filled) this.fill(card);
    card.scrollIntoView({ block: 'center' });
    const heading = card.querySelector('.session-name');
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    card.classList.add('highlight');
    setTimeout(() => card.classList.remove('highlight'), 2000);
  }
}
