// What the dashboard knows about one project: its tasks (records, see task-records.js, with the indexes of
// task-index.js) and sessions, built from snapshot pages and kept current by the live events (spec §6.3).
//
// Every task change carries the task's `version`: an event or a page row is taken only when its version is newer
// than what is held, so replays, pages read while events arrive, and the page's own writes never go backwards or
// apply twice. While the snapshot is still loading page by page, an event about a task not held yet is kept until
// its page arrives (then applied if newer than the row), and a deleted task's id is remembered with the event's
// stream id, so that a page read before the deletion cannot bring it back.

import { compareStreamIds } from './model.js';
import { TaskIndex } from './task-index.js';
import { TASK_ORDERS, fromFull, fromSummary, withAnswer, withProgress, withStale } from './task-records.js';

const NO_CHANGE = { taskIds: [], sessionIds: [], attention: [] };

export class ProjectStore {
  constructor() {
    /** @type {Map<string, object>} task id → record */
    this.tasks = new Map();
    /** @type {Map<string, object>} */
    this.sessions = new Map();
    this.index = new TaskIndex();
    /** The first page of tasks is in (the list can be shown). */
    this.loaded = false;
    /** Every page is in. */
    this.complete = false;
    /** How many tasks the project had when loading began (for "loaded 40,000 of 100,000"). */
    this.expected = 0;
    this.sessionsLoaded = false;
    this.listeners = new Set();
    /** Called with a task id whose full record should be fetched again (a gap in its versions, or unknown). */
    this.onStale = null;
    /** @type {Map<string, object[]>} events about tasks not held yet, while loading */
    this.pending = new Map();
    /** @type {Map<string, string>} task id → stream id of its deletion, while loading */
    this.tombstones = new Map();
    /** The project's settings (GET /api/projects/:id, project:updated), null until read. */
    this.project = null;
  }

  /** Calls `listener(change)` after every change; `change.taskIds` and `change.sessionIds` say what changed. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change) {
    for (const listener of this.listeners) listener(change);
  }

  clear() {
    this.tasks = new Map();
    this.sessions = new Map();
    this.index.reset();
    this.loaded = false;
    this.complete = false;
    this.sessionsLoaded = false;
    this.expected = 0;
    this.pending.clear();
    this.tombstones.clear();
    this.project = null;
    this.emit({ ...NO_CHANGE, reset: true });
  }

  /** Puts `next` in the place of `previous` (either may be null) in the map and every index. */
  set(previous, next) {
    if (next) this.tasks.set(next.id, next);
    else this.tasks.delete(previous.id);
    this.index.update(previous ?? null, next ?? null);
  }

  // Snapshot pages

  /** Takes one page of task summaries, consistent with the stream up to `cursor`; returns how many were new. */
  putPage(rows, cursor) {
    const ids = [];
    for (const row of rows) {
      const deletedAt = this.tombstones.get(row.id);
      if (deletedAt && (!cursor || compareStreamIds(deletedAt, cursor) > 0)) continue;
      const held = this.tasks.get(row.id);
      if (held && Number(row.version) <= held.version) continue;
      this.set(held, fromSummary(row));
      ids.push(row.id);
      if (this.pending.has(row.id)) this.drainPending(row.id);
    }
    this.loaded = true;
    this.emit({ ...NO_CHANGE, taskIds: ids, bulk: true });
    return ids.length;
  }

  /** Every page is in: events still waiting for their task are about tasks this page has not seen; read them. */
  finishLoading() {
    this.complete = true;
    const waiting = [...this.pending.keys()];
    this.pending.clear();
    this.tombstones.clear();
    for (const taskId of waiting) this.stale(taskId);
    this.emit({ ...NO_CHANGE, bulk: true });
  }

  /** Applies the held-back events of a task that just arrived, those newer than it, in order. */
  drainPending(taskId) {
    const events = this.pending.get(taskId) ?? [];
    this.pending.delete(taskId);
    for (const event of events) this.apply(event);
  }

