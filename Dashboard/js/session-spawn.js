// The "New session" form of the sessions view: a name and tasks to queue it on (open tasks, built only while the
// form is open, at most TASK_CHOICES of the newest), and, once created, the environment an agent process needs to
// act as the session (its token is shown only then).

import { h, setChildren } from './dom.js';
import { shortId } from './model.js';
import { clip } from './text.js';

const TASK_CHOICES = 1000;

export class SessionSpawnForm {
  /** @param {object} app the dashboard (store, api()) */
  constructor(app) {
    this.app = app;
    this.details = document.getElementById('spawn-session');
    this.form = document.getElementById('spawn-session-form');
    this.error = document.getElementById('spawn-session-error');
    this.result = document.getElementById('spawn-session-result');
    this.taskSelect = document.getElementById('session-tasks');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.spawn();
    });
    this.details.addEventListener('toggle', () => {
      if (this.details.open) this.renderTaskOptions();
    });
  }

  /** Keeps the task choices current while the form is open. */
  render(change) {
    if (!this.details.open) return;
    if (change && !change.all && change.taskIds.size === 0) return;
    this.renderTaskOptions();
  }

  /** Open tasks (To Do, In Progress) in creation order; the newest TASK_CHOICES when there are more. */
  renderTaskOptions() {
    const select = this.taskSelect;
    const tasks = [];
    this.app.store.index.orders.newest.forEach((task) => {
      if (task.status === 'todo' || task.status === 'inprogress') tasks.push(task);
      return tasks.length < TASK_CHOICES;
    });
    tasks.reverse();
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
    const form = this.form;
    this.error.textContent = '';
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
      this.error.textContent = error.message;
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
      this.result.hidden = true;
      this.result.replaceChildren();
    });
    setChildren(
      this.result,
      h(
        'p',
        {},
        h('strong', {}, `Session ${result?.session?.name ?? shortId(result?.session?.id)} created. `),
        'Its token is shown only now: give these variables to the agent process.',
      ),
      pre,
      h('div', { class: 'form-actions' }, copy, done),
    );
    this.result.hidden = false;
    pre.focus();
  }
}
