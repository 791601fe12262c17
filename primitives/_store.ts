// Where a queue keeps its items: encoded records in an arena, and an index
// of entries that gives their order (a ring for FIFO, a stack for LIFO, a
// binary heap for priority). Both live in growable buffers of shared memory
// (`_memory.ts`) of the queue's own, carried by its handle. Every method runs under the queue's
// lock, which orders these plain reads and writes between threads.
//
// The arena is filled by bumping `top`; when a record does not fit, the live
// records are moved down to the front (compaction), and the arena doubles
// first if they would fill more than half of it. So an item of any size fits,
// up to MAX_ARENA_BYTES, and the ring is never corrupted by one that doesn't.
//
// Each buffer starts with a prefix that holds a tag, which the queue's block
// records (`_handle.ts`): a handle that pairs a queue with another queue's
// buffers is refused.

import "./_codec_clone.ts"; // node:v8 for the codec
import {
  copyWords,
  type Encoded,
  received,
  reserve,
  type Scratch,
} from "./_codec.ts";
import {
  growMemory,
  isMemory,
  memoryBuffer,
  memoryLength,
  newMemories,
  type SharedMemory,
} from "./_memory.ts";

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
/** Bytes before the entries (16: keys stay 8-aligned) and the records. */
const INDEX_PREFIX = 16;
const ARENA_PREFIX = 8;

/** A fresh pair of buffers for a store, tagged with `tags`. */
export function allocateStore(
  tags: readonly [number, number],
): [SharedMemory, SharedMemory] {
  const [index, arena] = newMemories([
    [
      INDEX_PREFIX + INITIAL_ENTRIES * ENTRY_BYTES,
      INDEX_PREFIX + MAX_ENTRIES * ENTRY_BYTES,
    ],
    [ARENA_PREFIX + INITIAL_ARENA, ARENA_PREFIX + MAX_ARENA_BYTES],
  ]) as [SharedMemory, SharedMemory];
  Atomics.store(new Int32Array(index, 0, 1), 0, tags[0]);
  Atomics.store(new Int32Array(arena, 0, 1), 0, tags[1]);
  return [index, arena];
}

/** The tags of a store's buffers (0 for what is not such a buffer). */
export function storeTags(index: unknown, arena: unknown): [number, number] {
  const tagOf = (buffer: unknown, prefix: number) =>
    isMemory(buffer, true) && memoryLength(buffer as SharedMemory) >= prefix
      ? Atomics.load(new Int32Array(buffer as SharedMemory, 0, 1), 0)
      : 0;
  return [tagOf(index, INDEX_PREFIX), tagOf(arena, ARENA_PREFIX)];
}

/**
 * Whether a store's buffers hold what its header words say they do (a
 * handle could name buffers too small for them).
 */
export function storeFits(
  header: Int32Array,
  index: SharedMemory,
  arena: SharedMemory,
): boolean {
  const capacity = Atomics.load(header, CAPACITY);
  return capacity >= INITIAL_ENTRIES &&
    memoryLength(index) >= INDEX_PREFIX + capacity * ENTRY_BYTES &&
    memoryLength(arena) >= ARENA_PREFIX + Atomics.load(header, TOP);
}

/** Initialises the header words of a fresh store. */
export function initStore(header: Int32Array): void {
  header[CAPACITY] = INITIAL_ENTRIES;
}

/** A decoded-later record: its tag and its payload, copied out. */
export interface StoredItem {
  tag: number;
  payload: Uint8Array;
}

function padded(bytes: number): number {
  return (bytes + 7) & ~7;
}

/** Payloads up to this size are copied four bytes at a time, in a loop. */
const COPY_LOOP_BYTES = 512;

