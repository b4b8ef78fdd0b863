// The tasks the list shows: the filters (task status, aggregate session status, a search in titles and ids) and
// the order, as one SortedList kept up to date change by change. Without filters it is the index's list of that
// order itself. With filters it is built once when they change — from the smallest index that can hold the result
// (a status or aggregate set, sorted), from the previous result when the search only grew longer (narrowing), or
// by one pass over the ordered tasks — and then follows every change of a task with two binary searches.

import { SortedList } from './sorted-list.js';
import { TASK_ORDERS, isTall, matchesSearch } from './task-records.js';

const STATUS_GROUPS = { open: ['todo', 'inprogress'] };
const AGGREGATE_GROUPS = { attention: ['needs_input', 'blocked', 'stale'] };

/** Normalised filters: `{status, aggregate, sort, query}` (the query in lower case, trimmed). */
export function normaliseFilters({ status = '', aggregate = '', sort = 'attention', q = '' } = {}) {
  return {
    status: String(status ?? ''),
    aggregate: String(aggregate ?? ''),
    sort: TASK_ORDERS[sort] ? sort : 'attention',
    query: String(q ?? '').trim().toLowerCase(),
  };
}

export class TaskQuery {
  /** @param {import('./store.js').ProjectStore} store */
  constructor(store) {
    this.store = store;
    this.filters = normaliseFilters();
    /** @type {SortedList|null} the result when filtered (null: the index's order itself) */
    this.result = null;
    this.epoch = -1;
    this.store.index.followers.add((previous, next) => this.follow(previous, next));
  }

  get index() {
    return this.store.index;
  }

  /** The tasks to show, in order. */
  get list() {
    if (this.epoch !== this.index.epoch) this.build(null);
    return this.result ?? this.index.orders[this.filters.sort];
  }

  get filtered() {
    const { status, aggregate, query } = this.filters;
    return Boolean(status || aggregate || query);
  }

  /** Changes the filters (values of the filter form); returns true when the result changed. */
  set(values) {
    const next = normaliseFilters(values);
    const previous = this.filters;
    if (
      next.status === previous.status &&
      next.aggregate === previous.aggregate &&
      next.sort === previous.sort &&
      next.query === previous.query &&
      this.epoch === this.index.epoch
    ) {
      return false;
    }
    this.filters = next;
    this.build(previous);
    return true;
  }

  /** Whether a task passes the filters. */
  matches(task) {
    const { status, aggregate, query } = this.filters;
    if (status) {
      const statuses = STATUS_GROUPS[status];
      if (statuses ? !statuses.includes(task.status) : task.status !== status) return false;
    }
    if (aggregate) {
      const aggregates = AGGREGATE_GROUPS[aggregate];
      if (aggregates ? !aggregates.includes(task.aggregateStatus) : task.aggregateStatus !== aggregate) return false;
    }
    return matchesSearch(task, query);
  }

  /** Keeps the result in step with one task's change (the index calls it). */
  follow(previous, next) {
    if (!this.result || this.epoch !== this.index.epoch) return;
    const was = previous && this.matches(previous) ? previous : null;
    const now = next && this.matches(next) ? next : null;
    if (was || now) this.result.replace(was, now);
  }

  build(previous) {
    const compare = TASK_ORDERS[this.filters.sort];
    const ordered = this.index.orders[this.filters.sort];
    const reuse = this.epoch === this.index.epoch ? this.result : null;
    this.epoch = this.index.epoch;
    if (!this.filtered) {
      this.result = null;
      return;
    }
    const total = ordered.size;
    const keep = (task) => this.matches(task);
    let items;
    if (reuse && previous && narrows(previous, this.filters)) {
      // The search only grew longer: what matches now is among what matched before.
      items = [];
      reuse.forEach((task) => {
        if (keep(task)) items.push(task);
      });
      if (previous.sort !== this.filters.sort) items.sort(compare);
    } else {
      const candidates = this.smallestCandidates();
      if (candidates && cheaperToSort(candidates.size, total)) {
        items = [];
        for (const id of candidates) {
          const task = this.store.tasks.get(id);
          if (task && keep(task)) items.push(task);
        }
        items.sort(compare);
      } else {
        items = [];
        ordered.forEach((task) => {
          if (keep(task)) items.push(task);
        });
      }
    }
    this.result = SortedList.fromSorted(items, compare, isTall);
  }

  /** The smallest set of ids the result must come from (a status or aggregate filter), or null. */
  smallestCandidates() {
    const sets = [];
    const { status, aggregate } = this.filters;
    if (status) sets.push(union((STATUS_GROUPS[status] ?? [status]).map((name) => this.index.withStatus(name))));
    if (aggregate) {
      sets.push(union((AGGREGATE_GROUPS[aggregate] ?? [aggregate]).map((name) => this.index.withAggregate(name))));
    }
    if (sets.length === 0) return null;
    return sets.reduce((smallest, set) => (set.size < smallest.size ? set : smallest));
  }
}

/** True when the result of `next` is a subset of that of `previous` (same filters, a longer search). */
function narrows(previous, next) {
  return (
    previous.status === next.status &&
    previous.aggregate === next.aggregate &&
    previous.query !== '' &&
    next.query.includes(previous.query)
  );
}

/** Sorting k candidates beats a pass over all n tasks when k log k is well below n. */
function cheaperToSort(k, n) {
  return k * Math.log2(k + 2) < n;
}

function union(sets) {
  if (sets.length === 1) return sets[0];
  const all = new Set();
  for (const set of sets) for (const id of set) all.add(id);
  return all;
}
