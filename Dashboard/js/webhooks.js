// The webhooks view (#/webhooks): every webhook (they are shared by all projects) with its most recent deliveries —
// state, attempts, last result, next attempt — and buttons to send a delivery again or delete the webhook; the
// "New webhook" form is in webhook-form.js. The view builds its own section and tab, so the shell (app.js) only
// routes to it. Deliveries are read again every few seconds while the view is shown.

import { Api } from './api.js';
import { askFirst } from './ask-first.js';
import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import { clip, plural } from './text.js';
import { WebhookForm } from './webhook-form.js';

const REFRESH_MS = 4000;
const RECENT_DELIVERIES = 10;
const STATE_LABELS = { pending: 'Pending', delivered: 'Delivered', dead: 'Failed for good' };

export class WebhooksView {
  /** @param {object} app the dashboard (token, projectId, signOut(), notify()) */
  constructor(app) {
    this.app = app;
    this.shown = false;
    this.timer = null;
    this.loading = null;
    this.form = new WebhookForm(this);
    this.summary = h('p', { class: 'muted list-summary', id: 'webhook-list-summary', 'aria-live': 'polite' });
    this.list = h('ul', { class: 'webhook-list', id: 'webhook-list', 'aria-label': 'Webhooks' });
    this.empty = h('p', { class: 'empty', id: 'webhook-list-empty', hidden: true }, 'No webhooks yet.');
    this.section = h(
      'section',
      { id: 'webhooks-view', class: 'webhooks-view', hidden: true, 'aria-labelledby': 'webhooks-title' },
      h('h1', { class: 'view-title', id: 'webhooks-title' }, 'Webhooks'),
      this.form.details,
      this.summary,
      this.list,
      this.empty,
    );
    this.link = h('a', { href: '#/webhooks', id: 'nav-webhooks' }, 'Webhooks');
    document.querySelector('.views-nav')?.append(this.link);
    document.getElementById('main').append(this.section);
  }

  /** The API without a project: webhooks belong to none (an empty projectId means "any" to these routes). */
  api() {
    return new Api({ token: this.app.token, projectId: '', onAuthFailure: (error) => this.app.signOut(error.message) });
  }