export class ItemStore {
  readonly #header: Int32Array;
  readonly #order: number;
  readonly #index: SharedMemory;
  readonly #arena: SharedMemory;
  // Fixed-length views over what the buffers held when they were made, made
  // again when the buffers have grown (here or in another thread). V8 reads
  // and writes them about four times faster than length-tracking views.
  #entries!: Int32Array;
  #keys!: Float64Array;
  #words!: Int32Array;
  #bytes!: Uint8Array;

  constructor(
    header: Int32Array,
    order: number,
    index: SharedMemory,
    arena: SharedMemory,
  ) {
    this.#header = header;
    this.#order = order;
    this.#index = index;
    this.#arena = arena;
    this.#viewIndex();
    this.#viewArena();
  }

  #viewIndex(): void {
    const length = memoryLength(this.#index) - INDEX_PREFIX;
    const index = memoryBuffer(this.#index);
    this.#entries = new Int32Array(index, INDEX_PREFIX, length >> 2);
    this.#keys = new Float64Array(index, INDEX_PREFIX, length >> 3);
  }

  #viewArena(): void {
    const length = memoryLength(this.#arena) - ARENA_PREFIX;
    const arena = memoryBuffer(this.#arena);
    this.#words = new Int32Array(arena, ARENA_PREFIX, length >> 2);
    this.#bytes = new Uint8Array(arena, ARENA_PREFIX, length);
  }

  /** The arena's size for records (growable buffers are slow to ask). */
  #arenaBytes(): number {
    return memoryLength(this.#arena) - ARENA_PREFIX;
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
    return RECORD_HEADER + padded(item.bytes.length);
  }

  /** Adds an item; throws a RangeError, changing nothing, if it cannot fit. */
  push(item: Encoded, key: number, where: string): void {
    const length = item.bytes.length;
    const offset = this.#place(item.tag, length, where);
    this.#bytes.set(item.bytes, offset + RECORD_HEADER);
    this.#publish(offset, key);
  }

  /** Adds the item a scratch buffer holds; see push. */
  pushScratch(item: Scratch, key: number, where: string): void {
    const length = item.length;
    const offset = this.#place(item.tag, length, where);
    const start = offset + RECORD_HEADER;
    if (length <= COPY_LOOP_BYTES) {
      // Records are padded to 8 bytes: whole words fit.
      const words = this.#words;
      const from = item.words;
      const to = start >> 2;
      for (let i = 0, n = (length + 3) >> 2; i < n; i++) {
        words[to + i] = from[i]!;
      }
    } else {
      this.#bytes.set(item.bytes.subarray(0, length), start);
    }
    this.#publish(offset, key);
  }

  /**
   * Reserves a record of `length` payload bytes and an entry for it, and
   * writes the record's header; returns the record's offset. The item is not
   * in the store until `#publish`: a process killed while it copies the
   * payload (holding the queue's lock) leaves only dead bytes, not a torn
   * item for the next taker.
   */
  #place(tag: number, length: number, where: string): number {
    const header = this.#header;
    const size = RECORD_HEADER + padded(length);
    this.#cover();
    this.#reserveEntry(where);
    const offset = this.#reserveBytes(size, where);
    if (offset + size > this.#bytes.length) this.#viewArena();
    const words = this.#words;
    words[offset >> 2] = tag;
    words[(offset >> 2) + 1] = length;
    header[TOP] = offset + size;
    header[LIVE] = header[LIVE]! + size;
    return offset;
  }

  /** Adds the entry of the record at `offset`, whose payload is written. */
  #publish(offset: number, key: number): void {
    const header = this.#header;
    const count = header[COUNT]!;
    if (this.#order === FIFO) {
      this.#entries[((header[HEAD]! + count) & (header[CAPACITY]! - 1)) * 4] =
        offset;
    } else if (this.#order === LIFO) {
      this.#entries[count * 4] = offset;
    } else {
      const seq = header[SEQ]!;
      header[SEQ] = (seq + 1) | 0;
      this.#setEntry(count, offset, seq, key);
      this.#siftUp(count);
    }
    // Atomic, so that no store of the payload or entry moves after it.
    Atomics.store(header, COUNT, count + 1);
  }

  /** Removes the next item (by the store's order) and copies it out. */
  pop(): StoredItem {
    const offset = this.#take();
    const words = this.#words;
    const length = words[(offset >> 2) + 1]!;
    const from = (offset + RECORD_HEADER) >> 2;
    const item = {
      tag: words[offset >> 2]!,
      payload: copyWords(words, from, length),
    };
    this.#drop(offset);
    return item;
  }

  /**
   * Removes the next item, like pop, into the codec's `received` scratch
   * buffer, for decodeReceived.
   */
  popReceived(): void {
    const offset = this.#take();
    const words = this.#words;
    const length = words[(offset >> 2) + 1]!;
    received.tag = words[offset >> 2]!;
    received.length = length;
    const start = offset + RECORD_HEADER;
    if (length <= COPY_LOOP_BYTES) {
      const to = received.words;
      const from = start >> 2;
      for (let i = 0, n = (length + 3) >> 2; i < n; i++) {
        to[i] = words[from + i]!;
      }
    } else {
      reserve(length);
      received.bytes.set(this.#bytes.subarray(start, start + length));
    }
    this.#drop(offset);
  }

  /** Takes the next entry out of the index; returns its record's offset. */
  #take(): number {
    const header = this.#header;
    this.#cover();
    const count = header[COUNT]! - 1;
    header[COUNT] = count;
    if (this.#order === FIFO) {
      const slot = header[HEAD]!;
      header[HEAD] = (slot + 1) & (header[CAPACITY]! - 1);
      return this.#entries[slot * 4]!;
    }
    if (this.#order === LIFO) return this.#entries[count * 4]!;
    const offset = this.#entries[0]!;
    if (count > 0) {
      this.#moveEntry(count, 0);
      this.#siftDown(0, count);
    }
    return offset;
  }

  /** Frees the record at `offset`, taken out of the index. */
  #drop(offset: number): void {
    const header = this.#header;
    const size = RECORD_HEADER + padded(this.#words[(offset >> 2) + 1]!);
    header[LIVE] = header[LIVE]! - size;
    if (header[COUNT] === 0) {
      // Empty: start the arena and the ring over.
      header[TOP] = 0;
      header[HEAD] = 0;
    }
  }

  /** Calls `visit` with the tag and the payload of every item held. */
  forEach(visit: (tag: number, payload: Uint8Array) => void): void {
    const header = this.#header;
    this.#cover();
    const count = header[COUNT]!;
    const capacity = header[CAPACITY]!;
    const head = this.#order === FIFO ? header[HEAD]! : 0;
    for (let i = 0; i < count; i++) {
      const slot = (head + i) & (capacity - 1);
      const offset = this.#entries[slot * 4]!;
      const start = offset + RECORD_HEADER;
      const length = this.#words[(offset >> 2) + 1]!;
      visit(
        this.#words[offset >> 2]!,
        this.#bytes.subarray(start, start + length),
      );
    }
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
    growMemory(this.#index, INDEX_PREFIX + grown * ENTRY_BYTES);
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
    // The view first: reading a growable buffer's length costs more.
    if (top + size <= this.#bytes.length) return top;
    if (top + size <= this.#arenaBytes()) {
      this.#viewArena();
      return top;
    }
    const needed = header[LIVE]! + size;
    if (needed > MAX_ARENA_BYTES) {
      throw new RangeError(
        `${where}: the item (${size} bytes encoded) does not fit in the queue's ${MAX_ARENA_BYTES} bytes`,
      );
    }
    if (needed * 2 > this.#arenaBytes()) {
      growMemory(
        this.#arena,
        ARENA_PREFIX +
          Math.min(
            MAX_ARENA_BYTES,
            Math.max(needed * 2, this.#arenaBytes() * 2),
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
    for (let i = 0; i < count; i++) slots.push((head + i) & (capacity - 1));
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
