// The "New task" form of the task list: title, description, priority and parent. The parent choices (tasks not
// cancelled, newest first) are built only while the form is open, and at most PARENT_CHOICES of them.

import { h, setChildren } from './dom.js';
import { shortId } from './model.js';
import { clip, taskHref } from './text.js';

const PARENT_CHOICES = 1000;

export class TaskCreateForm {
  /** @param {object} app the dashboard (store, api(), notify()) */
  constructor(app) {
    this.app = app;
    this.details = document.getElementById('create-task');
    this.form = document.getElementById('create-task-form');
    this.error = document.getElementById('create-task-error');
    this.parentSelect = document.getElementById('new-parent');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
    this.details.addEventListener('toggle', () => {
      if (this.details.open) this.renderParentOptions();
    });
  }

  /** Keeps the parent choices current while the form is open. */
  render(change) {
    if (!this.details.open) return;
    if (change && !change.all && change.taskIds.size === 0) return;
    this.renderParentOptions();
  }

  renderParentOptions(include = null) {
    const select = this.parentSelect;
    const current = include ?? select.value;
    const store = this.app.store;
    const tasks = [];
    store.index.orders.newest.forEach((task) => {
      if (task.status !== 'cancelled') tasks.push(task);
      return tasks.length < PARENT_CHOICES;
    });
    const chosen = current ? store.tasks.get(current) : null;
    if (chosen && !tasks.includes(chosen)) tasks.push(chosen);
    const signature = tasks.map((task) => `${task.id}\u0000${task.title}`).join('\u0001');
    if (select.dataset.signature !== signature) {
      select.dataset.signature = signature;
      setChildren(
        select,
        h('option', { value: '' }, 'None'),
        tasks.map((task) => h('option', { value: task.id }, `${clip(task.title, 60)} (${shortId(task.id)})`)),
      );
    }
    select.value = tasks.some((task) => task.id === current) ? current : '';
  }

  /** Sets the parent field (from a task's "Add subtask" button) and opens the form. */
  startSubtask(parentId) {
    this.details.open = true;
    this.renderParentOptions(parentId);
    this.parentSelect.value = parentId;
    document.getElementById('new-title').focus();
  }

  async create() {
    const form = this.form;
    const data = Object.fromEntries(new FormData(form));
    const title = String(data.title ?? '').trim();
    this.error.textContent = '';
    if (!title) {
      this.error.textContent = 'Give the task a title.';
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
      this.app.notify(`Created “${clip(task.title, 80)}”.`, { link: { href: taskHref(task.id), text: 'Open it' } });
      form.elements.namedItem('title').focus();
    } catch (error) {
      this.error.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}
