// What the dashboard knows about one project: its tasks and sessions, built from a snapshot and kept current by
// the live events (spec §6.3). Task events carry the task's `version`; one that is not newer than what is held is
// ignored, so replays and the page's own writes never go backwards.

import { aggregateStatus } from './model.js';

export class ProjectStore {
  constructor() {
    /** @type {Map<string, object>} */
    this.tasks = new Map();
    /** @type {Map<string, object>} */
    this.sessions = new Map();
    this.loaded = false;
    this.listeners = new Set();
    /** Called with a task id whose full record should be fetched again (a gap in its versions, or unknown). */
    this.onStale = null;
  }

  /** Calls `listener(change)` after every change; `change.taskIds` and `change.sessionIds` say what changed. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change) {
    for (const listener of this.listeners) listener(change);
  }

  /** Replaces everything with a snapshot. */
  reset(tasks, sessions) {
    this.tasks = new Map(tasks.map((task) => [task.id, normalizeTask(task)]));
    this.sessions = new Map(sessions.map((session) => [session.id, session]));
    this.loaded = true;
    this.emit({ reset: true, taskIds: [], sessionIds: [], attention: [] });
  }

  clear() {
    this.tasks = new Map();
    this.sessions = new Map();
    this.loaded = false;
    this.emit({ reset: true, taskIds: [], sessionIds: [], attention: [] });
  }

  /** Takes a full task (from an API response or event) when it is newer than the one held. */
  putTask(task) {
    const held = this.tasks.get(task.id);
    if (held && Number(task.version) <= Number(held.version)) return false;
    const before = held ? needsInputIds(held) : new Set();
    const next = normalizeTask(task);
    this.tasks.set(task.id, next);
    const attention = next.sessionProgress
      .filter((entry) => entry.status === 'needs_input' && !before.has(entry.sessionId))
      .map((entry) => ({ task: next, entry }));
    this.emit({ taskIds: [task.id], sessionIds: [], attention });
    return true;
  }

  removeTask(taskId) {
    if (!this.tasks.delete(taskId)) return;
    this.emit({ taskIds: [taskId], sessionIds: [], attention: [], deleted: taskId });
  }

  /** Takes a whole session record (from an event, or a read of a session not held yet). */
  putSession(session) {
    const held = this.sessions.get(session.id);
    this.sessions.set(session.id, { ...held, ...session });
    this.emit({ taskIds: [], sessionIds: [session.id], attention: [] });
  }

  /**
   * Takes what a later read of sessions brings that no event carries (host, pid, last heartbeat); the lifecycle
   * status of a session already held comes from the events only, which are never older than they look.
   */
  mergeSessionReads(sessions) {
    const changed = [];
    for (const session of sessions) {
      const held = this.sessions.get(session.id);
      if (!held) {
        this.sessions.set(session.id, session);
        changed.push(session.id);
        continue;
      }
      const next = { ...held, host: session.host, pid: session.pid, lastHeartbeat: session.lastHeartbeat };
      if (next.host !== held.host || next.pid !== held.pid || next.lastHeartbeat !== held.lastHeartbeat) {
        this.sessions.set(session.id, next);
        changed.push(session.id);
      }
    }
    if (changed.length) this.emit({ taskIds: [], sessionIds: changed, attention: [] });
  }

  /** Applies one live event; returns nothing. Unknown types are ignored (newer servers may add some). */
  apply(event) {
    const payload = event.payload ?? {};
    switch (event.type) {
      case 'task:created':
      case 'task:updated':
        if (payload.task) this.putTask(payload.task);
        break;
      case 'task:deleted':
        this.removeTask(payload.taskId);
        break;
      case 'task:session_status':
        this.applyProgress(payload);
        break;
      case 'task:input_answer':
        this.applyAnswer(payload);
        break;
      case 'session:spawn':
        if (payload.session) {
          this.putSession({ ...payload.session, taskIds: payload.taskIds ?? payload.session.taskIds ?? [] });
        }
        break;
      case 'session:active':
        this.applyLifecycle(payload.sessionId, { status: 'active', error: undefined });
        break;
      case 'session:stopped':
        this.applyLifecycle(payload.sessionId, { status: 'stopped' });
        break;
      case 'session:failed':
        this.applyLifecycle(payload.sessionId, { status: 'failed', error: payload.error });
        break;
      default:
        break;
    }
  }

