// Who refers to a block of the shared heap, so that it is freed once nobody
// does (ARCHITECTURE.md, "Memory"). A block's `refs` count:
//
// - each thread that has at least one object for it (the objects of one
//   thread count once, here, in `counts`; a FinalizationRegistry notices
//   when the last of them is collected);
// - each block built on it (a Condition holds its lock);
// - each queue item that carries it;
// - each `handle` given out and not yet opened (a pin: a handle posted to a
//   Worker keeps the primitive alive until the Worker opens it).
//
// The thread that drops the count to zero frees the block, and releases the
// blocks it was built on. Blocks are named by the word index of their
// header in their heap's view (`heapWords`).

import {
  BLOCK_HEADER_BYTES,
  BLOCK_HEADER_WORDS,
  blockIndex,
  blockIndexAt,
  childrenOf,
  free,
  GENERATION,
  heap,
  heapWords,
  PINS,
  REFS,
} from "./_heap.ts";
import type { SharedMemory } from "./_memory.ts";

/** What this thread holds: per heap, per block, how many live objects. */
const counts = new Map<SharedMemory, Map<number, number>>();
let lastBuffer: SharedMemory | undefined;
let lastCounts: Map<number, number> | undefined;

/**
 * What the registry keeps per object: the block, as a number when it is in
 * this thread's heap and needs nothing else (the common case costs no
 * allocation), or with its heap and a hook.
 */
type Held = number | {
  readonly buffer: SharedMemory;
  readonly at: number;
  /** Run before the block is freed by this thread (a queue's leftovers). */
  readonly onFree: (() => void) | undefined;
};

const registry = new FinalizationRegistry<Held>(forget);

function countsOf(buffer: SharedMemory): Map<number, number> {
  if (buffer === lastBuffer) return lastCounts!;
  let map = counts.get(buffer);
  if (map === undefined) {
    map = new Map();
    counts.set(buffer, map);
  }
  lastBuffer = buffer;
  lastCounts = map;
  return map;
}

/**
 * Makes `object` one of this thread's objects for the primitive whose words
 * are `words`. A `fresh` block (just allocated) gets its first reference; an
 * opened one gains this thread's, unless it was freed meanwhile.
 *
 * @returns false if the block was freed (its handle is stale): nothing
 * changed.
 */
export function hold(
  object: object,
  words: Int32Array,
  fresh: boolean,
  onFree?: () => void,
): boolean {
  const buffer = words.buffer as SharedMemory;
  const all = heapWords(buffer);
  const at = blockIndex(words);
  const mine = countsOf(buffer);
  const count = mine.get(at) ?? 0;
  if (count === 0) {
    if (fresh) Atomics.add(all, at + REFS, 1);
    else if (!retainLive(all, at, Atomics.load(all, at + GENERATION))) {
      return false;
    }
  }
  // A pinned handle's reference becomes this thread's (or goes, if this
  // thread had one).
  if (!fresh && unpin(all, at)) release(all, at);
  mine.set(at, count + 1);
  registry.register(
    object,
    onFree === undefined && buffer === heap() ? at : { buffer, at, onFree },
  );
  return true;
}

/** Takes one pin, if the block has any. */
function unpin(all: Int32Array, at: number): boolean {
  for (;;) {
    const pins = Atomics.load(all, at + PINS);
    if (pins === 0) return false;
    if (Atomics.compareExchange(all, at + PINS, pins, pins - 1) === pins) {
      return true;
    }
  }
}

/**
 * Adds a reference to a block that is in use with `generation`: never to a
 * block that was freed (its count reached zero) or handed out again.
 */
function retainLive(all: Int32Array, at: number, generation: number): boolean {
  for (;;) {
    const refs = Atomics.load(all, at + REFS);
    if (refs <= 0) return false;
    if (Atomics.compareExchange(all, at + REFS, refs, refs + 1) === refs) {
      break;
    }
  }
  if (Atomics.load(all, at + GENERATION) === generation) return true;
  // Freed and handed out again between the two looks: not ours.
  release(all, at);
  return false;
}

/**
 * Whether the block of a handle (at `byteOffset` in `buffer`) is in use with
 * `generation`.
 */
export function isLive(
  buffer: SharedMemory,
  byteOffset: number,
  generation: unknown,
): boolean {
  const at = blockIndexAt(buffer, byteOffset);
  if (at < 0 || typeof generation !== "number" || (generation & 1) !== 1) {
    return false;
  }
  const all = heapWords(buffer);
  return Atomics.load(all, at + GENERATION) === generation &&
    Atomics.load(all, at + REFS) > 0;
}

/** The generation of the block that holds `words`. */
export function generationOf(words: Int32Array): number {
  return Atomics.load(
    heapWords(words.buffer as SharedMemory),
    blockIndex(words) + GENERATION,
  );
}

/** Adds a reference that a queue item carries. */
export function retain(buffer: SharedMemory, byteOffset: number): void {
  const at = (byteOffset - BLOCK_HEADER_BYTES) / 4;
  Atomics.add(heapWords(buffer), at + REFS, 1);
}

/** Adds a pin: a handle has been given out. */
export function pin(words: Int32Array): void {
  const all = heapWords(words.buffer as SharedMemory);
  const at = blockIndex(words);
  Atomics.add(all, at + REFS, 1);
  Atomics.add(all, at + PINS, 1);
}

/**
 * Drops a reference that a queue item carried, once the item has been
 * taken (at `byteOffset`, the primitive's words, in `buffer`).
 */
export function releaseAt(buffer: SharedMemory, byteOffset: number): void {
  const at = blockIndexAt(buffer, byteOffset);
  if (at >= 0) release(heapWords(buffer), at);
}

/** Drops one reference; the last one frees the block and its children. */
function release(all: Int32Array, at: number, onFree?: () => void): void {
  const pending = [at];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Atomics.sub(all, next + REFS, 1) !== 1) continue;
    if (next === at) onFree?.();
    for (const child of childrenOf(all, next)) {
      pending.push(child - BLOCK_HEADER_WORDS);
    }
    free(all, next);
  }
}

/** One of this thread's objects for a block was collected. */
function forget(held: Held): void {
  const { buffer, at, onFree } = typeof held === "number"
    ? { buffer: heap(), at: held, onFree: undefined }
    : held;
  const mine = countsOf(buffer);
  const count = mine.get(at);
  if (count === undefined) return;
  if (count > 1) {
    mine.set(at, count - 1);
    return;
  }
  mine.delete(at);
  release(heapWords(buffer), at, onFree);
}

/**
 * Drops every reference of this thread, for a thread that is about to end:
 * its objects can never be collected now, and their blocks must not stay
 * taken for the rest of the program.
 */
export function releaseAll(): void {
  for (const [buffer, mine] of counts) {
    const all = heapWords(buffer);
    for (const at of mine.keys()) release(all, at);
    mine.clear();
  }
}
