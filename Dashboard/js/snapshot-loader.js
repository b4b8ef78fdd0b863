// Loading a project without making the first screen wait for every task: the first page of open tasks (To Do,
// In Progress) and the sessions come first, the list shows them at once and the live stream starts from that
// page's cursor; the other open tasks, then the finished ones (Completed, Cancelled), follow page by page in the
// background, yielding to the main thread between pages, while the list says how far it got.
//
// The live stream and later pages overlap in time; the store takes whichever is newer per task (versions) and keeps
// events about tasks whose page has not come yet. Pages are read by offset, so a task leaving the status set
// being read (finished, reopened, deleted) would shift later pages and hide a task: each page therefore starts
// OVERLAP tasks before the end of the previous one and must contain a task already read in this pass, or the loader
// steps back until it does (whether pages were asked for one after the other or together: the check is made as
// each page is taken in, in order).

import { earlierStreamId } from './model.js';
import { notify } from './notices.js';

const PAGE = 1000;
const OVERLAP = 16;
/** Pages asked for at a time while loading in the background. */
const IN_FLIGHT = 2;
const OPEN = 'todo,inprogress';
const CLOSED = 'completed,cancelled';

export class SnapshotLoader {
  /** @param {object} app the dashboard (store, generation, api(), renderNow(), setConnection()) */
  constructor(app) {
    this.app = app;
    this.first = null;
    this.usableMarked = false;
    this.loadedMarked = false;
  }

  get store() {
    return this.app.store;
  }

  current(generation) {
    return generation === this.app.generation;
  }

  /**
   * Loads the first page of open tasks (shown at once) and the sessions, retrying while the server is unreachable.
   * Resolves to the stream id to follow the live stream from (null: from now), or undefined when superseded.
   */
  async loadFirst(generation) {
    let shown = null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const api = this.app.api();
        const started = attempt === 0 ? this.takeFirstReads() : {};
        const first = api.taskSummaries({ status: OPEN, offset: 0, limit: PAGE, started: started.openTasks });
        const sessions = api.allSessions({ started: started.sessions });
        sessions.catch(() => {});
        const page = await first;
        if (!this.current(generation)) return undefined;
        this.store.expected = page.total;
        this.first = { cursor: page.cursor, received: new Set(page.tasks.map((task) => task.id)), page };
        this.store.putPage(page.tasks, page.cursor);
        this.app.renderNow();
        this.markUsable();
        // How many tasks there are in all, for "loaded 40,000 of 100,000" (asked after the first page, not before).
        const everything = api.taskSummaries({ limit: 1 });
        const [sessionPages, counted] = await Promise.all([sessions, everything]);
        if (!this.current(generation)) return undefined;
        this.store.expected = Math.max(counted.total, page.total);
        this.store.putSessions(sessionPages.sessions);
        shown?.dismiss();
        return earlierStreamId(page.cursor, sessionPages.cursor) ?? null;
      } catch (error) {
        if (!this.current(generation) || error.isAuth) return undefined;
        this.app.serverReachable = !error.isNetwork;
        if (!shown) shown = notify(`${error.message} Retrying…`, { kind: 'error', sticky: true });
        const delay = Math.min(8000, 500 * 2 ** attempt);
        this.app.setConnection({ name: 'offline', retryAt: Date.now() + delay });
        await sleep(delay);
        if (!this.current(generation)) return undefined;
      }
    }
  }

  /** The reads boot.js started for this token and project, once (later loads read for themselves). */
  takeFirstReads() {
    const first = window.maestroFirstReads;
    window.maestroFirstReads = null;
    if (!first || first.token !== this.app.token || first.project !== this.app.projectId) return {};
    return first.reads;
  }

  /**
   * The first screen is drawn and the page answers input (the next task after the frame that drew it): the
   * performance mark `maestro:usable`, which scripts/dashboard-bench reads. Once per page load.
   */
  markUsable() {
    if (this.usableMarked) return;
    this.usableMarked = true;
    requestAnimationFrame(() => setTimeout(() => mark('maestro:usable'), 0));
  }

  /** Loads every other page in the background; resolves when all are in (true) or the load was superseded. */
  async loadRest(generation) {
    const first = this.first;
    if (!first) return false;
    const { page } = first;
    const openDone = page.tasks.length === 0 || page.tasks.length >= page.total;
    if (!openDone && !(await this.pass(generation, OPEN, page.tasks.length, first.received))) return false;
    if (!(await this.pass(generation, CLOSED, 0, new Set()))) return false;
    this.first = null;
    this.store.finishLoading();
    if (!this.loadedMarked) {
      this.loadedMarked = true;
      mark('maestro:loaded');
    }
    return true;
  }

  /**
   * Reads the tasks with `statuses` from `offset` on, page after page, with IN_FLIGHT pages asked for at a time and
   * taken in in order. `received`: the ids read in this pass so far. False when superseded.
   */
  async pass(generation, statuses, offset, received) {
    const queue = [];
    let next = offset === 0 ? 0 : Math.max(0, offset - OVERLAP);
    let total = Infinity;
    const ask = () => {
      while (queue.length < IN_FLIGHT && next < total) {
        queue.push({ from: next, page: this.fetchPage(generation, statuses, next) });
        next += PAGE - OVERLAP;
      }
    };
    ask();
    while (queue.length) {
      const { from, page: asked } = queue.shift();
      const page = await asked;
      if (!page || !this.current(generation)) return false;
      if (from > 0 && !page.tasks.some((task) => received.has(task.id))) {
        // Tasks before `from` left this status set while we read it: step back so that none is skipped.
        queue.length = 0;
        next = Math.max(0, from - PAGE + OVERLAP);
        ask();
        continue;
      }
      for (const task of page.tasks) received.add(task.id);
      this.store.putPage(page.tasks, page.cursor);
      if (page.tasks.length === 0 || from + page.tasks.length >= page.total) return true;
      total = page.total;
      ask();
      await yieldToMain();
    }
    return true;
  }

  /** One page, retried (with growing delays) until it comes or the load is superseded (then undefined). */
  async fetchPage(generation, statuses, offset) {
    let shown = null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const page = await this.app.api().taskSummaries({ status: statuses, offset, limit: PAGE });
        shown?.dismiss();
        return this.current(generation) ? page : undefined;
      } catch (error) {
        if (!this.current(generation) || error.isAuth) return undefined;
        if (!shown && attempt >= 2) shown = notify(`${error.message} Retrying…`, { kind: 'error', sticky: true });
        await sleep(Math.min(8000, 500 * 2 ** attempt));
        if (!this.current(generation)) {
          shown?.dismiss();
          return undefined;
        }
      }
    }
  }
}

function mark(name) {
  try {
    performance.mark(name);
  } catch {
    /* no User Timing */
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets input, rendering and the live stream run before the next page is taken in. */
function yieldToMain() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
