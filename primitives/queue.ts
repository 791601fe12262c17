import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
} from "./_handle.ts";
import { shutdownImmediate, type WaitOptions } from "../internal/options.ts";
import {
  exposeSimpleQueueCore,
  QUEUE_WORDS,
  QueueCore,
  type QueueHandle,
  type QueueOptions,
} from "./_queue_core.ts";
import { FIFO, LIFO, PRIORITY } from "./_store.ts";

export type { QueueHandle, QueueOptions };

const layouts = {
  Queue: new Layout("Queue", 0x51554555, QUEUE_WORDS),
  LifoQueue: new Layout("LifoQueue", 0x4c494655, QUEUE_WORDS),
  PriorityQueue: new Layout("PriorityQueue", 0x50524951, QUEUE_WORDS),
  SimpleQueue: new Layout("SimpleQueue", 0x53494d51, QUEUE_WORDS),
};
// What `from()` opened, for the constructor it calls: a box, so that
// `from(undefined)` opens (and refuses) undefined instead of making a queue.
const rebuild = new Rebuild<{ handle: unknown }>();

function core(
  kind: keyof typeof layouts,
  order: number,
  maxsize: unknown,
  options: QueueOptions | undefined,
): QueueCore {
  const from = rebuild.take();
  return from === undefined
    ? QueueCore.create(layouts[kind], order, maxsize, options)
    : QueueCore.open(layouts[kind], from.handle);
}

/**
 * A first-in, first-out queue shared by the main thread and any number of
 * Workers, like Python's `queue.Queue`. Items travel as bytes in shared
 * memory, so a Worker blocked in {@linkcode Queue.getSync} receives them
 * without an event loop. Items are plain data (objects, arrays, strings,
 * numbers, booleans, null, undefined: the fast path) or anything structured
 * clone can carry; the primitives of this module travel too and arrive as
 * the same class.
 *
 * `maxsize` bounds the number of items (0, the default, is unbounded); the
 * memory grows as needed, up to 512 MiB of encoded items. Times are in
 * milliseconds. Pass the queue to a Worker as `queue.handle` and rebuild it
 * there with {@linkcode Queue.from}.
 *
 * @typeParam T The items.
 *
 * @example Producer and consumer
 * ```ts
 * import { Queue } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const queue = new Queue<{ id: number }>(2);
 * const consumer = (async () => {
 *   const seen = [];
 *   for (let i = 0; i < 3; i++) {
 *     seen.push((await queue.get()).id);
 *     queue.taskDone();
 *   }
 *   return seen;
 * })();
 * for (const id of [1, 2, 3]) await queue.put({ id });
 * await queue.join();
 * deepStrictEqual(await consumer, [1, 2, 3]);
 * ```
 */
export class Queue<T = unknown> {
  #core: QueueCore;

  static {
    registerKind(
      "Queue",
      Queue.from,
      Queue,
      (queue: Queue) => queue.#core.handle,
    );
  }

  /**
   * Creates a queue.
   *
   * @param maxsize The most items it holds; 0 (the default) for no bound.
   * @param options `maxWaiters`: how many threads may wait at once on each
   * of its conditions (default 128).
   * @throws {TypeError} If `maxsize` is not a number.
   * @throws {RangeError} If `maxsize` is negative or not an integer.
   *
   * @example A bounded queue
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue(10).maxsize, 10);
   * ```
   */
  constructor(maxsize?: number, options?: QueueOptions) {
    if (maxsize === undefined) maxsize = 0;
    this.#core = this instanceof PriorityQueue
      ? core("PriorityQueue", PRIORITY, maxsize, options)
      : this instanceof LifoQueue
      ? core("LifoQueue", LIFO, maxsize, options)
      : core("Queue", FIFO, maxsize, options);
  }

  /**
   * Rebuilds a queue from its {@linkcode Queue.handle}, in any thread.
   *
   * @typeParam T The items.
   * @param handle A handle made by `queue.handle`.
   * @returns A Queue that shares the original's items.
   * @throws {TypeError} If `handle` is not the handle of a Queue.
   *
   * @example Put through one, get through the other
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * Queue.from<string>(queue.handle).putNowait("hi");
   * strictEqual(queue.getNowait(), "hi");
   * ```
   */
  static from<T = unknown>(handle: Handle): Queue<T> {
    return rebuild.with({ handle }, () => new Queue<T>());
  }

