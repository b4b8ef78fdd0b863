// One task in full: the status control (only the transitions allowed from the current status, spec §4.1),
// blocked banners, needs_input prompts with an answer box, every session's progress (with removal), subtasks,
// the task's history, editing and deletion. Parts are updated in place so typed answers survive live updates.

import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import {
  PRIORITIES,
  aggregateStatus,
  allowedTaskTargets,
  indicator,
  shortId,
  statusLabel,
  transitionVerb,
} from './model.js';
import { clip } from './task-list.js';

const HISTORY_DEBOUNCE_MS = 250;

export class TaskDetailView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('task-detail');
    this.taskId = null;
    this.parts = null;
    this.historyTimer = null;
    this.historyRequest = 0;
    this.missing = false;
  }

  get store() {
    return this.app.store;
  }

  /** Shows `taskId` (building the page when it is another task than the one shown). */
  show(taskId, { focus = false } = {}) {
    this.root.hidden = false;
    if (taskId !== this.taskId || !this.parts) {
      this.taskId = taskId;
      this.missing = false;
      this.fetchTried = false;
      this.shown = false;
      this.mount();
      this.loadHistory();
    }
    this.update();
    if (focus) this.parts.title.focus();
  }

  hide() {
    this.root.hidden = true;
    this.taskId = null;
    this.parts = null;
    clearTimeout(this.historyTimer);
    this.root.replaceChildren();
  }

  async fetchMissing() {
    const taskId = this.taskId;
    try {
      const task = await this.app.api().getTask(taskId);
      this.store.putTask(task);
    } catch (error) {
      if (this.taskId !== taskId) return;
      this.missing = true;
      this.missingMessage =
        error.status === 404 ? `There is no task ${taskId} in project ${this.app.projectId}.` : error.message;
      this.update();
    }
  }

  mount() {
    const title = h('h2', { id: 'detail-title', tabindex: '-1' });
    const meta = h('p', { class: 'detail-meta' });
    const gone = h('div', { class: 'banner banner-info', hidden: true, role: 'status' });
    const banners = h('div', { class: 'banners' });
    const prompts = h('div', { class: 'prompts' });
    const currentStatus = h('span', { class: 'current-status', tabindex: '-1' });
    const aggregate = h('span', { class: 'detail-aggregate' });
    const transitions = h('div', { class: 'transitions', role: 'group', 'aria-label': 'Change the task status' });
    const statusError = h('p', { class: 'inline-error', role: 'alert' });
    const description = h('div', { class: 'description' });
    const progressCount = h('span', { class: 'muted' });
    const progress = h('ul', { class: 'progress-list', 'aria-label': 'Sessions on this task' });
    const progressEmpty = h(
      'p',
      { class: 'empty' },
      'No session has queued this task yet. An agent links itself with ',
      h('code', {}, 'maestro task queue'),
      '.',
    );
    const subtasks = h('ul', { class: 'subtask-list' });
    const history = h('ol', { class: 'history-list', 'aria-label': 'History, newest first' });
    const historyStatus = h('p', { class: 'muted history-status' }, 'Loading history…');
    const editForm = this.buildEditForm();
    const editDetails = h(
      'details',
      { class: 'edit-task' },
      h('summary', {}, 'Edit title, description or priority'),
      editForm.form,
    );
    editDetails.addEventListener('toggle', () => {
      if (editDetails.open) this.fillEditForm(true);
    });
    const danger = this.buildDelete();

    setChildren(
      this.root,
      h('a', { class: 'back-link', href: '#/tasks' }, '← All tasks'),
      h('header', { class: 'detail-head' }, title, meta),
      gone,
      banners,
      prompts,
      h(
        'section',
        { class: 'detail-section status-section', 'aria-labelledby': 'status-heading' },
        h('h3', { id: 'status-heading' }, 'Status'),
        h('p', { class: 'status-line' }, 'Now ', currentStatus, ' · sessions: ', aggregate),
        transitions,
        statusError,
      ),
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'progress-heading' },
        h('h3', { id: 'progress-heading', tabindex: '-1' }, 'Sessions ', progressCount),
        progress,
        progressEmpty,
      ),
      section('description-heading', 'Description', description),
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'subtasks-heading' },
        h('h3', { id: 'subtasks-heading' }, 'Subtasks'),
        subtasks,
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => this.app.startSubtask(this.taskId) },
          'Add a subtask',
        ),
      ),
      section('history-heading', 'History', historyStatus, history),
      h('section', { class: 'detail-section' }, editDetails, danger.element),
    );
    this.parts = {
      title, meta, gone, banners, prompts, currentStatus, aggregate, transitions, statusError, description,
      progressCount, progress, progressEmpty, subtasks, history, historyStatus, editForm, editDetails, danger,
      sections: [...this.root.querySelectorAll('.detail-section, .banners, .prompts')],
    };
  }

  /** Brings the page up to date with the store. */
  update() {
    if (!this.parts) return;
    const task = this.store.tasks.get(this.taskId);
    const parts = this.parts;
    if (!task) {
      const known = this.shown;
      // A link to a task this page has not seen (yet): ask the server once the snapshot is in.
      if (!known && this.store.loaded && !this.fetchTried) {
        this.fetchTried = true;
        this.fetchMissing();
      }
      parts.gone.hidden = false;
      parts.gone.textContent = this.missing
        ? this.missingMessage
        : known
          ? 'This task was deleted.'
          : this.store.loaded
            ? 'Loading the task…'
            : 'Loading…';
      if (!known) parts.title.textContent = this.missing ? 'Task not found' : 'Task';
      for (const section of parts.sections) section.hidden = true;
      return;
    }
    this.shown = true;
    parts.gone.hidden = true;
    for (const section of parts.sections) section.hidden = false;
    this.root.dataset.taskId = task.id;
    this.root.dataset.status = task.status;
    parts.title.textContent = task.title;
    this.renderMeta(task);
    this.renderBanners(task);
    this.renderPrompts(task);
    this.renderStatus(task);
    if (task.description) setChildren(parts.description, h('p', { class: 'preformatted' }, task.description));
    else setChildren(parts.description, h('p', { class: 'muted' }, 'No description.'));
    this.renderProgress(task);
    this.renderSubtasks(task);
    if (!parts.editDetails.open || !parts.editForm.dirty) this.fillEditForm(false);
  }

  sessionLabel(sessionId) {
    const session = this.store.sessions.get(sessionId);
    return session?.name ? `${session.name} (${shortId(sessionId)})` : `session ${shortId(sessionId)}`;
  }

  renderMeta(task) {
    const parent = task.parentId ? this.store.tasks.get(task.parentId) : null;
    setChildren(
      this.parts.meta,
      h('span', { class: 'muted', title: task.id }, task.id),
      ' · ',
      h('span', { class: `priority priority-${task.priority}` }, `${statusLabel(task.priority)} priority`),
      ' · created ',
      timeElement(task.createdAt),
      ' · updated ',
      timeElement(task.updatedAt),
      task.parentId
        ? [' · subtask of ', h('a', { href: taskHref(task.parentId) }, parent ? clip(parent.title, 60) : task.parentId)]
        : null,
    );
  }

  renderBanners(task) {
    const blocked = task.sessionProgress.filter((entry) => entry.status === 'blocked');
    reconcile(
      this.parts.banners,
      blocked,
      (entry) => entry.sessionId,
      (entry) => h('div', { class: 'banner banner-blocked', role: 'alert', dataset: { sessionId: entry.sessionId } }),
      (node, entry) => {
        const signature = `${entry.lastUpdated}\u0000${entry.notes ?? ''}`;
        if (node.dataset.signature === signature) return;
        node.dataset.signature = signature;
        setChildren(
          node,
          h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, indicator('blocked')),
          h(
            'div',
            {},
            h('strong', {}, 'Blocked'),
            ` — ${this.sessionLabel(entry.sessionId)} `,
            timeElement(entry.lastUpdated),
            h('p', { class: 'banner-note preformatted' }, entry.notes || 'No reason given.'),
          ),
        );
      },
    );
  }

  renderPrompts(task) {
    const waiting = task.sessionProgress.filter((entry) => entry.status === 'needs_input');
    reconcile(
      this.parts.prompts,
      waiting,
      (entry) => entry.sessionId,
      (entry) => this.buildPrompt(task.id, entry.sessionId),
      (node, entry) => this.updatePrompt(node, entry),
    );
  }

  buildPrompt(taskId, sessionId) {
    const fieldId = `answer-${sessionId}`;
    const question = h('p', { class: 'prompt-question preformatted' });
    const heading = h('p', { class: 'prompt-head' });
    const answered = h('p', { class: 'prompt-answered', hidden: true });
    const label = h('label', { for: fieldId }, 'Your answer');
    const textarea = h('textarea', {
      id: fieldId,
      name: 'answer',
      rows: '3',
      required: true,
      'aria-describedby': `${fieldId}-hint`,
    });
    const hint = h(
      'span',
      { class: 'muted hint', id: `${fieldId}-hint` },
      'Ctrl+Enter sends. The agent reads it with maestro task answer.',
    );
    const button = h('button', { type: 'submit' }, 'Send answer');
    const error = h('p', { class: 'inline-error', role: 'alert' });
    const form = h('form', { class: 'answer-form' }, label, textarea, hint, h('div', { class: 'form-actions' }, button), error);
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answer = textarea.value.trim();
      error.textContent = '';
      if (!answer) {
        error.textContent = 'Type an answer first.';
        textarea.focus();
        return;
      }
      button.disabled = true;
      try {
        const result = await this.app.api().answer(taskId, sessionId, answer);
        if (result && result.version != null) {
          this.store.apply({
            type: 'task:input_answer',
            payload: {
              taskId,
              sessionId,
              answer: result.answer ?? answer,
              answeredAt: result.answeredAt,
              version: result.version,
            },
          });
        }
        textarea.value = '';
        announce('Answer sent.');
        this.app.notify(`Answer sent to ${this.sessionLabel(sessionId)}.`);
      } catch (failure) {
        error.textContent = failure.message;
        if (failure.status === 409) this.app.refreshTask(taskId);
      } finally {
        button.disabled = false;
      }
    });
    const node = h(
      'section',
      { class: 'prompt', 'aria-label': `Question from ${this.sessionLabel(sessionId)}`, dataset: { sessionId } },
      heading,
      question,
      answered,
      form,
    );
    node.parts = { heading, question, answered, label, button };
    return node;
  }

  updatePrompt(node, entry) {
    const { heading, question, answered, label, button } = node.parts;
    setChildren(
      heading,
      h('span', { class: 'indicator indicator-needs_input', 'aria-hidden': 'true' }, indicator('needs_input')),
      ' ',
      h('strong', {}, this.sessionLabel(entry.sessionId)),
      ' needs your input · asked ',
      timeElement(entry.lastUpdated),
    );
    question.textContent = entry.notes || 'The agent did not say what it needs. Answer anyway, or look at its output.';
    if (entry.answer != null) {
      answered.hidden = false;
      setChildren(
        answered,
        'You answered ',
        timeElement(entry.answeredAt),
        ': ',
        h('q', { class: 'answer-text' }, entry.answer),
        ' — waiting for the agent to continue.',
      );
      label.textContent = 'Change your answer';
      button.textContent = 'Send new answer';
    } else {
      answered.hidden = true;
      label.textContent = 'Your answer';
      button.textContent = 'Send answer';
    }
  }

  renderStatus(task) {
    const parts = this.parts;
    const aggregate = aggregateStatus(task);
    setChildren(parts.currentStatus, h('span', { class: `badge status-${task.status}` }, statusLabel(task.status)));
    setChildren(
      parts.aggregate,
      h('span', { class: `indicator indicator-${aggregate}`, 'aria-hidden': 'true' }, indicator(aggregate)),
      ' ',
      statusLabel(aggregate),
    );
    if (parts.transitions.dataset.status === task.status) return;
    parts.transitions.dataset.status = task.status;
    const targets = allowedTaskTargets(task.status);
    setChildren(
      parts.transitions,
      targets.map((target) =>
        h(
          'button',
          {
            type: 'button',
            class: target === 'cancelled' ? 'secondary danger-text' : target === 'completed' ? 'primary' : 'secondary',
            dataset: { target },
            title: `Move the task to ${statusLabel(target)}`,
            onclick: () => this.changeStatus(target),
          },
          transitionVerb(task.status, target),
        ),
      ),
    );
  }

  async changeStatus(target) {
    const taskId = this.taskId;
    const parts = this.parts;
    parts.statusError.textContent = '';
    const buttons = [...parts.transitions.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    try {
      const action = `Could not move the task to ${statusLabel(target)}`;
      const task = await this.app.api().updateTask(taskId, { status: target }, action);
      this.store.putTask(task);
      announce(`Task moved to ${statusLabel(target)}.`);
      if (this.taskId === taskId) this.parts.currentStatus.focus();
    } catch (error) {
      if (this.taskId !== taskId) return;
      parts.statusError.textContent = error.message;
      this.app.refreshTask(taskId);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }

  renderProgress(task) {
    const parts = this.parts;
    const count = task.sessionProgress.length;
    parts.progressCount.textContent = `(${count})`;
    parts.progressEmpty.hidden = count > 0;
    reconcile(
      parts.progress,
      task.sessionProgress,
      (entry) => entry.sessionId,
      (entry) => this.buildProgressRow(entry.sessionId),
      (node, entry) => this.updateProgressRow(node, entry),
    );
  }

  buildProgressRow(sessionId) {
    const main = h('div', { class: 'progress-main' });
    const actions = h('div', { class: 'row-actions' });
    const node = h('li', { class: 'progress-row', dataset: { sessionId } }, main, actions);
    const remove = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'remove' } }, 'Remove');
    const confirmText = h('span', { class: 'confirm-text' });
    const confirm = h('button', { type: 'button', class: 'danger small', dataset: { action: 'confirm-remove' } }, 'Remove');
    const cancel = h('button', { type: 'button', class: 'secondary small' }, 'Keep');
    const confirmBox = h('span', { class: 'confirm', hidden: true }, confirmText, confirm, cancel);
    const error = h('p', { class: 'inline-error', role: 'alert' });
    remove.setAttribute('aria-label', `Remove ${this.sessionLabel(sessionId)} from this task`);
    remove.addEventListener('click', () => {
      confirmText.textContent = `Remove ${this.sessionLabel(sessionId)} from this task? Its progress here is dropped.`;
      remove.hidden = true;
      confirmBox.hidden = false;
      confirm.focus();
    });
    cancel.addEventListener('click', () => {
      confirmBox.hidden = true;
      remove.hidden = false;
      remove.focus();
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      error.textContent = '';
      try {
        const task = await this.app.api().removeSession(this.taskId, sessionId);
        this.store.putTask(task);
        announce('Session removed from the task.');
        document.getElementById('progress-heading')?.focus();
      } catch (failure) {
        error.textContent = failure.message;
        confirmBox.hidden = true;
        remove.hidden = false;
      } finally {
        confirm.disabled = false;
      }
    });
    actions.append(remove, confirmBox, error);
    node.parts = { main };
    return node;
  }

  updateProgressRow(node, entry) {
    const session = this.store.sessions.get(entry.sessionId);
    node.className = `progress-row progress-${entry.status}`;
    node.dataset.status = entry.status;
    const signature = JSON.stringify([
      entry.status, entry.notes, entry.lastUpdated, entry.answer, session?.name, session?.status,
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
      entry.notes ? h('p', { class: 'progress-notes preformatted', dataset: { role: 'notes' } }, entry.notes) : null,
      entry.answer != null ? h('p', { class: 'progress-answer' }, 'Your answer: ', h('q', {}, entry.answer)) : null,
    );
  }

  renderSubtasks(task) {
    const children = [...this.store.tasks.values()].filter((candidate) => candidate.parentId === task.id);
    const signature = JSON.stringify(children.map((child) => [child.id, child.title, child.status, child.version]));
    if (this.parts.subtasks.dataset.signature === signature) return;
    this.parts.subtasks.dataset.signature = signature;
    setChildren(
      this.parts.subtasks,
      children.length
        ? children.map((child) =>
            h(
              'li',
              {},
              h('a', { href: `#/tasks/${encodeURIComponent(child.id)}` }, child.title),
              ' ',
              h('span', { class: `badge status-${child.status}` }, statusLabel(child.status)),
            ),
          )
        : h('li', { class: 'muted' }, 'None.'),
    );
  }

  // History

  /** Loads the history again soon (events come in bursts). */
  scheduleHistory() {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.loadHistory(), HISTORY_DEBOUNCE_MS);
  }

  async loadHistory() {
    const taskId = this.taskId;
    const request = ++this.historyRequest;
    if (!taskId) return;
    try {
      const result = await this.app.api().history(taskId);
      if (request !== this.historyRequest || taskId !== this.taskId || !this.parts) return;
      this.renderHistory(result?.history ?? []);
    } catch (error) {
      if (request !== this.historyRequest || taskId !== this.taskId || !this.parts) return;
      if (error.status === 404 && this.store.tasks.has(taskId)) {
        this.parts.historyStatus.textContent = 'This server does not keep task history.';
      } else if (this.store.tasks.has(taskId)) {
        this.parts.historyStatus.textContent = error.message;
      }
    }
  }

  renderHistory(entries) {
    const parts = this.parts;
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
    const session = this.store.sessions.get(sessionId);
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

  buildEditForm() {
    const title = h('input', { id: 'edit-title', name: 'title', required: true, maxlength: '500', autocomplete: 'off' });
    const description = h('textarea', { id: 'edit-description', name: 'description', rows: '4' });
    const priority = h(
      'select',
      { id: 'edit-priority', name: 'priority' },
      PRIORITIES.map((value) => h('option', { value }, statusLabel(value))),
    );
    const error = h('p', { class: 'inline-error', role: 'alert' });
    const save = h('button', { type: 'submit' }, 'Save changes');
    const form = h(
      'form',
      { class: 'edit-form' },
      h('div', { class: 'field' }, h('label', { for: 'edit-title' }, 'Title'), title),
      h('div', { class: 'field' }, h('label', { for: 'edit-description' }, 'Description'), description),
      h('div', { class: 'field' }, h('label', { for: 'edit-priority' }, 'Priority'), priority),
      save,
      error,
    );
    const state = { form, title, description, priority, error, dirty: false };
    const touched = () => {
      state.dirty = true;
    };
    form.addEventListener('input', touched);
    form.addEventListener('change', touched);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const task = this.store.tasks.get(this.taskId);
      if (!task) return;
      error.textContent = '';
      const fields = {};
      if (title.value.trim() !== task.title) fields.title = title.value.trim();
      if (description.value !== (task.description ?? '')) fields.description = description.value;
      if (priority.value !== task.priority) fields.priority = priority.value;
      if (!fields.title && title.value.trim() === '') {
        error.textContent = 'The title cannot be empty.';
        return;
      }
      if (Object.keys(fields).length === 0) {
        error.textContent = 'Nothing changed.';
        return;
      }
      save.disabled = true;
      try {
        const updated = await this.app.api().updateTask(task.id, fields, 'Could not save the changes');
        this.store.putTask(updated);
        state.dirty = false;
        this.parts.editDetails.open = false;
        announce('Changes saved.');
      } catch (failure) {
        error.textContent = failure.message;
      } finally {
        save.disabled = false;
      }
    });
    return state;
  }

  fillEditForm(force) {
    const state = this.parts?.editForm;
    const task = this.store.tasks.get(this.taskId);
    if (!state || !task || (!force && state.dirty)) return;
    state.title.value = task.title;
    state.description.value = task.description ?? '';
    state.priority.value = task.priority;
    state.error.textContent = '';
    state.dirty = false;
  }

  buildDelete() {
    const start = h('button', { type: 'button', class: 'secondary danger-text' }, 'Delete task…');
    const question = h('span', { class: 'confirm-text' }, 'Delete this task for good? Its history goes with it.');
    const confirm = h('button', { type: 'button', class: 'danger' }, 'Delete');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Keep it');
    const box = h('span', { class: 'confirm', hidden: true }, question, confirm, cancel);
    const error = h('p', { class: 'inline-error', role: 'alert' });
    start.addEventListener('click', () => {
      start.hidden = true;
      box.hidden = false;
      cancel.focus();
    });
    cancel.addEventListener('click', () => {
      box.hidden = true;
      start.hidden = false;
      start.focus();
    });
    confirm.addEventListener('click', async () => {
      const taskId = this.taskId;
      const title = this.store.tasks.get(taskId)?.title ?? taskId;
      confirm.disabled = true;
      error.textContent = '';
      try {
        await this.app.api().deleteTask(taskId);
        this.store.removeTask(taskId);
        this.app.notify(`Deleted “${clip(title, 80)}”.`);
        this.app.navigate('#/tasks');
      } catch (failure) {
        error.textContent = failure.message;
        box.hidden = true;
        start.hidden = false;
      } finally {
        confirm.disabled = false;
      }
    });
    return { element: h('div', { class: 'delete-task' }, start, box, error) };
  }
}

function section(headingId, heading, ...content) {
  return h(
    'section',
    { class: 'detail-section', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, heading),
    content,
  );
}

function taskHref(taskId) {
  return `#/tasks/${encodeURIComponent(taskId)}`;
}
