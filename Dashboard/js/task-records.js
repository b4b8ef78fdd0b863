// What the dashboard holds for one task: a record built from a list summary (no description, notes or answers:
// `full` is false) or from a full task (an API read or a task:created / task:updated event: `full` is true), with
// the values the lists sort and filter by worked out once. Entries carry `staleSince` while the server has them
// marked stale; the record carries the server's `suggestedStatus` (or null). Records never change: every change
// makes a new one (the sorted lists find a record by what it sorted as), sharing what did not change.

import { aggregateStatus, attentionRankOf, priorityRank } from './model.js';

const NO_ENTRIES = Object.freeze([]);

// One string per known value, whatever the JSON parser made, so 100,000 records share them.
const CANONICAL = new Map(
  ['todo', 'inprogress', 'completed', 'cancelled', 'low', 'medium', 'high', 'urgent', 'queued', 'working',
    'needs_input', 'blocked', 'failed'].map((value) => [value, value]),
);

function canonical(value) {
  return CANONICAL.get(value) ?? value;
}

/** One task as held: the same shape for every record (cheap to compare and sort), derived values included. */
class TaskRecord {
  constructor(id, title, status, priority, parentId, createdAt, updatedAt, version, entries, description, full,
    suggestedStatus) {
    this.id = id;
    this.title = title;
    this.status = status;
    this.priority = priority;
    this.parentId = parentId;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
    this.version = version;
    this.sessionProgress = entries.length ? entries : NO_ENTRIES;
    this.description = description;
    this.full = full;
    this.suggestedStatus = suggestedStatus;
    // Worked out by derive().
    this.aggregateStatus = 'no_sessions';
    this.rank = 0;
    this.priorityRank = 0;
    this.createdMs = 0;
    this.updatedMs = 0;
    this.needsInput = 0;
    /** The earliest staleSince of its entries (null when none is stale). */
    this.staleSince = null;
    this.searchText = null;
  }
}

function record(fields, entries, full, description) {
  const task = new TaskRecord(
    fields.id,
    String(fields.title ?? ''),
    canonical(fields.status),
    canonical(fields.priority ?? 'medium'),
    fields.parentId || null,
    fields.createdAt,
    fields.updatedAt,
    Number(fields.version) || 0,
    entries,
    description || null,
    full,
    canonical(fields.suggestedStatus) || null,
  );
  return derive(task, null);
}

/** Fills the derived values; `previous` (the record this one replaces) lends what did not change. */
function derive(task, previous) {
  task.aggregateStatus = aggregateStatus(task);
  task.rank = attentionRankOf(task.aggregateStatus, task.status, task.suggestedStatus);
  task.priorityRank = priorityRank(task.priority);
  task.createdMs = previous && previous.createdAt === task.createdAt ? previous.createdMs : timeOf(task.createdAt);
  task.updatedMs = previous && previous.updatedAt === task.updatedAt ? previous.updatedMs : timeOf(task.updatedAt);
  let waiting = 0;
  let staleSince = null;
  for (const entry of task.sessionProgress) {
    if (entry.status === 'needs_input') waiting += 1;
    if (entry.staleSince && (staleSince === null || entry.staleSince < staleSince)) staleSince = entry.staleSince;
  }
  task.needsInput = waiting;
  task.staleSince = staleSince;
  task.searchText = previous && previous.title === task.title ? previous.searchText : null;
  return task;
}

function timeOf(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : time;
}

/** A record from a summary of GET /api/tasks?view=summary (`progress`: each session's status only). */
export function fromSummary(row) {
  const entries = (row.progress ?? row.sessionProgress ?? []).map((entry) => ({
    sessionId: entry.sessionId,
    status: canonical(entry.status),
    staleSince: entry.staleSince || undefined,
    known: false,
  }));
  return record(row, entries, false, null);
}

/** A record from a full task (GET /api/tasks/:id, a write's reply, task:created and task:updated events). */
export function fromFull(task) {
  const entries = (task.sessionProgress ?? []).map((entry) => ({
    sessionId: entry.sessionId,
    status: canonical(entry.status),
    lastUpdated: entry.lastUpdated,
    notes: entry.notes || undefined,
    answer: entry.answer ?? undefined,
    answeredAt: entry.answeredAt ?? undefined,
    staleSince: entry.staleSince || undefined,
    known: true,
  }));
  return record(task, entries, true, task.description);
}

