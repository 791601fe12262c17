// The shared heap: one growable buffer of shared memory per program (a
// SharedArrayBuffer, or memory that processes share: `_memory.ts`), from
// which every primitive takes a block. Because all of them live in one
// buffer that every thread holds, a primitive can be named by a number (its
// offset) and so travel inside the bytes of a queue, where a buffer
// cannot. A thread adopts its parent's heap with the first handle it
// receives; the heap also holds the counter that thread ids come from.
//
// Blocks are reclaimed (ARCHITECTURE.md, "Memory"): each has a header that
// counts its references (`_refs.ts` keeps them), and a freed block goes on
// the free list of its size class, to be handed out again. A block's
// generation changes when it is freed and when it is handed out again, so a
// handle of a freed primitive never opens the primitive that reuses its
// memory.
//
// Heap header words: [magic, next thread id, top (bytes used), heap id,
// allocator lock, unused, then the head of each size class's free list].
// Block header words: [size in bytes, generation (odd while in use), refs,
// pins, binding, children]; the primitive's words follow (its handle's
// `byteOffset` points at them), and the word offsets of its children (the
// blocks it is built on) fill the last words of the block.

import {
  bindMemory,
  checkOwnersWith,
  describeMemory,
  growMemory,
  isMemory,
  memoryLength,
  type MemoryRef,
  newMemory,
  openMemory,
  type SharedMemory,
} from "./_memory.ts";

const MAGIC = 0x50484550; // "PHEP"
export const IDS = 1;
const TOP = 2;
const HEAP_ID = 3;
const ALLOC_LOCK = 4;
const FREE_LISTS = 6;

/**
 * Size classes: every 8 bytes up to 256, then four per doubling (each at
 * most 19% larger than the one before), up to the largest heap.
 */
const CLASS_SIZES: number[] = [];
for (let size = 8; size <= 256; size += 8) CLASS_SIZES.push(size);
for (let base = 256; base < 1024 * 1024 * 1024; base *= 2) {
  for (const step of [5, 6, 7, 8]) CLASS_SIZES.push((base / 4) * step);
}
const CLASSES = CLASS_SIZES.length;
// Which process took each recent thread id: slot `ident % OWNER_SLOTS` holds
// [ident, pid], so that when a process dies, the ids its threads took (its
// Workers' too) can be reaped. A slot is overwritten once OWNER_SLOTS more
// ids have been taken in the whole program.
const OWNERS = FREE_LISTS + CLASSES;
const OWNER_SLOTS = 1024;
const HEADER_BYTES = Math.ceil((4 * (OWNERS + 2 * OWNER_SLOTS)) / 8) * 8;
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

/** Words of a block's header, before the primitive's own words. */
export const SIZE = 0;
export const GENERATION = 1;
export const REFS = 2;
export const PINS = 3;
export const BINDING = 4;
export const CHILDREN = 5;
export const BLOCK_HEADER_WORDS = 6;
export const BLOCK_HEADER_BYTES = 4 * BLOCK_HEADER_WORDS;

let current: SharedMemory | undefined;
const known = new Map<number, SharedMemory>();
/** A view of all of each heap, that follows it as it grows. */
const views = new WeakMap<SharedMemory, Int32Array>();
let lastBuffer: SharedMemory | undefined;
let lastView: Int32Array | undefined;

/**
 * All the words of a heap, as one view that follows the heap as it grows:
 * block headers are read and written through it, by word index, so that
 * no view is made per block.
 */
export function heapWords(buffer: SharedMemory): Int32Array {
  if (buffer === lastBuffer) return lastView!;
  let view = views.get(buffer);
  if (view === undefined) {
    view = new Int32Array(buffer);
    views.set(buffer, view);
  }
  lastBuffer = buffer;
  lastView = view;
  return view;
}

function isWorker(): boolean {
  // deno-lint-ignore no-explicit-any
  const scope = (globalThis as any).WorkerGlobalScope;
  return typeof scope === "function" && globalThis instanceof scope;
}

/**
 * Records that thread `ident` belongs to this process. The pid goes last,
 * after a zero: a process that dies half-way leaves a slot no one reaps.
 */
export function recordOwner(ident: number): void {
  const words = header(heap());
  const at = OWNERS + 2 * (ident % OWNER_SLOTS);
  Atomics.store(words, at + 1, 0);
  Atomics.store(words, at, ident);
  Atomics.store(words, at + 1, Deno.pid);
}

/**
 * The thread ids process `pid` took (as far as the table remembers), which
 * it gives up: call it once the process has ended.
 */
export function identsOf(pid: number): number[] {
  const words = header(heap());
  const idents: number[] = [];
  for (let slot = 0; slot < OWNER_SLOTS; slot++) {
    const at = OWNERS + 2 * slot;
    if (Atomics.load(words, at + 1) !== pid) continue;
    idents.push(Atomics.load(words, at));
    Atomics.compareExchange(words, at + 1, pid, 0);
  }
  return idents;
}

