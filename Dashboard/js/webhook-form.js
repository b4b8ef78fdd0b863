// The "New webhook" form of the webhooks view: a URL, the format (signed JSON for a service of your own, or a Slack
// incoming webhook), which events, optionally which session statuses, and this project or every project. Once
// created, the signing secret is shown — only then.

import { h, setChildren } from './dom.js';

/** The event types a webhook can ask for (docs/openapi.json). */
export const EVENT_TYPES = [
  'task:session_status', 'task:input_answer', 'task:created', 'task:updated', 'task:deleted', 'task:session_stale',
  'task:archived', 'task:restored', 'session:spawn', 'session:active', 'session:stopped', 'session:failed',
  'session:unresponsive', 'session:responsive', 'project:updated',
];

/** Session statuses a webhook can narrow task:session_status to, as people read them. */
export const SESSION_STATUSES = [
  ['needs_input', 'Needs input'], ['blocked', 'Blocked'], ['failed', 'Failed'], ['completed', 'Completed'],
  ['working', 'Working'], ['queued', 'Queued'], ['cancelled', 'Cancelled'],
];

export class WebhookForm {
  /** @param {object} view the webhooks view (app, api(), created(webhook)) */
  constructor(view) {
    this.view = view;
    this.error = h('p', { class: 'inline-error', role: 'alert', id: 'create-webhook-error' });
    this.result = h('div', { class: 'spawn-result', id: 'create-webhook-result', hidden: true });
    this.projectOption = h('option', { value: 'project' });
    this.eventList = h(
      'div',
      { class: 'webhook-choices', id: 'webhook-event-choices', role: 'group', 'aria-label': 'Event types' },
      EVENT_TYPES.map((type) => checkbox('event', type, h('code', {}, type), type === 'task:session_status')),
    );
    this.form = h(
      'form',
      { id: 'create-webhook-form', novalidate: true },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'webhook-url' }, 'URL'),
        h('input', {
          id: 'webhook-url', name: 'url', type: 'url', required: true, maxlength: 2048, autocomplete: 'off',
          spellcheck: 'false', placeholder: 'https://hooks.slack.com/services/…', 'aria-describedby': 'create-webhook-error',
        }),
      ),
      h(
        'div',
        { class: 'field-row' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'webhook-format' }, 'Format'),
          h(
            'select',
            { id: 'webhook-format', name: 'format' },
            h('option', { value: 'standard' }, 'Signed JSON (Standard Webhooks)'),
            h('option', { value: 'slack' }, 'Slack message'),
          ),
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'webhook-scope' }, 'Projects'),
          h(
            'select',
            { id: 'webhook-scope', name: 'scope' },
            this.projectOption,
            h('option', { value: 'all' }, 'Every project'),
          ),
        ),
      ),
      h(
        'fieldset',
        { class: 'webhook-fieldset' },
        h('legend', {}, 'Events'),
        checkbox('all-events', 'all', 'All events', false, { id: 'webhook-all-events' }),
        this.eventList,
      ),
      h(
        'fieldset',
        { class: 'webhook-fieldset' },
        h('legend', {}, 'Only these session statuses ', h('span', { class: 'muted' }, '(task:session_status; none: all)')),
        h(
          'div',
          { class: 'webhook-choices', id: 'webhook-status-choices' },
          SESSION_STATUSES.map(([value, label]) => checkbox('status', value, label, false)),
        ),
      ),
      h('button', { type: 'submit', id: 'create-webhook-submit' }, 'Create webhook'),
      this.error,
    );
    this.details = h(
      'details',
      { id: 'create-webhook', class: 'card create-task' },
      h('summary', {}, 'New webhook'),
      h(
        'p',
        { class: 'muted' },
        'Maestro posts each chosen event to the URL, signed with a secret you get once (the webhook-signature ',
        'header, as the Standard Webhooks specification says). For Slack, paste an incoming-webhook URL and choose ',
        'Slack message.',
      ),
      this.form,
      this.result,
    );
    const all = this.form.querySelector('#webhook-all-events');
    all.addEventListener('change', () => {
      for (const input of this.eventList.querySelectorAll('input')) input.disabled = all.checked;
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
  }

  /** Names the current project in the "Projects" choice. */
  showProject(projectId) {
    this.projectOption.textContent = `Only ${projectId}`;
  }

  /** What the form asks for, or an error message. */
  read() {
    const form = this.form;
    const url = form.elements.namedItem('url').value.trim();
    if (!/^https?:\/\/\S+$/i.test(url)) return { error: 'Enter an http:// or https:// URL.' };
    const allEvents = form.querySelector('#webhook-all-events').checked;
    const events = allEvents
      ? ['*']
      : [...this.eventList.querySelectorAll('input:checked')].map((input) => input.value);
    if (events.length === 0) return { error: 'Choose at least one event type, or All events.' };
    const statuses = [...form.querySelectorAll('#webhook-status-choices input:checked')].map((input) => input.value);
    const body = { url, events, format: form.elements.namedItem('format').value };
    if (statuses.length) body.statuses = statuses;
    if (form.elements.namedItem('scope').value === 'project') body.projectId = this.view.app.projectId;
    return { body };
  }

  async create() {
    const { body, error } = this.read();
    this.error.textContent = error ?? '';
    if (error) return;
    const submit = this.form.querySelector('#create-webhook-submit');
    submit.disabled = true;
    try {
      const created = await this.view.api().request('POST', '/api/webhooks', {
        body,
        action: 'Could not create the webhook',
      });
      this.form.elements.namedItem('url').value = '';
      this.showSecret(created.secret);
      this.view.created(created.webhook);
    } catch (failure) {
      this.error.textContent = failure.message;
    } finally {
      submit.disabled = false;
    }
  }

  showSecret(secret) {
    this.result.hidden = false;
    setChildren(
      this.result,
      h('p', {}, 'Created. Its signing secret, shown only now — give it to the receiver to verify signatures:'),
      h('pre', { class: 'env', id: 'webhook-secret', tabindex: '0' }, secret),
    );
  }
}

function checkbox(name, value, label, checked, attrs = {}) {
  return h(
    'label',
    { class: 'webhook-choice' },
    h('input', { type: 'checkbox', name, value, checked, ...attrs }),
    ' ',
    label,
  );
}