  /** Shows the view when the address is #/webhooks (and hides the others), else hides it. */
  route(hash, signedIn) {
    const shown = signedIn && hash.startsWith('#/webhooks');
    this.shown = shown;
    this.section.hidden = !shown;
    if (shown) this.link.setAttribute('aria-current', 'page');
    else this.link.removeAttribute('aria-current');
    clearInterval(this.timer);
    this.timer = null;
    if (!shown) return;
    this.form.showProject(this.app.projectId);
    this.refresh();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.refresh();
    }, REFRESH_MS);
  }

  /** Reads the webhooks and their recent deliveries, and draws them. */
  async refresh() {
    if (this.loading) return this.loading;
    this.loading = this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async load() {
    try {
      const { webhooks } = await this.api().request('GET', '/api/webhooks', { action: 'Could not load the webhooks' });
      const deliveries = await Promise.all(
        webhooks.map((webhook) =>
          this.api()
            .request('GET', `/api/webhooks/${encodeURIComponent(webhook.id)}/deliveries`, {
              query: { limit: RECENT_DELIVERIES },
              action: 'Could not load the deliveries',
            })
            .then((reply) => reply.deliveries)
            .catch((error) => error),
        ),
      );
      if (this.shown) this.draw(webhooks.map((webhook, index) => ({ webhook, deliveries: deliveries[index] })));
    } catch (error) {
      if (this.shown) this.summary.textContent = error.message;
    }
  }

  draw(items) {
    this.empty.hidden = items.length > 0;
    this.summary.textContent = items.length ? `${plural(items.length, 'webhook')}, newest deliveries first.` : '';
    reconcile(
      this.list,
      items.slice().reverse(),
      (item) => item.webhook.id,
      (item) => this.createCard(item.webhook),
      (card, item) => this.fillDeliveries(card, item),
    );
  }

  /** A webhook's card: what it sends where, and its actions; the deliveries table is filled by fillDeliveries. */
  createCard(webhook) {
    const events = webhook.events.includes('*') ? 'all events' : webhook.events.join(', ');
    const statuses = webhook.statuses ? ` (session statuses: ${webhook.statuses.join(', ')})` : '';
    const card = h(
      'li',
      { class: 'card webhook-card', dataset: { webhookId: webhook.id } },
      h(
        'div',
        { class: 'webhook-head' },
        h('code', { class: 'webhook-url', title: webhook.url }, clip(webhook.url, 90)),
        h('span', { class: 'badge webhook-format' }, webhook.format === 'slack' ? 'Slack' : 'Signed JSON'),
      ),
      h(
        'p',
        { class: 'muted webhook-scope' },
        `${webhook.projectId ? `Project ${webhook.projectId}` : 'Every project'}: ${events}${statuses}. Created `,
        timeElement(webhook.createdAt),
        '.',
      ),
      h('div', { class: 'webhook-deliveries', dataset: { role: 'deliveries' } }),
      this.deleteControl(webhook),
    );
    return card;
  }

  fillDeliveries(card, { webhook, deliveries }) {
    const box = card.querySelector('[data-role=deliveries]');
    if (deliveries instanceof Error) {
      setChildren(box, h('p', { class: 'inline-error' }, deliveries.message));
      return;
    }
    if (!deliveries.length) {
      setChildren(box, h('p', { class: 'empty' }, 'No deliveries yet.'));
      return;
    }
    let table = box.querySelector('table');
    if (!table) {
      table = h(
        'table',
        { class: 'deliveries-table' },
        h('caption', { class: 'visually-hidden' }, 'Recent deliveries'),
        h(
          'thead',
          {},
          h('tr', {}, ['Event', 'Project', 'State', 'Attempts', 'Last result', 'Next attempt', ''].map((name) =>
            h('th', { scope: 'col' }, name),
          )),
        ),
        h('tbody'),
      );
      setChildren(box, table);
    }
    reconcile(
      table.tBodies[0],
      deliveries,
      (delivery) => `${delivery.projectId}/${delivery.eventId}`,
      () => h('tr'),
      (row, delivery) => this.fillRow(row, webhook, delivery),
    );
  }

  fillRow(row, webhook, delivery) {
    const signature = JSON.stringify(delivery);
    if (row.dataset.signature === signature) return;
    row.dataset.signature = signature;
    row.dataset.eventId = delivery.eventId;
    row.dataset.state = delivery.state;
    const result =
      delivery.lastError ?? (delivery.lastStatus != null ? `HTTP ${delivery.lastStatus}` : delivery.attempts ? '' : '—');
    const retry = h(
      'button',
      { type: 'button', class: 'secondary small', dataset: { action: 'retry' } },
      delivery.state === 'pending' ? 'Send now' : 'Send again',
    );
    retry.addEventListener('click', () => this.retry(webhook, delivery, retry));
    setChildren(
      row,
      h('td', {}, h('code', {}, delivery.eventId), h('div', { class: 'muted' }, delivery.type)),
      h('td', {}, delivery.projectId),
      h('td', {}, h('span', { class: `badge delivery-${delivery.state}` }, STATE_LABELS[delivery.state] ?? delivery.state)),
      h('td', {}, String(delivery.attempts)),
      h('td', { class: 'delivery-result' }, clip(result, 120)),
      h('td', {}, delivery.nextAttemptAt ? timeElement(delivery.nextAttemptAt) : '—'),
      h('td', {}, retry),
    );
  }

  async retry(webhook, delivery, button) {
    button.disabled = true;
    try {
      await this.api().request(
        'POST',
        `/api/webhooks/${encodeURIComponent(webhook.id)}/deliveries/${encodeURIComponent(delivery.eventId)}/retry`,
        { query: { projectId: delivery.projectId }, action: 'Could not send the delivery again' },
      );
      announce(`Event ${delivery.eventId} will be sent again.`);
      await this.refresh();
    } catch (error) {
      this.app.notify(error.message, { kind: 'error' });
      button.disabled = false;
    }
  }

  /** "Delete…", then a confirmation, as for tasks. */
  deleteControl(webhook) {
    const start = h('button', { type: 'button', class: 'secondary danger-text', dataset: { action: 'delete' } }, 'Delete…');
    const confirm = h('button', { type: 'button', class: 'danger', dataset: { action: 'confirm-delete' } }, 'Delete');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Keep it');
    const box = h(
      'span',
      { class: 'confirm', hidden: true },
      h('span', { class: 'confirm-text' }, 'Delete this webhook? Deliveries not sent yet are dropped.'),
      confirm,
      cancel,
    );
    askFirst({ start, box, confirm, cancel });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await this.api().request('DELETE', `/api/webhooks/${encodeURIComponent(webhook.id)}`, {
          action: 'Could not delete the webhook',
        });
        this.app.notify(`Deleted the webhook to ${clip(webhook.url, 60)}.`);
        await this.refresh();
      } catch (error) {
        this.app.notify(error.message, { kind: 'error' });
        confirm.disabled = false;
      }
    });
    return h('div', { class: 'row-actions' }, start, box);
  }

  /** A webhook was just created: show it at once. */
  created(webhook) {
    announce(`Created a webhook to ${webhook.url}.`);
    this.refresh();
  }
}
