// The algorithms behind every queue (and pipe): Python's queue.Queue, a
// mutex and three conditions (not empty, not full, all tasks done) around
// an item store, written once as futex steps for both faces.
//
// Header words, in the shared heap: [magic, order, maxsize, unfinished,
// shut down, then the store's words]. The lock and the conditions are
// primitives of their own, carried in the handle's parts; the store's two
// buffers travel in the handle too.

import "./_codec_clone.ts"; // node:v8 for the codec
import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.ts";
import {
  CLONE_WITH_PRIMITIVES,
  copyOf,
  decode,
  decodeReceived,
  type Encoded,
  encodeToScratch,
  itemReferences,
  received,
  type Scratch,
  trimScratch,
} from "./_codec.ts";
import { type CondVar, condVarOf } from "./_condvar.ts";
import { runAsync, runSync, type Steps } from "./_futex.ts";
import {
  type Handle,
  handleOf,
  type Layout,
  newTag,
  revive,
  track,
} from "./_handle.ts";
import {
  describeMemory,
  type MemoryRef,
  openMemory,
  type SharedMemory,
} from "./_memory.ts";
import { ownMemory } from "./_heap.ts";
import { releaseAt, retain } from "./_refs.ts";
import { type Mutex, mutexOf, STATE } from "./_mutex.ts";
import {
  checkInteger,
  checkObject,
  parseWait,
  priorityOf,
  type WaitOptions,
} from "../internal/options.ts";
import {
  allocateStore,
  initStore,
  ItemStore,
  PRIORITY,
  STORE_WORDS,
  type StoredItem,
  storeFits,
  storeTags,
} from "./_store.ts";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";

const ORDER = 1;
const MAXSIZE = 2;
const UNFINISHED = 3;
const SHUT_DOWN = 4;
const STORE = 5;
/** Kinds whose only waits are for an item (no maxsize, no join). */
const LEAN_KINDS = ["SimpleQueue", "Pipe"];

/** The words of every queue. */
export const QUEUE_WORDS = STORE + STORE_WORDS;
const WORDS = QUEUE_WORDS;
/**
 * A waiter looks at the queue again at least this often (ms), so that a
 * wake-up spent on a Worker that was terminated while it waited delays the
 * others by at most this much, instead of forever.
 */
const RECHECK_MS = 100;
/**
 * How many times a put or get that finds the queue full or empty (or its
 * lock taken) looks at the queue's words again, before it waits on a
 * condition (or the lock) for real. When the other side works in a loop, its
 * next item (or free slot) is rarely more than a microsecond away, and a
 * condition's wait and notify cost far more than that: the sync face looks
 * for about 16 us, the async face, which holds up its event loop meanwhile,
 * for about 1 us.
 */
const SPIN_SYNC = 2000;
const SPIN_ASYNC = 128;
/** Outcomes of a try. */
const DONE = 1;
const BUSY = 0; // the lock is taken
const BLOCKED = -1; // the queue is full (put) or empty (get)

/** The handle of a queue: the standard fields, plus its store's buffers. */
export interface QueueHandle extends Handle {
  /** The store's index of entries. */
  readonly index: MemoryRef;
  /** The store's arena of encoded items. */
  readonly arena: MemoryRef;
}

/** Options of a queue's constructor. */
export interface QueueOptions {
  /**
   * How many threads may wait at once on each of the queue's conditions
   * (getters, putters, joiners); default 128.
   */
  maxWaiters?: number;
}

let coreOfSimpleQueue: ((queue: object) => QueueCore) | undefined;

/** How `putEncoded` reaches a SimpleQueue's core (called once by queue.ts). */
export function exposeSimpleQueueCore(of: (queue: object) => QueueCore): void {
  coreOfSimpleQueue = of;
}

/**
 * Puts an item encoded beforehand into a SimpleQueue: the pools encode a
 * request once, at submit, and put it when a worker is free.
 */
