// What the dashboard holds for one task: a record built from a list summary (no description, notes or answers:
// `full` is false) or from a full task (an API read or a task:created / task:updated event: `full` is true), with
// the values the lists sort and filter by worked out once. Records never change: every change makes a new one
// (the sorted lists find a record by what it sorted as), sharing what did not change.

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
  constructor(id, title, status, priority, parentId, createdAt, updatedAt, version, entries, description, full) {
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
    // Worked out by derive().
    this.aggregateStatus = 'no_sessions';
    this.rank = 0;
    this.priorityRank = 0;
    this.createdMs = 0;
    this.updatedMs = 0;
    this.needsInput = 0;
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
  );
  return derive(task, null);
}

/** Fills the derived values; `previous` (the record this one replaces) lends what did not change. */
function derive(task, previous) {
  task.aggregateStatus = aggregateStatus(task);
  task.rank = attentionRankOf(task.aggregateStatus, task.status);
  task.priorityRank = priorityRank(task.priority);
  task.createdMs = previous && previous.createdAt === task.createdAt ? previous.createdMs : timeOf(task.createdAt);
  task.updatedMs = previous && previous.updatedAt === task.updatedAt ? previous.updatedMs : timeOf(task.updatedAt);
  let waiting = 0;
  for (const entry of task.sessionProgress) if (entry.status === 'needs_input') waiting += 1;
  task.needsInput = waiting;
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
    known: true,
  }));
  return record(task, entries, true, task.description);
}

/** A copy of `held` with its entries replaced, a new version and time, the derived values worked out again. */
function changed(held, entries, version, updatedAt) {
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
  );
  return derive(next, held);
}

/** `held` after a task:session_status event (a session queued or reported). */
export function withProgress(held, { sessionId, status, notes, lastUpdated, version }) {
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
  return { next: changed(held, entries, version, lastUpdated), entry, before: before?.status ?? null };
}

/** `held` after a task:input_answer event; `found` is false when the entry is not held (fetch the task). */
export function withAnswer(held, { sessionId, answer, answeredAt, version }) {
  const entries = held.sessionProgress.slice();
  const index = entries.findIndex((entry) => entry.sessionId === sessionId);
  if (index >= 0) entries[index] = { ...entries[index], answer, answeredAt };
  return { next: changed(held, entries, version, answeredAt), found: index >= 0 };
}

/** Rows of tasks waiting for a person (needs input, blocked) are taller: they show the question or the reason. */
export function isTall(task) {
  return task.aggregateStatus === 'needs_input' || task.aggregateStatus === 'blocked';
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
