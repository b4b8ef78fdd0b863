// The dashboard: signs in with the user token, loads a project's snapshot, keeps it live over the WebSocket
// stream, routes between the task list, a task's detail and the sessions view, and tells the user when a
// session needs input (page title, optional browser notification).

import { Api } from './api.js';
import { announce, h, refreshTimes, setChildren } from './dom.js';
import { LiveConnection } from './live.js';
import { PROJECT_ID_PATTERN, earlierStreamId, shortId } from './model.js';
import { SessionsView } from './sessions.js';
import { ProjectStore } from './store.js';
import { TaskDetailView } from './task-detail.js';
import { TaskListView, clip } from './task-list.js';

const TOKEN_KEY = 'maestro.token';
const PROJECTS_KEY = 'maestro.recentProjects';
const NOTIFY_KEY = 'maestro.notifyNeedsInput';
const HEARTBEAT_REFRESH_MS = 15000;
const NOTICE_MS = 7000;

class App {
  constructor() {
    this.store = new ProjectStore();
    this.token = null;
    this.projectId = 'default';
    this.generation = 0;
    this.connection = { name: 'stopped' };
    this.serverReachable = true;
    this.fromLive = false;
    this.renderTimer = null;
    this.pendingHistory = false;
    this.staleTimers = new Map();
    this.recentEvents = [];
    /** Open "needs input" notices by task and session, closed when that question is no longer open. */
    this.questionNotices = new Map();
    this.notifyOn = readStorage(NOTIFY_KEY) === 'on';

    this.live = new LiveConnection({
      url: (since) => this.api().streamURL(since),
      onEvent: (event) => this.receive(event),
      onResync: () => this.resync(),
      onState: (state) => this.setConnection(state),
      onDrop: () => this.probe(),
    });

    this.list = new TaskListView(this);
    this.detail = new TaskDetailView(this);
    this.sessions = new SessionsView(this);
    this.store.onStale = (taskId) => this.scheduleRefreshTask(taskId);
    this.store.subscribe((change) => this.changed(change));
  }

  /** The API for the current token and project. */
  api() {
    return new Api({
      token: this.token,
      projectId: this.projectId,
      onAuthFailure: (error) => this.signOut(error.message),
    });
  }

  start() {
    this.readAddress();
    this.bindChrome();
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
    setInterval(() => this.renderConnection(), 1000);
    setInterval(() => this.refreshHeartbeats(), HEARTBEAT_REFRESH_MS);
    if (this.token) this.openProject();
    else this.showSignIn('');
    this.route({ focus: false });
  }

  /**
   * Takes `#token=…` (remembered, then removed from the address bar; after `#` it never reaches a server or its logs;
   * a route may follow: `#token=…&/tasks/ID`) and `?project=`.
   */
  readAddress() {
    const url = new URL(window.location.href);
    const match = /^#token=([^&]*)(?:&(.*))?$/.exec(url.hash);
    const token = match ? decodeURIComponent(match[1]) : null;
    if (match) {
      if (token) writeStorage(TOKEN_KEY, token);
      url.hash = match[2] ? `#${match[2]}` : '';
      window.history.replaceState(window.history.state, '', url.toString());
    }
    this.token = token || readStorage(TOKEN_KEY) || null;
    this.projectId = projectFromAddress();
    document.getElementById('project-input').value = this.projectId;
    this.renderRecentProjects();
  }

