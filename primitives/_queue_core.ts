// The algorithms behind every queue (and pipe): Python's queue.Queue, a
// mutex and three conditions (not empty, not full, all tasks done) around
// an item store, written once as futex steps for both faces.
//
// Header words, in the shared heap: [magic, order, maxsize, unfinished,
// shut down, then the store's words]. The lock and the conditions are
// primitives of their own, carried in the handle's parts; the store's two
// buffers travel in the handle too.

import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.ts";
import { decode, encode, type Encoded } from "./_codec.ts";
import { type CondVar, condVarOf } from "./_condvar.ts";
import { runAsync, runSync, type Steps } from "./_futex.ts";
import { type Handle, type Layout, revive } from "./_handle.ts";
import { type Mutex, mutexOf } from "./_mutex.ts";
import {
  checkInteger,
  parseWait,
  quote,
  type WaitOptions,
} from "./_options.ts";
import {
  allocateStore,
  initStore,
  ItemStore,
  PRIORITY,
  STORE_WORDS,
  type StoredItem,
} from "./_store.ts";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";

const ORDER = 1;
const MAXSIZE = 2;
const UNFINISHED = 3;
const SHUT_DOWN = 4;
const STORE = 5;
const WORDS = STORE + STORE_WORDS;
/**
 * A waiter looks at the queue again at least this often (ms), so that a
 * wake-up spent on a Worker that was terminated while it waited delays the
 * others by at most this much, instead of forever.
 */
const RECHECK_MS = 100;

/** The handle of a queue: the standard fields, plus its store's buffers. */
export interface QueueHandle extends Handle {
  /** The store's index of entries. */
  readonly index: SharedArrayBuffer;
  /** The store's arena of encoded items. */
  readonly arena: SharedArrayBuffer;
}

/** Options of a queue's constructor. */
export interface QueueOptions {
  /**
   * How many threads may wait at once on each of the queue's conditions
   * (getters, putters, joiners); default 128.
   */
  maxWaiters?: number;
}

