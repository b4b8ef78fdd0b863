// The HTTP API of maestro-server (docs/openapi.json) for the dashboard, with every failure turned into an
// ApiError whose message says, in plain words, what failed and what the user can do.

import { statusLabel } from './model.js';

/** A failed API call. `message` is for people; `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = '', current, allowed, serverMessage } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.current = current;
    this.allowed = allowed;
    this.serverMessage = serverMessage;
  }

  /** True when the token was missing or refused: the user must give it again. */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }

  /** True when the server could not be reached at all. */
  get isNetwork() {
    return this.status === 0;
  }
}

/** Builds the message a person reads from an HTTP status and the server's `{error:{code,message,…}}` body. */
export function describeFailure(action, status, error) {
  const what = action ? `${action}: ` : '';
  const message = error?.message ? trimPeriod(error.message) : '';
  const code = error?.code ?? '';
  if (status === 401) return `${what}the server needs your user token. Please enter it again.`;
  if (status === 403) {
    if (code === 'FORBIDDEN' && /token/i.test(message)) {
      return `${what}the server did not accept your user token. Please check it and enter it again.`;
    }
    return `${what}not permitted${message ? ` (${message})` : ''}.`;
  }
  if (status === 409 && code === 'INVALID_TRANSITION') {
    let text = `${what}not allowed`;
    if (error.current) {
      text += ` — it is ${statusLabel(error.current)} now`;
      if (Array.isArray(error.allowed)) {
        const allowed = error.allowed.filter((target) => target !== error.current).map(statusLabel);
        text += allowed.length
          ? `, and from there it can only go to ${joinWords(allowed)}`
          : ', and it cannot change from there';
      }
    }
    return `${text}. The page shows the latest state.${message ? ` (Server: ${message}.)` : ''}`;
  }
  if (status === 409) return `${what}${message || 'it conflicts with the current state'}.`;
  if (status === 404) return `${what}${message || 'not found on this server'}.`;
  if (status === 400 || status === 413) {
    return `${what}the server did not accept the input: ${message || 'invalid request'}.`;
  }
  if (status === 503) {
    const detail = message ? ` (${message})` : '';
    return `${what}the server cannot reach its Redis database right now${detail}. Try again in a moment.`;
  }
  if (status >= 500) return `${what}the server failed unexpectedly (HTTP ${status})${message ? `: ${message}` : ''}.`;
  return `${what}the server answered HTTP ${status}${message ? `: ${message}` : ''}.`;
}

function trimPeriod(text) {
  return String(text).trim().replace(/\.$/, '');
}

