// The dashboard's shell: signs in with the user token, loads a project (snapshot-loader.js) and keeps it live
// over the WebSocket stream, routes between the task list, a task's detail, the sessions view, the fleet (every
// project's sessions, fleet.js) and the webhooks (webhooks.js), and draws what changed once per animation frame: store changes are gathered (which
// tasks, which sessions) and each view draws only if it is shown and touched by them.

import { Api } from './api.js';
import { AttentionWatch } from './attention.js';
import { announce, refreshTimes } from './dom.js';
import { FleetView } from './fleet.js';
import { LiveConnection } from './live.js';
import { PROJECT_ID_PATTERN } from './model.js';
import { notify } from './notices.js';
import { SessionsView } from './sessions.js';
import { SignInScreen } from './signin.js';
import { SnapshotLoader } from './snapshot-loader.js';
import { ProjectStore } from './store.js';
import { TaskDetailView } from './task-detail.js';
import { TaskFetcher } from './task-fetcher.js';
import { TaskListView } from './task-list.js';
import { TopBar } from './topbar.js';
import { WebhooksView } from './webhooks.js';

const HEARTBEAT_REFRESH_MS = 15000;
const RECENT_EVENTS = 100;

export class App {
  constructor() {
    this.store = new ProjectStore();
    this.token = null;
    this.projectId = 'default';
    this.generation = 0;
    this.connection = { name: 'stopped' };
    this.serverReachable = true;
    this.fromLive = false;
    this.view = 'tasks';
    this.frame = null;
    this.changes = emptyChanges();
    this.pendingHistory = false;
    this.staleTimers = new Map();
    this.recentEvents = [];

    this.live = new LiveConnection({
      url: (since) => this.api().streamURL(since),
      onEvent: (event) => this.receive(event),
      onResync: () => this.resync(),
      onState: (state) => this.setConnection(state),
      onDrop: () => this.probe(),
    });

    this.signin = new SignInScreen(this);
    this.topbar = new TopBar(this);
    this.attention = new AttentionWatch(this);
    this.loader = new SnapshotLoader(this);
    this.fetcher = new TaskFetcher(this);
    this.list = new TaskListView(this);
    this.detail = new TaskDetailView(this);
    this.sessions = new SessionsView(this);
    this.fleet = new FleetView(this);
    this.webhooks = new WebhooksView(this);
    this.store.onStale = (taskId) => this.scheduleRefreshTask(taskId);
    this.store.subscribe((change) => this.changed(change));
  }

  /** The API for the current token and project (or `projectId`). */
  api(projectId = this.projectId) {
    return new Api({
      token: this.token,
      projectId,
      onAuthFailure: (error) => this.signOut(error.message),
    });
  }

  /** Shows a short message at the top (see notices.js). */
  notify(text, options) {
    return notify(text, options);
  }