/** The header words of a heap. */
export function header(buffer: SharedMemory): Int32Array {
  return new Int32Array(buffer, 0, HEADER_BYTES / 4);
}

/** Whether a buffer is a heap of this module. */
function isHeap(buffer: unknown): buffer is SharedMemory {
  return isMemory(buffer, true) &&
    memoryLength(buffer as SharedMemory) >= HEADER_BYTES &&
    Atomics.load(header(buffer as SharedMemory), 0) === MAGIC;
}

/** This thread's heap, created on first use. */
export function heap(): SharedMemory {
  if (current === undefined) {
    const buffer = newMemory(INITIAL_BYTES, MAX_BYTES);
    const words = header(buffer);
    Atomics.store(words, TOP, HEADER_BYTES);
    Atomics.store(words, HEAP_ID, 1 + Math.floor(Math.random() * 0x7ffffffe));
    // A worker that made its own heap before it heard from its parent
    // starts its thread ids far from the parent's, at a random point.
    Atomics.store(
      words,
      IDS,
      isWorker() ? 0x100000 + Math.floor(Math.random() * 0x3fe00000) : 0,
    );
    Atomics.store(words, 0, MAGIC);
    current = buffer;
    known.set(Atomics.load(words, HEAP_ID), buffer);
  }
  return current;
}

/**
 * Learns a heap from a handle, or from what `heapRef` made; a thread that
 * has no heap yet (and so no thread id) makes it its own.
 */
export function adoptHeap(ref: MemoryRef | SharedMemory): void {
  const buffer = openMemory(ref);
  if (!isHeap(buffer)) return;
  known.set(heapId(buffer), buffer);
  current ??= buffer;
}

/** How this thread's heap travels to a thread or process it starts. */
export function heapRef(): MemoryRef {
  return describeMemory(heap());
}

/** The id of a heap, which names it inside encoded bytes. */
export function heapId(buffer: SharedMemory): number {
  return Atomics.load(header(buffer), HEAP_ID);
}

/** A heap this thread has seen, by id. */
export function heapById(id: number): SharedMemory | undefined {
  return known.get(id);
}

function classOf(bytes: number): number {
  if (bytes <= 256) return Math.max(0, Math.ceil(bytes / 8) - 1);
  let low = 32;
  let high = CLASSES - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (CLASS_SIZES[middle]! >= bytes) high = middle;
    else low = middle + 1;
  }
  return low;
}

// The allocator's lock guards the free lists and `top`. It is held for a
// few atomic operations on a view made beforehand: nothing in between
// allocates, so no thread can run out of memory while it holds the lock,
// and a thread that dies holding it would have died between two of them.
function lockAllocator(all: Int32Array): void {
  while (Atomics.compareExchange(all, ALLOC_LOCK, 0, 1) !== 0) {
    // Another thread is taking or giving back a block.
  }
}

function unlockAllocator(all: Int32Array): void {
  Atomics.store(all, ALLOC_LOCK, 0);
}

/** Grows `buffer` until it holds `end` bytes. */
function growTo(buffer: SharedMemory, end: number): void {
  for (let length; (length = memoryLength(buffer)) < end;) {
    try {
      growMemory(buffer, Math.min(MAX_BYTES, Math.max(end, 2 * length)));
    } catch {
      // Another thread grew it meanwhile (shared memory cannot shrink, so
      // its smaller request failed); look again.
    }
  }
}

/**
 * Takes a zeroed block of this thread's heap for a primitive of `words`
 * words built on `children` other primitives (their word offsets are kept
 * in the block, and each of them gains a reference). Its generation is odd
 * (in use) and it has no references yet: the caller takes the first.
 *
 * @returns The primitive's words.
 * @throws {RangeError} When the heap is full; nothing changes then.
 */
