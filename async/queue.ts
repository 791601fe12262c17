import { QueueEmpty, QueueFull, QueueShutDown } from "../primitives/errors.ts";
import {
  checkInteger,
  parseWait,
  shutdownImmediate,
  type WaitOptions,
} from "../internal/options.ts";
import { FifoStore, LifoStore, PriorityStore, type Store } from "./_store.ts";
import { DONE, FALSE, msOf, TRUE, WaiterList } from "./_waiters.ts";

/**
 * A first-in, first-out queue for the tasks of one event loop, like
 * Python's `asyncio.Queue`, with the rules and errors of the cross-worker
 * `Queue`: `put` waits while a bounded queue is full, `get` while it is
 * empty, `taskDone`/`join` track the work, and `shutdown` ends it. Items are
 * kept as they are (no copy), so anything can travel.
 *
 * Blocked getters are served in arrival order, and so are blocked putters:
 * a freed slot takes the first waiting putter's item at once. Times are in
 * milliseconds.
 *
 * @typeParam T The items.
 *
 * @example Producer and consumer
 * ```ts
 * import { Queue } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const queue = new Queue<{ id: number }>(2);
 * const seen: number[] = [];
 * const consumer = (async () => {
 *   for (;;) {
 *     seen.push((await queue.get()).id);
 *     queue.taskDone();
 *   }
 * })();
 * for (const id of [1, 2, 3]) await queue.put({ id });
 * await queue.join();
 * queue.shutdown();
 * await consumer.catch(() => {}); // QueueShutDown ends the loop
 * deepStrictEqual(seen, [1, 2, 3]);
 * ```
 */
export class Queue<T = unknown> {
  #kind: string;
  #maxsize: number;
  #store: Store<T>;
  #unfinished = 0;
  #shutDown = false;
  /**
   * Items in the store that are promised to getters that were woken but
   * have not run yet: nobody else may take them, and a woken getter that
   * was aborted in the meantime passes its item on to the next getter.
   */
  #reserved = 0;
  #getters: WaiterList<void>;
  #putters: WaiterList<void>;
  #joiners = new WaiterList<boolean>(() => false);

