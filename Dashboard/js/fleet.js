// The fleet page (#/fleet): every session of every project (GET /api/fleet) with its host, lifecycle, heartbeat age,
// progress counts and stale work, filtered by project, host, lifecycle and "stale work only" (on the server), with the
// totals by host and by project. Live while shown: it follows the shown projects' event streams (fleet-streams.js)
// and reads the fleet again, at most once per REFRESH_DELAY_MS, after any event that changes what it shows; heartbeat
// ages tick in the page. Links go to a session's card and to its tasks in their own project.

import { announce, reconcile } from './dom.js';
import { FleetStreams } from './fleet-streams.js';
import { compareFleetRows, createRow, fillRow, fillTotals, rowKey, tickAges, totalsHead } from './fleet-table.js';
import { readSession, writeSession } from './storage.js';
import { count, plural, taskHref } from './text.js';

const FILTERS_KEY = 'maestro.fleetFilters';
/** Events are gathered this long before the fleet is read again. */
const REFRESH_DELAY_MS = 400;
/** Read again this often anyway: new projects, and ages the server knows better. */
const POLL_MS = 30000;
/** How often when more projects than can be followed live. */
const OVERFLOW_POLL_MS = 5000;
const ROWS_SHOWN = 500;
/** The events after which the fleet is read again. */
const RELEVANT = new Set(['task:session_status', 'task:session_stale', 'task:deleted']);

export class FleetView {
  /** @param {object} app the dashboard (token, projectId, store, api(), switchProject(), navigate()) */
  constructor(app) {
    this.app = app;
    this.root = document.getElementById('fleet-view');
    this.form = document.getElementById('fleet-filters');
    this.summary = document.getElementById('fleet-summary');
    this.body = document.querySelector('#fleet-sessions tbody');
    this.empty = document.getElementById('fleet-empty');
    this.hosts = document.querySelector('#fleet-hosts tbody');
    this.projects = document.querySelector('#fleet-projects tbody');
    for (const body of [this.hosts, this.projects]) body.before(totalsHead(body.parentElement.dataset.firstColumn));
    this.shown = false;
    this.fleet = null;
    this.receivedAt = 0;
    this.error = null;
    this.reading = null;
    this.again = false;
    this.timer = null;
    this.knownHosts = new Set();
    this.knownProjects = new Set();
    this.streams = new FleetStreams({
      url: (projectId, since) => this.app.api(projectId).streamURL(since),
      onEvent: (projectId, event) => this.received(event),
      onResync: () => this.scheduleRefresh(),
      onState: () => this.renderSummary(),
    });
    this.restoreFilters();
    const refilter = () => {
      this.saveFilters();
      this.refresh();
    };
    this.form.addEventListener('change', refilter);
    this.form.addEventListener('submit', (event) => event.preventDefault());
    this.root.addEventListener('click', (event) => this.clicked(event));
    window.addEventListener('online', () => this.streams.retryNow());
  }

  /** The page became visible (the route is #/fleet): read the fleet, follow its projects, tick the ages. */
  show() {
    if (this.shown) return;
    this.shown = true;
    this.ticker = setInterval(() => tickAges(this.body), 1000);
    this.loadProjects();
    this.refresh();
  }

  /** The page left the screen (another route, signed out): stop following and polling. */
  hide() {
    if (!this.shown) return;
    this.shown = false;
    this.streams.stop();
    clearInterval(this.ticker);
    clearTimeout(this.timer);
    clearTimeout(this.poller);
    this.timer = null;
  }

  filterValues() {
    const form = this.form.elements;
    return {
      project: form.namedItem('project').value,
      host: form.namedItem('host').value,
      lifecycle: form.namedItem('lifecycle').value,
      stale: form.namedItem('stale').checked ? 'true' : '',
    };
  }

  restoreFilters() {
    const stored = readSession(FILTERS_KEY);
    const saved = stored && typeof stored === 'object' ? stored : {};
    for (const name of ['project', 'host']) {
      const value = typeof saved[name] === 'string' ? saved[name] : '';
      if (value) this.addOption(name, value);
      this.form.elements.namedItem(name).value = value;
    }
    if (typeof saved.lifecycle === 'string') this.form.elements.namedItem('lifecycle').value = saved.lifecycle;
    this.form.elements.namedItem('stale').checked = saved.stale === 'true';
  }

  saveFilters() {
    writeSession(FILTERS_KEY, this.filterValues());
  }

  /** Offers `value` in the project or host select (they grow with what the fleet has shown). */
  addOption(name, value) {
    const known = name === 'project' ? this.knownProjects : this.knownHosts;
    if (!value || known.has(value)) return;
    known.add(value);
    const select = this.form.elements.namedItem(name);
    const options = [...select.options].slice(1);
    const option = new Option(value, value);
    const before = options.find((other) => other.value.localeCompare(value) > 0) ?? null;
    select.add(option, before);
  }

