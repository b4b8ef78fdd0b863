// Signing in: the user token from the address (`#token=…`, remembered, then removed from the address bar), from
// this browser's storage, or asked for; and forgetting it again.

import { Api } from './api.js';
import { readStorage, removeStorage, writeStorage } from './storage.js';

const TOKEN_KEY = 'maestro.token';

export class SignInScreen {
  /** @param {object} app the dashboard (projectId, token, openProject(), route()) */
  constructor(app) {
    this.app = app;
    this.section = document.getElementById('signin');
    this.error = document.getElementById('signin-error');
    this.input = document.getElementById('token-input');
  }

  bind() {
    document.getElementById('signin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.signIn(this.input.value.trim());
    });
  }

  /**
   * The token of this page: from `#token=…` (remembered, then removed from the address bar; after `#` it never
   * reaches a server or its logs; a route may follow: `#token=…&/tasks/ID`), else the remembered one, else null.
   */
  tokenFromAddress() {
    const url = new URL(window.location.href);
    const match = /^#token=([^&]*)(?:&(.*))?$/.exec(url.hash);
    const token = match ? decodeURIComponent(match[1]) : null;
    if (match) {
      if (token) writeStorage(TOKEN_KEY, token);
      url.hash = match[2] ? `#${match[2]}` : '';
      window.history.replaceState(window.history.state, '', url.toString());
    }
    return token || readStorage(TOKEN_KEY) || null;
  }

  show(message) {
    document.body.dataset.signedIn = 'false';
    this.section.hidden = false;
    document.getElementById('tasks-view').hidden = true;
    document.getElementById('sessions-view').hidden = true;
    document.getElementById('fleet-view').hidden = true;
    this.error.textContent = message;
    this.input.value = '';
    this.input.focus();
  }

  hide() {
    document.body.dataset.signedIn = 'true';
    this.section.hidden = true;
  }

  async signIn(token) {
    if (!token) {
      this.error.textContent = 'Enter the user token.';
      return;
    }
    this.error.textContent = 'Checking…';
    const probe = new Api({ token, projectId: this.app.projectId });
    try {
      await probe.request('GET', '/api/sessions', { query: { limit: 1 }, action: 'Could not sign in' });
    } catch (failure) {
      this.error.textContent = failure.message;
      return;
    }
    this.error.textContent = '';
    this.app.token = token;
    writeStorage(TOKEN_KEY, token);
    this.hide();
    this.app.openProject();
    this.app.route({ focus: true });
  }

  /** Forgets the remembered token (after the server refused it, or when the user wants to give another). */
  forget() {
    removeStorage(TOKEN_KEY);
  }
}
