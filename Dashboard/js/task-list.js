// The task list: filters, sort, the create form, and one row per task with its status badge, aggregate session
// status and session count. Rows are updated in place, so focus and scrolling survive live updates.

import { h, reconcile, setChildren } from './dom.js';
import {
  TASK_SORTS,
  aggregateStatus,
  indicator,
  shortId,
  statusLabel,
} from './model.js';

const FILTERS_KEY = 'maestro.taskFilters';

export class TaskListView {
  /** @param {object} app the dashboard (store, api(), notify(), navigate()) */
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('task-list');
    this.summary = document.getElementById('task-list-summary');
    this.empty = document.getElementById('task-list-empty');
    this.filters = document.getElementById('task-filters');
    this.createForm = document.getElementById('create-task-form');
    this.createError = document.getElementById('create-task-error');
    this.parentSelect = document.getElementById('new-parent');
    this.selectedId = null;

    this.restoreFilters();
    const refilter = () => {
      this.saveFilters();
      this.render();
    };
    this.filters.addEventListener('input', refilter);
    this.filters.addEventListener('change', refilter);
    this.filters.addEventListener('submit', (event) => event.preventDefault());
    this.createForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
  }

  restoreFilters() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? '{}');
      for (const [name, value] of Object.entries(saved)) {
        const control = this.filters.elements.namedItem(name);
        if (control && typeof value === 'string') control.value = value;
      }
    } catch {
      /* nothing saved */
    }
  }

  saveFilters() {
    const values = Object.fromEntries(new FormData(this.filters));
    try {
      sessionStorage.setItem(FILTERS_KEY, JSON.stringify(values));
    } catch {
      /* storage unavailable */
    }
  }

  /** The tasks that pass the filters, in the chosen order. */
  visibleTasks() {
    const values = Object.fromEntries(new FormData(this.filters));
    const query = String(values.q ?? '').trim().toLowerCase();
    const sort = TASK_SORTS[values.sort] ?? TASK_SORTS.attention;
    return [...this.app.store.tasks.values()]
      .filter((task) => {
        if (values.status === 'open') {
          if (task.status !== 'todo' && task.status !== 'inprogress') return false;
        } else if (values.status && task.status !== values.status) return false;
        const aggregate = aggregateStatus(task);
        if (values.aggregate === 'attention') {
          if (aggregate !== 'needs_input' && aggregate !== 'blocked') return false;
        } else if (values.aggregate && aggregate !== values.aggregate) return false;
        if (query && !task.title.toLowerCase().includes(query) && !task.id.toLowerCase().includes(query)) return false;
        return true;
      })
      .sort(sort);
  }

  render() {
    const store = this.app.store;
    const tasks = this.visibleTasks();
    reconcile(this.list, tasks, (task) => task.id, (task) => this.createRow(task), (row, task) => this.updateRow(row, task));
    const total = store.tasks.size;
    const filtered = tasks.length !== total;
    this.summary.textContent = !store.loaded
      ? 'Loading tasks…'
      : `${filtered ? `Showing ${tasks.length} of ${total}` : total} task${total === 1 ? '' : 's'}`;
    this.empty.hidden = !store.loaded || tasks.length > 0;
    this.empty.textContent =
      total === 0 ? 'No tasks yet. Create the first one with “New task”.' : 'No task matches these filters.';
    this.renderParentOptions();
  }

  createRow(task) {
    const link = h('a', { class: 'task-link', href: `#/tasks/${encodeURIComponent(task.id)}` });
    return h('li', { class: 'task-row', dataset: { taskId: task.id } }, link);
  }

  updateRow(row, task) {
    const aggregate = aggregateStatus(task);
    const sessions = task.sessionProgress.length;
    const signature = JSON.stringify([task.version, task.title, task.status, aggregate, sessions, task.priority]);
    row.className = `task-row aggregate-${aggregate} task-${task.status}`;
    const link = row.firstElementChild;
    if (task.id === this.selectedId) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
    if (row.dataset.signature === signature) return;
    row.dataset.signature = signature;
    row.dataset.status = task.status;
    row.dataset.aggregate = aggregate;
    const waiting = task.sessionProgress.filter((entry) => entry.status === 'needs_input' || entry.status === 'blocked');
    setChildren(
      link,
      h('span', { class: `indicator indicator-${aggregate}`, 'aria-hidden': 'true' }, indicator(aggregate)),
      h(
        'span',
        { class: 'task-main' },
        h('span', { class: 'task-title' }, task.title),
        waiting.length
          ? h('span', { class: 'task-waiting' }, waiting[0].notes ? `“${clip(waiting[0].notes, 90)}”` : '')
          : null,
      ),
      h(
        'span',
        { class: 'task-meta' },
        h('span', { class: `badge status-${task.status}`, dataset: { role: 'status' } }, statusLabel(task.status)),
        h(
          'span',
          { class: `aggregate aggregate-label-${aggregate}`, dataset: { role: 'aggregate' } },
          statusLabel(aggregate),
        ),
        sessions > 0
          ? h('span', { class: 'session-count' }, `${sessions} session${sessions === 1 ? '' : 's'}`)
          : null,
        task.priority && task.priority !== 'medium'
          ? h('span', { class: `priority priority-${task.priority}` }, statusLabel(task.priority))
          : null,
        h('span', { class: 'task-id muted' }, shortId(task.id)),
      ),
    );
  }

  setSelected(taskId) {
    this.selectedId = taskId;
    for (const link of this.list.querySelectorAll('a[aria-current]')) link.removeAttribute('aria-current');
    if (taskId) {
      const row = [...this.list.children].find((child) => child.dataset.key === taskId);
      row?.firstElementChild.setAttribute('aria-current', 'true');
    }
  }

  renderParentOptions() {
    const select = this.parentSelect;
    const current = select.value;
    const tasks = [...this.app.store.tasks.values()]
      .filter((task) => task.status !== 'cancelled')
      .sort(TASK_SORTS.newest);
    const signature = tasks.map((task) => `${task.id}\u0000${task.title}`).join('\u0001');
    if (select.dataset.signature === signature) return;
    select.dataset.signature = signature;
    setChildren(
      select,
      h('option', { value: '' }, 'None'),
      tasks.map((task) => h('option', { value: task.id }, `${clip(task.title, 60)} (${shortId(task.id)})`)),
    );
    select.value = tasks.some((task) => task.id === current) ? current : '';
  }

  /** Sets the parent field (from a task's "Add subtask" button) and opens the form. */
  startSubtask(parentId) {
    const details = document.getElementById('create-task');
    details.open = true;
    this.renderParentOptions();
    this.parentSelect.value = parentId;
    document.getElementById('new-title').focus();
  }

  async create() {
    const form = this.createForm;
    const data = Object.fromEntries(new FormData(form));
    const title = String(data.title ?? '').trim();
    this.createError.textContent = '';
    if (!title) {
      this.createError.textContent = 'Give the task a title.';
      form.elements.namedItem('title').focus();
      return;
    }
    const body = { title, priority: data.priority || 'medium' };
    if (String(data.description ?? '').trim()) body.description = String(data.description);
    if (data.parentId) body.parentId = data.parentId;
    const button = document.getElementById('create-task-submit');
    button.disabled = true;
    try {
      const task = await this.app.api().createTask(body);
      this.app.store.putTask(task);
      form.reset();
      this.app.notify(`Created “${clip(task.title, 80)}”.`, {
        link: { href: `#/tasks/${encodeURIComponent(task.id)}`, text: 'Open it' },
      });
      form.elements.namedItem('title').focus();
    } catch (error) {
      this.createError.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}

export function clip(text, length) {
  const value = String(text ?? '');
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}
