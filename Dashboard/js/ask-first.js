// An action that asks first, in place: its button gives way to a question with a confirming and a keeping button
// (deleting a task, removing a session from a task, deleting a webhook).

/**
 * Wires `start` to show `box` (the question with `confirm` and `cancel` in it) and `cancel` to hide it again.
 * `focus` takes the focus when the question opens (default: `cancel`, the safe choice); `onOpen` runs just before.
 * Returns `close({ refocus })`, which hides the question and gives the start button back (after a failed action,
 * without taking the focus).
 */
export function askFirst({ start, box, confirm, cancel, focus = cancel, onOpen = null }) {
  const close = ({ refocus = true } = {}) => {
    box.hidden = true;
    start.hidden = false;
    if (refocus) start.focus();
  };
  start.addEventListener('click', () => {
    onOpen?.();
    start.hidden = true;
    box.hidden = false;
    focus.focus();
  });
  cancel.addEventListener('click', () => close());
  return close;
}
