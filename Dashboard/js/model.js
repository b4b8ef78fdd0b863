// The status model of the specification (../shared/spec/status-model.md §4, §5) as the dashboard needs it:
// which task transitions a user may make, how a task's sessions add up, and the words and signs shown for each
// status. Pure: no DOM, no network.

/** Task status transitions a user may make (spec §4.1), in the order the buttons are shown. */
export const TASK_TRANSITIONS = {
  todo: ['inprogress', 'completed', 'cancelled'],
  inprogress: ['completed', 'todo', 'cancelled'],
  completed: ['inprogress'],
  cancelled: ['todo'],
};

/** The targets a user may move a task to from `status` (none for an unknown status). */
export function allowedTaskTargets(status) {
  return TASK_TRANSITIONS[status] ?? [];
}

/** What a button that moves a task from `from` to `to` says. */
export function transitionVerb(from, to) {
  if (to === 'inprogress') return from === 'completed' ? 'Reopen' : 'Start';
  if (to === 'completed') return 'Complete';
  if (to === 'cancelled') return 'Cancel';
  if (to === 'todo') return from === 'cancelled' ? 'Restore to To Do' : 'Back to To Do';
  return `Move to ${statusLabel(to)}`;
}

export const TASK_STATUSES = ['todo', 'inprogress', 'completed', 'cancelled'];
export const SESSION_STATUSES = ['queued', 'working', 'needs_input', 'blocked', 'completed', 'failed', 'cancelled'];
export const AGGREGATES = [
  'needs_input', 'blocked', 'stale', 'working', 'queued', 'all_completed', 'all_failed', 'no_sessions',
];
export const PRIORITIES = ['urgent', 'high', 'medium', 'low'];

const LABELS = {
  // task status
  todo: 'To Do',
  inprogress: 'In Progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  // session status on a task
  queued: 'Queued',
  working: 'Working',
  needs_input: 'Needs input',
  blocked: 'Blocked',
  failed: 'Failed',
  // aggregate
  stale: 'Stale',
  no_sessions: 'No sessions',
  all_completed: 'All completed',
  all_failed: 'All failed',
  // session lifecycle
  spawning: 'Spawning',
  active: 'Active',
  stopped: 'Stopped',
  // priority
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

/** The words shown for any status, aggregate or priority value. */
export function statusLabel(value) {
  return LABELS[value] ?? String(value ?? '');
}

const INDICATORS = {
  queued: '○',
  working: '●',
  needs_input: '?',
  blocked: '⊘',
  completed: '✓',
  failed: '✗',
  cancelled: '○',
  // aggregates
  stale: '◷',
  all_completed: '✓',
  all_failed: '✗',
  no_sessions: '–',
};

/** The one-character sign of a session status (spec: ○ ● ? ⊘ ✓ ✗ ○) or of an aggregate. */
export function indicator(status) {
  return INDICATORS[status] ?? '·';
}

/**
 * A task's aggregate session status (spec §5, with `stale`), first match wins. The server derives the same in
 * Sources/MaestroDomain/AggregateStatus.swift; a browser test checks this copy against it.
 */
export function aggregateStatus(task) {
  const entries = task?.sessionProgress ?? [];
  if (entries.length === 0) return 'no_sessions';
  const has = (status) => entries.some((entry) => entry.status === status);
  if (has('needs_input')) return 'needs_input';
  if (has('blocked')) return 'blocked';
  // An entry that went without a report for the project's staleAfterSeconds (the server marks it).
  if (entries.some((entry) => entry.staleSince)) return 'stale';
  if (has('working')) return 'working';
  if (has('queued')) return 'queued';
  if (entries.every((entry) => entry.status === 'completed')) return 'all_completed';
  if (entries.every((entry) => entry.status === 'failed')) return 'all_failed';
  return 'working';
}

/** How urgently a task wants a person: lower comes first in the "needing attention first" order. */
export function attentionRank(task) {
  return attentionRankOf(aggregateStatus(task), task.status, task.suggestedStatus);
}

const ATTENTION_RANK = {
  needs_input: 0,
  blocked: 1,
  stale: 2,
  all_failed: 3,
  working: 4,
  queued: 5,
  no_sessions: 6,
  all_completed: 7,
};

/** Where a task whose sessions have all finished, waiting for a person to close it or try again, ranks. */
const SUGGESTION_RANK = 3;

/** The attention rank of a task with this aggregate, task status and suggested status (if any). */
export function attentionRankOf(aggregate, status, suggestedStatus = null) {
  // Finished tasks sink below open ones with the same aggregate.
  const closed = status === 'completed' || status === 'cancelled' ? 10 : 0;
  const rank = ATTENTION_RANK[aggregate] ?? 6;
  return (suggestedStatus ? Math.min(rank, SUGGESTION_RANK) : rank) + closed;
}

const PRIORITY_RANK = { urgent: 0, high: 1, medium: 2, low: 3 };

/** Lower is more urgent; an unknown priority counts as medium. */
export function priorityRank(priority) {
  return PRIORITY_RANK[priority] ?? 2;
}

/** Lifecycle changes a user may make on a session (spec §3, §4.3). */
export function canStop(session) {
  return session?.status === 'active';
}

export function canRestart(session) {
  return session?.status === 'stopped' || session?.status === 'failed';
}

/**
 * Compares two stream ids (`<milliseconds>-<sequence>`) numerically: negative, zero or positive.
 * Both parts can exceed 2^53 in theory, so they are compared as digit strings.
 */
export function compareStreamIds(a, b) {
  const [am, as = '0'] = String(a).split('-');
  const [bm, bs = '0'] = String(b).split('-');
  return compareDigits(am, bm) || compareDigits(as, bs);
}

function compareDigits(a, b) {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The earlier of two stream ids (either may be missing). */
export function earlierStreamId(a, b) {
  if (!a) return b;
  if (!b) return a;
  return compareStreamIds(a, b) <= 0 ? a : b;
}

/** A short form of an id for display: `sess_a9d9jpv5ge90` → `a9d9jpv5`. */
export function shortId(id) {
  const text = String(id ?? '');
  const bare = text.replace(/^(sess|task|proj)_/, '');
  return bare.length > 8 ? bare.slice(0, 8) : bare;
}

/** Project ids the server accepts (the same rule as every other id). */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
