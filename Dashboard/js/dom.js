// Small DOM helpers: building elements, updating keyed lists in place (so focus and typed text survive live
// updates), and showing times.

/**
 * Creates an element. `attrs`: `class`, `text`, `dataset` ({...}), `on<event>` (function), booleans (present or
 * absent), anything else as an attribute. Children: nodes, strings, arrays, null (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  appendChildren(element, children);
  return element;
}

function appendChildren(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function setChildren(element, ...children) {
  element.replaceChildren();
  appendChildren(element, children);
}

/**
 * Makes `parent`'s children match `items`, one per key, in order: existing nodes are kept and passed to `update`,
 * missing ones built by `create` (then updated), extra ones removed. Every child of `parent` must be keyed.
 */
export function reconcile(parent, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of [...parent.children]) existing.set(child.dataset.key, child);
  const kept = new Set();
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let node = existing.get(key);
    if (!node) {
      node = create(item);
      node.dataset.key = key;
    }
    update(node, item);
    kept.add(key);
    const expected = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (node !== expected) parent.insertBefore(node, expected);
    previous = node;
  }
  for (const [key, node] of existing) if (!kept.has(key)) node.remove();
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago" (or "in …" for future times). */
export function relativeTime(iso, now = Date.now()) {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  const seconds = Math.round((now - time) / 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  const text = duration(Math.abs(seconds));
  return seconds < -5 ? `in ${text}` : `${text} ago`;
}

/** A number of seconds in words: "42 s", "5 min", "3 h", "2 days". */
export function duration(seconds) {
  const abs = Math.max(0, Math.round(seconds));
  if (abs < 60) return `${abs} s`;
  if (abs < 3600) return `${Math.round(abs / 60)} min`;
  if (abs < 86400) return `${Math.round(abs / 3600)} h`;
  const days = Math.round(abs / 86400);
  return `${days} day${days === 1 ? '' : 's'}`;
}

let clock = null;
let dayAndClock = null;

/** The local time of day of an ISO string ("14:02"), with the date when it is not today. */
export function clockTime(iso, now = new Date()) {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  clock ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  dayAndClock ??= new Intl.DateTimeFormat(undefined, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
  return (time.toDateString() === now.toDateString() ? clock : dayAndClock).format(time);
}

// What Date#toLocaleString() shows, made once, when first needed (making it is what costs, tens of ms).
let dateTime = null;

/** The full local date and time of an ISO string. */
export function absoluteTime(iso) {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return String(iso ?? '');
  dateTime ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return dateTime.format(time);
}

/** A `<time>` showing a relative time, kept current by `refreshTimes`, with the exact time as its tooltip. */
export function timeElement(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { class: 'rel', datetime: iso, title: absoluteTime(iso) }, relativeTime(iso));
}

/** A `<time>` showing how long ago `iso` was without "ago" ("35 min"), kept current by `refreshTimes`. */
export function ageElement(iso) {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return h('span', { class: 'muted' }, 'a while');
  return h('time', { class: 'age', datetime: iso, title: absoluteTime(iso) }, duration((Date.now() - time) / 1000));
}

/** Brings every relative time and age under `root` up to date. */
export function refreshTimes(root = document) {
  const now = Date.now();
  for (const element of root.querySelectorAll('time.rel, time.age')) {
    const iso = element.getAttribute('datetime');
    const text = element.classList.contains('age')
      ? duration((now - Date.parse(iso)) / 1000)
      : relativeTime(iso, now);
    if (element.textContent !== text) element.textContent = text;
  }
}

/** Writes a message into a visually hidden live region so screen readers say it. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A separate task, so the same text twice is announced twice.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}