  /** Replaces the sessions with a snapshot of them. */
  putSessions(sessions) {
    const held = this.sessions;
    this.sessions = new Map(sessions.map((session) => [session.id, session]));
    // Sessions spawned (events) since the snapshot was read stay.
    for (const [id, session] of held) if (!this.sessions.has(id)) this.sessions.set(id, session);
    this.sessionsLoaded = true;
    this.emit({ ...NO_CHANGE, sessionIds: [...this.sessions.keys()], bulk: true });
  }

  // Single tasks

  /**
   * Takes a full task (from an API response or an event) when it is newer than the one held, or as new as a
   * summary held of it. Returns whether it was taken.
   */
  putTask(task) {
    const held = this.tasks.get(task.id);
    const version = Number(task.version);
    if (held && (version < held.version || (version === held.version && held.full))) return false;
    const next = fromFull(task);
    const before = held ? waitingSessions(held) : new Set();
    this.set(held, next);
    const attention = next.sessionProgress
      .filter((entry) => entry.status === 'needs_input' && !before.has(entry.sessionId))
      .map((entry) => ({ task: next, entry }));
    this.emit({ ...NO_CHANGE, taskIds: [task.id], attention });
    if (!held && this.pending.has(task.id)) this.drainPending(task.id);
    return true;
  }

  /** Forgets a task; `eventId` is the stream id of its deletion, when it came as an event. */
  removeTask(taskId, eventId = null) {
    if (!this.complete && eventId) this.tombstones.set(taskId, eventId);
    this.pending.delete(taskId);
    const held = this.tasks.get(taskId);
    if (!held) return;
    this.set(held, null);
    this.emit({ ...NO_CHANGE, taskIds: [taskId], deleted: taskId });
  }

  /** Takes a whole session record (from an event, or a read of a session not held yet). */
  putSession(session) {
    const held = this.sessions.get(session.id);
    this.sessions.set(session.id, { ...held, ...session });
    this.emit({ ...NO_CHANGE, sessionIds: [session.id] });
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
    if (changed.length) this.emit({ ...NO_CHANGE, sessionIds: changed });
  }

  // Live events

  /** Applies one live event. Unknown types are ignored (newer servers may add some). */
  apply(event) {
    const payload = event.payload ?? {};
    switch (event.type) {
      case 'task:created':
      case 'task:updated':
        if (payload.task) this.putTask(payload.task);
        break;
      case 'task:deleted':
      case 'task:archived': // a finished task left the lists for the archive
        this.removeTask(payload.taskId, event.id ?? null);
        break;
      case 'task:restored': // an archived task came back
        if (payload.task) this.putTask(payload.task);
        break;
      case 'task:session_status':
        this.applyProgress(event);
        break;
      case 'task:input_answer':
        this.applyToEntry(event, withAnswer);
        break;
      case 'task:session_stale': // no report from a queued or working session for the project's staleAfterSeconds
        this.applyToEntry(event, withStale);
        break;
      case 'project:updated':
        if (payload.project) this.putProject(payload.project);
        break;
      case 'session:spawn':
        if (payload.session) {
          this.putSession({ ...payload.session, taskIds: payload.taskIds ?? payload.session.taskIds ?? [] });
        }
        break;
      case 'session:active':
        this.applyLifecycle(payload.sessionId, { status: 'active', error: undefined });
        break;
      // A session that stops or fails has no lease any more, and with it went any late heartbeat.
      case 'session:stopped':
        this.applyLifecycle(payload.sessionId, { status: 'stopped', unresponsiveSince: undefined });
        break;
      case 'session:failed':
        this.applyLifecycle(payload.sessionId, { status: 'failed', error: payload.error, unresponsiveSince: undefined });
        break;
      case 'session:unresponsive': // its supervisor's heartbeat is late (it is failed if none comes)
        this.applyLifecycle(payload.sessionId, { unresponsiveSince: payload.unresponsiveSince });
        break;
      case 'session:responsive':
        this.applyLifecycle(payload.sessionId, { unresponsiveSince: undefined, lastHeartbeat: payload.lastHeartbeat });
        break;
      default:
        break;
    }
  }

