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

function record(fields, entries, full, description) {
  const task = {
    id: fields.id,
    title: String(fields.title ?? ''),
    status: canonical(fields.status),
    priority: canonical(fields.priority ?? 'medium'),
    parentId: fields.parentId || null,
    createdAt: fields.createdAt,
    updatedAt: fields.updatedAt,
    version: Number(fields.version) || 0,
    sessionProgress: entries.length ? entries : NO_ENTRIES,
    description: description || null,
    full,
    // Worked out below.
    aggregateStatus: 'no_sessions',
    rank: 0,
    priorityRank: 0,
    createdMs: 0,
    updatedMs: 0,
    needsInput: 0,
    searchText: null,
  };
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

/** A copy of `held` with its entries replaced (and the changed fields), the derived values worked out again. */
function changed(held, entries, fields) {
  const next = { ...held, ...fields, sessionProgress: entries.length ? entries : NO_ENTRIES };
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
  const fields = {};
  if (version != null) fields.version = Number(version);
  if (lastUpdated) fields.updatedAt = lastUpdated;
  return { next: changed(held, entries, fields), entry, before: before?.status ?? null };
}

/** `held` after a task:input_answer event; `found` is false when the entry is not held (fetch the task). */
export function withAnswer(held, { sessionId, answer, answeredAt, version }) {
  const entries = held.sessionProgress.slice();
  const index = entries.findIndex((entry) => entry.sessionId === sessionId);
  if (index >= 0) entries[index] = { ...entries[index], answer, answeredAt };
  const fields = {};
  if (version != null) fields.version = Number(version);
  if (answeredAt) fields.updatedAt = answeredAt;
  return { next: changed(held, entries, fields), found: index >= 0 };
}

/** Rows of tasks waiting for a person (needs input, blocked) are taller: they show the question or the reason. */
export function isTall(task) {
  return task.aggregateStatus === 'needs_input' || task.aggregateStatus === 'blocked';
}

/** Whether the title or id contains `query` (lower case). */
export function matchesSearch(task, query) {
  if (!query) return true;
  if (task.searchText === null) task.searchText = `${task.title}\u0000${task.id}`.toLowerCase();
  return task.searchText.includes(query);
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
