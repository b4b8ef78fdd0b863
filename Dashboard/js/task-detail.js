// One task in full: the status control (only the transitions allowed from the current status, spec §4.1, and the
// server's suggestion once every session finished, see task-suggestion.js), blocked
// banners and needs_input prompts (task-questions.js), every session's progress (task-progress.js), the
// description, subtasks, the history (task-history.js), editing and deletion (task-edit.js). The list holds task
// summaries, so the full task is read when the detail opens (and again if a newer summary replaces it); events keep
// it current after that. Parts are updated in place so typed answers survive live updates.

import { announce, h, setChildren, timeElement } from './dom.js';
import { allowedTaskTargets, indicator, shortId, statusLabel, transitionVerb } from './model.js';
import { TaskEditor } from './task-edit.js';
import { TaskHistory } from './task-history.js';
import { TaskProgressList } from './task-progress.js';
import { TaskQuestions } from './task-questions.js';
import { suggestionButton, suggestionOf, takeSuggestion } from './task-suggestion.js';
import { clip, taskHref } from './text.js';

const FULL_READ_ATTEMPTS = 3;

export class TaskDetailView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('task-detail');
    this.taskId = null;
    this.parts = null;
    this.missing = false;
    this.questions = new TaskQuestions(this);
    this.progress = new TaskProgressList(this);
  }

  get store() {
    return this.app.store;
  }

  /** Shows `taskId` (building the page when it is another task than the one shown). */
  show(taskId, { focus = false } = {}) {
    this.root.hidden = false;
    if (taskId !== this.taskId || !this.parts) {
      this.history?.cancel();
      this.taskId = taskId;
      this.missing = false;
      this.reads = 0;
      this.reading = false;
      this.shown = false;
      this.mount();
      this.history.load();
    }
    this.update();
    if (focus) this.parts.title.focus();
  }

  hide() {
    this.root.hidden = true;
    this.taskId = null;
    this.parts = null;
    this.history?.cancel();
    this.root.replaceChildren();
  }

  /** Whether a change of the store (task and session ids as sets) touches what the detail shows. */
  affectedBy(change) {
    if (!this.parts) return false;
    if (change.all) return true;
    if (change.taskIds.has(this.taskId)) return true;
    const task = this.store.tasks.get(this.taskId);
    if (task?.parentId && change.taskIds.has(task.parentId)) return true;
    for (const id of this.store.index.childrenOf(this.taskId)) if (change.taskIds.has(id)) return true;
    if (change.sessionIds.size && task) {
      return task.sessionProgress.some((entry) => change.sessionIds.has(entry.sessionId));
    }
    return false;
  }

  /** Reads the full task (the store may hold only its summary, or nothing yet). */
  async readFull() {
    const taskId = this.taskId;
    if (this.reading || this.reads >= FULL_READ_ATTEMPTS) return;
    this.reading = true;
    this.reads += 1;
    const generation = this.app.generation;
    try {
      const task = await this.app.api().getTask(taskId);
      if (generation === this.app.generation) this.store.putTask(task);
    } catch (error) {
      if (this.taskId !== taskId || generation !== this.app.generation) return;
      if (error.status === 404 && this.store.tasks.has(taskId)) this.store.removeTask(taskId);
      this.missing = true;
      this.missingMessage =
        error.status === 404 ? `There is no task ${taskId} in project ${this.app.projectId}.` : error.message;
    } finally {
      this.reading = false;
      if (this.taskId === taskId) this.update();
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
    const suggestion = h('div', { class: 'suggestion', hidden: true, role: 'status' });
    const transitions = h('div', { class: 'transitions', role: 'group', 'aria-label': 'Change the task status' });
    const statusError = h('p', { class: 'inline-error', role: 'alert' });
    const description = h('div', { class: 'description' });
    const progress = {
      countElement: h('span', { class: 'muted' }),
      list: h('ul', { class: 'progress-list', 'aria-label': 'Sessions on this task' }),
      empty: h(
        'p',
        { class: 'empty' },
        'No session has queued this task yet. An agent links itself with ',
        h('code', {}, 'maestro task queue'),
        '.',
      ),
    };
    const subtasks = h('ul', { class: 'subtask-list' });
    this.history = new TaskHistory(this);
    this.editor = new TaskEditor(this);

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
        suggestion,
        transitions,
        statusError,
      ),
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'progress-heading' },
        h('h3', { id: 'progress-heading', tabindex: '-1' }, 'Sessions ', progress.countElement),
        progress.list,
        progress.empty,
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
      section('history-heading', 'History', this.history.historyStatus, this.history.history),
      h('section', { class: 'detail-section' }, this.editor.elements),
    );
    this.parts = {
      title, meta, gone, banners, prompts, currentStatus, aggregate, suggestion, transitions, statusError, description,
      progress, subtasks,
      sections: [...this.root.querySelectorAll('.detail-section, .banners, .prompts')],
    };
  }

  /** Brings the page up to date with the store. */
  update() {
    if (!this.parts) return;
    const task = this.store.tasks.get(this.taskId);
    const parts = this.parts;
    if (!task?.full) {
      const known = this.shown && !task;
      // Not held (a link to a task of a later page, or none), or only its summary: read it once the first page is in.
      if (this.store.loaded && !known && !this.missing) this.readFull();
      parts.gone.hidden = false;
      parts.gone.textContent = this.missing
        ? this.missingMessage
        : known
          ? 'This task was deleted.'
          : this.store.loaded
            ? 'Loading the task…'
            : 'Loading…';
      if (task) parts.title.textContent = task.title;
      else if (!this.shown) parts.title.textContent = this.missing ? 'Task not found' : 'Task';
      for (const part of parts.sections) part.hidden = true;
      return;
    }
    this.shown = true;
    this.missing = false;
    this.reads = 0;
    parts.gone.hidden = true;
    for (const part of parts.sections) part.hidden = false;
    this.root.dataset.taskId = task.id;
    this.root.dataset.status = task.status;
    parts.title.textContent = task.title;
    this.renderMeta(task);
    this.questions.renderBanners(parts.banners, task);
    this.questions.renderPrompts(parts.prompts, task);
    this.renderStatus(task);
    if (task.description) setChildren(parts.description, h('p', { class: 'preformatted' }, task.description));
    else setChildren(parts.description, h('p', { class: 'muted' }, 'No description.'));
    this.progress.render(parts.progress, task);
    this.renderSubtasks(task);
    this.editor.update();
  }

  /** Loads the history again soon (the task changed). */
  scheduleHistory() {
    this.history?.schedule();
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

  renderStatus(task) {
    const parts = this.parts;
    const aggregate = task.aggregateStatus;
    setChildren(parts.currentStatus, h('span', { class: `badge status-${task.status}` }, statusLabel(task.status)));
    setChildren(
      parts.aggregate,
      h('span', { class: `indicator indicator-${aggregate}`, 'aria-hidden': 'true' }, indicator(aggregate)),
      ' ',
      statusLabel(aggregate),
    );
    this.renderSuggestion(task);
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

  /** The server's suggestion, once every session finished: its reason and one button (hidden when none). */
  renderSuggestion(task) {
    const box = this.parts.suggestion;
    const suggestion = suggestionOf(task);
    const signature = suggestion ? `${task.id} ${suggestion.target}` : '';
    if (box.dataset.signature === signature) return;
    box.dataset.signature = signature;
    box.hidden = !suggestion;
    if (!suggestion) {
      box.replaceChildren();
      return;
    }
    const onclick = async (button) => {
      this.parts.statusError.textContent = '';
      const error = await takeSuggestion(this.app, task, suggestion.target, {
        button,
        onError: (failure) => {
          if (this.taskId === task.id) this.parts.statusError.textContent = failure.message;
        },
      });
      // The button went with the suggestion: the focus goes to the status it set.
      if (!error && this.taskId === task.id) this.parts.currentStatus.focus();
    };
    setChildren(
      box,
      h('p', { class: 'suggestion-reason' }, suggestion.reason),
      suggestionButton(task, suggestion, onclick),
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

  renderSubtasks(task) {
    const children = this.store.childrenOf(task.id);
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
              h('a', { href: taskHref(child.id) }, child.title),
              ' ',
              h('span', { class: `badge status-${child.status}` }, statusLabel(child.status)),
            ),
          )
        : h('li', { class: 'muted' }, 'None.'),
    );
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
