// A sorted list for many items (100,000 tasks) that changes one item at a time: items live in chunks of at most
// CHUNK_MAX, each sorted, the chunks in order. Inserting or removing costs a binary search over the chunks, one
// within a chunk and a splice of at most CHUNK_MAX items, never a move of the whole list; reading the item at an
// index or the index at a pixel offset (rows of two heights: plain and "tall") uses prefix sums over the chunks,
// rebuilt lazily after a change (one pass over the chunks, not the items).
//
// Items must never change while they are in a list (the store replaces a task's record on every change): the
// comparator finds an item by what it compared as when it went in. The comparator must order distinct items
// strictly (ties broken by id), so that an item's place is unique.

const CHUNK_MAX = 128;

export class SortedList {
  /**
   * @param {(a: object, b: object) => number} compare a strict order of the items
   * @param {(item: object) => boolean} [isTall] which items take a tall row (for offsets in pixels)
   */
  constructor(compare, isTall = () => false) {
    this.compare = compare;
    this.isTall = isTall;
    /** @type {{items: object[], tall: number}[]} */
    this.chunks = [];
    this.size = 0;
    this.tallCount = 0;
    this.stale = true;
    /** Index of each chunk's first item, and tall items before it (valid while !stale). */
    this.starts = [];
    this.tallStarts = [];
  }

  /** A list holding `items`, which are already in the order of `compare`. */
  static fromSorted(items, compare, isTall) {
    const list = new SortedList(compare, isTall);
    for (let start = 0; start < items.length; start += CHUNK_MAX / 2) {
      const slice = items.slice(start, start + CHUNK_MAX / 2);
      let tall = 0;
      for (const item of slice) if (list.isTall(item)) tall += 1;
      list.chunks.push({ items: slice, tall });
      list.tallCount += tall;
    }
    list.size = items.length;
    return list;
  }

