// Editing and deleting in a task's detail: the title, description and priority form (kept as the user typed it
// while live updates come in), and deletion after a confirmation (refused by the server while subtasks exist).

import { askFirst } from './ask-first.js';
import { announce, h } from './dom.js';
import { PRIORITIES, statusLabel } from './model.js';
import { clip } from './text.js';

export class TaskEditor {
  /** @param {object} view the task detail (app, store, taskId) */
  constructor(view) {
    this.view = view;
    this.form = this.buildForm();
    this.details = h(
      'details',
      { class: 'edit-task' },
      h('summary', {}, 'Edit title, description or priority'),
      this.form.form,
    );
    this.details.addEventListener('toggle', () => {
      if (this.details.open) this.fill(true);
    });
    this.danger = this.buildDelete();
  }

  /** The section's content: the edit form and the delete button. */
  get elements() {
    return [this.details, this.danger.element];
  }

  /** Keeps the form in step with the task unless the user is editing it. */
  update() {
    if (!this.details.open || !this.form.dirty) this.fill(false);
  }

  buildForm() {
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
      const task = this.view.store.tasks.get(this.view.taskId);
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
        const updated = await this.view.app.api().updateTask(task.id, fields, 'Could not save the changes');
        this.view.store.putTask(updated);
        state.dirty = false;
        this.details.open = false;
        announce('Changes saved.');
      } catch (failure) {
        error.textContent = failure.message;
      } finally {
        save.disabled = false;
      }
    });
    return state;
  }

  /** Puts the task's current values in the form (unless the user changed them and `force` is false). */
  fill(force) {
    const state = this.form;
    const task = this.view.store.tasks.get(this.view.taskId);
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
    const close = askFirst({ start, box, confirm, cancel });
    confirm.addEventListener('click', async () => {
      const taskId = this.view.taskId;
      const title = this.view.store.tasks.get(taskId)?.title ?? taskId;
      confirm.disabled = true;
      error.textContent = '';
      try {
        await this.view.app.api().deleteTask(taskId);
        this.view.store.removeTask(taskId);
        this.view.app.notify(`Deleted “${clip(title, 80)}”.`);
        this.view.app.navigate('#/tasks');
      } catch (failure) {
        error.textContent = failure.message;
        close({ refocus: false });
      } finally {
        confirm.disabled = false;
      }
    });
    return { element: h('div', { class: 'delete-task' }, start, box, error) };
  }
}