export function putEncoded(queue: object, encoded: Encoded): void {
  coreOfSimpleQueue!(queue).putEncodedNowait(encoded);
}

export class QueueCore {
  readonly kind: string;
  readonly words: Int32Array;
  readonly store: ItemStore;
  readonly heap: SharedMemory;
  readonly #layout: Layout;
  readonly #lock: Lock;
  readonly #mutex: Mutex;
  readonly #conditions: Condition[];
  readonly #notEmpty: CondVar;
  readonly #notFull: CondVar;
  readonly #allDone: CondVar;
  readonly #index: SharedMemory;
  readonly #arena: SharedMemory;
  readonly #wherePut: string;
  readonly #whereGet: string;
  /** FIFO, LIFO or PRIORITY, and the bound: fixed at creation. */
  readonly #order: number;
  readonly #maxsize: number;

  /** A new, empty queue. */
  static create(
    layout: Layout,
    order: number,
    maxsize: unknown,
    options: QueueOptions | undefined,
  ): QueueCore {
    return new QueueCore(layout, { order, maxsize, options });
  }

  /** The queue of a handle (which `Layout.open` checks). */
  static open(layout: Layout, handle: unknown): QueueCore {
    return new QueueCore(layout, { handle });
  }

  private constructor(
    layout: Layout,
    source:
      | { order: number; maxsize: unknown; options: QueueOptions | undefined }
      | { handle: unknown },
  ) {
    this.kind = layout.kind;
    this.#layout = layout;
    this.#wherePut = `Cannot put into ${layout.kind}`;
    this.#whereGet = `Cannot get from ${layout.kind}`;
    if (!("handle" in source)) {
      const { order, maxsize, options } = source;
      checkInteger(`Cannot create ${layout.kind}`, "maxsize", maxsize, 0);
      checkObject(`Cannot create ${layout.kind}`, "options", options);
      const lock = new Lock();
      const maxWaiters = options?.maxWaiters;
      const conditionOptions = maxWaiters === undefined ? {} : { maxWaiters };
      // A SimpleQueue or a pipe's channel is unbounded and has no join:
      // nobody ever waits for room, or for its tasks to be done.
      const lean = LEAN_KINDS.includes(layout.kind);
      this.#conditions = [0, 1, 2].map((i) =>
        new Condition(
          lock,
          i > 0 && lean ? { maxWaiters: 1 } : conditionOptions,
        )
      );
      this.#lock = lock;
      const tags = [newTag(), newTag()] as const;
      this.words = layout.allocate(
        WORDS,
        [
          mutexOf.get(lock)!.words,
          ...this.#conditions.map((c) => condVarOf.get(c)!.words),
        ],
        tags,
      );
      this.words[ORDER] = order;
      this.words[MAXSIZE] = maxsize as number;
      initStore(this.words.subarray(STORE));
      [this.#index, this.#arena] = allocateStore(tags);
      ownMemory(this.#index, this.words);
      ownMemory(this.#arena, this.words);
    } else {
      const handle = source.handle as Partial<QueueHandle> | null;
      const index = openMemory(handle?.index);
      const arena = openMemory(handle?.arena);
      this.words = layout.open(handle, 4);
      layout.checkOwn(
        this.words,
        storeTags(index, arena),
        "'index' and 'arena'",
      );
      const revived = handle!.parts!.map(revive);
      if (
        !(revived[0] instanceof Lock) ||
        !revived.slice(1).every((part) => part instanceof Condition) ||
        !storeFits(
          this.words.subarray(STORE),
          index!,
          arena!,
        )
      ) {
        throw new TypeError(
          `Cannot create ${layout.kind} from handle: it is not the handle of ${layout.kind}`,
        );
      }
      layout.checkParts(this.words, handle as QueueHandle);
      this.#lock = revived[0];
      this.#conditions = revived.slice(1) as Condition[];
      this.#index = index!;
      this.#arena = arena!;
    }
    this.heap = this.words.buffer as SharedMemory;
    this.#mutex = mutexOf.get(this.#lock)!;
    [this.#notEmpty, this.#notFull, this.#allDone] = this.#conditions.map((c) =>
      condVarOf.get(c)!
    ) as [CondVar, CondVar, CondVar];
    this.#order = Atomics.load(this.words, ORDER);
    this.#maxsize = Atomics.load(this.words, MAXSIZE);
    this.store = new ItemStore(
      this.words.subarray(STORE),
      this.#order,
      this.#index,
      this.#arena,
    );
    // If this thread frees the queue, the primitives its items still carry
    // lose those references. (From locals only: a hook that held this
    // object would keep it alive.)
    const { store, heap } = this;
    track(this, this.words, "handle" in source, layout.kind, () => {
      const offsets: number[] = [];
      store.forEach((tag, bytes) =>
        offsets.push(...itemReferences(tag, bytes))
      );
      for (const offset of offsets) releaseAt(heap, offset);
    });
  }

  /** The handle, not pinned (the queue class's `handle` pins it). */
  get handle(): QueueHandle {
    return {
      ...this.#layout.handle(this.words, [
        handleOf(this.#lock)!,
        ...this.#conditions.map((condition) => handleOf(condition)!),
      ]),
      index: describeMemory(this.#index),
      arena: describeMemory(this.#arena),
    };
  }

  /** Counts an item just stored among the references of its primitives. */
  #retainItem(tag: number, bytes: Uint8Array): void {
    if (tag !== CLONE_WITH_PRIMITIVES) return; // the common case
    for (const offset of itemReferences(tag, bytes)) retain(this.heap, offset);
  }

  get maxsize(): number {
    return this.#maxsize;
  }

  get shutDown(): boolean {
    return Atomics.load(this.words, SHUT_DOWN) !== 0;
  }

  /** The count, read without the lock: a snapshot, as Python's qsize(). */
  qsize(): number {
    return Atomics.load(this.words, STORE);
  }

  // --- the lock -----------------------------------------------------------

  *#lockSteps(): Steps<void> {
    if (!this.#mutex.tryAcquire()) yield* this.#mutex.acquireSteps(Infinity);
  }

  /** Waits on a condition until notified, the deadline, or a recheck. */
  #waitSteps(condition: CondVar, deadline: number): Steps<boolean> {
    return condition.waitSteps(
      Math.min(deadline, performance.now() + RECHECK_MS),
    );
  }

  #locked<T>(body: () => T): T {
    runSync(this.#lockSteps());
    try {
      return body();
    } finally {
      this.#mutex.release();
    }
  }

  // --- put ----------------------------------------------------------------
  //
  // Each call encodes first, into the thread's scratch buffer, outside the
  // lock (so that a bad item throws before anything changes); then it tries
  // the lock once and, when it gets it, only copies the bytes in and updates
  // a few words: the common case of a queue that is neither full nor empty.
  // Only otherwise does it copy the item out of the scratch buffer and run
  // the steps that wait.
  //
  // Under the lock, the words that only change under it (the store's, the
  // unfinished count, the shut-down flag) are read and written as plain
  // memory: the lock's atomic operations order them between threads.

  /** The priority of an item of a PriorityQueue; 0 for the other orders. */
  #keyOf(item: unknown): number {
    return this.#order === PRIORITY ? priorityOf(item, this.#wherePut) : 0;
  }