export class QueueCore {
  readonly kind: string;
  readonly words: Int32Array;
  readonly store: ItemStore;
  readonly heap: SharedArrayBuffer;
  readonly #layout: Layout;
  readonly #lock: Lock;
  readonly #mutex: Mutex;
  readonly #conditions: Condition[];
  readonly #notEmpty: CondVar;
  readonly #notFull: CondVar;
  readonly #allDone: CondVar;
  readonly #index: SharedArrayBuffer;
  readonly #arena: SharedArrayBuffer;
  readonly #wherePut: string;
  readonly #whereGet: string;

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
      if (
        options !== undefined &&
        (typeof options !== "object" || options === null)
      ) {
        throw new TypeError(
          `Cannot create ${layout.kind}: 'options' must be an object, received ${
            quote(options)
          }`,
        );
      }
      const lock = new Lock();
      const maxWaiters = options?.maxWaiters;
      const conditionOptions = maxWaiters === undefined ? {} : { maxWaiters };
      this.#conditions = [0, 1, 2].map(() =>
        new Condition(lock, conditionOptions)
      );
      this.#lock = lock;
      this.words = layout.allocate(WORDS);
      this.words[ORDER] = order;
      this.words[MAXSIZE] = maxsize as number;
      initStore(this.words.subarray(STORE));
      [this.#index, this.#arena] = allocateStore();
    } else {
      const handle = source.handle;
      this.words = layout.open(handle, 4);
      const { parts, index, arena } = handle as QueueHandle;
      const revived = parts.map(revive);
      if (
        !(revived[0] instanceof Lock) ||
        !revived.slice(1).every((part) => part instanceof Condition) ||
        !(index instanceof SharedArrayBuffer) ||
        !(arena instanceof SharedArrayBuffer)
      ) {
        throw new TypeError(
          `Cannot create ${layout.kind} from handle: it is not the handle of ${layout.kind}`,
        );
      }
      this.#lock = revived[0];
      this.#conditions = revived.slice(1) as Condition[];
      this.#index = index;
      this.#arena = arena;
    }
    this.heap = this.words.buffer as SharedArrayBuffer;
    this.#mutex = mutexOf.get(this.#lock)!;
    [this.#notEmpty, this.#notFull, this.#allDone] = this.#conditions.map((c) =>
      condVarOf.get(c)!
    ) as [CondVar, CondVar, CondVar];
    this.store = new ItemStore(
      this.words.subarray(STORE),
      Atomics.load(this.words, ORDER),
      this.#index,
      this.#arena,
    );
  }

  get handle(): QueueHandle {
    return {
      ...this.#layout.handle(this.words, [
        this.#lock.handle,
        ...this.#conditions.map((condition) => condition.handle),
      ]),
      index: this.#index,
      arena: this.#arena,
    };
  }

  get maxsize(): number {
    return Atomics.load(this.words, MAXSIZE);
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
  // Each call tries the lock once and does its work at once when it can (no
  // generator, no waiting): the common case of a queue that is neither full
  // nor empty. Only otherwise does it run the steps that wait.

  /** Encodes outside the lock: a bad item throws before anything changes. */
  encode(item: unknown): { encoded: Encoded; key: number } {
    const where = this.#wherePut;
    const key = Atomics.load(this.words, ORDER) === PRIORITY
      ? priorityOf(item, where)
      : 0;
    return { encoded: encode(item, this.heap, where), key };
  }

  /** With the lock held: puts the item if there is room. */
  #putLocked(encoded: Encoded, key: number): boolean {
    if (this.shutDown) throw new QueueShutDown(`${this.kind} is shut down`);
    const maxsize = Atomics.load(this.words, MAXSIZE);
    if (maxsize !== 0 && this.store.count >= maxsize) return false;
    this.store.push(encoded, key, this.#wherePut);
    Atomics.add(this.words, UNFINISHED, 1);
    this.#notEmpty.notify(1);
    return true;
  }

  /** Puts at once if the lock is free and there is room. */
  #tryPut(encoded: Encoded, key: number): boolean {
    if (!this.#mutex.tryAcquire()) return false;
    try {
      return this.#putLocked(encoded, key);
    } finally {
      this.#mutex.release();
    }
  }

  *putSteps(encoded: Encoded, key: number, deadline: number): Steps<void> {
    yield* this.#lockSteps();
    try {
      while (!this.#putLocked(encoded, key)) {
        if (performance.now() >= deadline) {
          throw new QueueFull(`${this.kind} is full`);
        }
        yield* this.#waitSteps(this.#notFull, deadline);
      }
    } finally {
      this.#mutex.release();
    }
  }

  put(item: unknown, options: WaitOptions | undefined): Promise<void> {
    try {
      const { encoded, key } = this.encode(item);
      const { deadline, signal } = parseWait(this.#wherePut, options);
      signal?.throwIfAborted();
      if (this.#tryPut(encoded, key)) return Promise.resolve();
      return runAsync(this.putSteps(encoded, key, deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  putSync(item: unknown, options: WaitOptions | undefined): void {
    const { encoded, key } = this.encode(item);
    const { deadline, signal } = parseWait(this.#wherePut, options);
    signal?.throwIfAborted();
    if (this.#tryPut(encoded, key)) return;
    runSync(this.putSteps(encoded, key, deadline), signal);
  }

  putNowait(item: unknown): void {
    const { encoded, key } = this.encode(item);
    if (this.#tryPut(encoded, key)) return;
    runSync(this.putSteps(encoded, key, -Infinity));
  }

  // --- get ----------------------------------------------------------------

  /** With the lock held: takes the next item, if there is one. */
  #getLocked(): StoredItem | undefined {
    if (this.store.count === 0) {
      if (this.shutDown) throw new QueueShutDown(`${this.kind} is shut down`);
      return undefined;
    }
    const item = this.store.pop();
    this.#notFull.notify(1);
    return item;
  }

  /** Takes at once if the lock is free and there is an item. */
  #tryGet(): StoredItem | undefined {
    if (!this.#mutex.tryAcquire()) return undefined;
    try {
      return this.#getLocked();
    } finally {
      this.#mutex.release();
    }
  }

  *getSteps(deadline: number): Steps<StoredItem> {
    yield* this.#lockSteps();
    try {
      for (;;) {
        const item = this.#getLocked();
        if (item !== undefined) return item;
        if (performance.now() >= deadline) {
          throw new QueueEmpty(`${this.kind} is empty`);
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

  async get(options: WaitOptions | undefined): Promise<unknown> {
    const { deadline, signal } = parseWait(this.#whereGet, options);
    signal?.throwIfAborted();
    const { tag, payload } = this.#tryGet() ??
      await runAsync(this.getSteps(deadline), signal);
    return decode(tag, payload);
  }

  getSync(options: WaitOptions | undefined): unknown {
    const { deadline, signal } = parseWait(this.#whereGet, options);
    signal?.throwIfAborted();
    const { tag, payload } = this.#tryGet() ??
      runSync(this.getSteps(deadline), signal);
    return decode(tag, payload);
  }

  getNowait(): unknown {
    const { tag, payload } = this.#tryGet() ??
      runSync(this.getSteps(-Infinity));
    return decode(tag, payload);
  }

  // --- tasks --------------------------------------------------------------

  taskDone(): void {
    this.#locked(() => {
      const unfinished = Atomics.load(this.words, UNFINISHED);
      if (unfinished <= 0) {
        throw new RangeError(
          `Cannot call taskDone on ${this.kind}: it was called more times than items were put`,
        );
      }
      Atomics.store(this.words, UNFINISHED, unfinished - 1);
      if (unfinished === 1) this.#allDone.notify(Infinity);
    });
  }

  *joinSteps(deadline: number): Steps<boolean> {
    yield* this.#lockSteps();
    try {
      while (Atomics.load(this.words, UNFINISHED) > 0) {
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
    this.#locked(() => {
      Atomics.store(this.words, SHUT_DOWN, 1);
      if (immediate) {
        const dropped = this.store.clear();
        const unfinished = Atomics.load(this.words, UNFINISHED);
        Atomics.store(
          this.words,
          UNFINISHED,
          Math.max(0, unfinished - dropped),
        );
        this.#allDone.notify(Infinity);
      }
      this.#notEmpty.notify(Infinity);
      this.#notFull.notify(Infinity);
    });
  }
}

/** A PriorityQueue item's priority: the item, or its first element. */
function priorityOf(item: unknown, where: string): number {
  const priority = Array.isArray(item) ? item[0] : item;
  if (typeof priority !== "number" || Number.isNaN(priority)) {
    throw new TypeError(
      `${where}: an item must be a number or an array whose first element is a number (its priority), received ${
        quote(item)
      }`,
    );
  }
  return priority;
}
