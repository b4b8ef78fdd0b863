// The sessions of a task's detail: each session's progress (sign, short id, name, lifecycle, status, time,
// notes, the user's answer), with a button to remove the session from the task (after a confirmation). Staleness
// (no report for the project's staleAfterSeconds) and a late heartbeat show beside the agent's own status, never
// in its place.

import { askFirst } from './ask-first.js';
import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import { indicator, shortId, statusLabel } from './model.js';
import { isUnresponsive, staleBadge, unresponsiveNote } from './staleness.js';

export class TaskProgressList {
  /** @param {object} view the task detail (app, store, taskId, sessionLabel()) */
  constructor(view) {
    this.view = view;
  }

  /** Brings the list (`list`, its count `countElement` and the `empty` note) up to date with `task`. */
  render({ list, countElement, empty }, task) {
    const count = task.sessionProgress.length;
    countElement.textContent = `(${count})`;
    empty.hidden = count > 0;
    reconcile(
      list,
      task.sessionProgress,
      (entry) => entry.sessionId,
      (entry) => this.buildRow(entry.sessionId),
      (node, entry) => this.updateRow(node, entry),
    );
  }

  buildRow(sessionId) {
    const main = h('div', { class: 'progress-main' });
    const actions = h('div', { class: 'row-actions' });
    const node = h('li', { class: 'progress-row', dataset: { sessionId } }, main, actions);
    const remove = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'remove' } }, 'Remove');
    const confirmText = h('span', { class: 'confirm-text' });
    const confirm = h('button', { type: 'button', class: 'danger small', dataset: { action: 'confirm-remove' } }, 'Remove');
    const cancel = h('button', { type: 'button', class: 'secondary small' }, 'Keep');
    const confirmBox = h('span', { class: 'confirm', hidden: true }, confirmText, confirm, cancel);
    const error = h('p', { class: 'inline-error', role: 'alert' });
    remove.setAttribute('aria-label', `Remove ${this.view.sessionLabel(sessionId)} from this task`);
    const close = askFirst({
      start: remove, box: confirmBox, confirm, cancel, focus: confirm,
      onOpen: () => {
        confirmText.textContent = `Remove ${this.view.sessionLabel(sessionId)} from this task? Its progress here is dropped.`;
      },
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      error.textContent = '';
      try {
        const task = await this.view.app.api().removeSession(this.view.taskId, sessionId);
        this.view.store.putTask(task);
        announce('Session removed from the task.');
        document.getElementById('progress-heading')?.focus();
      } catch (failure) {
        error.textContent = failure.message;
        close({ refocus: false });
      } finally {
        confirm.disabled = false;
      }
    });
    actions.append(remove, confirmBox, error);
    node.parts = { main };
    return node;
  }

  updateRow(node, entry) {
    const session = this.view.store.sessions.get(entry.sessionId);
    node.className = `progress-row progress-${entry.status}${entry.staleSince ? ' progress-stale' : ''}`;
    node.dataset.status = entry.status;
    node.dataset.stale = entry.staleSince ? 'true' : 'false';
    const unresponsive = isUnresponsive(session);
    const signature = JSON.stringify([
      entry.status, entry.notes, entry.lastUpdated, entry.answer, session?.name, session?.status, entry.staleSince,
      unresponsive && session.unresponsiveSince, this.view.store.project?.staleAfterSeconds,
    ]);
    if (node.dataset.signature === signature) return;
    node.dataset.signature = signature;
    setChildren(
      node.parts.main,
      h('span', { class: `indicator indicator-${entry.status}`, 'aria-hidden': 'true' }, indicator(entry.status)),
      h(
        'span',
        { class: 'progress-who' },
        h(
          'a',
          { href: `#/sessions/${encodeURIComponent(entry.sessionId)}`, class: 'session-short', title: entry.sessionId },
          shortId(entry.sessionId),
        ),
        session?.name ? h('span', { class: 'session-name' }, ` ${session.name}`) : null,
        session ? h('span', { class: 'lifecycle muted' }, ` · session ${statusLabel(session.status).toLowerCase()}`) : null,
      ),
      h(
        'span',
        { class: `badge progress-badge progress-badge-${entry.status}`, dataset: { role: 'progress-status' } },
        statusLabel(entry.status),
      ),
      h('span', { class: 'progress-time muted' }, timeElement(entry.lastUpdated)),
      entry.staleSince ? staleBadge(entry, this.view.store.project) : null,
      unresponsive ? unresponsiveNote(session) : null,
      entry.notes ? h('p', { class: 'progress-notes preformatted', dataset: { role: 'notes' } }, entry.notes) : null,
      entry.answer != null ? h('p', { class: 'progress-answer' }, 'Your answer: ', h('q', {}, entry.answer)) : null,
    );
  }
}