  /** A task event for a task not held, or one that skips versions: the caller fetches the task again. */
  stale(taskId) {
    if (this.onStale) this.onStale(taskId);
  }

  /** Checks an event's version against the held task: returns the task to change, or null to ignore. */
  acceptVersion(taskId, version) {
    const task = this.tasks.get(taskId);
    if (!task) {
      this.stale(taskId);
      return null;
    }
    if (version == null) return task;
    if (Number(version) <= Number(task.version)) return null;
    if (Number(version) > Number(task.version) + 1) this.stale(taskId);
    return task;
  }

  applyProgress(payload) {
    const { taskId, sessionId, status, notes, lastUpdated, version } = payload;
    const held = this.acceptVersion(taskId, version);
    if (!held) return;
    const task = structuredClone(held);
    let entry = task.sessionProgress.find((candidate) => candidate.sessionId === sessionId);
    const before = entry?.status;
    if (!entry) {
      entry = { sessionId };
      task.sessionProgress.push(entry);
      if (!task.sessionIds.includes(sessionId)) task.sessionIds.push(sessionId);
    }
    entry.status = status;
    entry.lastUpdated = lastUpdated;
    if (notes == null || notes === '') delete entry.notes;
    else entry.notes = notes;
    if (status === 'needs_input') {
      // A new question wants a new answer.
      delete entry.answer;
      delete entry.answeredAt;
    }
    if (version != null) task.version = version;
    if (lastUpdated) task.updatedAt = lastUpdated;
    task.aggregateStatus = aggregateStatus(task);
    this.tasks.set(taskId, task);
    const session = this.sessions.get(sessionId);
    if (session && !(session.taskIds ?? []).includes(taskId)) {
      this.sessions.set(sessionId, { ...session, taskIds: [...(session.taskIds ?? []), taskId] });
    }
    const attention = status === 'needs_input' && before !== 'needs_input' ? [{ task, entry }] : [];
    this.emit({ taskIds: [taskId], sessionIds: [sessionId], attention });
  }

  applyAnswer(payload) {
    const { taskId, sessionId, answer, answeredAt, version } = payload;
    const held = this.acceptVersion(taskId, version);
    if (!held) return;
    const task = structuredClone(held);
    const entry = task.sessionProgress.find((candidate) => candidate.sessionId === sessionId);
    if (entry) {
      entry.answer = answer;
      entry.answeredAt = answeredAt;
    } else {
      this.stale(taskId);
    }
    if (version != null) task.version = version;
    if (answeredAt) task.updatedAt = answeredAt;
    this.tasks.set(taskId, task);
    this.emit({ taskIds: [taskId], sessionIds: [], attention: [] });
  }

  applyLifecycle(sessionId, fields) {
    const held = this.sessions.get(sessionId);
    if (!held) {
      this.emit({ taskIds: [], sessionIds: [sessionId], attention: [], unknownSession: sessionId });
      return;
    }
    const session = { ...held, ...fields };
    if (fields.error === undefined && 'error' in fields) delete session.error;
    this.sessions.set(sessionId, session);
    this.emit({ taskIds: [], sessionIds: [sessionId], attention: [] });
  }

  /** How many progress entries, over all tasks, are waiting for a person's answer. */
  needsInputCount() {
    let count = 0;
    for (const task of this.tasks.values()) {
      for (const entry of task.sessionProgress) if (entry.status === 'needs_input') count += 1;
    }
    return count;
  }

  /** The tasks a session is linked to (from the tasks' side, which is authoritative). */
  tasksOfSession(sessionId) {
    const session = this.sessions.get(sessionId);
    const ids = new Set(session?.taskIds ?? []);
    for (const task of this.tasks.values()) if (task.sessionIds.includes(sessionId)) ids.add(task.id);
    return [...ids].map((id) => this.tasks.get(id) ?? { id, title: null });
  }
}

function normalizeTask(task) {
  const copy = structuredClone(task);
  copy.sessionIds = copy.sessionIds ?? [];
  copy.sessionProgress = copy.sessionProgress ?? [];
  copy.aggregateStatus = aggregateStatus(copy);
  return copy;
}

function needsInputIds(task) {
  return new Set(task.sessionProgress.filter((entry) => entry.status === 'needs_input').map((entry) => entry.sessionId));
}
