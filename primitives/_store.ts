// Where a queue keeps its items: encoded records in an arena, and an index
// of entries that gives their order (a ring for FIFO, a stack for LIFO, a
// binary heap for priority). Both live in growable SharedArrayBuffers of the
// queue's own, carried by its handle. Every method runs under the queue's
// lock, which orders these plain reads and writes between threads.
//
// The arena is filled by bumping `top`; when a record does not fit, the live
// records are moved down to the front (compaction), and the arena doubles
// first if they would fill more than half of it. So an item of any size fits,
// up to MAX_ARENA_BYTES, and the ring is never corrupted by one that doesn't.

import { type Encoded, JSON_TEXT } from "./_codec.ts";

/** Header words of a store, inside the queue's header. */
export const STORE_WORDS = 6;
const COUNT = 0; // items held
const HEAD = 1; // FIFO: index of the first entry in the ring
const SEQ = 2; // insertion counter, for priority ties
const TOP = 3; // arena bytes in use (live or dead)
const LIVE = 4; // arena bytes of live records
const CAPACITY = 5; // index entries that fit

export const FIFO = 0;
export const LIFO = 1;
export const PRIORITY = 2;

const ENTRY_BYTES = 16; // [offset, seq, key: f64]
const RECORD_HEADER = 8; // [tag, payload bytes]
const INITIAL_ENTRIES = 64;
const INITIAL_ARENA = 16 * 1024;
const MAX_ENTRIES = 4 * 1024 * 1024;
const MAX_ARENA_BYTES = 512 * 1024 * 1024;

/** A fresh pair of buffers for a store. */
export function allocateStore(): [SharedArrayBuffer, SharedArrayBuffer] {
  return [
    new SharedArrayBuffer(INITIAL_ENTRIES * ENTRY_BYTES, {
      maxByteLength: MAX_ENTRIES * ENTRY_BYTES,
    }),
    new SharedArrayBuffer(INITIAL_ARENA, { maxByteLength: MAX_ARENA_BYTES }),
  ];
}

/** Initialises the header words of a fresh store. */
export function initStore(header: Int32Array): void {
  header[CAPACITY] = INITIAL_ENTRIES;
}

/** A decoded-later record: its tag and its payload, copied out. */
export interface StoredItem {
  tag: number;
  payload: string | Uint8Array;
}

function padded(bytes: number): number {
  return (bytes + 7) & ~7;
}

// Reading text back (measured on 40-2,000 characters). String.fromCharCode
// .apply is fastest on a plain array (on a typed array it costs about twice
// as much per character), and takes its arguments on the stack, so long
// texts go in chunks. Long ASCII texts, the usual JSON, are narrowed to bytes
// and decoded as UTF-8, about twice as fast again; any other code unit sends
// them the first way.
const CHUNK = 4096;
const SHORT_TEXT = 256;
const KEPT_BYTES = 64 * 1024;
let kept: Uint8Array | undefined;
const utf8 = new TextDecoder();

function readText(chars: Uint16Array, start: number, length: number): string {
  if (length > SHORT_TEXT) {
    const narrowed = length <= KEPT_BYTES
      ? kept ??= new Uint8Array(KEPT_BYTES)
      : new Uint8Array(length);
    let i = 0;
    for (; i < length; i++) {
      const code = chars[start + i]!;
      if (code > 0x7f) break;
      narrowed[i] = code;
    }
    if (i === length) return utf8.decode(narrowed.subarray(0, length));
  }
  let text = "";
  for (let from = 0; from < length; from += CHUNK) {
    const codes = new Array<number>(Math.min(CHUNK, length - from));
    const at = start + from;
    for (let i = 0; i < codes.length; i++) codes[i] = chars[at + i]!;
    text += String.fromCharCode.apply(null, codes);
  }
  return text;
}

export class ItemStore {
  readonly #header: Int32Array;
  readonly #order: number;
  readonly #index: SharedArrayBuffer;
  readonly #arena: SharedArrayBuffer;
  // Fixed-length views over what the buffers held when they were made, made
  // again when the buffers have grown (here or in another thread). V8 reads
  // and writes them about four times faster than length-tracking views.
  #entries!: Int32Array;
  #keys!: Float64Array;
  #words!: Int32Array;
  #chars!: Uint16Array;
  #bytes!: Uint8Array;

