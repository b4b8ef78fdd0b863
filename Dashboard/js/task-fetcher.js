// Full tasks on demand: the list holds summaries (no description, notes or answers), so the detail of a task, and
// the rows of tasks waiting for a person (which show the question or the reason), read the full task once. At most
// a few requests run at a time, each task at most once until it changes again.

const MAX_IN_FLIGHT = 4;

export class TaskFetcher {
  /** @param {object} app the dashboard (store, api()) */
  constructor(app) {
    this.app = app;
    this.queue = [];
    this.queued = new Set();
    this.inFlight = 0;
    /** task id → version last asked for (so a summary that stays a summary is not asked for in a loop) */
    this.asked = new Map();
    /** Called with (taskId, error) when a read failed. */
    this.onError = null;
  }

  reset() {
    this.queue = [];
    this.queued.clear();
    this.asked.clear();
  }

  /** Reads the full task soon, unless it is held in full or was already read at this version. */
  want(taskId, { urgent = false } = {}) {
    const held = this.app.store.tasks.get(taskId);
    if (held?.full) return;
    const version = held?.version ?? -1;
    if (this.queued.has(taskId) || this.asked.get(taskId) === version) return;
    this.queued.add(taskId);
    if (urgent) this.queue.unshift(taskId);
    else this.queue.push(taskId);
    this.pump();
  }

  pump() {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const taskId = this.queue.shift();
      this.queued.delete(taskId);
      const held = this.app.store.tasks.get(taskId);
      if (held?.full) continue;
      this.asked.set(taskId, held?.version ?? -1);
      this.inFlight += 1;
      this.read(taskId).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  async read(taskId) {
    const { store, generation } = this.app;
    try {
      const task = await this.app.api().getTask(taskId);
      if (generation === this.app.generation) store.putTask(task);
    } catch (error) {
      if (generation !== this.app.generation) return;
      if (error.status === 404 && store.tasks.has(taskId)) store.removeTask(taskId);
      this.onError?.(taskId, error);
    }
  }
}
