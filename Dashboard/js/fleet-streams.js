// The live event streams of the projects the fleet page shows: one LiveConnection (live.js: stream tickets,
// resuming from the last event id, reconnecting with a growing delay) per project, each started from the cursor the
// fleet was read at, so that nothing that happened after the read is missed. Past MAX_STREAMS projects the page polls
// instead of opening more sockets.

import { LiveConnection } from './live.js';

/** Projects followed live at most; with more, the page refreshes on a timer instead. */
export const MAX_STREAMS = 25;

export class FleetStreams {
  /**
   * @param {{
   *   url: (projectId: string, since: string|null) => Promise<string>,
   *   onEvent: (projectId: string, event: object) => void,
   *   onResync: (projectId: string) => void,
   *   onState: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Map<string, {connection: LiveConnection, state: string}>} */
    this.streams = new Map();
    /** More projects than MAX_STREAMS: the caller polls. */
    this.overflow = false;
  }

  /** Follows exactly the projects of `cursors` ({projectId: last event id}); those already followed continue. */
  follow(cursors) {
    const wanted = Object.keys(cursors).sort().slice(0, MAX_STREAMS);
    this.overflow = Object.keys(cursors).length > MAX_STREAMS;
    for (const [projectId, stream] of this.streams) {
      if (!wanted.includes(projectId)) this.drop(projectId, stream);
    }
    for (const projectId of wanted) {
      if (this.streams.has(projectId)) continue;
      const stream = { connection: null, state: 'connecting' };
      stream.connection = new LiveConnection({
        url: (since) => this.options.url(projectId, since),
        onEvent: (event) => this.options.onEvent(projectId, event),
        onResync: () => {
          // The stream no longer has our position: read the fleet again and follow from its new cursor.
          this.drop(projectId, stream);
          this.options.onResync(projectId);
        },
        onState: (state) => {
          stream.state = state.name;
          this.options.onState();
        },
      });
      this.streams.set(projectId, stream);
      stream.connection.start(cursors[projectId]);
    }
  }

  drop(projectId, stream) {
    if (this.streams.get(projectId) === stream) this.streams.delete(projectId);
    stream.connection.stop();
  }

  /** Stops every stream. */
  stop() {
    for (const [projectId, stream] of [...this.streams]) this.drop(projectId, stream);
    this.overflow = false;
  }

  /** How many streams are open and how many are followed. */
  counts() {
    let live = 0;
    for (const stream of this.streams.values()) if (stream.state === 'live') live += 1;
    return { live, followed: this.streams.size };
  }

  /** Reconnects every stream waiting to (the browser came back online). */
  retryNow() {
    for (const stream of this.streams.values()) stream.connection.retryNow();
  }
}