  start() {
    this.token = this.signin.tokenFromAddress();
    this.projectId = projectFromAddress();
    this.topbar.showProject(this.projectId);
    this.signin.bind();
    this.topbar.bind();
    this.attention.bind();
    window.addEventListener('hashchange', () => this.route({ focus: true }));
    window.addEventListener('popstate', () => {
      const project = projectFromAddress();
      if (project !== this.projectId) this.switchProject(project, { push: false });
    });
    window.addEventListener('online', () => this.live.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.live.retryNow();
    });
    setInterval(() => refreshTimes(document), 15000);
    setInterval(() => this.topbar.renderConnection(), 1000);
    setInterval(() => this.refreshHeartbeats(), HEARTBEAT_REFRESH_MS);
    if (this.token) this.openProject();
    else this.signin.show('');
    this.route({ focus: false });
  }

  signOut(message, { forget = false } = {}) {
    if (!this.token && !forget) return;
    this.generation += 1;
    this.live.stop();
    this.fleet.hide();
    this.store.clear();
    this.fetcher.reset();
    this.detail.hide();
    if (forget || message) this.signin.forget();
    this.token = null;
    this.signin.show(message);
  }

  // Loading and live updates

  async openProject() {
    const generation = ++this.generation;
    this.signin.hide();
    this.live.stop();
    this.store.clear();
    this.fetcher.reset();
    this.topbar.rememberProject(this.projectId);
    this.attention.updateTitle();
    await this.load(generation);
  }

  /** The first page and the sessions, then the live stream from their cursor, then the rest in the background. */
  async load(generation) {
    this.loadProjectSettings(generation);
    const cursor = await this.loader.loadFirst(generation);
    if (cursor === undefined || generation !== this.generation) return false;
    this.live.start(cursor);
    await this.loader.loadRest(generation);
    return generation === this.generation;
  }

  receive(event) {
    // The last events, for looking into a problem from the browser's console.
    this.recentEvents.push(event);
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    this.fromLive = true;
    try {
      this.store.apply(event);
    } finally {
      this.fromLive = false;
    }
    if (event.type === 'session:active' || event.type === 'session:spawn') {
      const sessionId = event.payload?.sessionId ?? event.payload?.session?.id;
      if (sessionId) setTimeout(() => this.refreshSession(sessionId), 300);
    }
  }

  /** The server no longer has the events after our position: load a fresh snapshot and listen from there. */
  async resync() {
    const generation = ++this.generation;
    this.live.stop();
    this.store.clear();
    this.fetcher.reset();
    const loading = this.load(generation);
    // Said once the first page is on the screen (the rest keeps loading).
    while (!this.store.loaded && generation === this.generation) await new Promise((resolve) => setTimeout(resolve, 50));
    if (generation === this.generation) {
      this.notify('Reloaded the latest state: the server no longer had every change this page missed.');
    }
    await loading;
  }

  /** After the stream dropped: is the server there, and does it still take our token? */
  async probe() {
    try {
      await this.api().request('GET', '/api/sessions', { query: { limit: 1 } });
      this.serverReachable = true;
    } catch (error) {
      this.serverReachable = !error.isNetwork;
    }
    this.topbar.renderConnection();
  }

  /** The project's settings (how long a stale entry went without a report needs its staleAfterSeconds). */
  async loadProjectSettings(generation) {
    try {
      const overview = await this.api().projectOverview();
      if (generation === this.generation && overview?.project && !this.store.project) {
        this.store.putProject(overview.project);
      }
    } catch {
      /* stale entries then say only since when they are stale */
    }
  }

  scheduleRefreshTask(taskId) {
    if (this.staleTimers.has(taskId)) return;
    this.staleTimers.set(
      taskId,
      setTimeout(() => {
        this.staleTimers.delete(taskId);
        this.refreshTask(taskId);
      }, 100),
    );
  }

  /** Reads one task again (after a refusal, or when events skipped versions). */
  async refreshTask(taskId) {
    const generation = this.generation;
    try {
      const task = await this.api().getTask(taskId);
      if (generation === this.generation) this.store.putTask(task);
    } catch (error) {
      if (error.status === 404 && generation === this.generation) this.store.removeTask(taskId);
    }
  }

  async refreshSession(sessionId) {
    const generation = this.generation;
    try {
      const session = await this.api().getSession(sessionId);
      if (generation !== this.generation) return;
      if (this.store.sessions.has(sessionId)) this.store.mergeSessionReads([session]);
      else this.store.putSession(session);
    } catch {
      /* the next event or refresh brings it */
    }
  }

  /** Host, pid and last heartbeat change without events: read them while the sessions view is open. */
  async refreshHeartbeats() {
    if (this.view !== 'sessions' || !this.live.connected || document.visibilityState !== 'visible') return;
    try {
      const { sessions } = await this.api().allSessions();
      this.store.mergeSessionReads(sessions);
    } catch {
      /* shown by the connection indicator */
    }
  }

  // Drawing

  /** Gathers a store change for the next frame. */
  changed(change) {
    if (this.fromLive) for (const item of change.attention) this.attention.needsInput(item);
    if (change.attention.length || change.taskIds.length) this.attention.closeAnswered();
    const changes = this.changes;
    if (change.reset || change.project) changes.all = true;
    if (change.bulk) changes.bulk = true;
    for (const id of change.taskIds) changes.taskIds.add(id);
    for (const id of change.sessionIds) changes.sessionIds.add(id);
    if (this.detail.taskId && !change.reset && change.taskIds.includes(this.detail.taskId)) this.pendingHistory = true;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    // Hidden pages get no animation frames, but their title still counts the questions.
    if (document.visibilityState === 'hidden') this.frame = { timer: setTimeout(() => this.render(), 100) };
    else this.frame = { request: requestAnimationFrame(() => this.render()) };
  }

  /** Draws now what has changed (the first page of a snapshot, a view switch). */
  renderNow() {
    this.changes.all = true;
    this.render();
  }

  render() {
    if (this.frame) {
      cancelAnimationFrame(this.frame.request);
      clearTimeout(this.frame.timer);
      this.frame = null;
    }
    const change = this.changes;
    this.changes = emptyChanges();
    if (this.view === 'tasks' || this.view === 'task') this.list.render(change);
    if (this.view === 'task' && this.detail.affectedBy(change)) this.detail.update();
    if (this.view === 'sessions') this.sessions.render(change);
    if (this.pendingHistory) {
      this.pendingHistory = false;
      this.detail.scheduleHistory();
    }
    this.attention.updateTitle(change.all || change.sessionIds.size > 0);
  }

  // Connection indicator

  setConnection(state) {
    this.connection = state;
    if (state.name === 'live') this.serverReachable = true;
    this.topbar.renderConnection();
  }

  // Projects and routing

  switchProject(projectId, { push }) {
    this.projectId = projectId;
    this.topbar.showProject(projectId);
    if (push) {
      const url = new URL(window.location.href);
      url.searchParams.set('project', projectId);
      url.hash = '#/tasks';
      window.history.pushState(null, '', url.toString());
    }
    this.detail.hide();
    if (this.token) this.openProject();
    this.route({ focus: false });
    announce(`Switched to project ${projectId}.`);
  }

  navigate(hash) {
    if (window.location.hash === hash) this.route({ focus: true });
    else window.location.hash = hash;
  }

  route({ focus }) {
    const hash = window.location.hash || '#/tasks';
    const taskMatch = /^#\/tasks\/(.+)$/.exec(hash);
    const signedIn = Boolean(this.token);
    let view = 'tasks';
    if (taskMatch) view = 'task';
    else if (hash.startsWith('#/sessions')) view = 'sessions';
    else if (hash.startsWith('#/fleet')) view = 'fleet';
    else if (hash.startsWith('#/webhooks')) view = 'webhooks';
    this.view = view;
    document.body.dataset.view = view;
    const section = view === 'task' ? 'tasks' : view;
    for (const name of ['tasks', 'sessions', 'fleet']) {
      document.getElementById(`${name}-view`).hidden = !signedIn || section !== name;
      const link = document.getElementById(`nav-${name}`);
      if (section === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (view === 'fleet' && signedIn) this.fleet.show();
    else this.fleet.hide();
    this.webhooks.route(hash, signedIn);
    if (!signedIn) return;
    if (view === 'task') {
      const taskId = decodeURIComponent(taskMatch[1]);
      this.list.setSelected(taskId);
      this.detail.show(taskId, { focus });
    } else {
      this.list.setSelected(null);
      this.detail.hide();
      if (focus) document.getElementById('main').focus({ preventScroll: true });
    }
    if (view === 'sessions') this.refreshHeartbeats();
    this.renderNow();
    const sessionMatch = /^#\/sessions\/(.+)$/.exec(hash);
    if (sessionMatch) this.sessions.showSession(decodeURIComponent(sessionMatch[1]));
  }

  startSubtask(parentId) {
    this.navigate('#/tasks');
    this.list.startSubtask(parentId);
  }
}

function emptyChanges() {
  return { all: false, bulk: false, taskIds: new Set(), sessionIds: new Set() };
}

function projectFromAddress() {
  const project = new URL(window.location.href).searchParams.get('project');
  return project && PROJECT_ID_PATTERN.test(project) ? project : 'default';
}
