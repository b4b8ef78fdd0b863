// Indexes over a project's task records, kept up to date one change at a time (never rebuilt by a scan): every
// order of the list as a SortedList, the ids by task status and by aggregate session status, subtasks by parent,
// tasks by linked session, and the number of open questions. Each change costs a few binary searches and
// splices of at most a chunk, whatever the number of tasks.

import { SortedList } from './sorted-list.js';
import { TASK_ORDERS, isTall } from './task-records.js';

export class TaskIndex {
  constructor() {
    /** Called with (previous, next) after every change (the task list's current query follows it). */
    this.followers = new Set();
    /** Counts resets: whoever keeps something built from the index builds it again when this changed. */
    this.epoch = 0;
    this.reset();
  }

  /** Forgets every task. */
  reset() {
    this.epoch += 1;
    /** @type {Record<string, SortedList>} */
    this.orders = {};
    for (const [name, compare] of Object.entries(TASK_ORDERS)) this.orders[name] = new SortedList(compare, isTall);
    /** @type {Map<string, Set<string>>} */
    this.byStatus = new Map();
    /** @type {Map<string, Set<string>>} */
    this.byAggregate = new Map();
    /** @type {Map<string, Set<string>>} parent id → subtask ids */
    this.children = new Map();
    /** @type {Map<string, Set<string>>} session id → ids of the tasks it has progress on */
    this.bySession = new Map();
    /** Progress entries, over all tasks, waiting for a person's answer. */
    this.needsInput = 0;
  }

  get size() {
    return this.orders.newest.size;
  }

  /** Takes the change of one task: `previous` (null when new) becomes `next` (null when deleted). */
  update(previous, next) {
    for (const list of Object.values(this.orders)) list.replace(previous, next);
    if (previous?.status !== next?.status) {
      if (previous) remove(this.byStatus, previous.status, previous.id);
      if (next) add(this.byStatus, next.status, next.id);
    }
    if (previous?.aggregateStatus !== next?.aggregateStatus) {
      if (previous) remove(this.byAggregate, previous.aggregateStatus, previous.id);
      if (next) add(this.byAggregate, next.aggregateStatus, next.id);
    }
    if (previous?.parentId !== next?.parentId) {
      if (previous?.parentId) remove(this.children, previous.parentId, previous.id);
      if (next?.parentId) add(this.children, next.parentId, next.id);
    }
    if (previous?.sessionProgress !== next?.sessionProgress) {
      for (const entry of previous?.sessionProgress ?? []) remove(this.bySession, entry.sessionId, previous.id);
      for (const entry of next?.sessionProgress ?? []) add(this.bySession, entry.sessionId, next.id);
    }
    this.needsInput += (next?.needsInput ?? 0) - (previous?.needsInput ?? 0);
    for (const follower of this.followers) follower(previous, next);
  }

  /** Ids of the tasks with this status (an empty set when none). */
  withStatus(status) {
    return this.byStatus.get(status) ?? EMPTY;
  }

  withAggregate(aggregate) {
    return this.byAggregate.get(aggregate) ?? EMPTY;
  }

  childrenOf(taskId) {
    return this.children.get(taskId) ?? EMPTY;
  }

  tasksOfSession(sessionId) {
    return this.bySession.get(sessionId) ?? EMPTY;
  }
}

const EMPTY = new Set();

function add(map, key, id) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

function remove(map, key, id) {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