  /** The chunk an item belongs in: the first whose last item is not before it (or the last chunk). */
  chunkIndexFor(item) {
    const chunks = this.chunks;
    let low = 0;
    let high = chunks.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      const last = chunks[middle].items[chunks[middle].items.length - 1];
      if (this.compare(item, last) <= 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** The first position in `items` whose item is not before `item`. */
  positionIn(items, item) {
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.compare(items[middle], item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  insert(item) {
    this.stale = true;
    this.size += 1;
    const tall = this.isTall(item) ? 1 : 0;
    this.tallCount += tall;
    if (this.chunks.length === 0) {
      this.chunks.push({ items: [item], tall });
      return;
    }
    const index = this.chunkIndexFor(item);
    const chunk = this.chunks[index];
    const position = this.positionIn(chunk.items, item);
    if (position === 0) chunk.items.unshift(item);
    else if (position === chunk.items.length) chunk.items.push(item);
    else chunk.items.splice(position, 0, item);
    chunk.tall += tall;
    if (chunk.items.length > CHUNK_MAX) {
      const rest = chunk.items.splice(CHUNK_MAX / 2);
      let restTall = 0;
      for (const moved of rest) if (this.isTall(moved)) restTall += 1;
      chunk.tall -= restTall;
      this.chunks.splice(index + 1, 0, { items: rest, tall: restTall });
    }
  }

  /** Removes `item` (the very object that was inserted); false when it is not in the list. */
  remove(item) {
    if (this.chunks.length === 0) return false;
    let index = this.chunkIndexFor(item);
    let chunk = this.chunks[index];
    let position = this.positionIn(chunk.items, item);
    if (chunk.items[position] !== item) {
      // Not where its order says: the comparator was not consistent. Look everywhere rather than lose track.
      const found = this.locate(item);
      if (!found) return false;
      [index, position] = found;
      chunk = this.chunks[index];
    }
    if (position === 0) chunk.items.shift();
    else if (position === chunk.items.length - 1) chunk.items.pop();
    else chunk.items.splice(position, 1);
    const tall = this.isTall(item) ? 1 : 0;
    chunk.tall -= tall;
    this.tallCount -= tall;
    this.size -= 1;
    this.stale = true;
    if (chunk.items.length === 0) this.chunks.splice(index, 1);
    else if (chunk.items.length < CHUNK_MAX / 8 && index + 1 < this.chunks.length) {
      const next = this.chunks[index + 1];
      if (chunk.items.length + next.items.length <= CHUNK_MAX) {
        chunk.items.push(...next.items);
        chunk.tall += next.tall;
        this.chunks.splice(index + 1, 1);
      }
    }
    return true;
  }

  /**
   * Puts `next` where `previous` was when both sort alike and are equally tall (a change that does not move the
   * item: a cheap swap); otherwise removes one and inserts the other. Either may be null.
   */
  replace(previous, next) {
    if (previous && next && this.compare(previous, next) === 0 && this.isTall(previous) === this.isTall(next)) {
      const index = this.chunkIndexFor(previous);
      const chunk = this.chunks[index];
      const position = this.positionIn(chunk.items, previous);
      if (chunk.items[position] === previous) {
        chunk.items[position] = next;
        return;
      }
    }
    if (previous) this.remove(previous);
    if (next) this.insert(next);
  }

  locate(item) {
    for (let index = 0; index < this.chunks.length; index += 1) {
      const position = this.chunks[index].items.indexOf(item);
      if (position >= 0) return [index, position];
    }
    return null;
  }

  refresh() {
    if (!this.stale) return;
    const count = this.chunks.length;
    this.starts = new Array(count);
    this.tallStarts = new Array(count);
    let index = 0;
    let tall = 0;
    for (let chunk = 0; chunk < count; chunk += 1) {
      this.starts[chunk] = index;
      this.tallStarts[chunk] = tall;
      index += this.chunks[chunk].items.length;
      tall += this.chunks[chunk].tall;
    }
    this.stale = false;
  }

  /** The chunk holding position `index` (0 ≤ index < size). */
  chunkAt(index) {
    this.refresh();
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  at(index) {
    if (index < 0 || index >= this.size) return undefined;
    const chunk = this.chunkAt(index);
    return this.chunks[chunk].items[index - this.starts[chunk]];
  }

  /** The items at [start, end), in order. */
  slice(start, end) {
    const result = [];
    start = Math.max(0, start);
    end = Math.min(this.size, end);
    if (start >= end) return result;
    let chunk = this.chunkAt(start);
    let position = start - this.starts[chunk];
    while (result.length < end - start && chunk < this.chunks.length) {
      const items = this.chunks[chunk].items;
      for (; position < items.length && result.length < end - start; position += 1) result.push(items[position]);
      chunk += 1;
      position = 0;
    }
    return result;
  }

  /** The position of `item` (the very object), or -1. */
  indexOf(item) {
    if (this.chunks.length === 0) return -1;
    let chunk = this.chunkIndexFor(item);
    let position = this.positionIn(this.chunks[chunk].items, item);
    if (this.chunks[chunk].items[position] !== item) {
      const found = this.locate(item);
      if (!found) return -1;
      [chunk, position] = found;
    }
    this.refresh();
    return this.starts[chunk] + position;
  }

  /** Calls `visit(item)` for every item in order until it returns false. */
  forEach(visit) {
    for (const chunk of this.chunks) {
      for (const item of chunk.items) if (visit(item) === false) return;
    }
  }

  /** How many of the first `index` items are tall. */
  tallBefore(index) {
    if (index <= 0 || this.size === 0) return 0;
    if (index >= this.size) return this.tallCount;
    const chunk = this.chunkAt(index);
    let tall = this.tallStarts[chunk];
    const items = this.chunks[chunk].items;
    for (let position = 0; position < index - this.starts[chunk]; position += 1) if (this.isTall(items[position])) tall += 1;
    return tall;
  }

  /** The top of row `index` in pixels, rows being `pitch` apart and tall ones `extra` more. */
  offsetOf(index, pitch, extra) {
    return index * pitch + this.tallBefore(index) * extra;
  }

  /** The height of every row together. */
  height(pitch, extra) {
    return this.size * pitch + this.tallCount * extra;
  }

  /** The index of the row at `offset` pixels from the top (clamped to the list). */
  indexAt(offset, pitch, extra) {
    if (this.size === 0 || offset <= 0) return 0;
    this.refresh();
    const starts = this.starts;
    const tallStarts = this.tallStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] * pitch + tallStarts[middle] * extra <= offset) low = middle;
      else high = middle - 1;
    }
    let top = starts[low] * pitch + tallStarts[low] * extra;
    let index = starts[low];
    for (const item of this.chunks[low].items) {
      const bottom = top + pitch + (this.isTall(item) ? extra : 0);
      if (offset < bottom) return index;
      top = bottom;
      index += 1;
    }
    return Math.min(index, this.size - 1);
  }
}