export function allocate(
  words: number,
  children: readonly Int32Array[] = [],
): Int32Array {
  const buffer = heap();
  const all = heapWords(buffer);
  const needed = BLOCK_HEADER_BYTES + 4 * (words + children.length);
  const size = CLASS_SIZES[classOf(needed)];
  const full = () =>
    new RangeError(
      `Cannot allocate ${
        4 * words
      } bytes: the shared heap is full (${MAX_BYTES} bytes)`,
    );
  if (size === undefined || size > MAX_BYTES - HEADER_BYTES) throw full();
  const list = FREE_LISTS + classOf(needed);
  let at: number; // the block, as a word index
  lockAllocator(all);
  try {
    at = Atomics.load(all, list) / 4;
    if (at !== 0) {
      // A free block keeps the next one's offset where its words begin.
      Atomics.store(all, list, Atomics.load(all, at + BLOCK_HEADER_WORDS));
    } else {
      const top = Atomics.load(all, TOP);
      if (size > MAX_BYTES - top) throw full();
      growTo(buffer, top + size);
      at = top / 4;
      Atomics.store(all, at + SIZE, size);
      // Published after its size: `walkBlocks` reads only below `top`.
      Atomics.store(all, TOP, top + size);
    }
    Atomics.add(all, at + GENERATION, 1);
  } finally {
    unlockAllocator(all);
  }
  // Nobody else can reach the block before its handle travels, and the
  // hand-off (an atomic store, or postMessage) orders these writes.
  all.fill(0, at + REFS, at + size / 4);
  if (children.length > 0) {
    Atomics.store(all, at + CHILDREN, children.length);
    const childAt = at + size / 4 - children.length;
    children.forEach((child, i) => {
      Atomics.store(all, childAt + i, child.byteOffset / 4);
      Atomics.add(all, blockIndex(child) + REFS, 1);
    });
  }
  return new Int32Array(buffer, 4 * at + BLOCK_HEADER_BYTES, words);
}

/**
 * Makes the primitive whose words are `words` the owner of `buffer`, memory
 * of its own (a queue's store, an array's data): it goes with the block.
 */
export function ownMemory(buffer: SharedMemory, words: Int32Array): void {
  const at = blockIndex(words);
  const all = heapWords(words.buffer as SharedMemory);
  bindMemory(buffer, at, Atomics.load(all, at + GENERATION));
}

checkOwnersWith((at, generation) =>
  Atomics.load(heapWords(heap()), at + GENERATION) === generation
);

/** The word index of the header of the block that holds `words`. */
export function blockIndex(words: Int32Array): number {
  return (words.byteOffset - BLOCK_HEADER_BYTES) / 4;
}

/**
 * The word index of the header of the block whose primitive's words would
 * start at `byteOffset`, or -1 if no block of `buffer` can start there.
 */
export function blockIndexAt(
  buffer: SharedMemory,
  byteOffset: number,
): number {
  if (
    !isHeap(buffer) || !Number.isInteger(byteOffset) ||
    byteOffset % 8 !== 0 || byteOffset < HEADER_BYTES + BLOCK_HEADER_BYTES ||
    byteOffset > Atomics.load(header(buffer), TOP)
  ) {
    return -1;
  }
  return (byteOffset - BLOCK_HEADER_BYTES) / 4;
}

/** The word offsets (in the heap) of the primitives a block is built on. */
export function childrenOf(all: Int32Array, at: number): number[] {
  const count = Atomics.load(all, at + CHILDREN);
  const end = at + Atomics.load(all, at + SIZE) / 4;
  const children: number[] = [];
  for (let i = end - count; i < end; i++) children.push(Atomics.load(all, i));
  return children;
}

/**
 * Gives a block back (its references are all gone): its generation changes
 * and it goes on its class's free list. The caller has released its
 * children.
 */
export function free(all: Int32Array, at: number): void {
  const list = FREE_LISTS + classOf(Atomics.load(all, at + SIZE));
  lockAllocator(all);
  try {
    Atomics.add(all, at + GENERATION, 1);
    Atomics.store(all, at + BLOCK_HEADER_WORDS, Atomics.load(all, list));
    Atomics.store(all, list, 4 * at);
  } finally {
    unlockAllocator(all);
  }
}

/**
 * Calls `visit` for every block of `buffer` in use whose primitive's first
 * word (its kind's magic) is a key of `visitors`, with a view of the heap
 * and the word indexes where the block's primitive starts and ends: what a
 * dead thread held is found this way, at a cost that follows the heap's
 * size, not what the program ever made.
 *
 * The walk reads the block headers with plain reads, the one place that
 * does (ARCHITECTURE.md, "Memory"): a block's size never changes once its
 * header is published below `top`, and what a visitor changes it changes
 * by compare-and-swap, so a stale read can only make it look at a block
 * that another thread is freeing or taking right now, never skip one that a
 * dead thread held.
 */
export function walkBlocks(
  buffer: SharedMemory,
  visitors: ReadonlyMap<
    number,
    (all: Int32Array, base: number, end: number) => void
  >,
): void {
  const top = Atomics.load(header(buffer), TOP);
  const all = new Int32Array(buffer, 0, top / 4);
  for (let at = HEADER_BYTES / 4; at < top / 4;) {
    const end = at + all[at + SIZE]! / 4;
    if ((all[at + GENERATION]! & 1) === 1) {
      const visit = visitors.get(all[at + BLOCK_HEADER_WORDS]!);
      if (visit !== undefined) visit(all, at + BLOCK_HEADER_WORDS, end);
    }
    at = end;
  }
}

/** How many bytes of the heap are taken, in use or free (for tests). */
export function heapTop(buffer: SharedMemory = heap()): number {
  return Atomics.load(header(buffer), TOP);
}