  /**
   * Creates a queue.
   *
   * @param maxsize The most items it holds; 0 (the default) for no bound.
   * @throws {TypeError} If `maxsize` is not a number.
   * @throws {RangeError} If `maxsize` is negative or not an integer.
   *
   * @example A bounded queue
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue(10).maxsize, 10);
   * ```
   */
  constructor(maxsize?: number) {
    if (maxsize === undefined) maxsize = 0;
    const kind = this instanceof PriorityQueue
      ? "PriorityQueue"
      : this instanceof LifoQueue
      ? "LifoQueue"
      : "Queue";
    checkInteger(`Cannot create ${kind}`, "maxsize", maxsize, 0);
    this.#kind = kind;
    this.#maxsize = maxsize;
    this.#store = kind === "PriorityQueue"
      ? new PriorityStore()
      : kind === "LifoQueue"
      ? new LifoStore()
      : new FifoStore();
    // A wait that times out says how long it waited, for Python habits: a
    // timeout of 1 is one millisecond here.
    this.#getters = new WaiterList<void>((timeout) => {
      throw new QueueEmpty(`${kind} is empty after waiting ${timeout} ms`);
    });
    this.#putters = new WaiterList<void>((timeout) => {
      throw new QueueFull(`${kind} is full after waiting ${timeout} ms`);
    });
  }

  /**
   * The most items the queue holds; 0 for no bound.
   *
   * @example Unbounded by default
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue().maxsize, 0);
   * ```
   */
  get maxsize(): number {
    return this.#maxsize;
  }

  /**
   * Whether {@linkcode Queue.shutdown} was called.
   *
   * @example After shutdown
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue();
   * queue.shutdown();
   * strictEqual(queue.isShutDown, true);
   * ```
   */
  get isShutDown(): boolean {
    return this.#shutDown;
  }

  /**
   * How many items the queue holds, counting those already promised to a
   * woken getter that has not run yet.
   *
   * @returns The number of items.
   *
   * @example Count the items
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue();
   * queue.putNowait(1);
   * queue.putNowait(2);
   * strictEqual(queue.qsize(), 2);
   * ```
   */
  qsize(): number {
    return this.#store.size;
  }

  /**
   * Whether the queue holds no items.
   *
   * @returns `true` if empty.
   *
   * @example A new queue is empty
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.#store.size === 0;
  }

  /**
   * Whether a bounded queue holds `maxsize` items.
   *
   * @returns `true` if full.
   *
   * @example Fill a queue of one
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue(1);
   * queue.putNowait("x");
   * strictEqual(queue.full(), true);
   * ```
   */
  full(): boolean {
    return this.#maxsize > 0 && this.#store.size >= this.#maxsize;
  }

  /**
   * Puts an item, waiting while a bounded queue is full, behind the putters
   * that came first.
   *
   * @param item The item.
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A promise that resolves once the item is in the queue. Once it
   * is in, it stays in: an abort after that changes nothing.
   * @throws {QueueFull} If the timeout passes with the queue still full.
   * @throws {QueueShutDown} If the queue is or becomes shut down.
   * @throws {TypeError} If a PriorityQueue cannot order the item, or an
   * option has the wrong type.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Put, then get
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<number>();
   * await queue.put(42);
   * strictEqual(await queue.get(), 42);
   * ```
   */
  put(item: T, options?: WaitOptions): Promise<void> {
    const where = `Cannot put into ${this.#kind}`;
    let signal: AbortSignal | undefined;
    try {
      this.#store.check(item, where);
      if (options !== undefined) {
        ({ signal } = parseWait(where, options));
        signal?.throwIfAborted();
      }
      if (this.#shutDown) throw this.#isShutDown();
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.full()) {
      this.#insert(item);
      return DONE;
    }
    const ms = msOf(options);
    if (ms <= 0) return Promise.reject(new QueueFull(`${this.#kind} is full`));
    return this.#putters.add(ms, signal, item);
  }

  /**
   * Puts an item if there is room, without waiting.
   *
   * @param item The item.
   * @throws {QueueFull} If a bounded queue is full.
   * @throws {QueueShutDown} If the queue is shut down.
   * @throws {TypeError} If a PriorityQueue cannot order the item.
   *
   * @example A full queue throws
   * ```ts
   * import { Queue, QueueFull } from "@parallel/parallel/async";
   * import { throws } from "node:assert/strict";
   *
   * const queue = new Queue(1);
   * queue.putNowait("a");
   * throws(() => queue.putNowait("b"), QueueFull);
   * ```
   */
  putNowait(item: T): void {
    this.#store.check(item, `Cannot put into ${this.#kind}`);
    if (this.#shutDown) throw this.#isShutDown();
    if (this.full()) throw new QueueFull(`${this.#kind} is full`);
    this.#insert(item);
  }

  /**
   * Takes the next item, waiting while the queue is empty, behind the
   * getters that came first.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The item.
   * @throws {QueueEmpty} If the timeout passes with the queue still empty.
   * @throws {QueueShutDown} If the queue is shut down and empty.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait. A getter
   * aborted in the same tick as an item was promised to it passes the item
   * on: it stays in the queue for the next getter.
   *
   * @example Wait for an item
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * setTimeout(() => queue.putNowait("late"), 5);
   * strictEqual(await queue.get({ timeout: 1000 }), "late");
   * ```
   */
  get(options?: WaitOptions): Promise<T> {
    if (options === undefined && this.#store.size > this.#reserved) {
      return Promise.resolve(this.#take());
    }
    let signal: AbortSignal | undefined;
    try {
      ({ signal } = parseWait(`Cannot get from ${this.#kind}`, options));
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#store.size > this.#reserved) {
      return Promise.resolve(this.#take());
    }
    if (this.#shutDown) return Promise.reject(this.#isShutDown());
    const ms = msOf(options);
    if (ms <= 0) {
      return Promise.reject(new QueueEmpty(`${this.#kind} is empty`));
    }
    return this.#takeWhenWoken(this.#getters.add(ms, signal), signal);
  }

  async #takeWhenWoken(
    woken: Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    await woken;
    // An immediate shutdown drops every item, the reserved ones too.
    if (this.#store.size === 0) throw this.#isShutDown();
    this.#reserved--;
    if (signal?.aborted) {
      this.#wakeGetter();
      throw signal.reason;
    }
    return this.#take();
  }

  /**
   * Takes the next item if there is one, without waiting.
   *
   * @returns The item.
   * @throws {QueueEmpty} If the queue is empty.
   * @throws {QueueShutDown} If the queue is shut down and empty.
   *
   * @example Take from an empty queue
   * ```ts
   * import { Queue, QueueEmpty } from "@parallel/parallel/async";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Queue().getNowait(), QueueEmpty);
   * ```
   */
  getNowait(): T {
    if (this.#store.size > this.#reserved) return this.#take();
    if (this.#shutDown) throw this.#isShutDown();
    throw new QueueEmpty(`${this.#kind} is empty`);
  }

  /**
   * Tells the queue that an item taken with `get` has been processed, for
   * {@linkcode Queue.join}.
   *
   * @throws {RangeError} If called more times than items were put.
   *
   * @example Too many calls throw
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Queue().taskDone(), RangeError);
   * ```
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new RangeError(
        `Cannot call taskDone on ${this.#kind}: it was called more times than items were put`,
      );
    }
    if (--this.#unfinished === 0) this.#joiners.grantAll(true);
  }

  /**
   * Waits until every item put has been marked done with
   * {@linkcode Queue.taskDone}.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once all are done, `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Join an idle queue
   * ```ts
   * import { Queue } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Queue().join(), true);
   * ```
   */
  join(options?: WaitOptions): Promise<boolean> {
    if (options === undefined && this.#unfinished === 0) return TRUE;
    let signal: AbortSignal | undefined;
    try {
      ({ signal } = parseWait(`Cannot join ${this.#kind}`, options));
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#unfinished === 0) return TRUE;
    const ms = msOf(options);
    return ms <= 0 ? FALSE : this.#joiners.add(ms, signal);
  }

  /**
   * Shuts the queue down: `put` throws {@linkcode QueueShutDown} from now
   * on, and `get` does once the queue is empty. With `immediate`, the items
   * are dropped at once (each counts as done for `join`). Every blocked
   * putter, and every blocked getter that no item is left for, rejects with
   * QueueShutDown.
   *
   * @param options `immediate`: drop the items too (default `false`).
   *
   * @example Drain after shutdown
   * ```ts
   * import { Queue, QueueShutDown } from "@parallel/parallel/async";
   * import { strictEqual, throws } from "node:assert/strict";
   *
   * const queue = new Queue<number>();
   * queue.putNowait(1);
   * queue.shutdown();
   * strictEqual(queue.getNowait(), 1);
   * throws(() => queue.getNowait(), QueueShutDown);
   * ```
   */
  shutdown(options?: { immediate?: boolean }): void {
    const immediate = shutdownImmediate(this.#kind, options);
    this.#shutDown = true;
    if (immediate) {
      const dropped = this.#store.clear();
      this.#reserved = 0;
      this.#unfinished = Math.max(0, this.#unfinished - dropped);
      if (this.#unfinished === 0) this.#joiners.grantAll(true);
    }
    // A getter still in line has no item left for it: every item in the
    // store is promised to a getter woken before it.
    this.#getters.rejectAll(() => this.#isShutDown());
    this.#putters.rejectAll(() => this.#isShutDown());
  }

  #isShutDown(): QueueShutDown {
    return new QueueShutDown(`${this.#kind} is shut down`);
  }

  /** Adds an item and promises it to the first getter in line, if any. */
  #insert(item: T): void {
    this.#store.push(item);
    this.#unfinished++;
    this.#wakeGetter();
  }

  #wakeGetter(): void {
    if (this.#store.size > this.#reserved && this.#getters.grant()) {
      this.#reserved++;
    }
  }

  /** Takes the next item; the slot it frees goes to the first putter. */
  #take(): T {
    const item = this.#store.pop();
    const putter = this.#putters.shift();
    if (putter !== undefined) {
      this.#insert(putter.payload as T);
      putter.resolve();
    }
    return item;
  }
}

/**
 * A last-in, first-out queue for the tasks of one event loop, like
 * Python's `asyncio.LifoQueue`: `get` takes the newest item. Otherwise it is
 * a {@linkcode Queue}.
 *
 * @typeParam T The items.
 *
 * @example Newest first
 * ```ts
 * import { LifoQueue } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const stack = new LifoQueue<number>();
 * for (const n of [1, 2, 3]) stack.putNowait(n);
 * deepStrictEqual([stack.getNowait(), stack.getNowait()], [3, 2]);
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {}

/**
 * A priority queue for the tasks of one event loop, like Python's
 * `asyncio.PriorityQueue`: `get` takes the item with the lowest priority
 * first, and items of equal priority in the order they were put. As for the
 * cross-worker PriorityQueue, an item is a number (its own priority) or an
 * array whose first element is a number, Python's `(priority, data)` idiom.
 *
 * @typeParam T The items.
 *
 * @example Lowest priority first
 * ```ts
 * import { PriorityQueue } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const tasks = new PriorityQueue<[number, string]>();
 * tasks.putNowait([2, "later"]);
 * tasks.putNowait([1, "first"]);
 * tasks.putNowait([2, "last"]);
 * deepStrictEqual(
 *   [tasks.getNowait()[1], tasks.getNowait()[1], tasks.getNowait()[1]],
 *   ["first", "later", "last"],
 * );
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {}
