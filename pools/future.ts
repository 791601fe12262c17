// Python's concurrent.futures.Future, `as_completed` and `wait`, on one event
// loop. A pool settles its futures on the thread that submitted the tasks (it
// reads its workers' responses there), so a Future needs no lock: every state
// change happens on this thread, and waiting is waiting for a callback.
//
// State: PENDING -> RUNNING -> FINISHED, or PENDING -> CANCELLED. The promise
// behind `then` is built on first use only, so a failed future that nobody
// observes is not an unhandled rejection: like Python, it keeps its error
// until someone asks.

import { type LongTimer, setLongTimeout } from "../internal/timers.ts";
import { CancelledError, InvalidStateError } from "./errors.ts";
import { parseWait, quote, type WaitOptions } from "../internal/options.ts";

export type { WaitOptions } from "../internal/options.ts";

const PENDING = 0;
const RUNNING = 1;
const FINISHED = 2;
const CANCELLED = 3;
type State =
  | typeof PENDING
  | typeof RUNNING
  | typeof FINISHED
  | typeof CANCELLED;

const STATE_NAMES = ["pending", "running", "finished", "cancelled"] as const;

// Module-private access to a Future's insides, set by its static block:
// `createFuture` builds and settles futures, `wait` and `asCompleted` watch
// them without the callbacks that users can add but never remove.
let construct: <T>(onCancel: (() => unknown) | undefined) => Future<T>;
let setRunningOf: <T>(future: Future<T>) => boolean;
let settleOf: <T>(future: Future<T>, failed: boolean, value: unknown) => void;
let watch: <T>(future: Future<T>, waiter: () => void) => () => void;
let failedOf: <T>(future: Future<T>) => boolean;

/** Reports an error thrown by a done callback, which Python logs. */
function reportCallbackError(error: unknown): void {
  console.error("Error in a done callback of a Future:", error);
}

