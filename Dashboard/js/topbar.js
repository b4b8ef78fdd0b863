// The top bar: the project switcher (with recently used projects), the live connection indicator with its
// "Reconnect now", and "Change token". The notification toggle next to them belongs to attention.js.

import { h, setChildren } from './dom.js';
import { PROJECT_ID_PATTERN } from './model.js';
import { readStorage, writeStorage } from './storage.js';

const PROJECTS_KEY = 'maestro.recentProjects';

export class TopBar {
  /** @param {object} app the dashboard (projectId, live, connection, switchProject(), signOut()) */
  constructor(app) {
    this.app = app;
    this.connection = document.getElementById('connection');
    this.connectionText = document.getElementById('connection-text');
    this.reconnect = document.getElementById('reconnect');
    this.projectInput = document.getElementById('project-input');
    this.projectError = document.getElementById('project-error');
  }

  bind() {
    document.getElementById('change-token').addEventListener('click', () => this.app.signOut('', { forget: true }));
    this.reconnect.addEventListener('click', () => this.app.live.retryNow());
    document.getElementById('project-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = this.projectInput;
      const value = input.value.trim();
      if (!PROJECT_ID_PATTERN.test(value)) {
        this.projectError.textContent =
          'A project id is 1 to 128 letters, digits, dots, dashes, underscores or colons.';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      this.projectError.textContent = '';
      input.removeAttribute('aria-invalid');
      if (value !== this.app.projectId) this.app.switchProject(value, { push: true });
    });
    this.renderRecentProjects();
  }

  showProject(projectId) {
    this.projectInput.value = projectId;
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

  /** The indicator: live, (re)connecting, offline with the seconds until the next attempt, or stopped. */
  renderConnection() {
    const { connection: state, serverReachable, token, live } = this.app;
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
        words = `${serverReachable ? 'Disconnected' : 'Server unreachable'} — retrying in ${seconds} s`;
        break;
      }
      default:
        words = token ? 'Not connected' : 'Signed out';
    }
    if (this.connection.dataset.state !== state.name) this.connection.dataset.state = state.name;
    if (this.connectionText.textContent !== words) this.connectionText.textContent = words;
    this.reconnect.hidden = state.name !== 'offline' || !live.running;
  }
}
