// Small text helpers shared by the views.

/** `text` cut to `length` characters, with an ellipsis when it was longer. */
export function clip(text, length) {
  const value = String(text ?? '');
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/** The address of a task's detail. */
export function taskHref(taskId) {
  return `#/tasks/${encodeURIComponent(taskId)}`;
}

/** A whole number with thousands separators: 100000 → "100,000" (without Intl, which costs to set up). */
export function count(value) {
  return String(Math.trunc(Number(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 task", "2 tasks". */
export function plural(value, word) {
  return `${count(value)} ${word}${value === 1 ? '' : 's'}`;
}