function joinWords(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Calls the API of one project with one user token. */
export class Api {
  /**
   * @param {{token: string, projectId: string, onAuthFailure?: (error: ApiError) => void}} options
   */
  constructor({ token, projectId, onAuthFailure }) {
    this.token = token;
    this.projectId = projectId;
    this.onAuthFailure = onAuthFailure;
  }

  /**
   * One request. `action` ("Could not create the task") starts the message of the error thrown on failure.
   * Resolves to the parsed JSON body.
   */
  async request(method, path, { body, query = {}, action = '', started = null } = {}) {
    const url = new URL(path, window.location.origin);
    url.searchParams.set('projectId', this.projectId);
    for (const [name, value] of Object.entries(query)) {
      if (value != null && value !== '') url.searchParams.set(name, String(value));
    }
    const headers = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      // `started`: the same request, already sent (boot.js).
      response = await (started ??
        fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: 'no-store',
        }));
    } catch (cause) {
      throw new ApiError(
        `${action ? `${action}: ` : ''}the Maestro server at ${window.location.host} cannot be reached. ` +
          'Check that it is running and that this computer is online.',
        { status: 0, code: 'NETWORK' },
      );
    }
    const text = await response.text().catch(() => '');
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (response.ok) return data;
    const detail = data?.error ?? null;
    const error = new ApiError(describeFailure(action, response.status, detail), {
      status: response.status,
      code: detail?.code ?? '',
      current: detail?.current,
      allowed: detail?.allowed,
      serverMessage: detail?.message ?? text.slice(0, 200),
    });
    if (error.isAuth && this.onAuthFailure) this.onAuthFailure(error);
    throw error;
  }

  /**
   * One page of task summaries in creation order (`{tasks, total, cursor}`): id, title, status, priority, parent,
   * times, version and each session's status, no description or notes. `status`: a comma list, or all when empty.
   */
  async taskSummaries({ status = '', offset = 0, limit = 1000, started = null } = {}) {
    const page = await this.request('GET', '/api/tasks', {
      query: { view: 'summary', status, offset, limit },
      action: 'Could not load the tasks',
      started,
    });
    return { tasks: page?.tasks ?? [], total: Number(page?.total ?? 0), cursor: page?.cursor ?? null };
  }

  /** Every session of the project (all pages) and the stream cursor of the first page (`started`: its request). */
  async allSessions({ started = null } = {}) {
    const sessions = [];
    let cursor = null;
    for (let offset = 0; ; ) {
      const page = await this.request('GET', '/api/sessions', {
        query: { offset, limit: 1000 },
        action: 'Could not load the sessions',
        started: offset === 0 ? started : null,
      });
      cursor ??= page.cursor;
      sessions.push(...(page.sessions ?? []));
      offset += page.sessions?.length ?? 0;
      if (!page.sessions?.length || offset >= (page.total ?? 0)) break;
    }
    return { sessions, cursor };
  }

  getTask(taskId) {
    return this.request('GET', `/api/tasks/${encodeURIComponent(taskId)}`, { action: 'Could not load the task' });
  }

  createTask(fields) {
    return this.request('POST', '/api/tasks', { body: fields, action: 'Could not create the task' });
  }

  updateTask(taskId, fields, action = 'Could not change the task') {
    return this.request('PUT', `/api/tasks/${encodeURIComponent(taskId)}`, { body: fields, action });
  }

  deleteTask(taskId) {
    return this.request('DELETE', `/api/tasks/${encodeURIComponent(taskId)}`, { action: 'Could not delete the task' });
  }

  removeSession(taskId, sessionId) {
    return this.request('DELETE', `/api/tasks/${encodeURIComponent(taskId)}/sessions/${encodeURIComponent(sessionId)}`, {
      action: 'Could not remove the session from the task',
    });
  }

  answer(taskId, sessionId, answer) {
    return this.request(
      'POST',
      `/api/tasks/${encodeURIComponent(taskId)}/sessions/${encodeURIComponent(sessionId)}/answer`,
      { body: { answer }, action: 'Could not send the answer' },
    );
  }

  history(taskId) {
    return this.request('GET', `/api/tasks/${encodeURIComponent(taskId)}/history`, {
      action: 'Could not load the history',
    });
  }

  getSession(sessionId) {
    return this.request('GET', `/api/sessions/${encodeURIComponent(sessionId)}`, {
      action: 'Could not load the session',
    });
  }

  spawnSession(fields) {
    return this.request('POST', '/api/sessions', { body: fields, action: 'Could not create the session' });
  }

  stopSession(sessionId) {
    return this.request('POST', `/api/sessions/${encodeURIComponent(sessionId)}/stop`, {
      action: 'Could not stop the session',
    });
  }

  restartSession(sessionId) {
    return this.request('POST', `/api/sessions/${encodeURIComponent(sessionId)}/restart`, {
      action: 'Could not restart the session',
    });
  }

  /** The project's settings and task counts (`{project, counts, cursor}`). */
  projectOverview() {
    return this.request('GET', `/api/projects/${encodeURIComponent(this.projectId)}`, {
      action: 'Could not load the project settings',
    });
  }

  /** Every project that has data, with its settings and task counts. */
  async projects() {
    const reply = await this.request('GET', '/api/projects', { action: 'Could not load the projects' });
    return reply?.projects ?? [];
  }

  /**
   * Sessions across every project (`{sessions, totals, cursors}`), filtered by `project`, `host`, `lifecycle` (a
   * comma list) and `stale` ('true': only sessions with stale work).
   */
  fleet({ project = '', host = '', lifecycle = '', stale = '' } = {}) {
    return this.request('GET', '/api/fleet', {
      query: { project, host, lifecycle, stale },
      action: 'Could not load the fleet',
    });
  }

  /**
   * The WebSocket URL of the project's live stream, resuming after `since` when given. It carries a fresh
   * single-use ticket, never the user token: URLs end up in logs.
   */
  async streamURL(since) {
    const { ticket } = await this.request('POST', '/api/stream-tickets', { action: 'Could not open the live stream' });
    const url = new URL('/ws', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    url.searchParams.set('projectId', this.projectId);
    if (since) url.searchParams.set('since', since);
    url.searchParams.set('ticket', ticket);
    return url.toString();
  }
}
