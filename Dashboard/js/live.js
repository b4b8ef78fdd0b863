// The project's live event stream over a WebSocket (/ws): resumes from the last event id after any disconnect
// (so nothing is missed and nothing comes twice), reconnects with a growing, jittered delay, and reports its
// state for the connection indicator.

import { compareStreamIds } from './model.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;
/** A connection that stayed up this long resets the delay; one dropped sooner keeps growing it. */
const STABLE_AFTER_MS = 5000;

export class LiveConnection {
  /**
   * @param {{
   *   url: (since: string|null) => Promise<string>,
   *   onEvent: (event: {id: string, type: string, payload: object}) => void,
   *   onResync: (message: object) => void,
   *   onState: (state: {name: 'connecting'|'live'|'offline'|'stopped', retryAt?: number, attempt?: number}) => void,
   *   onDrop?: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.timer = null;
    this.attempt = 0;
    this.lastId = null;
    this.running = false;
  }

  /** Connects, receiving every event after `since` (a snapshot's cursor). */
  start(since) {
    this.stop();
    this.running = true;
    this.lastId = since ?? null;
    this.attempt = 0;
    this.open();
  }

  /** Closes the connection for good (until `start`). */
  stop() {
    this.running = false;
    this.opening = null;
    clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    this.options.onState({ name: 'stopped' });
  }

  /** Skips the wait of a pending reconnect. */
  retryNow() {
    if (!this.running || this.socket || (this.opening && !this.timer)) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.open();
  }

  get connected() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  async open() {
    this.timer = null;
    this.options.onState({ name: 'connecting', attempt: this.attempt });
    const opening = (this.opening = {});
    let socket;
    try {
      const url = await this.options.url(this.lastId);
      // Stopped, or another attempt began, while the URL was being made.
      if (!this.running || this.opening !== opening) return;
      socket = new WebSocket(url);
    } catch {
      if (!this.running || this.opening !== opening) return;
      this.options.onDrop?.();
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let openedAt = 0;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      openedAt = Date.now();
      this.options.onState({ name: 'live' });
    });
    socket.addEventListener('message', (message) => {
      if (this.socket !== socket) return;
      this.receive(message.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.running) return;
      if (openedAt && Date.now() - openedAt >= STABLE_AFTER_MS) this.attempt = 0;
      this.options.onDrop?.();
      this.scheduleReconnect();
    });
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message.type !== 'string') return;
    if (message.type === 'resync') {
      this.options.onResync(message);
      return;
    }
    if (message.id) {
      // Never the same event twice, whatever a server replays.
      if (this.lastId && compareStreamIds(message.id, this.lastId) <= 0) return;
      this.lastId = message.id;
    }
    this.options.onEvent(message);
  }

  scheduleReconnect() {
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.attempt += 1;
    const retryAt = Date.now() + delay;
    this.options.onState({ name: 'offline', retryAt, attempt: this.attempt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
  }
}