  /**
   * A structured-cloneable handle for `postMessage`; see
   * {@linkcode Queue.from}.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue().handle.kind, "Queue");
   * ```
   */
  get handle(): QueueHandle {
    return pinned(this.#core.handle);
  }

  /**
   * The most items the queue holds; 0 for no bound.
   *
   * @example Unbounded by default
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue().maxsize, 0);
   * ```
   */
  get maxsize(): number {
    return this.#core.maxsize;
  }

  /**
   * Whether {@linkcode Queue.shutdown} was called.
   *
   * @example After shutdown
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue();
   * queue.shutdown();
   * strictEqual(queue.isShutDown, true);
   * ```
   */
  get isShutDown(): boolean {
    return this.#core.shutDown;
  }

  /**
   * How many items the queue holds now. Other threads may change it at any
   * moment, as in Python.
   *
   * @returns The number of items.
   *
   * @example Count the items
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue();
   * queue.putNowait(1);
   * queue.putNowait(2);
   * strictEqual(queue.qsize(), 2);
   * ```
   */
  qsize(): number {
    return this.#core.qsize();
  }

  /**
   * Whether the queue holds no items now.
   *
   * @returns `true` if empty.
   *
   * @example A new queue is empty
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Queue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.#core.qsize() === 0;
  }

  /**
   * Whether a bounded queue holds `maxsize` items now.
   *
   * @returns `true` if full.
   *
   * @example Fill a queue of one
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue(1);
   * queue.putNowait("x");
   * strictEqual(queue.full(), true);
   * ```
   */
  full(): boolean {
    const maxsize = this.#core.maxsize;
    return maxsize > 0 && this.#core.qsize() >= maxsize;
  }

  /**
   * Puts an item, waiting without blocking the event loop while a bounded
   * queue is full.
   *
   * @param item The item; it is encoded at once, so later changes to it do
   * not travel.
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A promise that resolves once the item is in the queue.
   * @throws {TypeError} If the item cannot be sent (a function, a symbol).
   * @throws {QueueFull} If the timeout passes with the queue still full.
   * @throws {QueueShutDown} If the queue is shut down.
   *
   * @example Put, then get
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<number>();
   * await queue.put(42);
   * strictEqual(await queue.get(), 42);
   * ```
   */
  put(item: T, options?: WaitOptions): Promise<void> {
    return this.#core.put(item, options);
  }

  /**
   * Puts an item, blocking the thread while a bounded queue is full.
   *
   * @param item The item.
   * @param options `timeout` in milliseconds, and an `AbortSignal` checked
   * before the thread blocks.
   * @throws {TypeError} If the item cannot be sent.
   * @throws {QueueFull} If the timeout passes with the queue still full.
   * @throws {QueueShutDown} If the queue is shut down.
   *
   * @example Time out on a full queue
   * ```ts
   * import { Queue, QueueFull } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * const queue = new Queue(1);
   * queue.putSync("a");
   * throws(() => queue.putSync("b", { timeout: 5 }), QueueFull);
   * ```
   */
  putSync(item: T, options?: WaitOptions): void {
    this.#core.putSync(item, options);
  }

  /**
   * Puts an item if there is room, without waiting.
   *
   * @param item The item.
   * @throws {TypeError} If the item cannot be sent.
   * @throws {QueueFull} If a bounded queue is full.
   * @throws {QueueShutDown} If the queue is shut down.
   *
   * @example A function cannot travel
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual, throws } from "node:assert/strict";
   *
   * const queue = new Queue<unknown>();
   * throws(() => queue.putNowait(() => 1), TypeError);
   * strictEqual(queue.qsize(), 0);
   * ```
   */
  putNowait(item: T): void {
    this.#core.putNowait(item);
  }

  /**
   * Takes the next item, waiting without blocking the event loop while the
   * queue is empty.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The item.
   * @throws {QueueEmpty} If the timeout passes with the queue still empty.
   * @throws {QueueShutDown} If the queue is shut down and empty.
   *
   * @example Wait for an item
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * setTimeout(() => queue.putNowait("late"), 5);
   * strictEqual(await queue.get({ timeout: 1000 }), "late");
   * ```
   */
  get(options?: WaitOptions): Promise<T> {
    return this.#core.get(options) as Promise<T>;
  }

  /**
   * Takes the next item, blocking the thread while the queue is empty.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal` checked
   * before the thread blocks.
   * @returns The item.
   * @throws {QueueEmpty} If the timeout passes with the queue still empty.
   * @throws {QueueShutDown} If the queue is shut down and empty.
   *
   * @example Time out on an empty queue
   * ```ts
   * import { Queue, QueueEmpty } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Queue().getSync({ timeout: 5 }), QueueEmpty);
   * ```
   */
  getSync(options?: WaitOptions): T {
    return this.#core.getSync(options) as T;
  }

  /**
   * Takes the next item if there is one, without waiting.
   *
   * @returns The item.
   * @throws {QueueEmpty} If the queue is empty.
   * @throws {QueueShutDown} If the queue is shut down and empty.
   *
   * @example Maps and dates travel too
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const queue = new Queue<Map<string, Date>>();
   * queue.putNowait(new Map([["epoch", new Date(0)]]));
   * deepStrictEqual(queue.getNowait(), new Map([["epoch", new Date(0)]]));
   * ```
   */
  getNowait(): T {
    return this.#core.getNowait() as T;
  }

  /**
   * Tells the queue that an item taken with `get` has been processed, for
   * {@linkcode Queue.join}.
   *
   * @throws {RangeError} If called more times than items were put.
   *
   * @example Too many calls throw
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Queue().taskDone(), RangeError);
   * ```
   */
  taskDone(): void {
    this.#core.taskDone();
  }

  /**
   * Waits, without blocking the event loop, until every item put has been
   * marked done with {@linkcode Queue.taskDone}.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once all are done, `false` if the timeout passed first.
   *
   * @example Join an idle queue
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Queue().join(), true);
   * ```
   */
  join(options?: WaitOptions): Promise<boolean> {
    return this.#core.join(options);
  }

  /**
   * Waits, blocking the thread, until every item put has been marked done.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once all are done, `false` if the timeout passed first.
   *
   * @example Time out while a task is open
   * ```ts
   * import { Queue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new Queue();
   * queue.putNowait(1);
   * strictEqual(queue.joinSync({ timeout: 5 }), false);
   * ```
   */
  joinSync(options?: WaitOptions): boolean {
    return this.#core.joinSync(options);
  }

  /**
   * Shuts the queue down: `put` throws {@linkcode QueueShutDown} from now
   * on, and `get` does once the queue is empty. With `immediate`, the items
   * are dropped at once and `join` is released. Every blocked putter and
   * getter wakes to see it.
   *
   * @param options `immediate`: drop the items too (default `false`).
   *
   * @example Drain after shutdown
   * ```ts
   * import { Queue, QueueShutDown } from "@parallel/parallel";
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
    this.#core.shutdown(shutdownImmediate(this.#core.kind, options));
  }
}

/**
 * A last-in, first-out queue shared across Workers, like Python's
 * `queue.LifoQueue`: `get` takes the newest item. Otherwise it is a
 * {@linkcode Queue}.
 *
 * @typeParam T The items.
 *
 * @example Newest first
 * ```ts
 * import { LifoQueue } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const stack = new LifoQueue<number>();
 * for (const n of [1, 2, 3]) stack.putNowait(n);
 * deepStrictEqual([stack.getNowait(), stack.getNowait()], [3, 2]);
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /**
   * Rebuilds a LIFO queue from its handle.
   *
   * @typeParam T The items.
   * @param handle A handle made by `lifoQueue.handle`.
   * @returns A LifoQueue that shares the original's items.
   * @throws {TypeError} If `handle` is not the handle of a LifoQueue.
   *
   * @example Share the stack
   * ```ts
   * import { LifoQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const stack = new LifoQueue<string>();
   * LifoQueue.from<string>(stack.handle).putNowait("top");
   * strictEqual(stack.getNowait(), "top");
   * ```
   */
  static override from<T = unknown>(handle: Handle): LifoQueue<T> {
    return rebuild.with({ handle }, () => new LifoQueue<T>());
  }
}

/**
 * A priority queue shared across Workers, like Python's
 * `queue.PriorityQueue`: `get` takes the item with the lowest priority
 * first, and items of equal priority in the order they were put. An item is
 * a number (its own priority) or an array whose first element is a number,
 * as in Python's `(priority, data)` idiom.
 *
 * @typeParam T The items.
 *
 * @example Lowest priority first
 * ```ts
 * import { PriorityQueue } from "@parallel/parallel";
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
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * Rebuilds a priority queue from its handle.
   *
   * @typeParam T The items.
   * @param handle A handle made by `priorityQueue.handle`.
   * @returns A PriorityQueue that shares the original's items.
   * @throws {TypeError} If `handle` is not the handle of a PriorityQueue.
   *
   * @example Share the queue
   * ```ts
   * import { PriorityQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new PriorityQueue<number>();
   * PriorityQueue.from<number>(queue.handle).putNowait(3);
   * strictEqual(queue.getNowait(), 3);
   * ```
   */
  static override from<T = unknown>(handle: Handle): PriorityQueue<T> {
    return rebuild.with({ handle }, () => new PriorityQueue<T>());
  }
}

