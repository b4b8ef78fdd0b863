// Telling the user when a session needs input: the page title counts the open questions
// (`(2) Input needed · Maestro · …`), the Tasks tab says how many, a notice links to each new question (and goes
// when it is answered or withdrawn), and, when turned on with "Notify me", a browser notification.

import { shortId } from './model.js';
import { notify } from './notices.js';
import { readStorage, writeStorage } from './storage.js';
import { clip, taskHref } from './text.js';

const NOTIFY_KEY = 'maestro.notifyNeedsInput';

export class AttentionWatch {
  /** @param {object} app the dashboard (store, projectId, navigate()) */
  constructor(app) {
    this.app = app;
    /** Open "needs input" notices by task and session, closed when that question is no longer open. */
    this.questionNotices = new Map();
    this.notifyOn = readStorage(NOTIFY_KEY) === 'on';
    this.toggle = document.getElementById('notify-toggle');
    this.shown = { title: null, tasks: null, sessions: null };
  }

  bind() {
    this.toggle.addEventListener('click', () => this.toggleNotifications());
    this.renderToggle();
  }

  get store() {
    return this.app.store;
  }

  /** A session started needing input (a live event): a notice, and a browser notification when turned on. */
  needsInput({ task, entry }) {
    const session = this.store.sessions.get(entry.sessionId);
    const who = session?.name ? `${session.name} (${shortId(entry.sessionId)})` : `Session ${shortId(entry.sessionId)}`;
    const text = `${who} needs input on “${clip(task.title, 80)}”${entry.notes ? `: ${clip(entry.notes, 140)}` : '.'}`;
    const key = `${task.id}\u0000${entry.sessionId}`;
    this.questionNotices.get(key)?.dismiss();
    this.questionNotices.set(key, notify(text, { kind: 'attention', link: { href: taskHref(task.id), text: 'Answer' } }));
    if (this.notifyOn && 'Notification' in window && Notification.permission === 'granted') {
      try {
        const notification = new Notification(`Input needed: ${clip(task.title, 60)}`, {
          body: `${who}: ${entry.notes ? clip(entry.notes, 200) : 'asks for your input.'}`,
          tag: `maestro:${task.id}:${entry.sessionId}`,
        });
        notification.addEventListener('click', () => {
          window.focus();
          this.app.navigate(taskHref(task.id));
          notification.close();
        });
      } catch {
        /* some browsers only allow notifications from a service worker */
      }
    }
  }

  /** Closes the notices of questions that are no longer open. */
  closeAnswered() {
    for (const [key, notice] of this.questionNotices) {
      const [taskId, sessionId] = key.split('\u0000');
      const entry = this.store.tasks.get(taskId)?.sessionProgress.find((item) => item.sessionId === sessionId);
      if (entry?.status !== 'needs_input') {
        notice.dismiss();
        this.questionNotices.delete(key);
      }
    }
  }

  /** The page title and the counts on the Tasks and Sessions tabs (`sessionsChanged`: count the active again). */
  updateTitle(sessionsChanged = true) {
    const count = this.store.needsInputCount();
    const base = `Maestro · ${this.app.projectId}`;
    const title = count > 0 ? `(${count}) Input needed · ${base}` : base;
    if (title !== this.shown.title) document.title = this.shown.title = title;
    const tasksText = count > 0 ? `${count} need${count === 1 ? 's' : ''} input` : '';
    if (tasksText !== this.shown.tasks) {
      const badge = document.getElementById('nav-tasks-count');
      badge.textContent = this.shown.tasks = tasksText;
      badge.hidden = count === 0;
    }
    if (sessionsChanged || this.active === undefined) {
      this.active = 0;
      for (const session of this.store.sessions.values()) if (session.status === 'active') this.active += 1;
    }
    const active = this.active;
    const sessionsText = active > 0 ? `${active} active` : '';
    if (sessionsText !== this.shown.sessions) {
      const badge = document.getElementById('nav-sessions-count');
      badge.textContent = this.shown.sessions = sessionsText;
      badge.hidden = active === 0;
    }
  }

  async toggleNotifications() {
    if (!('Notification' in window)) {
      notify('This browser cannot show notifications.', { kind: 'error' });
      return;
    }
    if (this.notifyOn) {
      this.notifyOn = false;
      writeStorage(NOTIFY_KEY, 'off');
      this.renderToggle();
      notify('Notifications turned off.');
      return;
    }
    let permission = Notification.permission;
    if (permission === 'default') permission = await Notification.requestPermission();
    if (permission === 'granted') {
      this.notifyOn = true;
      writeStorage(NOTIFY_KEY, 'on');
      notify('You will get a browser notification when a session starts needing input.');
    } else {
      notify('The browser does not allow notifications for this page. Allow them in the site settings first.', {
        kind: 'error',
      });
    }
    this.renderToggle();
  }

  renderToggle() {
    const button = this.toggle;
    button.setAttribute('aria-pressed', String(this.notifyOn));
    button.textContent = this.notifyOn ? 'Notifications on' : 'Notify me';
    button.title = this.notifyOn
      ? 'A browser notification appears when a session starts needing input. Click to turn off.'
      : 'Get a browser notification when a session starts needing input.';
  }
}
