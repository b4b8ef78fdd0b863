// How the dashboard says that work went quiet, apart from what the agent itself reported: a progress entry the
// server marked stale (queued or working with no report for the project's staleAfterSeconds: "stale since 14:02 — no
// report for 35 min") and a supervised session whose heartbeat is late ("unresponsive since 14:05 — no heartbeat for
// 40 s"). The durations are <time class="age"> elements, kept current by refreshTimes (dom.js).

import { ageElement, clockTime, h } from './dom.js';

/**
 * When the entry's last report came: its lastUpdated when held (full tasks), else worked out from when it became
 * stale and the project's staleAfterSeconds (summaries carry no times). Null when neither is known.
 */
export function lastReportOf(entry, project) {
  if (entry.lastUpdated) return entry.lastUpdated;
  const after = Number(project?.staleAfterSeconds);
  const since = Date.parse(entry.staleSince);
  if (!after || Number.isNaN(since)) return null;
  return new Date(since - after * 1000).toISOString();
}

/** "<sign> <what> since <clock time> — <silence> for <age>": the shape of both notes. */
function quietNote({ kind, role, since, title, sign, what, silence, lastHeard }) {
  return h(
    'span',
    { class: kind, dataset: { role, since }, title },
    h('span', { 'aria-hidden': 'true' }, `${sign} `),
    `${what} since ${clockTime(since)}`,
    lastHeard ? [` — ${silence} for `, ageElement(lastHeard)] : null,
  );
}

/** "Stale since 14:02 — no report for 35 min" for a stale entry (`staleSince` set), as a badge. */
export function staleBadge(entry, project, { count = 1 } = {}) {
  return quietNote({
    kind: 'stale-badge',
    role: 'stale',
    since: entry.staleSince,
    title: 'The session has not reported for longer than the project allows; its own status may be out of date.',
    sign: '◷',
    what: count > 1 ? `${count} sessions stale` : 'Stale',
    silence: 'no report',
    lastHeard: lastReportOf(entry, project),
  });
}

/** The entry of `task` that has been stale the longest, and how many are stale (null when none is). */
export function stalestEntry(task) {
  let stalest = null;
  let count = 0;
  for (const entry of task.sessionProgress) {
    if (!entry.staleSince) continue;
    count += 1;
    if (!stalest || entry.staleSince < stalest.staleSince) stalest = entry;
  }
  return stalest ? { entry: stalest, count } : null;
}

/** Whether a session's supervisor is late with its heartbeat (only running sessions can be). */
export function isUnresponsive(session) {
  return Boolean(session?.unresponsiveSince) && (session.status === 'active' || session.status === 'spawning');
}

/** "Unresponsive since 14:05 — no heartbeat for 40 s" for a session whose heartbeat is late. */
export function unresponsiveNote(session, { heartbeat = session.lastHeartbeat } = {}) {
  return quietNote({
    kind: 'unresponsive-note',
    role: 'unresponsive',
    since: session.unresponsiveSince,
    title: 'Its supervisor missed its heartbeat; the session is marked failed if none comes in time.',
    sign: '⚠',
    what: 'Unresponsive',
    silence: 'no heartbeat',
    lastHeard: heartbeat,
  });
}
