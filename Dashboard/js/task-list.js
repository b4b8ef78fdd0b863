// The task list: filters, sort and search (task-query.js keeps the result), the counts, and the rows. The list is
// virtual: only the rows in the window (and some overscan) are in the DOM, placed by offset in a box as tall as
// every row together, so 100,000 tasks cost what 30 do. Rows are updated in place and only when their task changed,
// the focused row is kept while it is scrolled away, and DOM order is the visual order (Tab works).

import { readSession, writeSession } from './storage.js';
import { TaskCreateForm } from './task-create.js';
import { TaskQuery } from './task-query.js';
import { isTall } from './task-records.js';
import { createRow, updateRow, wantsNotes } from './task-row.js';
import { takeSuggestion } from './task-suggestion.js';
import { count, plural } from './text.js';

const FILTERS_KEY = 'maestro.taskFilters';
const POOL_MAX = 60;

export class TaskListView {
  /** @param {object} app the dashboard (store, fetcher, api(), notify(), navigate()) */
  constructor(app) {
    this.app = app;
    this.list = document.getElementById('task-list');
    this.summary = document.getElementById('task-list-summary');
    this.empty = document.getElementById('task-list-empty');
    this.filters = document.getElementById('task-filters');
    this.query = new TaskQuery(app.store);
    this.createForm = new TaskCreateForm(app);
    this.selectedId = null;
    /** @type {Map<string, HTMLLIElement>} task id → row in the DOM */
    this.rows = new Map();
    this.pool = [];
    this.metrics = null;
    this.height = -1;
    this.summaryText = null;
    this.scrollPending = false;

    this.restoreFilters();
    this.query.set(this.filterValues());
    const refilter = () => {
      this.saveFilters();
      if (this.query.set(this.filterValues())) this.render();
    };
    this.filters.addEventListener('input', refilter);
    this.filters.addEventListener('change', refilter);
    this.filters.addEventListener('submit', (event) => event.preventDefault());
    this.list.addEventListener('click', (event) => this.clicked(event));
    window.addEventListener('scroll', () => this.scheduleScroll(), { passive: true });
    window.addEventListener('resize', () => {
      this.metrics = null;
      this.scheduleScroll();
    });
  }

  filterValues() {
    return Object.fromEntries(new FormData(this.filters));
  }

  restoreFilters() {
    const saved = readSession(FILTERS_KEY);
    for (const [name, value] of Object.entries(saved && typeof saved === 'object' ? saved : {})) {
      const control = this.filters.elements.namedItem(name);
      if (control && typeof value === 'string') control.value = value;
    }
  }

  saveFilters() {
    writeSession(FILTERS_KEY, this.filterValues());
  }

  scheduleScroll() {
    if (this.scrollPending) return;
    this.scrollPending = true;
    requestAnimationFrame(() => {
      this.scrollPending = false;
      this.renderWindow();
    });
  }

  /** Row height plus gap (`pitch`) and the extra height of tall rows, in pixels, from the CSS. */
  measure() {
    const probe = document.createElement('div');
    probe.style.cssText =
      'position:absolute;visibility:hidden;height:var(--task-row-height);width:var(--task-row-tall-extra);' +
      'padding-top:var(--task-row-gap);box-sizing:content-box';
    this.list.parentElement.append(probe);
    const style = getComputedStyle(probe);
    const height = parseFloat(style.height) || 70;
    const gap = parseFloat(style.paddingTop) || 0;
    const extra = parseFloat(style.width) || 0;
    probe.remove();
    return { pitch: height + gap, extra, gap };
  }

  /** Brings the counts, the size of the list and the rows in view up to date (`change`: what changed). */
  render(change = null) {
    const list = this.query.list;
    this.renderSummary(list);
    this.createForm.render(change);
    this.renderWindow(change);
  }

  renderSummary(list) {
    const store = this.app.store;
    const total = store.tasks.size;
    const shown = list.size;
    let text;
    if (!store.loaded) text = 'Loading tasks…';
    else {
      const filtered = this.query.filtered;
      text = filtered ? `Showing ${count(shown)} of ${plural(total, 'task')}` : plural(total, 'task');
      if (!store.complete) text += ` · loaded ${count(total)} of ${count(Math.max(store.expected, total))}…`;
    }
    if (text !== this.summaryText) this.summary.textContent = this.summaryText = text;
    const empty = store.loaded && store.complete && shown === 0;
    this.empty.hidden = !empty;
    if (empty) {
      this.empty.textContent =
        total === 0 ? 'No tasks yet. Create the first one with “New task”.' : 'No task matches these filters.';
    }
  }