  /** Sets one filter (from a name in the totals) and reads the fleet again. */
  pick(name, value) {
    this.addOption(name, value);
    this.form.elements.namedItem(name).value = value;
    this.saveFilters();
    this.refresh();
    announce(`Showing only ${value}.`);
  }

  async loadProjects() {
    try {
      const projects = await this.app.api().projects();
      for (const overview of projects) this.addOption('project', overview.project?.id);
    } catch {
      /* the fleet's own projects are offered as they come */
    }
  }

  received(event) {
    if (event.type.startsWith('session:') || RELEVANT.has(event.type)) this.scheduleRefresh();
  }

  /** Reads the fleet again soon: events that come meanwhile are taken in by the same read. */
  scheduleRefresh(delay = REFRESH_DELAY_MS) {
    if (!this.shown || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, delay);
  }

  /** Reads the fleet with the current filters (one read at a time; a change meanwhile asks for one more). */
  async refresh() {
    if (!this.shown) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    const filters = this.filterValues();
    const generation = this.app.generation;
    this.reading = this.app.api().fleet(filters);
    try {
      const fleet = await this.reading;
      if (!this.shown || generation !== this.app.generation) return;
      this.fleet = fleet;
      this.receivedAt = Date.now();
      this.error = null;
      this.filters = filters;
      // New projects and hosts become choices; the projects shown are followed live from the read's cursors.
      for (const projectId of Object.keys(fleet.cursors ?? {})) this.addOption('project', projectId);
      for (const total of fleet.totals?.byHost ?? []) this.addOption('host', total.host);
      this.streams.follow(fleet.cursors ?? {});
      this.render();
    } catch (error) {
      if (!this.shown) return;
      this.error = error;
      this.renderSummary();
    } finally {
      this.reading = null;
      if (this.shown) this.schedulePoll();
      if (this.again) {
        this.again = false;
        this.scheduleRefresh(0);
      }
    }
  }

  schedulePoll() {
    clearTimeout(this.poller);
    const delay = this.error || this.streams.overflow ? OVERFLOW_POLL_MS : POLL_MS;
    this.poller = setTimeout(() => {
      if (document.visibilityState === 'visible') this.refresh();
      else this.schedulePoll();
    }, delay);
  }

  render() {
    const fleet = this.fleet;
    const items = [...(fleet.sessions ?? [])].sort(compareFleetRows).slice(0, ROWS_SHOWN);
    const options = { receivedAt: this.receivedAt, titleOf: (projectId, taskId) => this.titleOf(projectId, taskId) };
    reconcile(this.body, items, rowKey, () => createRow(), (row, item) => fillRow(row, item, options));
    this.empty.hidden = items.length > 0;
    fillTotals(this.hosts, fleet.totals?.byHost ?? [], 'host', (host) => this.pick('host', host));
    fillTotals(this.projects, fleet.totals?.byProject ?? [], 'projectId', (projectId) => this.pick('project', projectId));
    this.renderSummary();
  }

  renderSummary() {
    if (!this.shown) return;
    const total = this.fleet?.totals?.sessions ?? 0;
    const parts = [];
    if (this.error) parts.push(`${this.error.message} Retrying…`);
    else if (!this.fleet) parts.push('Loading the fleet…');
    else {
      const stale = (this.fleet.totals?.byHost ?? []).reduce((sum, host) => sum + (host.withStaleWork ?? 0), 0);
      parts.push(plural(total, 'session'));
      if (stale) parts.push(`${count(stale)} with stale work`);
      if (total > ROWS_SHOWN) parts.push(`the first ${count(ROWS_SHOWN)} shown: narrow with the filters`);
      const { live, followed } = this.streams.counts();
      parts.push(
        this.streams.overflow
          ? `refreshed every ${OVERFLOW_POLL_MS / 1000} s (too many projects to follow live)`
          : `live from ${live} of ${plural(followed, 'project')}`,
      );
    }
    const text = parts.join(' · ');
    if (this.summary.textContent !== text) this.summary.textContent = text;
    const { live, followed } = this.streams.counts();
    this.root.dataset.live = String(live === followed && followed > 0);
  }

  /** A task's title when this page holds it (its own project), else null (the link shows the short id). */
  titleOf(projectId, taskId) {
    if (projectId !== this.app.projectId) return null;
    return this.app.store.tasks.get(taskId)?.title ?? null;
  }

  /** Links to another project's session or task open it in this page (a new tab follows the href itself). */
  clicked(event) {
    const link = event.target.closest?.('a[data-project]');
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const projectId = link.dataset.project;
    const hash = link.dataset.taskId
      ? taskHref(link.dataset.taskId)
      : `#/sessions/${encodeURIComponent(link.closest('tr').dataset.sessionId)}`;
    if (projectId !== this.app.projectId) this.app.switchProject(projectId, { push: true });
    this.app.navigate(hash);
  }
}
