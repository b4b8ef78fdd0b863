// The parts of a task's detail that ask for a person: a warning banner for each blocked session (with its reason)
// and, for each session that needs input, its question with an answer box. The answer is stored with that
// session's progress entry; the agent reads it with `maestro task answer`. Prompts are updated in place, so an
// answer being typed survives live updates.

import { announce, h, reconcile, setChildren, timeElement } from './dom.js';
import { indicator } from './model.js';

export class TaskQuestions {
  /** @param {object} view the task detail (app, store, sessionLabel()) */
  constructor(view) {
    this.view = view;
  }

  /** A warning banner for every blocked session, with its reason. */
  renderBanners(container, task) {
    const blocked = task.sessionProgress.filter((entry) => entry.status === 'blocked');
    reconcile(
      container,
      blocked,
      (entry) => entry.sessionId,
      (entry) => h('div', { class: 'banner banner-blocked', role: 'alert', dataset: { sessionId: entry.sessionId } }),
      (node, entry) => {
        const signature = `${entry.lastUpdated}\u0000${entry.notes ?? ''}`;
        if (node.dataset.signature === signature) return;
        node.dataset.signature = signature;
        setChildren(
          node,
          h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, indicator('blocked')),
          h(
            'div',
            {},
            h('strong', {}, 'Blocked'),
            ` — ${this.view.sessionLabel(entry.sessionId)} `,
            timeElement(entry.lastUpdated),
            h('p', { class: 'banner-note preformatted' }, entry.notes || 'No reason given.'),
          ),
        );
      },
    );
  }

  /** A prompt with an answer box for every session that needs input. */
  renderPrompts(container, task) {
    const waiting = task.sessionProgress.filter((entry) => entry.status === 'needs_input');
    reconcile(
      container,
      waiting,
      (entry) => entry.sessionId,
      (entry) => this.buildPrompt(task.id, entry.sessionId),
      (node, entry) => this.updatePrompt(node, entry),
    );
  }

  buildPrompt(taskId, sessionId) {
    const fieldId = `answer-${sessionId}`;
    const question = h('p', { class: 'prompt-question preformatted' });
    const heading = h('p', { class: 'prompt-head' });
    const answered = h('p', { class: 'prompt-answered', hidden: true });
    const label = h('label', { for: fieldId }, 'Your answer');
    const textarea = h('textarea', {
      id: fieldId,
      name: 'answer',
      rows: '3',
      required: true,
      'aria-describedby': `${fieldId}-hint`,
    });
    const hint = h(
      'span',
      { class: 'muted hint', id: `${fieldId}-hint` },
      'Ctrl+Enter sends. The agent reads it with maestro task answer.',
    );
    const button = h('button', { type: 'submit' }, 'Send answer');
    const error = h('p', { class: 'inline-error', role: 'alert' });
    const form = h('form', { class: 'answer-form' }, label, textarea, hint, h('div', { class: 'form-actions' }, button), error);
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answer = textarea.value.trim();
      error.textContent = '';
      if (!answer) {
        error.textContent = 'Type an answer first.';
        textarea.focus();
        return;
      }
      button.disabled = true;
      try {
        const result = await this.view.app.api().answer(taskId, sessionId, answer);
        if (result && result.version != null) {
          this.view.store.apply({
            type: 'task:input_answer',
            payload: {
              taskId,
              sessionId,
              answer: result.answer ?? answer,
              answeredAt: result.answeredAt,
              version: result.version,
            },
          });
        }
        textarea.value = '';
        announce('Answer sent.');
        this.view.app.notify(`Answer sent to ${this.view.sessionLabel(sessionId)}.`);
      } catch (failure) {
        error.textContent = failure.message;
        if (failure.status === 409) this.view.app.refreshTask(taskId);
      } finally {
        button.disabled = false;
      }
    });
    const node = h(
      'section',
      { class: 'prompt', 'aria-label': `Question from ${this.view.sessionLabel(sessionId)}`, dataset: { sessionId } },
      heading,
      question,
      answered,
      form,
    );
    node.parts = { heading, question, answered, label, button };
    return node;
  }

  updatePrompt(node, entry) {
    const { heading, question, answered, label, button } = node.parts;
    setChildren(
      heading,
      h('span', { class: 'indicator indicator-needs_input', 'aria-hidden': 'true' }, indicator('needs_input')),
      ' ',
      h('strong', {}, this.view.sessionLabel(entry.sessionId)),
      ' needs your input · asked ',
      timeElement(entry.lastUpdated),
    );
    question.textContent = entry.notes || 'The agent did not say what it needs. Answer anyway, or look at its output.';
    if (entry.answer != null) {
      answered.hidden = false;
      setChildren(
        answered,
        'You answered ',
        timeElement(entry.answeredAt),
        ': ',
        h('q', { class: 'answer-text' }, entry.answer),
        ' — waiting for the agent to continue.',
      );
      label.textContent = 'Change your answer';
      button.textContent = 'Send new answer';
    } else {
      answered.hidden = true;
      label.textContent = 'Your answer';
      button.textContent = 'Send answer';
    }
  }

}