/**
 * A copy of `held` with its entries replaced, a new version and time, the derived values worked out again;
 * `suggestedStatus` when the change brings one (undefined: as held).
 */
function changed(held, entries, version, updatedAt, suggestedStatus = held.suggestedStatus) {
  const next = new TaskRecord(
    held.id,
    held.title,
    held.status,
    held.priority,
    held.parentId,
    held.createdAt,
    updatedAt || held.updatedAt,
    version == null ? held.version : Number(version),
    entries,
    held.description,
    held.full,
    canonical(suggestedStatus) || null,
  );
  return derive(next, held);
}

/** `held` after a task:session_status event (a session queued or reported: that ends its entry's staleness). */
export function withProgress(held, { sessionId, status, notes, lastUpdated, version, suggestedStatus }) {
  const entries = held.sessionProgress.slice();
  const index = entries.findIndex((entry) => entry.sessionId === sessionId);
  const before = index >= 0 ? entries[index] : null;
  const entry = {
    sessionId,
    status: canonical(status),
    lastUpdated,
    notes: notes || undefined,
    answer: before?.answer,
    answeredAt: before?.answeredAt,
    known: true,
  };
  // A new question wants a new answer; asking the same question again keeps an answer given to it.
  if (status === 'needs_input' && !(before?.status === 'needs_input' && (before.notes || '') === (notes || ''))) {
    entry.answer = undefined;
    entry.answeredAt = undefined;
  }
  if (index >= 0) entries[index] = entry;
  else entries.push(entry);
  // The event says what the task's suggestion is now (null: none); an older server's events do not say.
  const suggestion = suggestedStatus === undefined ? held.suggestedStatus : suggestedStatus;
  return { next: changed(held, entries, version, lastUpdated, suggestion), entry, before: before?.status ?? null };
}

/** `held` after a task:input_answer event; `found` is false when the entry is not held (fetch the task). */
export function withAnswer(held, { sessionId, answer, answeredAt, version }) {
  const entries = held.sessionProgress.slice();
  const index = entries.findIndex((entry) => entry.sessionId === sessionId);
  if (index >= 0) entries[index] = { ...entries[index], answer, answeredAt };
  return { next: changed(held, entries, version, answeredAt), found: index >= 0 };
}

/**
 * `held` after a task:session_stale event (the server marked an entry stale); `found` is false when the entry is not
 * held (fetch the task).
 */
export function withStale(held, { sessionId, staleSince, version }) {
  const entries = held.sessionProgress.slice();
  const index = entries.findIndex((entry) => entry.sessionId === sessionId);
  if (index >= 0) entries[index] = { ...entries[index], staleSince };
  return { next: changed(held, entries, version, null), found: index >= 0 };
}

/**
 * Rows of tasks waiting for a person are taller, for one more line: the question or reason (needs input, blocked),
 * since when no report came (stale), or what to do now that every session finished (a suggested status).
 */
export function isTall(task) {
  const aggregate = task.aggregateStatus;
  return aggregate === 'needs_input' || aggregate === 'blocked' || aggregate === 'stale' || Boolean(task.suggestedStatus);
}

/** Whether the title or id contains `query` (lower case). */
export function matchesSearch(task, query) {
  if (!query) return true;
  if (task.searchText === null) task.searchText = task.title.toLowerCase();
  return task.searchText.includes(query) || task.id.toLowerCase().includes(query);
}

function byNewest(a, b) {
  return b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The orders of the task list; each is strict (ties end with the id). */
export const TASK_ORDERS = {
  attention: (a, b) => a.rank - b.rank || a.priorityRank - b.priorityRank || byNewest(a, b),
  newest: byNewest,
  oldest: (a, b) => byNewest(b, a),
  updated: (a, b) => b.updatedMs - a.updatedMs || byNewest(a, b),
  priority: (a, b) => a.priorityRank - b.priorityRank || byNewest(a, b),
};