  constructor(
    header: Int32Array,
    order: number,
    index: SharedArrayBuffer,
    arena: SharedArrayBuffer,
  ) {
    this.#header = header;
    this.#order = order;
    this.#index = index;
    this.#arena = arena;
    this.#viewIndex();
    this.#viewArena();
  }

  #viewIndex(): void {
    const length = this.#index.byteLength;
    this.#entries = new Int32Array(this.#index, 0, length >> 2);
    this.#keys = new Float64Array(this.#index, 0, length >> 3);
  }

  #viewArena(): void {
    const length = this.#arena.byteLength;
    this.#words = new Int32Array(this.#arena, 0, length >> 2);
    this.#chars = new Uint16Array(this.#arena, 0, length >> 1);
    this.#bytes = new Uint8Array(this.#arena, 0, length);
  }

  /**
   * Makes the views cover every entry and every record in use. The buffers
   * only grow, and only under the lock, so whatever the header says is in
   * use lies within them.
   */
  #cover(): void {
    const header = this.#header;
    if (header[CAPACITY]! * 4 > this.#entries.length) this.#viewIndex();
    if (header[TOP]! > this.#bytes.length) this.#viewArena();
  }

  get count(): number {
    return this.#header[COUNT]!;
  }

  /** The bytes a record of this item takes in the arena. */
  static sizeOf(item: Encoded): number {
    return RECORD_HEADER +
      padded(item.tag === JSON_TEXT ? item.text.length * 2 : item.bytes.length);
  }

  /** Adds an item; throws a RangeError, changing nothing, if it cannot fit. */
  push(item: Encoded, key: number, where: string): void {
    const header = this.#header;
    const size = ItemStore.sizeOf(item);
    this.#cover();
    this.#reserveEntry(where);
    const offset = this.#reserveBytes(size, where);
    if (offset + size > this.#bytes.length) this.#viewArena();
    const words = this.#words;
    if (item.tag === JSON_TEXT) {
      const text = item.text;
      const chars = this.#chars;
      const start = (offset + RECORD_HEADER) >> 1;
      for (let i = 0; i < text.length; i++) {
        chars[start + i] = text.charCodeAt(i);
      }
      words[offset >> 2] = JSON_TEXT;
      words[(offset >> 2) + 1] = text.length * 2;
    } else {
      this.#bytes.set(item.bytes, offset + RECORD_HEADER);
      words[offset >> 2] = item.tag;
      words[(offset >> 2) + 1] = item.bytes.length;
    }
    header[TOP] = offset + size;
    header[LIVE] = header[LIVE]! + size;
    const seq = header[SEQ]!;
    header[SEQ] = (seq + 1) | 0;
    const count = header[COUNT]!;
    const slot = this.#order === FIFO
      ? (header[HEAD]! + count) % header[CAPACITY]!
      : count;
    this.#setEntry(slot, offset, seq, key);
    header[COUNT] = count + 1;
    if (this.#order === PRIORITY) this.#siftUp(count);
  }

  /** Removes the next item (by the store's order) and copies it out. */
  pop(): StoredItem {
    const header = this.#header;
    this.#cover();
    const count = header[COUNT]! - 1;
    let slot: number;
    if (this.#order === FIFO) {
      slot = header[HEAD]!;
      header[HEAD] = (slot + 1) % header[CAPACITY]!;
    } else {
      slot = this.#order === LIFO ? count : 0;
    }
    const offset = this.#entries[slot * 4]!;
    header[COUNT] = count;
    if (this.#order === PRIORITY && count > 0) {
      this.#moveEntry(count, 0);
      this.#siftDown(0, count);
    }
    const record = this.#read(offset);
    const size = RECORD_HEADER + padded(this.#words[(offset >> 2) + 1]!);
    header[LIVE] = header[LIVE]! - size;
    if (count === 0) {
      // Empty: start the arena and the ring over.
      header[TOP] = 0;
      header[HEAD] = 0;
    }
    return record;
  }

  /** Drops every item. */
  clear(): number {
    const header = this.#header;
    const dropped = header[COUNT]!;
    header[COUNT] = 0;
    header[HEAD] = 0;
    header[TOP] = 0;
    header[LIVE] = 0;
    return dropped;
  }

  #read(offset: number): StoredItem {
    const tag = this.#words[offset >> 2]!;
    const length = this.#words[(offset >> 2) + 1]!;
    const start = offset + RECORD_HEADER;
    if (tag !== JSON_TEXT) {
      return { tag, payload: this.#bytes.slice(start, start + length) };
    }
    return { tag, payload: readText(this.#chars, start >> 1, length >> 1) };
  }

  #setEntry(slot: number, offset: number, seq: number, key: number): void {
    this.#entries[slot * 4] = offset;
    this.#entries[slot * 4 + 1] = seq;
    this.#keys[slot * 2 + 1] = key;
  }

  #moveEntry(from: number, to: number): void {
    this.#entries[to * 4] = this.#entries[from * 4]!;
    this.#entries[to * 4 + 1] = this.#entries[from * 4 + 1]!;
    this.#keys[to * 2 + 1] = this.#keys[from * 2 + 1]!;
  }

  /** Whether entry a comes out before entry b: lower key, then older. */
  #before(a: number, b: number): boolean {
    const keyA = this.#keys[a * 2 + 1]!;
    const keyB = this.#keys[b * 2 + 1]!;
    if (keyA !== keyB) return keyA < keyB;
    return ((this.#entries[a * 4 + 1]! - this.#entries[b * 4 + 1]!) | 0) < 0;
  }

  #swap(a: number, b: number): void {
    const e = this.#entries;
    const k = this.#keys;
    for (const i of [0, 1]) {
      const t = e[a * 4 + i]!;
      e[a * 4 + i] = e[b * 4 + i]!;
      e[b * 4 + i] = t;
    }
    const t = k[a * 2 + 1]!;
    k[a * 2 + 1] = k[b * 2 + 1]!;
    k[b * 2 + 1] = t;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number, count: number): void {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= count) return;
      const right = left + 1;
      const child = right < count && this.#before(right, left) ? right : left;
      if (!this.#before(child, i)) return;
      this.#swap(child, i);
      i = child;
    }
  }

  /** Makes room for one more entry, growing the index if it is full. */
  #reserveEntry(where: string): void {
    const header = this.#header;
    const capacity = header[CAPACITY]!;
    const count = header[COUNT]!;
    if (count < capacity) return;
    const grown = capacity * 2;
    if (grown > MAX_ENTRIES) {
      throw new RangeError(
        `${where}: the queue holds its maximum of ${count} items`,
      );
    }
    this.#index.grow(grown * ENTRY_BYTES);
    this.#viewIndex();
    if (this.#order === FIFO) {
      // Unwrap the ring: the entries before the head move past the old end.
      const head = header[HEAD]!;
      for (let i = 0; i < head; i++) this.#moveEntry(i, capacity + i);
    }
    header[CAPACITY] = grown;
  }

  /** Finds `size` bytes at the top of the arena, compacting or growing it. */
  #reserveBytes(size: number, where: string): number {
    const header = this.#header;
    const top = header[TOP]!;
    if (top + size <= this.#arena.byteLength) return top;
    const needed = header[LIVE]! + size;
    if (needed > MAX_ARENA_BYTES) {
      throw new RangeError(
        `${where}: the item (${size} bytes encoded) does not fit in the queue's ${MAX_ARENA_BYTES} bytes`,
      );
    }
    if (needed * 2 > this.#arena.byteLength) {
      this.#arena.grow(
        Math.min(
          MAX_ARENA_BYTES,
          Math.max(needed * 2, this.#arena.byteLength * 2),
        ),
      );
      this.#viewArena();
    }
    return this.#compact();
  }

  /** Moves the live records to the front of the arena; returns the new top. */
  #compact(): number {
    const header = this.#header;
    const count = header[COUNT]!;
    const capacity = header[CAPACITY]!;
    const head = this.#order === FIFO ? header[HEAD]! : 0;
    const slots: number[] = [];
    for (let i = 0; i < count; i++) slots.push((head + i) % capacity);
    // Move records down in the order they lie, so none overwrites another.
    slots.sort((a, b) => this.#entries[a * 4]! - this.#entries[b * 4]!);
    let top = 0;
    for (const slot of slots) {
      const offset = this.#entries[slot * 4]!;
      const size = RECORD_HEADER + padded(this.#words[(offset >> 2) + 1]!);
      if (offset !== top) this.#bytes.copyWithin(top, offset, offset + size);
      this.#entries[slot * 4] = top;
      top += size;
    }
    header[TOP] = top;
    header[LIVE] = top;
    return top;
  }
}