/**
 * An unbounded first-in, first-out queue without task tracking, like
 * Python's `queue.SimpleQueue`: `put` never waits.
 *
 * @typeParam T The items.
 *
 * @example Put and get
 * ```ts
 * import { SimpleQueue } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const queue = new SimpleQueue<string>();
 * queue.put("a");
 * strictEqual(await queue.get(), "a");
 * ```
 */
export class SimpleQueue<T = unknown> {
  #core: QueueCore;

  static {
    registerKind(
      "SimpleQueue",
      SimpleQueue.from,
      SimpleQueue,
      (queue: SimpleQueue) => queue.#core.handle,
    );
    exposeSimpleQueueCore((queue) => (queue as SimpleQueue).#core);
  }

  /**
   * Creates an empty queue.
   *
   * @param options `maxWaiters`: how many threads may wait at once in `get`
   * (default 128).
   *
   * @example Empty at first
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new SimpleQueue().empty(), true);
   * ```
   */
  constructor(options?: QueueOptions) {
    this.#core = core("SimpleQueue", FIFO, 0, options);
  }

  /**
   * Rebuilds a simple queue from its handle.
   *
   * @typeParam T The items.
   * @param handle A handle made by `simpleQueue.handle`.
   * @returns A SimpleQueue that shares the original's items.
   * @throws {TypeError} If `handle` is not the handle of a SimpleQueue.
   *
   * @example Share the queue
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new SimpleQueue<number>();
   * SimpleQueue.from<number>(queue.handle).put(7);
   * strictEqual(queue.getNowait(), 7);
   * ```
   */
  static from<T = unknown>(handle: Handle): SimpleQueue<T> {
    return rebuild.with({ handle }, () => new SimpleQueue<T>());
  }

  /**
   * A structured-cloneable handle for `postMessage`.
   *
   * @example Read the handle's kind
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new SimpleQueue().handle.kind, "SimpleQueue");
   * ```
   */
  get handle(): QueueHandle {
    return pinned(this.#core.handle);
  }

  /**
   * How many items the queue holds now.
   *
   * @returns The number of items.
   *
   * @example Count
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new SimpleQueue();
   * queue.put(1);
   * strictEqual(queue.qsize(), 1);
   * ```
   */
  qsize(): number {
    return this.#core.qsize();
  }

  /**
   * Whether the queue holds no items now.
   *
   * @returns `true` if empty.
   *
   * @example Not empty after a put
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new SimpleQueue();
   * queue.put(1);
   * strictEqual(queue.empty(), false);
   * ```
   */
  empty(): boolean {
    return this.#core.qsize() === 0;
  }

  /**
   * Puts an item; never waits (the queue is unbounded).
   *
   * @param item The item.
   * @throws {TypeError} If the item cannot be sent.
   *
   * @example Put
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new SimpleQueue<number>();
   * queue.put(1);
   * strictEqual(queue.getNowait(), 1);
   * ```
   */
  put(item: T): void {
    this.#core.putNowait(item);
  }

  /**
   * Takes the next item, waiting without blocking the event loop.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The item.
   * @throws {QueueEmpty} If the timeout passes with the queue still empty.
   *
   * @example Time out
   * ```ts
   * import { QueueEmpty, SimpleQueue } from "@parallel/parallel";
   * import { rejects } from "node:assert/strict";
   *
   * await rejects(new SimpleQueue().get({ timeout: 5 }), QueueEmpty);
   * ```
   */
  get(options?: WaitOptions): Promise<T> {
    return this.#core.get(options) as Promise<T>;
  }

  /**
   * Takes the next item, blocking the thread while the queue is empty.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The item.
   * @throws {QueueEmpty} If the timeout passes with the queue still empty.
   *
   * @example Take what is there
   * ```ts
   * import { SimpleQueue } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const queue = new SimpleQueue<string>();
   * queue.put("x");
   * strictEqual(queue.getSync(), "x");
   * ```
   */
  getSync(options?: WaitOptions): T {
    return this.#core.getSync(options) as T;
  }

  /**
   * Takes the next item if there is one, without waiting.
   *
   * @returns The item.
   * @throws {QueueEmpty} If the queue is empty.
   *
   * @example Empty throws
   * ```ts
   * import { QueueEmpty, SimpleQueue } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new SimpleQueue().getNowait(), QueueEmpty);
   * ```
   */
  getNowait(): T {
    return this.#core.getNowait() as T;
  }
}

// LifoQueue and PriorityQueue are Queues: Queue's accessor serves them.
registerKind("LifoQueue", LifoQueue.from);
registerKind("PriorityQueue", PriorityQueue.from);