  /** Encodes outside the lock: a bad item throws before anything changes. */
  encode(item: unknown): { encoded: Encoded; key: number } {
    const key = this.#keyOf(item);
    return { encoded: copyOf(this.#encode(item)), key };
  }

  #encode(item: unknown): Scratch {
    return encodeToScratch(item, this.heap, this.#wherePut);
  }

  /** With the lock held: whether there is room for one more item. */
  #hasRoom(): boolean {
    if (this.words[SHUT_DOWN] !== 0) {
      throw new QueueShutDown(`${this.kind} is shut down`);
    }
    return this.#maxsize === 0 || this.store.count < this.#maxsize;
  }

  /** With the lock held, after a push. */
  #pushed(): void {
    this.words[UNFINISHED] = this.words[UNFINISHED]! + 1;
    this.#notEmpty.notify(1);
  }

  /** With the lock held: puts the item if there is room. */
  #putLocked(encoded: Encoded, key: number): boolean {
    if (!this.#hasRoom()) return false;
    this.store.push(encoded, key, this.#wherePut);
    this.#retainItem(encoded.tag, encoded.bytes);
    this.#pushed();
    return true;
  }

  /** Puts an encoded item at once if the lock is free and there is room. */
  #tryPut(encoded: Scratch, key: number): number {
    if (!this.#mutex.tryAcquire()) return BUSY;
    try {
      if (!this.#hasRoom()) return BLOCKED;
      this.store.pushScratch(encoded, key, this.#wherePut);
      this.#retainItem(encoded.tag, encoded.bytes);
      this.#pushed();
      return DONE;
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Puts an encoded item, trying again while the lock is taken or the queue
   * full, up to `spins` looks; whether it did.
   */
  #spinPut(encoded: Scratch, key: number, spins: number): boolean {
    for (;;) {
      const outcome = this.#tryPut(encoded, key);
      if (outcome === DONE) {
        trimScratch(encoded);
        return true;
      }
      spins = outcome === BUSY ? this.#spinLock(spins) : this.#spinFull(spins);
      if (spins <= 0) return false;
    }
  }

  *putSteps(
    encoded: Encoded,
    key: number,
    deadline: number,
    timeout?: number,
  ): Steps<void> {
    yield* this.#lockSteps();
    try {
      while (!this.#putLocked(encoded, key)) {
        if (performance.now() >= deadline) {
          throw new QueueFull(`${this.kind} is full${waited(timeout)}`);
        }
        yield* this.#waitSteps(this.#notFull, deadline);
      }
    } finally {
      this.#mutex.release();
    }
  }

  // The options are read first: their getters (as any code) could put an
  // item too, and so overwrite the thread's scratch buffer.

  put(item: unknown, options: WaitOptions | undefined): Promise<void> {
    try {
      const { deadline, signal } = parseWait(this.#wherePut, options);
      const key = this.#keyOf(item);
      const encoded = this.#encode(item);
      signal?.throwIfAborted();
      if (this.#spinPut(encoded, key, spinsUntil(deadline, SPIN_ASYNC))) {
        return Promise.resolve();
      }
      return runAsync(
        this.putSteps(copyOf(encoded), key, deadline, options?.timeout),
        signal,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  putSync(item: unknown, options: WaitOptions | undefined): void {
    const { deadline, signal } = parseWait(this.#wherePut, options);
    const key = this.#keyOf(item);
    const encoded = this.#encode(item);
    signal?.throwIfAborted();
    if (this.#spinPut(encoded, key, spinsUntil(deadline, SPIN_SYNC))) return;
    runSync(
      this.putSteps(copyOf(encoded), key, deadline, options?.timeout),
      signal,
    );
  }

  putNowait(item: unknown): void {
    const key = this.#keyOf(item);
    const encoded = this.#encode(item);
    if (this.#spinPut(encoded, key, 0)) return;
    runSync(this.putSteps(copyOf(encoded), key, -Infinity));
  }

  /**
   * Puts an item encoded beforehand (by `encode`), as putNowait does, for a
   * queue whose order needs no key (FIFO, LIFO).
   */
  putEncodedNowait(encoded: Encoded): void {
    if (this.#mutex.tryAcquire()) {
      try {
        if (this.#putLocked(encoded, 0)) return;
      } finally {
        this.#mutex.release();
      }
    }
    runSync(this.putSteps(encoded, 0, -Infinity));
  }

  // --- get ----------------------------------------------------------------
  //
  // The same shape: under the lock, only the bytes are copied out (into the
  // thread's `received` buffer on the fast path); they are decoded after.

  /** With the lock held: whether there is an item (throws if shut down). */
  #hasItem(): boolean {
    if (this.store.count > 0) return true;
    if (this.words[SHUT_DOWN] !== 0) {
      throw new QueueShutDown(`${this.kind} is shut down`);
    }
    return false;
  }

  /** With the lock held: takes the next item, if there is one. */
  #getLocked(): StoredItem | undefined {
    if (!this.#hasItem()) return undefined;
    const item = this.store.pop();
    this.#notFull.notify(1);
    return item;
  }

  /**
   * Takes an item into `received` at once if the lock is free and there is
   * an item; whether it did.
   */
  #tryGet(): number {
    if (!this.#mutex.tryAcquire()) return BUSY;
    try {
      if (!this.#hasItem()) return BLOCKED;
      this.store.popReceived();
      this.#notFull.notify(1);
      return DONE;
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Takes an item into `received`, trying again while the lock is taken or
   * the queue empty, up to `spins` looks; whether it did.
   */
  #spinGet(spins: number): boolean {
    for (;;) {
      const outcome = this.#tryGet();
      if (outcome === DONE) return true;
      spins = outcome === BUSY ? this.#spinLock(spins) : this.#spinEmpty(spins);
      if (spins <= 0) return false;
    }
  }

  // --- spinning -----------------------------------------------------------
  //
  // Each looks at one word until it changes the way that makes a try worth
  // it, or the spins run out; it returns the spins left. A look takes no
  // lock and changes nothing: a queue that is looked at behaves as one that
  // is not.

  /** Until the lock looks free. */
  #spinLock(spins: number): number {
    const words = this.#mutex.words;
    while (spins-- > 0) if (Atomics.load(words, STATE) === 0) break;
    return spins;
  }

  /**
   * Until the queue looks not full. (A shutdown meanwhile is seen by the
   * next try, at most one spin later.)
   */
  #spinFull(spins: number): number {
    const words = this.words;
    const maxsize = this.#maxsize;
    while (spins-- > 0) if (Atomics.load(words, STORE) < maxsize) break;
    return spins;
  }

  /** Until the queue looks not empty. */
  #spinEmpty(spins: number): number {
    const words = this.words;
    while (spins-- > 0) if (Atomics.load(words, STORE) !== 0) break;
    return spins;
  }

  /**
   * Takes an item, waiting until `deadline`; the error of a wait that ends
   * empty says how long it waited (`timeout`), for Python habits: a timeout
   * of 1 is one millisecond here.
   */
  *getSteps(deadline: number, timeout?: number): Steps<StoredItem> {
    yield* this.#lockSteps();
    try {
      for (;;) {
        const item = this.#getLocked();
        if (item !== undefined) return item;
        if (performance.now() >= deadline) {
          throw new QueueEmpty(`${this.kind} is empty${waited(timeout)}`);
        }
        yield* this.#waitSteps(this.#notEmpty, deadline);
      }
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Waits until there is an item or the queue is shut down, without taking
   * anything (a Pipe's poll). A waiter woken for an item it does not take
   * passes the wake-up on, so that no getter misses it.
   */
  *readySteps(deadline: number): Steps<boolean> {
    yield* this.#lockSteps();
    try {
      for (;;) {
        if (this.store.count > 0) {
          this.#notEmpty.notify(1);
          return true;
        }
        if (this.shutDown) return true;
        if (performance.now() >= deadline) return false;
        yield* this.#waitSteps(this.#notEmpty, deadline);
      }
    } finally {
      this.#mutex.release();
    }
  }

  // A taken item is decoded first (the primitives it carries are opened
  // here, and so referred to by this thread), then the references the queue
  // held for it are dropped.

  /** Decodes the item the fast path took into `received`. */
  #takeReceived(): unknown {
    if (received.tag !== CLONE_WITH_PRIMITIVES) return decodeReceived();
    const offsets = itemReferences(received.tag, received.bytes);
    const value = decodeReceived();
    for (const offset of offsets) releaseAt(this.heap, offset);
    return value;
  }

  /** Decodes an item the slow path (or a pipe) took. */
  decodeTaken({ tag, payload }: StoredItem): unknown {
    const value = decode(tag, payload);
    if (tag !== CLONE_WITH_PRIMITIVES) return value;
    for (const offset of itemReferences(tag, payload)) {
      releaseAt(this.heap, offset);
    }
    return value;
  }

  async get(options: WaitOptions | undefined): Promise<unknown> {
    const { deadline, signal } = parseWait(this.#whereGet, options);
    signal?.throwIfAborted();
    if (this.#spinGet(spinsUntil(deadline, SPIN_ASYNC))) {
      return this.#takeReceived();
    }
    return this.decodeTaken(
      await runAsync(this.getSteps(deadline, options?.timeout), signal),
    );
  }

  getSync(options: WaitOptions | undefined): unknown {
    const { deadline, signal } = parseWait(this.#whereGet, options);
    signal?.throwIfAborted();
    if (this.#spinGet(spinsUntil(deadline, SPIN_SYNC))) {
      return this.#takeReceived();
    }
    return this.decodeTaken(
      runSync(this.getSteps(deadline, options?.timeout), signal),
    );
  }

  getNowait(): unknown {
    if (this.#spinGet(0)) return this.#takeReceived();
    return this.decodeTaken(runSync(this.getSteps(-Infinity)));
  }

  // --- tasks --------------------------------------------------------------

  taskDone(): void {
    this.#locked(() => {
      const unfinished = this.words[UNFINISHED]!;
      if (unfinished <= 0) {
        throw new RangeError(
          `Cannot call taskDone on ${this.kind}: it was called more times than items were put`,
        );
      }
      this.words[UNFINISHED] = unfinished - 1;
      if (unfinished === 1) this.#allDone.notify(Infinity);
    });
  }

  *joinSteps(deadline: number): Steps<boolean> {
    yield* this.#lockSteps();
    try {
      while (this.words[UNFINISHED]! > 0) {
        if (performance.now() >= deadline) return false;
        yield* this.#waitSteps(this.#allDone, deadline);
      }
      return true;
    } finally {
      this.#mutex.release();
    }
  }

  join(options: WaitOptions | undefined): Promise<boolean> {
    try {
      const { deadline, signal } = parseWait(
        `Cannot join ${this.kind}`,
        options,
      );
      signal?.throwIfAborted();
      return runAsync(this.joinSteps(deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  joinSync(options: WaitOptions | undefined): boolean {
    const { deadline, signal } = parseWait(`Cannot join ${this.kind}`, options);
    signal?.throwIfAborted();
    return runSync(this.joinSteps(deadline), signal);
  }

  shutdown(immediate: boolean): void {
    const offsets: number[] = [];
    this.#locked(() => {
      Atomics.store(this.words, SHUT_DOWN, 1);
      if (immediate) {
        this.store.forEach((tag, bytes) =>
          offsets.push(...itemReferences(tag, bytes))
        );
        const dropped = this.store.clear();
        const unfinished = this.words[UNFINISHED]!;
        this.words[UNFINISHED] = Math.max(0, unfinished - dropped);
        this.#allDone.notify(Infinity);
      }
      this.#notEmpty.notify(Infinity);
      this.#notFull.notify(Infinity);
    });
    // The dropped items' primitives lose the references the queue held.
    for (const offset of offsets) releaseAt(this.heap, offset);
  }
}

/** " after waiting N ms", for the error of a wait that timed out. */
function waited(timeout: number | undefined): string {
  return timeout === undefined || timeout === 0 || timeout === Infinity
    ? ""
    : ` after waiting ${timeout} ms`;
}

/** How many looks a call may spin: none once its deadline has passed. */
function spinsUntil(deadline: number, spins: number): number {
  return deadline === Infinity || deadline > performance.now() ? spins : 0;
}