/**
 * The eventual result of a task submitted to a pool, like Python's
 * `concurrent.futures.Future`: a promise (`await future` gives the task's
 * result, or throws its error) that you can also inspect (`done`, `running`,
 * `cancelled`), cancel while it waits for a worker, wait on with a timeout
 * (`result({ timeout })`), and give callbacks (`addDoneCallback`).
 *
 * Pools create futures; {@linkcode createFuture} makes one by hand, with the
 * controller that settles it.
 *
 * A future that fails and is never awaited does not cause an unhandled
 * promise rejection: like Python's, it keeps its error until `then`,
 * `result()` or `exception()` asks for it.
 *
 * @typeParam T The type of the result.
 *
 * @example Await a future, and inspect it
 * ```ts
 * import { createFuture } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * const control = createFuture<number>();
 * const { future } = control;
 * strictEqual(future.done, false);
 * control.setRunning();
 * strictEqual(future.running, true);
 * control.resolve(42);
 * strictEqual(future.done, true);
 * strictEqual(await future, 42);
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  #state: State = PENDING;
  #failed = false;
  #value: T | undefined;
  #error: unknown;
  #onCancel: (() => unknown) | undefined;
  // Typed so that Future stays covariant in T (a Future<never> is a
  // Future<number>); each callback is called with this very future.
  // Both made on first use: most futures of a pool never need them.
  #callbacks: ((future: never) => void)[] | undefined;
  #waiters: Set<() => void> | undefined;
  #promise: Promise<T> | undefined;
  // What settles the promise behind `then`: only functions that take
  // values in, so that they do not make Future invariant in T.
  #promiseSettlers:
    | { resolve(value: never): void; reject(error: unknown): void }
    | undefined;

  private constructor(onCancel: (() => unknown) | undefined) {
    this.#onCancel = onCancel;
  }

  static {
    construct = <T>(onCancel: (() => unknown) | undefined) =>
      new Future<T>(onCancel);
    setRunningOf = (future) => future.#setRunning();
    settleOf = (future, failed, value) => future.#settle(failed, value);
    watch = (future, waiter) => {
      (future.#waiters ??= new Set()).add(waiter);
      return () => future.#waiters?.delete(waiter);
    };
    failedOf = (future) => future.#state === FINISHED && future.#failed;
  }

  /**
   * Whether the future is done: it finished (with a result or an error) or
   * was cancelled.
   *
   * @returns `true` once the future finished or was cancelled.
   *
   * @example A cancelled future is done
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const { future } = createFuture();
   * future.cancel();
   * strictEqual(future.done, true);
   * ```
   */
  get done(): boolean {
    return this.#state === FINISHED || this.#state === CANCELLED;
  }

  /**
   * Whether a worker is running the task now: it started and has not
   * finished. A running future cannot be cancelled.
   *
   * @returns `true` between the start of the task and its end.
   *
   * @example Running, then finished
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<string>();
   * control.setRunning();
   * strictEqual(control.future.running, true);
   * control.resolve("ok");
   * strictEqual(control.future.running, false);
   * ```
   */
  get running(): boolean {
    return this.#state === RUNNING;
  }

  /**
   * Whether the future was cancelled.
   *
   * @returns `true` once a `cancel()` succeeded.
   *
   * @example Cancel a pending future
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const { future } = createFuture();
   * strictEqual(future.cancelled, false);
   * future.cancel();
   * strictEqual(future.cancelled, true);
   * ```
   */
  get cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /**
   * Cancels the task if it has not started yet: the pool drops it, the
   * future becomes done and cancelled, and awaiting it rejects with a
   * {@linkcode CancelledError}. The done callbacks run.
   *
   * @returns `true` if the future is cancelled (now, or already before),
   * `false` if the task is running or finished.
   *
   * @example Only a pending future can be cancelled
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const pending = createFuture();
   * strictEqual(pending.future.cancel(), true);
   * strictEqual(pending.future.cancel(), true);
   *
   * const running = createFuture();
   * running.setRunning();
   * strictEqual(running.future.cancel(), false);
   * ```
   */
  cancel(): boolean {
    if (this.#state === CANCELLED) return true;
    if (this.#state !== PENDING) return false;
    const onCancel = this.#onCancel;
    if (onCancel !== undefined) {
      let vetoed = false;
      try {
        vetoed = onCancel() === false;
      } catch (error) {
        reportCallbackError(error);
      }
      if (vetoed) {
        // The executor's worker took the task meanwhile: it runs.
        this.#state = RUNNING;
        return false;
      }
    }
    this.#onCancel = undefined;
    this.#state = CANCELLED;
    this.#failed = true;
    this.#error = new CancelledError();
    this.#notify();
    return true;
  }

  /**
   * Waits for the task's result.
   *
   * @param options `timeout` in milliseconds (`0` answers at once), and an
   * `AbortSignal`. They bound this wait only: the task goes on.
   * @returns The task's result.
   * @throws {DOMException} A `TimeoutError` if the timeout passes first.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {unknown} The task's error, if it failed.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Time out, then get the result
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { rejects, strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * await rejects(control.future.result({ timeout: 0 }), { name: "TimeoutError" });
   * setTimeout(() => control.resolve(7), 5);
   * strictEqual(await control.future.result({ timeout: 10_000 }), 7);
   * ```
   */
  result(options?: WaitOptions): Promise<T> {
    return this.#whenDone("Cannot get the result of a Future", options).then(
      () => {
        if (this.#failed) throw this.#error;
        return this.#value as T;
      },
    );
  }

  /**
   * Waits for the task's error, without throwing it.
   *
   * @param options `timeout` in milliseconds (`0` answers at once), and an
   * `AbortSignal`. They bound this wait only: the task goes on.
   * @returns The error the task threw, or `undefined` if it succeeded.
   * @throws {DOMException} A `TimeoutError` if the timeout passes first.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example The error of a failed task
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * const error = new Error("boom");
   * control.reject(error);
   * strictEqual(await control.future.exception(), error);
   * ```
   */
  exception(options?: WaitOptions): Promise<unknown> {
    return this.#whenDone("Cannot get the exception of a Future", options)
      .then(() => {
        if (this.#state === CANCELLED) throw this.#error;
        return this.#failed ? this.#error : undefined;
      });
  }

  /**
   * Calls `fn(future)` once the future is done (finished or cancelled), or
   * at once if it is done already. Callbacks run in the order they were
   * added. One that throws is reported with `console.error` and does not
   * stop the others, as in Python.
   *
   * @param fn The callback; it receives this future.
   * @throws {TypeError} If `fn` is not a function.
   *
   * @example A callback added before the result
   * ```ts
   * import { createFuture, type Future } from "@parallel/parallel/pools";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * const seen: boolean[] = [];
   * control.future.addDoneCallback((future: Future<number>) => {
   *   seen.push(future.done);
   * });
   * deepStrictEqual(seen, []);
   * control.resolve(1);
   * deepStrictEqual(seen, [true]);
   * ```
   */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot add a done callback to a Future: 'fn' must be a function, received ${
          quote(fn)
        }`,
      );
    }
    if (!this.done) {
      (this.#callbacks ??= []).push(fn);
      return;
    }
    try {
      fn(this);
    } catch (error) {
      reportCallbackError(error);
    }
  }

  /** `"Future"`; with it, a Future is also a `Promise` to TypeScript. */
  get [Symbol.toStringTag](): string {
    return "Future";
  }

  /**
   * Attaches callbacks for the result and the error, like
   * `Promise.prototype.then`: this is what makes `await future` work.
   *
   * @typeParam R1 What `onfulfilled` returns.
   * @typeParam R2 What `onrejected` returns.
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the task's error, or a
   * {@linkcode CancelledError}.
   * @returns A promise of what the called callback returns.
   *
   * @example Chain on a future
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * const doubled = control.future.then((n) => n * 2);
   * control.resolve(21);
   * strictEqual(await doubled, 42);
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#getPromise().then(onfulfilled, onrejected);
  }

  /**
   * Attaches a callback for the error only, like
   * `Promise.prototype.catch`.
   *
   * @typeParam R What `onrejected` returns.
   * @param onrejected Called with the task's error, or a
   * {@linkcode CancelledError}.
   * @returns A promise of the result, or of what `onrejected` returns.
   *
   * @example Recover from a failed task
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<string>();
   * control.reject(new Error("boom"));
   * strictEqual(
   *   await control.future.catch((error) => (error as Error).message),
   *   "boom",
   * );
   * ```
   */
  catch<R = never>(
    onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null,
  ): Promise<T | R> {
    return this.#getPromise().catch(onrejected);
  }

  /**
   * Attaches a callback for when the future settles, like
   * `Promise.prototype.finally`.
   *
   * @param onfinally Called once the future is done, with no argument.
   * @returns A promise that settles like the future, after `onfinally`.
   *
   * @example Clean up after a task
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * let cleaned = false;
   * const settled = control.future.finally(() => (cleaned = true));
   * control.resolve(1);
   * strictEqual(await settled, 1);
   * strictEqual(cleaned, true);
   * ```
   */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#getPromise().finally(onfinally);
  }

  /**
   * How `console.log` and `Deno.inspect` show the future: its state, and
   * its result or error once finished, as they show a promise.
   *
   * @param inspect Deno's inspect function.
   * @param options Deno's inspect options.
   * @returns The text, like `Future { <pending> }` or `Future { 42 }`.
   *
   * @example Inspect a future
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const control = createFuture<number>();
   * strictEqual(Deno.inspect(control.future), "Future { <pending> }");
   * control.resolve(42);
   * strictEqual(Deno.inspect(control.future), "Future { 42 }");
   * ```
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options: unknown) => string,
    options: unknown,
  ): string {
    return this.#describe(inspect, options);
  }

  /**
   * How `node:util`'s `inspect` (and so `node:assert`'s messages) shows the
   * future: the same text as `Deno.inspect`.
   *
   * @param _depth Node's current depth.
   * @param options Node's inspect options.
   * @param inspect Node's inspect function.
   * @returns The text, like `Future { <pending> }` or `Future { 42 }`.
   *
   * @example Inspect a future with node:util
   * ```ts
   * import { createFuture } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   * import { inspect } from "node:util";
   *
   * strictEqual(inspect(createFuture().future), "Future { <pending> }");
   * ```
   */
  [Symbol.for("nodejs.util.inspect.custom")](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return this.#describe(inspect, options);
  }

  #describe(
    inspect: (value: unknown, options: unknown) => string,
    options: unknown,
  ): string {
    if (this.#state === FINISHED) {
      return this.#failed
        ? `Future { <rejected> ${inspect(this.#error, options)} }`
        : `Future { ${inspect(this.#value, options)} }`;
    }
    return `Future { <${STATE_NAMES[this.#state]}> }`;
  }

  /** The promise behind `then`, built on first use. */
  #getPromise(): Promise<T> {
    if (this.#promise === undefined) {
      if (!this.done) {
        const { promise, resolve, reject } = Promise.withResolvers<T>();
        this.#promiseSettlers = {
          resolve: resolve as (value: never) => void,
          reject,
        };
        this.#promise = promise;
      } else if (this.#failed) {
        this.#promise = Promise.reject(this.#error);
      } else {
        this.#promise = Promise.resolve(this.#value as T);
      }
    }
    return this.#promise;
  }

  /** Python's `set_running_or_notify_cancel`. */
  #setRunning(): boolean {
    if (this.#state === CANCELLED) return false;
    if (this.#state !== PENDING) {
      throw new InvalidStateError(
        `Cannot start a Future: it is already ${STATE_NAMES[this.#state]}`,
      );
    }
    this.#state = RUNNING;
    this.#onCancel = undefined;
    return true;
  }

  #settle(failed: boolean, value: unknown): void {
    // A pool may learn of a task's end after the task was cancelled.
    if (this.#state === CANCELLED) return;
    if (this.#state === FINISHED) {
      throw new InvalidStateError(
        `Cannot ${failed ? "reject" : "resolve"} a Future: it is already ${
          this.#failed ? "rejected" : "resolved"
        }`,
      );
    }
    this.#state = FINISHED;
    this.#failed = failed;
    if (failed) this.#error = value;
    else this.#value = value as T;
    this.#onCancel = undefined;
    this.#notify();
  }

  /** Settles the promise, then runs the waiters and the callbacks. */
  #notify(): void {
    if (this.#promiseSettlers !== undefined) {
      if (this.#failed) this.#promiseSettlers.reject(this.#error);
      else this.#promiseSettlers.resolve(this.#value as never);
      this.#promiseSettlers = undefined;
    }
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) { for (const waiter of waiters) waiter(); }
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    if (callbacks === undefined) return;
    for (const callback of callbacks) {
      try {
        callback(this as never);
      } catch (error) {
        reportCallbackError(error);
      }
    }
  }

  /** Resolves once the future is done; rejects on timeout or abort. */
  #whenDone(where: string, options: WaitOptions | undefined): Promise<void> {
    try {
      const { deadline, signal } = parseWait(where, options);
      signal?.throwIfAborted();
      if (this.done) return Promise.resolve();
      return sleep(deadline, signal, (wake) => watch(this, wake)).then(
        (woke) => {
          if (!woke) {
            throw timeoutError(
              `Timed out after ${options?.timeout} ms waiting for a Future`,
            );
          }
        },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The producer's side of a {@linkcode Future}: what a pool uses to start and
 * settle the future of a task. Returned by {@linkcode createFuture}.
 *
 * @typeParam T The type of the result.
 */
export interface FutureController<T> {
  /** The future that this controller settles. */
  readonly future: Future<T>;
  /**
   * Marks the task as started, unless the future was cancelled: Python's
   * `set_running_or_notify_cancel`. Call it when a worker takes the task.
   *
   * @returns `true` if the future is now running (run the task), `false`
   * if it was cancelled (drop the task).
   * @throws {InvalidStateError} If the future is already running or
   * finished.
   */
  setRunning(): boolean;
  /**
   * Finishes the future with the task's result. Ignored if the future was
   * cancelled, since a pool may learn of the end of a task after that.
   *
   * @param value The result.
   * @throws {InvalidStateError} If the future is already finished.
   */
  resolve(value: T): void;
  /**
   * Finishes the future with the task's error. Ignored if the future was
   * cancelled.
   *
   * @param error The error.
   * @throws {InvalidStateError} If the future is already finished.
   */
  reject(error: unknown): void;
}

/**
 * Creates a pending {@linkcode Future} and the controller that starts and
 * settles it. Pools use it for each task they accept; it is also how to make
 * a future by hand, for tests or to wrap other work.
 *
 * @typeParam T The type of the result.
 * @param onCancel Called when `future.cancel()` is asked of a pending
 * future, before the done callbacks: a pool drops the queued task there. If
 * it returns `false` (a worker has taken the task already), the cancel
 * fails and the future is running. An error it throws is reported like a
 * callback's, and the cancel goes ahead.
 * @returns The future and its controller.
 * @throws {TypeError} If `onCancel` is given and is not a function.
 *
 * @example Drive a future by hand
 * ```ts
 * import { createFuture } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * let dropped = false;
 * const control = createFuture<number>(() => (dropped = true));
 * control.future.cancel();
 * strictEqual(dropped, true);
 * strictEqual(control.setRunning(), false); // cancelled: do not run it
 * control.resolve(1); // ignored
 * strictEqual(control.future.cancelled, true);
 * ```
 */
export function createFuture<T>(
  onCancel?: () => unknown,
): FutureController<T> {
  if (onCancel !== undefined && typeof onCancel !== "function") {
    throw new TypeError(
      `Cannot create a Future: 'onCancel' must be a function, received ${
        quote(onCancel)
      }`,
    );
  }
  return new Controller(construct<T>(onCancel));
}

/** One object per future, with no closures: a pool makes many. */
class Controller<T> implements FutureController<T> {
  readonly future: Future<T>;

  constructor(future: Future<T>) {
    this.future = future;
  }

  setRunning(): boolean {
    return setRunningOf(this.future);
  }

  resolve(value: T): void {
    settleOf(this.future, false, value);
  }

  reject(error: unknown): void {
    settleOf(this.future, true, error);
  }
}

/** Return as soon as any future finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * Return as soon as any future fails (a cancelled future does not count as a
 * failure), or when all are done.
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** Return when all the futures are done. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When {@linkcode wait} returns, as in Python. */
export type ReturnWhen =
  | typeof FIRST_COMPLETED
  | typeof FIRST_EXCEPTION
  | typeof ALL_COMPLETED;

/** Options of {@linkcode wait}. */
export interface WaitFuturesOptions extends WaitOptions {
  /**
   * When to return: {@linkcode FIRST_COMPLETED},
   * {@linkcode FIRST_EXCEPTION} or {@linkcode ALL_COMPLETED} (the
   * default).
   */
  returnWhen?: ReturnWhen;
}

/** What {@linkcode wait} returns: Python's `DoneAndNotDoneFutures`. */
export interface DoneAndNotDoneFutures<T> {
  /** The futures that finished or were cancelled. */
  done: Set<Future<T>>;
  /** The futures still pending or running. */
  notDone: Set<Future<T>>;
}

/**
 * Waits until some or all of `futures` are done, like Python's
 * `concurrent.futures.wait`, and splits them into the done and the not
 * done. A timeout does not throw: it returns what is done by then.
 *
 * Cancelled futures count as done, and not as failures.
 *
 * @typeParam T The type of the results.
 * @param futures The futures; duplicates count once.
 * @param options `returnWhen` ({@linkcode ALL_COMPLETED} by default),
 * `timeout` in milliseconds, and an `AbortSignal`.
 * @returns The done and the not done futures, as sets.
 * @throws {TypeError} If `futures` is not an iterable of futures, or an
 * option has the wrong type.
 * @throws {RangeError} If `returnWhen` is unknown, or `timeout` is negative
 * or `NaN`.
 * @throws {unknown} The signal's reason, if it aborts the wait.
 *
 * @example Return at the first completion
 * ```ts
 * import { createFuture, FIRST_COMPLETED, wait } from "@parallel/parallel/pools";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const slow = createFuture<string>();
 * const fast = createFuture<string>();
 * setTimeout(() => fast.resolve("fast"), 5);
 * const { done, notDone } = await wait([slow.future, fast.future], {
 *   returnWhen: FIRST_COMPLETED,
 * });
 * deepStrictEqual(done, new Set([fast.future]));
 * deepStrictEqual(notDone, new Set([slow.future]));
 * slow.future.cancel();
 * ```
 */
export function wait<T>(
  futures: Iterable<Future<T>>,
  options?: WaitFuturesOptions,
): Promise<DoneAndNotDoneFutures<T>> {
  try {
    const where = "Cannot wait for futures";
    const all = futureSet(where, futures);
    const { deadline, signal } = parseWait(where, options);
    const returnWhen = parseReturnWhen(where, options?.returnWhen);
    signal?.throwIfAborted();
    const notDone = [...all].filter((future) => !future.done);
    let left = notDone.length;
    let failed = [...all].some((future) => failedOf(future));
    const ready = () =>
      left === 0 ||
      (returnWhen === FIRST_COMPLETED && left < all.size) ||
      (returnWhen === FIRST_EXCEPTION && failed);
    const split = () => {
      const result: DoneAndNotDoneFutures<T> = {
        done: new Set(),
        notDone: new Set(),
      };
      for (const future of all) {
        (future.done ? result.done : result.notDone).add(future);
      }
      return result;
    };
    if (ready()) return Promise.resolve(split());
    return sleep(deadline, signal, (wake) => {
      const unwatch = notDone.map((future) =>
        watch(future, () => {
          left--;
          if (failedOf(future)) failed = true;
          if (ready()) wake();
        })
      );
      return () => unwatch.forEach((stop) => stop());
    }).then(split);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Yields each of `futures` as it completes (finishes or is cancelled), like
 * Python's `concurrent.futures.as_completed`: those already done first, then
 * the others in the order they complete. Duplicates are yielded once.
 *
 * Iterating throws a `TimeoutError` once the timeout (counted from this
 * call) has passed with futures left that did not complete; the futures
 * completed by then are yielded first. Breaking out of the loop stops
 * watching the futures.
 *
 * In TypeScript, `for await` types its variable as the result type `T`
 * instead of `Future<T>`, since it assumes that an async iterator never
 * yields a thenable; at run time it is the future. `await future` is right
 * either way; to use the future's other members, cast it
 * (`future as unknown as Future<T>`) or call `next()` yourself.
 *
 * @typeParam T The type of the results.
 * @param futures The futures.
 * @param options `timeout` in milliseconds for the whole iteration, and an
 * `AbortSignal`.
 * @returns An async iterator of the futures, in completion order.
 * @throws {TypeError} If `futures` is not an iterable of futures, or an
 * option has the wrong type.
 * @throws {RangeError} If `timeout` is negative or `NaN`.
 * @throws {DOMException} A `TimeoutError`, while iterating, if the timeout
 * passes before every future completed.
 * @throws {unknown} The signal's reason, while iterating, if it aborts.
 *
 * @example Take results in completion order
 * ```ts
 * import { asCompleted, createFuture } from "@parallel/parallel/pools";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const a = createFuture<string>();
 * const b = createFuture<string>();
 * const c = createFuture<string>();
 * c.resolve("c");
 * setTimeout(() => b.resolve("b"), 1);
 * setTimeout(() => a.resolve("a"), 10);
 * const order: string[] = [];
 * for await (const future of asCompleted([a.future, b.future, c.future])) {
 *   order.push(await future);
 * }
 * deepStrictEqual(order, ["c", "b", "a"]);
 * ```
 */
export function asCompleted<T>(
  futures: Iterable<Future<T>>,
  options?: WaitOptions,
): AsyncIterableIterator<Future<T>> {
  const where = "Cannot iterate over futures as completed";
  const all = futureSet(where, futures);
  const { deadline, signal } = parseWait(where, options);
  return completions(all, deadline, signal, options?.timeout);
}

/**
 * The iterator of `asCompleted`. Not an async generator: `yield` in one
 * awaits what it yields, and a Future is a thenable.
 */
function completions<T>(
  all: Set<Future<T>>,
  deadline: number,
  signal: AbortSignal | undefined,
  timeout: number | undefined,
): AsyncIterableIterator<Future<T>> {
  // Nothing here keeps a future reachable once it has been yielded (Python's
  // test_free_reference_yielded_future): the input set is let go at the
  // start, a watch forgets itself when it fires, and a yielded future's
  // place is cleared.
  const ready: (Future<T> | undefined)[] = [];
  const total = all.size;
  let next = 0;
  let pending = 0;
  let started = false;
  let stopped = false;
  let timedOut = false;
  let wake: (() => void) | undefined;
  const unwatch = new Set<() => void>();
  const DONE: IteratorReturnResult<undefined> = {
    done: true,
    value: undefined,
  };

  // Watching starts with the first `next()`, so an iterator that is never
  // used leaves nothing behind.
  const start = () => {
    started = true;
    for (const future of all) {
      if (future.done) {
        ready.push(future);
        continue;
      }
      pending++;
      const stopWatching = watch(future, () => {
        unwatch.delete(stopWatching);
        pending--;
        ready.push(future);
        wake?.();
      });
      unwatch.add(stopWatching);
    }
    all.clear();
  };
  const stop = () => {
    stopped = true;
    for (const stop of unwatch) stop();
    unwatch.clear();
    ready.length = next = 0;
    wake?.();
  };
  const step = async (): Promise<IteratorResult<Future<T>, undefined>> => {
    if (!started && !stopped) start();
    try {
      while (!stopped) {
        signal?.throwIfAborted();
        if (next < ready.length) {
          const future = ready[next]!;
          ready[next++] = undefined; // do not keep what was yielded
          return { done: false, value: future };
        }
        if (pending === 0) break;
        if (timedOut || deadline <= performance.now()) {
          throw timeoutError(
            `Timed out after ${timeout} ms with ${pending} (of ${total}) futures unfinished`,
          );
        }
        timedOut = !await sleep(deadline, signal, (resolve) => {
          wake = resolve;
          return () => (wake = undefined);
        });
      }
    } catch (error) {
      stop();
      throw error;
    }
    stop();
    return DONE;
  };
  // Calls of `next()` take turns, as in an async generator.
  let turn: Promise<unknown> = Promise.resolve();
  return {
    next() {
      const result = turn.then(step);
      // Only the turn: not the result, which holds the yielded future.
      turn = result.then(() => {}, () => {});
      return result;
    },
    return() {
      stop();
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Resolves `true` once `subscribe`'s wake is called, `false` at the
 * deadline; rejects with the signal's reason on abort. Leaves no timer,
 * listener or subscription behind.
 */
function sleep(
  deadline: number,
  signal: AbortSignal | undefined,
  subscribe: (wake: () => void) => () => void,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let timer: LongTimer | undefined;
    let settled = false;
    const subscription: { stop?: () => void } = {};
    const finish = () => {
      settled = true;
      timer?.clear();
      signal?.removeEventListener("abort", onAbort);
      subscription.stop?.();
    };
    const onAbort = () => {
      if (settled) return;
      finish();
      reject(signal!.reason);
    };
    const expire = () => {
      if (settled) return;
      finish();
      resolve(false);
    };
    const stop = subscribe(() => {
      if (settled) return;
      finish();
      resolve(true);
    });
    if (settled) return stop(); // woken during `subscribe`
    subscription.stop = stop;
    signal?.addEventListener("abort", onAbort, { once: true });
    if (deadline !== Infinity) {
      timer = setLongTimeout(expire, deadline - performance.now());
    }
  });
}

/** The error of a timeout: the one `AbortSignal.timeout()` uses. */
function timeoutError(message: string): DOMException {
  return new DOMException(message, "TimeoutError");
}

function futureSet<T>(where: string, futures: Iterable<Future<T>>) {
  if (
    futures === null || typeof futures !== "object" ||
    typeof (futures as Partial<Iterable<unknown>>)[Symbol.iterator] !==
      "function"
  ) {
    throw new TypeError(
      `${where}: 'futures' must be an iterable of Futures, received ${
        quote(futures)
      }`,
    );
  }
  const all = new Set<Future<T>>();
  for (const future of futures) {
    if (!(future instanceof Future)) {
      throw new TypeError(
        `${where}: 'futures' must hold only Futures, received ${quote(future)}`,
      );
    }
    all.add(future);
  }
  return all;
}

function parseReturnWhen(where: string, returnWhen: unknown): ReturnWhen {
  if (returnWhen === undefined) return ALL_COMPLETED;
  if (typeof returnWhen !== "string") {
    throw new TypeError(
      `${where}: 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, received ${
        quote(returnWhen)
      }`,
    );
  }
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new RangeError(
      `${where}: 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, received ${
        quote(returnWhen)
      }`,
    );
  }
  return returnWhen;
}
