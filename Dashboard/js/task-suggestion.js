// The server's suggestion for an In Progress task whose sessions have all finished (`suggestedStatus`): Completed
// when one of them completed it, To Do (another attempt) when all failed or were cancelled. The dashboard offers it as
// one click with its reason; the task never changes by itself (spec §4.1): the click is the user's status change
// (PUT /api/tasks/:id). It goes away with the suggestion (the task changed, or a session took it up again).

import { announce, h } from './dom.js';
import { statusLabel } from './model.js';

const WORDS = {
  completed: {
    verb: 'Mark completed',
    reason: 'Every session has finished and one completed it — mark completed?',
    short: 'Every session finished; one completed it.',
  },
  todo: {
    verb: 'Back to To Do',
    reason: 'Every session has finished and none completed it (failed or cancelled) — back to To Do for another try?',
    short: 'Every session finished; none completed it.',
  },
};

/** What to say and offer for the task's suggestion, or null when it has none. */
export function suggestionOf(task) {
  const target = task?.suggestedStatus;
  if (!target || task.status !== 'inprogress') return null;
  const words = WORDS[target] ?? {
    verb: `Move to ${statusLabel(target)}`,
    reason: `Every session has finished — move to ${statusLabel(target)}?`,
    short: 'Every session finished.',
  };
  return { target, ...words };
}

/** The button that takes the suggestion (`onclick`, when given, is called with the button). */
export function suggestionButton(task, suggestion, onclick, { small = false } = {}) {
  return h(
    'button',
    {
      type: 'button',
      class: `${suggestion.target === 'completed' ? 'primary' : 'secondary'}${small ? ' small' : ''}`,
      dataset: { action: 'suggestion', target: suggestion.target, taskId: task.id },
      'aria-label': `${suggestion.verb}: ${task.title}`,
      title: suggestion.reason,
      onclick: onclick ? (event) => onclick(event.currentTarget) : null,
    },
    suggestion.verb,
  );
}

/**
 * Takes the suggestion for `task`: the status change through the API, the reply put in the store. Returns the
 * error (already shown by `onError`) or null.
 */
export async function takeSuggestion(app, task, target, { button = null, onError = null } = {}) {
  if (button) button.disabled = true;
  try {
    const action = `Could not move the task to ${statusLabel(target)}`;
    const updated = await app.api().updateTask(task.id, { status: target }, action);
    app.store.putTask(updated);
    announce(`Task moved to ${statusLabel(target)}.`);
    return null;
  } catch (error) {
    (onError ?? ((failure) => app.notify(failure.message, { kind: 'error' })))(error);
    app.refreshTask(task.id);
    return error;
  } finally {
    if (button) button.disabled = false;
  }
}
