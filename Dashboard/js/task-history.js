// The history of a task's detail: who changed what, when (the server keeps the last 100 changes), newest first.
// It is read when the detail opens and again shortly after the task changes (events come in bursts).

import { h, setChildren, timeElement } from './dom.js';
import { shortId, statusLabel } from './model.js';
import { clip } from './text.js';

const HISTORY_DEBOUNCE_MS = 250;

export class TaskHistory {
  /** @param {object} view the task detail (app, store, taskId) */
  constructor(view) {
    this.view = view;
    this.timer = null;
    this.request = 0;
    this.history = h('ol', { class: 'history-list', 'aria-label': 'History, newest first' });
    this.historyStatus = h('p', { class: 'muted history-status' }, 'Loading history…');
  }

  /** Loads the history again soon. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), HISTORY_DEBOUNCE_MS);
  }

  cancel() {
    clearTimeout(this.timer);
    this.request += 1;
  }

  async load() {
    const taskId = this.view.taskId;
    const request = ++this.request;
    if (!taskId) return;
    const current = () => request === this.request && taskId === this.view.taskId && this.history.isConnected;
    try {
      const result = await this.view.app.api().history(taskId);
      if (current()) this.render(result?.history ?? []);
    } catch (error) {
      if (!current()) return;
      if (error.status === 404 && this.view.store.tasks.has(taskId)) {
        this.historyStatus.textContent = 'This server does not keep task history.';
      } else if (this.view.store.tasks.has(taskId)) {
        this.historyStatus.textContent = error.message;
      }
    }
  }

  render(entries) {
    const parts = this;
    parts.historyStatus.textContent = entries.length ? '' : 'Nothing recorded yet.';
    parts.historyStatus.hidden = entries.length > 0;
    setChildren(
      parts.history,
      entries.map((entry) =>
        h(
          'li',
          { class: `history-entry history-${entry.action}`, dataset: { action: entry.action } },
          timeElement(entry.at),
          ' ',
          h('span', { class: 'history-actor' }, this.actorLabel(entry.actor)),
          ' ',
          h('span', { class: 'history-text' }, this.historyText(entry)),
          entry.notes ? h('span', { class: 'history-notes' }, ` “${clip(entry.notes, 300)}”`) : null,
        ),
      ),
    );
  }

  actorLabel(actor) {
    if (actor === 'user') return 'A user';
    if (actor === 'system') return 'The system';
    if (typeof actor === 'string' && actor.startsWith('session:')) return `Session ${this.sessionName(actor.slice(8))}`;
    return String(actor ?? 'Someone');
  }

  sessionName(sessionId) {
    const session = this.view.store.sessions.get(sessionId);
    return session?.name ? `${session.name} (${shortId(sessionId)})` : shortId(sessionId);
  }

  historyText(entry) {
    const from = entry.from ? statusLabel(entry.from) : null;
    const to = entry.to ? statusLabel(entry.to) : null;
    const session = entry.sessionId ? this.sessionName(entry.sessionId) : 'a session';
    const selfAct = entry.actor === `session:${entry.sessionId}`;
    switch (entry.action) {
      case 'created':
        return 'created the task';
      case 'updated':
        return `changed the ${(entry.fields ?? []).join(', ') || 'details'}`;
      case 'status': {
        const why = entry.actor === 'system' && entry.sessionId ? ` (session ${session} started working)` : '';
        return `moved the task ${from ? `from ${from} ` : ''}to ${to}${why}`;
      }
      case 'progress':
        return `reported ${from ? `${from} → ` : ''}${to}${selfAct ? '' : ` for ${session}`}`;
      case 'answer':
        return `answered the question of ${session}`;
      case 'queued':
        return selfAct ? 'queued the task' : `queued session ${session} on the task`;
      case 'removed':
        return `removed session ${session} from the task`;
      default:
        return [entry.action, from && to ? `${from} → ${to}` : null].filter(Boolean).join(' ');
    }
  }

  // Editing and deleting
}
