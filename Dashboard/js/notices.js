// Short messages at the top of the page: information that goes away by itself, errors and questions that stay
// until dismissed.

import { h } from './dom.js';

const NOTICE_MS = 7000;
const MAX_NOTICES = 4;

/**
 * Shows a message. kind: 'info' (goes away by itself unless `sticky`), 'error' or 'attention' (stay until
 * dismissed); `link`: {href, text}. Returns a handle with `dismiss()`.
 */
export function notify(text, { kind = 'info', link = null, sticky = false } = {}) {
  const container = document.getElementById('notices');
  const dismiss = () => element.remove();
  const close = h(
    'button',
    { type: 'button', class: 'link-button notice-close', 'aria-label': 'Dismiss this message' },
    '✕',
  );
  const element = h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'info' ? 'status' : 'alert' },
    h('span', { class: 'notice-text' }, text),
    link ? h('a', { href: link.href, class: 'notice-link', onclick: () => setTimeout(dismiss, 0) }, link.text) : null,
    close,
  );
  close.addEventListener('click', dismiss);
  container.append(element);
  while (container.children.length > MAX_NOTICES) container.firstElementChild.remove();
  if (kind === 'info' && !sticky) setTimeout(dismiss, NOTICE_MS);
  return { dismiss };
}