  /** Places the rows that are in the window now. */
  renderWindow(change = null) {
    const list = this.query.list;
    if (!this.list.offsetParent) return; // hidden (another view, or the detail on a narrow screen)
    if (!this.metrics) this.metrics = this.measure();
    const { pitch, extra, gap } = this.metrics;
    const height = Math.max(0, list.height(pitch, extra) - (list.size ? gap : 0));
    if (height !== this.height) {
      this.height = height;
      this.list.style.height = `${height}px`;
    }
    let top = this.list.getBoundingClientRect().top;
    if (change?.bulk) top = this.keepAnchor(list, top, pitch, extra);
    const overscan = Math.max(300, window.innerHeight * 0.75);
    const first = list.indexAt(-top - overscan, pitch, extra);
    const last = list.size ? list.indexAt(-top + window.innerHeight + overscan, pitch, extra) : -1;
    const items = list.slice(first, last + 1);
    const wanted = new Map();
    let offset = list.offsetOf(first, pitch, extra);
    items.forEach((task, position) => {
      wanted.set(task.id, { task, index: first + position, offset });
      offset += pitch + (isTall(task) ? extra : 0);
    });
    this.keepFocused(list, wanted, pitch, extra);
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        this.rows.delete(id);
        row.remove();
        if (this.pool.length < POOL_MAX) this.pool.push(row);
      }
    }
    const ordered = [...wanted.values()].sort((a, b) => a.index - b.index);
    let previous = null;
    for (const { task, index, offset: y } of ordered) {
      let row = this.rows.get(task.id);
      if (!row) {
        row = this.pool.pop() ?? createRow();
        row.task = null;
        this.rows.set(task.id, row);
      }
      updateRow(row, task, task.id === this.selectedId, this.app.store.project);
      if (row.y !== y) {
        row.y = y;
        row.style.transform = `translateY(${y}px)`;
      }
      const position = String(index + 1);
      if (row.getAttribute('aria-posinset') !== position) row.setAttribute('aria-posinset', position);
      const size = String(list.size);
      if (row.getAttribute('aria-setsize') !== size) row.setAttribute('aria-setsize', size);
      this.place(row, previous);
      previous = row;
      if (wantsNotes(task)) this.app.fetcher.want(task.id);
    }
    this.rememberAnchor(ordered, top);
  }

  /** The first row at least partly on screen, and where, while the list is scrolled into (null otherwise). */
  rememberAnchor(ordered, top) {
    this.anchor = null;
    if (top >= 0) return;
    const first = ordered.find(({ offset }) => top + offset + this.metrics.pitch > 0);
    if (first) this.anchor = { id: first.task.id, screenTop: top + first.offset };
  }

  /**
   * Pages loading in the background insert tasks above the rows being looked at: scrolls by as much, so that the
   * first row on screen stays where it was. Returns the list's new top.
   */
  keepAnchor(list, top, pitch, extra) {
    const anchor = this.anchor;
    const task = anchor && this.app.store.tasks.get(anchor.id);
    const index = task ? list.indexOf(task) : -1;
    if (index < 0) return top;
    const shift = top + list.offsetOf(index, pitch, extra) - anchor.screenTop;
    if (Math.abs(shift) < 1) return top;
    window.scrollBy(0, shift);
    return this.list.getBoundingClientRect().top;
  }

  /** Keeps the row holding the focus while it is scrolled out of the window (so the focus is not lost). */
  keepFocused(list, wanted, pitch, extra) {
    const focused = document.activeElement?.closest?.('#task-list > li');
    const task = focused?.task;
    if (!task || wanted.has(task.id)) return;
    const current = this.app.store.tasks.get(task.id);
    const index = current ? list.indexOf(current) : -1;
    if (index >= 0) wanted.set(task.id, { task: current, index, offset: list.offsetOf(index, pitch, extra) });
  }

  /** Puts `row` right after `previous` (first when null), moving other rows rather than a focused one. */
  place(row, previous) {
    const expected = previous ? previous.nextElementSibling : this.list.firstElementChild;
    if (row === expected) return;
    if (row.isConnected && row.contains(document.activeElement)) {
      // Moving the focused row would blur it: move what stands before it instead.
      let stray = expected;
      while (stray && stray !== row) {
        const next = stray.nextElementSibling;
        this.list.append(stray);
        stray = next;
      }
      return;
    }
    this.list.insertBefore(row, expected);
  }

  setSelected(taskId) {
    this.selectedId = taskId;
    for (const row of this.rows.values()) updateRow(row, row.task, row.task?.id === taskId, this.app.store.project);
  }

  /** A row's suggestion button: the status change it offers. */
  clicked(event) {
    const button = event.target.closest?.('button[data-action="suggestion"]');
    const task = button && this.app.store.tasks.get(button.dataset.taskId);
    if (task) takeSuggestion(this.app, task, button.dataset.target, { button });
  }

  /** Sets the parent field (from a task's "Add subtask" button) and opens the form. */
  startSubtask(parentId) {
    this.createForm.startSubtask(parentId);
  }
}