  /** A task event for a task not held, or one that skips versions: the caller fetches the task again. */
  stale(taskId) {
    if (this.onStale) this.onStale(taskId);
  }

  /**
   * Checks a task event's version against the held task: returns the task to change, or null to ignore it. An event
   * about a task not held waits for the task's page while pages are loading; after that, the task is fetched.
   */
  accept(event) {
    const { taskId, version } = event.payload;
    const task = this.tasks.get(taskId);
    if (!task) {
      if (this.complete) this.stale(taskId);
      else if (!this.tombstones.has(taskId)) {
        if (!this.pending.has(taskId)) this.pending.set(taskId, []);
        this.pending.get(taskId).push(event);
      }
      return null;
    }
    if (version == null) return task;
    if (Number(version) <= task.version) return null;
    if (Number(version) > task.version + 1) this.stale(taskId);
    return task;
  }

  applyProgress(event) {
    const held = this.accept(event);
    if (!held) return;
    const payload = event.payload;
    const { next, entry, before } = withProgress(held, payload);
    this.set(held, next);
    const session = this.sessions.get(payload.sessionId);
    if (session && !(session.taskIds ?? []).includes(payload.taskId)) {
      this.sessions.set(payload.sessionId, { ...session, taskIds: [...(session.taskIds ?? []), payload.taskId] });
    }
    const attention = payload.status === 'needs_input' && before !== 'needs_input' ? [{ task: next, entry }] : [];
    this.emit({ taskIds: [payload.taskId], sessionIds: [payload.sessionId], attention });
  }

  /**
   * An event that changes one progress entry held already (an answer: `withAnswer`; a stale mark: `withStale`); an
   * entry not held means the task must be read again.
   */
  applyToEntry(event, change) {
    const held = this.accept(event);
    if (!held) return;
    const { next, found } = change(held, event.payload);
    if (!found) this.stale(held.id);
    this.set(held, next);
    this.emit({ ...NO_CHANGE, taskIds: [held.id], sessionIds: [event.payload.sessionId] });
  }

  /** Takes the project's settings (its staleAfterSeconds says how long a stale entry has gone without a report). */
  putProject(project) {
    this.project = project;
    this.emit({ ...NO_CHANGE, project: true });
  }

  applyLifecycle(sessionId, fields) {
    const held = this.sessions.get(sessionId);
    if (!held) {
      this.emit({ ...NO_CHANGE, sessionIds: [sessionId], unknownSession: sessionId });
      return;
    }
    const session = { ...held, ...fields };
    // Fields given as undefined are gone (an error after a restart, unresponsiveSince after a heartbeat).
    for (const [name, value] of Object.entries(fields)) if (value === undefined) delete session[name];
    this.sessions.set(sessionId, session);
    this.emit({ ...NO_CHANGE, sessionIds: [sessionId] });
  }

  // Questions

  /** How many progress entries, over all tasks, are waiting for a person's answer. */
  needsInputCount() {
    return this.index.needsInput;
  }

  /** The tasks a session is linked to (the tasks' side is authoritative), as records or `{id, title: null}`. */
  tasksOfSession(sessionId) {
    const ids = new Set(this.sessions.get(sessionId)?.taskIds ?? []);
    for (const id of this.index.tasksOfSession(sessionId)) ids.add(id);
    return [...ids].map((id) => this.tasks.get(id) ?? { id, title: null });
  }

  /** The subtasks of a task, as records, oldest first. */
  childrenOf(taskId) {
    const children = [...this.index.childrenOf(taskId)].map((id) => this.tasks.get(id)).filter(Boolean);
    return children.sort(TASK_ORDERS.oldest);
  }
}

function waitingSessions(task) {
  return new Set(task.sessionProgress.filter((entry) => entry.status === 'needs_input').map((entry) => entry.sessionId));
}
