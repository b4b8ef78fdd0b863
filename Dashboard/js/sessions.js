// The sessions view: every session of the project with its lifecycle status, name, tasks, host and last
// heartbeat; stop (when active) and restart (when stopped or failed), per spec §4.3; and spawning a session.

import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import { canRestart, canStop, shortId, statusLabel } from './model.js';
import { clip } from './task-list.js';

const LIFECYCLE_ORDER = { active: 0, spawning: 1, failed: 2, stopped: 3 };

export class SessionsView {
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('session-list');
    this.summary = document.getElementById('session-list-summary');
    this.empty = document.getElementById('session-list-empty');
    this.spawnForm = document.getElementById('spawn-session-form');
    this.spawnError = document.getElementById('spawn-session-error');
    this.spawnResult = document.getElementById('spawn-session-result');
    this.taskSelect = document.getElementById('session-tasks');
    this.spawnForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.spawn();
    });
  }

  render() {
    const store = this.app.store;
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
    const active = sessions.filter((session) => session.status === 'active').length;
    this.summary.textContent = store.loaded
      ? `${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${active} active`
      : 'Loading sessions…';
    this.empty.hidden = !store.loaded || sessions.length > 0;
    this.renderTaskOptions();
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
    const tasks = this.app.store.tasksOfSession(session.id);
    const signature = JSON.stringify([
      session.status, session.name, session.host, session.pid, session.lastHeartbeat, session.error,
      tasks.map((task) => [task.id, task.title, task.status]),
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
        fact(
          'Tasks',
          tasks.length
            ? h(
                'ul',
                { class: 'inline-list' },
                tasks.map((task) =>
                  h('li', {}, h('a', { href: taskHref(task.id) }, task.title ? clip(task.title, 50) : task.id)),
                ),
              )
            : h('span', { class: 'muted' }, 'none'),
        ),
      ),
      session.status === 'failed' && session.error
        ? h('p', { class: 'banner banner-failed' }, h('strong', {}, 'Failed: '), session.error)
        : null,
    );
    const buttons = [];
    if (canStop(session)) {
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            dataset: { action: 'stop' },
            'aria-label': `Stop ${name}`,
            onclick: (event) => this.lifecycle(event.currentTarget, session.id, 'stop'),
          },
          'Stop',
        ),
      );
    }
    if (canRestart(session)) {
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { action: 'restart' },
            'aria-label': `Restart ${name}`,
            onclick: (event) => this.lifecycle(event.currentTarget, session.id, 'restart'),
          },
          'Restart',
        ),
      );
    }
    const hadFocus = row.parts.actions.contains(document.activeElement);
    setChildren(row.parts.actions, buttons);
    if (hadFocus) (row.parts.actions.querySelector('button') ?? row.parts.main.querySelector('.session-name'))?.focus?.();
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
      if (session?.id && !this.app.live.connected) this.app.store.putSession(session);
      announce(action === 'stop' ? 'Session stopped.' : 'Session restarting.');
    } catch (error) {
      row.parts.error.textContent = error.message;
      this.app.refreshSession(sessionId);
    } finally {
      button.disabled = false;
    }
  }

  renderTaskOptions() {
    const select = this.taskSelect;
    const tasks = [...this.app.store.tasks.values()].filter(
      (task) => task.status === 'todo' || task.status === 'inprogress',
    );
    const signature = tasks.map((task) => `${task.id}\u0000${task.title}`).join('\u0001');
    if (select.dataset.signature === signature) return;
    select.dataset.signature = signature;
    const chosen = new Set([...select.selectedOptions].map((option) => option.value));
    setChildren(
      select,
      tasks.map((task) =>
        h('option', { value: task.id, selected: chosen.has(task.id) }, `${clip(task.title, 60)} (${shortId(task.id)})`),
      ),
    );
  }

  async spawn() {
    const form = this.spawnForm;
    this.spawnError.textContent = '';
    const name = form.elements.namedItem('name').value.trim();
    const taskIds = [...this.taskSelect.selectedOptions].map((option) => option.value);
    const body = { taskIds };
    if (name) body.name = name;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const result = await this.app.api().spawnSession(body);
      if (result?.session) this.app.store.putSession(result.session);
      form.reset();
      this.showSpawned(result);
    } catch (error) {
      this.spawnError.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  showSpawned(result) {
    const env = result?.env ?? {};
    const text = Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n');
    const pre = h('pre', { class: 'env', tabindex: '0', 'aria-label': 'Environment of the new session' }, text);
    const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = 'Copied';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        copy.textContent = 'Selected: press Ctrl+C';
      }
    });
    const done = h('button', { type: 'button', class: 'secondary' }, 'Done');
    done.addEventListener('click', () => {
      this.spawnResult.hidden = true;
      this.spawnResult.replaceChildren();
    });
    setChildren(
      this.spawnResult,
      h(
        'p',
        {},
        h('strong', {}, `Session ${result?.session?.name ?? shortId(result?.session?.id)} created. `),
        'Its token is shown only now: give these variables to the agent process.',
      ),
      pre,
      h('div', { class: 'form-actions' }, copy, done),
    );
    this.spawnResult.hidden = false;
    pre.focus();
  }
}

function unknown(text) {
  return h('span', { class: 'muted' }, text);
}

function taskHref(taskId) {
  return `#/tasks/${encodeURIComponent(taskId)}`;
}

function fact(term, value) {
  return h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, value));
}