  bindChrome() {
    document.getElementById('signin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.signIn(document.getElementById('token-input').value.trim());
    });
    document.getElementById('change-token').addEventListener('click', () => this.signOut('', { forget: true }));
    document.getElementById('reconnect').addEventListener('click', () => this.live.retryNow());
    document.getElementById('notify-toggle').addEventListener('click', () => this.toggleNotifications());
    document.getElementById('project-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = document.getElementById('project-input');
      const error = document.getElementById('project-error');
      const value = input.value.trim();
      if (!PROJECT_ID_PATTERN.test(value)) {
        error.textContent = 'A project id is 1 to 128 letters, digits, dots, dashes, underscores or colons.';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      error.textContent = '';
      input.removeAttribute('aria-invalid');
      if (value !== this.projectId) this.switchProject(value, { push: true });
    });
    this.renderNotifyToggle();
  }

  // Signing in

  showSignIn(message) {
    document.body.dataset.signedIn = 'false';
    document.getElementById('signin').hidden = false;
    document.getElementById('tasks-view').hidden = true;
    document.getElementById('sessions-view').hidden = true;
    document.getElementById('signin-error').textContent = message;
    const input = document.getElementById('token-input');
    input.value = '';
    input.focus();
  }

  async signIn(token) {
    const error = document.getElementById('signin-error');
    if (!token) {
      error.textContent = 'Enter the user token.';
      return;
    }
    error.textContent = 'Checking…';
    const probe = new Api({ token, projectId: this.projectId });
    try {
      await probe.request('GET', '/api/sessions', { query: { limit: 1 }, action: 'Could not sign in' });
    } catch (failure) {
      error.textContent = failure.message;
      return;
    }
    error.textContent = '';
    this.token = token;
    writeStorage(TOKEN_KEY, token);
    document.getElementById('signin').hidden = true;
    this.openProject();
    this.route({ focus: true });
  }

  signOut(message, { forget = false } = {}) {
    if (!this.token && !forget) return;
    this.generation += 1;
    this.live.stop();
    this.store.clear();
    this.detail.hide();
    if (forget || message) removeStorage(TOKEN_KEY);
    this.token = null;
    this.showSignIn(message);
  }

  // Loading and live updates

  async openProject() {
    const generation = ++this.generation;
    document.body.dataset.signedIn = 'true';
    document.getElementById('signin').hidden = true;
    this.live.stop();
    this.store.clear();
    this.rememberProject(this.projectId);
    this.updateTitle();
    const cursor = await this.loadSnapshot(generation);
    if (cursor === undefined || generation !== this.generation) return;
    this.live.start(cursor);
  }

  /** Loads every task and session, retrying while the server is unreachable; resolves to the stream cursor. */
  async loadSnapshot(generation) {
    let shown = null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const api = this.api();
        const [tasks, sessions] = await Promise.all([api.allTasks(), api.allSessions()]);
        if (generation !== this.generation) return undefined;
        this.store.reset(tasks.tasks, sessions.sessions);
        shown?.dismiss();
        return earlierStreamId(tasks.cursor, sessions.cursor) ?? null;
      } catch (error) {
        if (generation !== this.generation || error.isAuth) return undefined;
        this.serverReachable = !error.isNetwork;
        if (!shown) shown = this.notify(`${error.message} Retrying…`, { kind: 'error', sticky: true });
        const delay = Math.min(8000, 500 * 2 ** attempt);
        this.setConnection({ name: 'offline', retryAt: Date.now() + delay });
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (generation !== this.generation) return undefined;
      }
    }
  }

  receive(event) {
    // The last events, for looking into a problem from the browser's console.
    this.recentEvents.push(event);
    if (this.recentEvents.length > 100) this.recentEvents.shift();
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
    const cursor = await this.loadSnapshot(generation);
    if (cursor === undefined || generation !== this.generation) return;
    this.live.start(cursor);
    this.notify('Reloaded the latest state: the server no longer had every change this page missed.');
  }

  /** After the stream dropped: is the server there, and does it still take our token? */
  async probe() {
    try {
      await this.api().request('GET', '/api/sessions', { query: { limit: 1 } });
      this.serverReachable = true;
    } catch (error) {
      this.serverReachable = !error.isNetwork;
    }
    this.renderConnection();
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
    try {
      const task = await this.api().getTask(taskId);
      this.store.putTask(task);
    } catch (error) {
      if (error.status === 404) this.store.removeTask(taskId);
    }
  }

  async refreshSession(sessionId) {
    try {
      const session = await this.api().getSession(sessionId);
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

  changed(change) {
    if (this.fromLive) for (const item of change.attention) this.needsInput(item);
    this.closeAnsweredNotices();
    if (this.detail.taskId && !change.reset && change.taskIds.includes(this.detail.taskId)) this.pendingHistory = true;
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, 16);
  }

  render() {
    this.list.render();
    if (this.view === 'task') this.detail.update();
    this.sessions.render();
    if (this.pendingHistory) {
      this.pendingHistory = false;
      this.detail.scheduleHistory();
    }
    this.updateTitle();
  }

  // Attention

  needsInput({ task, entry }) {
    const session = this.store.sessions.get(entry.sessionId);
    const who = session?.name ? `${session.name} (${shortId(entry.sessionId)})` : `Session ${shortId(entry.sessionId)}`;
    const text = `${who} needs input on “${clip(task.title, 80)}”${entry.notes ? `: ${clip(entry.notes, 140)}` : '.'}`;
    const key = `${task.id}\u0000${entry.sessionId}`;
    this.questionNotices.get(key)?.dismiss();
    this.questionNotices.set(
      key,
      this.notify(text, { kind: 'attention', link: { href: `#/tasks/${encodeURIComponent(task.id)}`, text: 'Answer' } }),
    );
    if (this.notifyOn && 'Notification' in window && Notification.permission === 'granted') {
      try {
        const notification = new Notification(`Input needed: ${clip(task.title, 60)}`, {
          body: `${who}: ${entry.notes ? clip(entry.notes, 200) : 'asks for your input.'}`,
          tag: `maestro:${task.id}:${entry.sessionId}`,
        });
        notification.addEventListener('click', () => {
          window.focus();
          this.navigate(`#/tasks/${encodeURIComponent(task.id)}`);
          notification.close();
        });
      } catch {
        /* some browsers only allow notifications from a service worker */
      }
    }
  }

  closeAnsweredNotices() {
    for (const [key, notice] of this.questionNotices) {
      const [taskId, sessionId] = key.split('\u0000');
      const entry = this.store.tasks.get(taskId)?.sessionProgress.find((item) => item.sessionId === sessionId);
      if (entry?.status !== 'needs_input') {
        notice.dismiss();
        this.questionNotices.delete(key);
      }
    }
  }

  updateTitle() {
    const count = this.store.needsInputCount();
    const base = `Maestro · ${this.projectId}`;
    document.title = count > 0 ? `(${count}) Input needed · ${base}` : base;
    const badge = document.getElementById('nav-tasks-count');
    badge.textContent = count > 0 ? `${count} need${count === 1 ? 's' : ''} input` : '';
    badge.hidden = count === 0;
    const active = [...this.store.sessions.values()].filter((session) => session.status === 'active').length;
    const sessionsBadge = document.getElementById('nav-sessions-count');
    sessionsBadge.textContent = active > 0 ? `${active} active` : '';
    sessionsBadge.hidden = active === 0;
  }

  async toggleNotifications() {
    if (!('Notification' in window)) {
      this.notify('This browser cannot show notifications.', { kind: 'error' });
      return;
    }
    if (this.notifyOn) {
      this.notifyOn = false;
      writeStorage(NOTIFY_KEY, 'off');
      this.renderNotifyToggle();
      this.notify('Notifications turned off.');
      return;
    }
    let permission = Notification.permission;
    if (permission === 'default') permission = await Notification.requestPermission();
    if (permission === 'granted') {
      this.notifyOn = true;
      writeStorage(NOTIFY_KEY, 'on');
      this.notify('You will get a browser notification when a session starts needing input.');
    } else {
      this.notify('The browser does not allow notifications for this page. Allow them in the site settings first.', {
        kind: 'error',
      });
    }
    this.renderNotifyToggle();
  }

  renderNotifyToggle() {
    const button = document.getElementById('notify-toggle');
    button.setAttribute('aria-pressed', String(this.notifyOn));
    button.textContent = this.notifyOn ? 'Notifications on' : 'Notify me';
    button.title = this.notifyOn
      ? 'A browser notification appears when a session starts needing input. Click to turn off.'
      : 'Get a browser notification when a session starts needing input.';
  }

  // Connection indicator

  setConnection(state) {
    this.connection = state;
    if (state.name === 'live') this.serverReachable = true;
    this.renderConnection();
  }

  renderConnection() {
    const element = document.getElementById('connection');
    const text = document.getElementById('connection-text');
    const retry = document.getElementById('reconnect');
    const state = this.connection;
    let words;
    switch (state.name) {
      case 'live':
        words = 'Live';
        break;
      case 'connecting':
        words = state.attempt ? 'Reconnecting…' : 'Connecting…';
        break;
      case 'offline': {
        const seconds = Math.max(0, Math.ceil(((state.retryAt ?? Date.now()) - Date.now()) / 1000));
        words = `${this.serverReachable ? 'Disconnected' : 'Server unreachable'} — retrying in ${seconds} s`;
        break;
      }
      default:
        words = this.token ? 'Not connected' : 'Signed out';
    }
    if (element.dataset.state !== state.name) element.dataset.state = state.name;
    if (text.textContent !== words) text.textContent = words;
    retry.hidden = state.name !== 'offline' || !this.live.running;
  }

  // Projects

  switchProject(projectId, { push }) {
    this.projectId = projectId;
    document.getElementById('project-input').value = projectId;
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

  rememberProject(projectId) {
    const recent = (readStorage(PROJECTS_KEY) ?? '').split('\n').filter(Boolean);
    const next = [projectId, ...recent.filter((id) => id !== projectId)].slice(0, 10);
    writeStorage(PROJECTS_KEY, next.join('\n'));
    this.renderRecentProjects();
  }

  renderRecentProjects() {
    const recent = (readStorage(PROJECTS_KEY) ?? '').split('\n').filter(Boolean);
    setChildren(document.getElementById('project-list'), recent.map((id) => h('option', { value: id })));
  }

  // Routing

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
    this.view = view;
    document.body.dataset.view = view;
    document.getElementById('tasks-view').hidden = !signedIn || view === 'sessions';
    document.getElementById('sessions-view').hidden = !signedIn || view !== 'sessions';
    for (const [id, active] of [['nav-tasks', view !== 'sessions'], ['nav-sessions', view === 'sessions']]) {
      const link = document.getElementById(id);
      if (active) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
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
    this.render();
    const sessionMatch = /^#\/sessions\/(.+)$/.exec(hash);
    if (sessionMatch) this.showSession(decodeURIComponent(sessionMatch[1]));
  }

  /** Scrolls to a session's card (links from a task's progress list), once it is there. */
  showSession(sessionId, attempts = 20) {
    const card = [...document.querySelectorAll('#session-list > li')].find((li) => li.dataset.sessionId === sessionId);
    if (!card) {
      if (attempts > 0) setTimeout(() => this.showSession(sessionId, attempts - 1), 100);
      return;
    }
    card.scrollIntoView({ block: 'center' });
    const heading = card.querySelector('.session-name');
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    card.classList.add('highlight');
    setTimeout(() => card.classList.remove('highlight'), 2000);
  }

  startSubtask(parentId) {
    this.navigate('#/tasks');
    this.list.startSubtask(parentId);
  }

  // Notices

  /**
   * Shows a short message at the top. kind: 'info' (goes away by itself), 'error' or 'attention' (stay until
   * dismissed). Returns a handle with `dismiss()`.
   */
  notify(text, { kind = 'info', link = null, sticky = false } = {}) {
    const container = document.getElementById('notices');
    const dismiss = () => element.remove();
    const close = h(
      'button',
      { type: 'button', class: 'link-button notice-close', 'aria-label': 'Dismiss this message' },
      '✕',
    );
    const element = h(
      'div',
      { class: `notice notice-${kind}`, role: kind === 'info' ? 'status' : 'alert' },
      h('span', { class: 'notice-text' }, text),
      link ? h('a', { href: link.href, class: 'notice-link', onclick: () => setTimeout(dismiss, 0) }, link.text) : null,
      close,
    );
    close.addEventListener('click', dismiss);
    container.append(element);
    while (container.children.length > 4) container.firstElementChild.remove();
    if (kind === 'info' && !sticky) setTimeout(dismiss, NOTICE_MS);
    return { dismiss };
  }
}

function projectFromAddress() {
  const project = new URL(window.location.href).searchParams.get('project');
  return project && PROJECT_ID_PATTERN.test(project) ? project : 'default';
}

function readStorage(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    /* storage blocked: the token lasts for this page only */
  }
}

function removeStorage(key) {
  try {
    window.localStorage.removeItem(key);
  } catch {
    /* nothing to remove */
  }
}

const app = new App();
window.maestroDashboard = app;
app.start();
