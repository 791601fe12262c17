import { runAsync, runSync } from "./_futex.ts";
import {
  allocateCondVar,
  conditionLayout as layout,
  CondVar,
  registerCondVarOwner,
} from "./_condvar.ts";
import {
  type Handle,
  handleOf,
  pinned,
  Rebuild,
  registerKind,
  revive,
  track,
} from "./_handle.ts";
import { mutexOf } from "./_mutex.ts";
import {
  checkInteger,
  parseWait,
  quote,
  type WaitOptions,
} from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";
import type { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";

const rebuild = new Rebuild<{ words: Int32Array; lock: Lock | RLock }>();

/** Options of {@linkcode Condition}'s constructor. */
export interface ConditionOptions {
  /**
   * How many waiters, across all threads, may wait at once (default 128).
   * Each takes 12 bytes of shared memory; one more waiter is a `RangeError`.
   */
  maxWaiters?: number;
}

/**
 * A condition variable shared by the main thread and any number of Workers,
 * like Python's `threading.Condition`: wait until another thread notifies,
 * while holding a lock that protects the shared state.
 *
 * `notify(n)` wakes exactly `n` waiters, in the order they began to wait, and
 * a woken waiter returns only once it holds the lock again. The handle
 * carries the lock, so `Condition.from(handle)` in a Worker shares both.
 * Times are in milliseconds.
 *
 * @example Wait for a value that another task publishes
 * ```ts
 * import { Condition } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const condition = new Condition();
 * const box = new Int32Array(new SharedArrayBuffer(4));
 * setTimeout(() => {
 *   condition.acquireSync();
 *   Atomics.store(box, 0, 42);
 *   condition.notify();
 *   condition.release();
 * }, 5);
 * await condition.acquire();
 * strictEqual(await condition.waitFor(() => Atomics.load(box, 0)), 42);
 * condition.release();
 * ```
 */
export class Condition {
  #lock: Lock | RLock;
  #core: CondVar;

  static {
    registerKind(
      "Condition",
      Condition.from,
      Condition,
      (condition: Condition) =>
        layout.handle(condition.#core.words, [handleOf(condition.#lock)!]),
    );
    registerCondVarOwner(Condition, (condition) => condition.#core);
  }

  /**
   * Creates a condition over `lock` (a new {@linkcode RLock} by default).
   *
   * @param lock The Lock or RLock that guards the shared state.
   * @param options `maxWaiters`: how many may wait at once (default 128).
   * @throws {TypeError} If `lock` is not a Lock or RLock of this module.
   * @throws {RangeError} If `maxWaiters` is not a positive integer.
   *
   * @example Over a plain Lock
   * ```ts
   * import { Condition, Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * const condition = new Condition(lock);
   * condition.acquireSync();
   * strictEqual(lock.locked, true);
   * condition.release();
   * ```
   */
  constructor(lock?: Lock | RLock, options?: ConditionOptions) {
    const opened = rebuild.take();
    this.#lock = opened?.lock ?? lock ?? new RLock();
    const mutex = mutexOf.get(this.#lock);
    if (mutex === undefined) {
      throw new TypeError(
        `Cannot create Condition: 'lock' must be a Lock or RLock, received ${
          quote(lock)
        }`,
      );
    }
    const words = opened?.words ?? allocateCondVar(options, mutex.words);
    track(this, words, opened !== undefined, "Condition");
    this.#core = new CondVar(words, mutex);
  }

  /**
   * Rebuilds a condition, and its lock, from its
   * {@linkcode Condition.handle}.
   *
   * @param handle A handle made by `condition.handle`.
   * @returns A Condition that shares the original's waiters and lock.
   * @throws {TypeError} If `handle` is not the handle of a Condition.
   *
   * @example The copy shares the lock
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * const copy = Condition.from(condition.handle);
   * copy.acquireSync();
   * strictEqual(condition.lock.locked, true);
   * copy.release();
   * ```
   */
  static from(handle: Handle): Condition {
    const words = layout.open(handle, 1);
    const lock = revive(handle.parts[0]!);
    if (!CondVar.fits(words) || !mutexOf.has(lock as object)) {
      throw new TypeError(
        "Cannot create Condition from handle: it is not the handle of a Condition",
      );
    }
    layout.checkParts(words, handle);
    return rebuild.with(
      { words, lock: lock as Lock | RLock },
      () => new Condition(),
    );
  }

  /**
   * A structured-cloneable handle for `postMessage`, carrying the lock's
   * handle too; see {@linkcode Condition.from}.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Condition().handle.kind, "Condition");
   * ```
   */
  get handle(): Handle {
    return pinned(layout.handle(this.#core.words, [handleOf(this.#lock)!]));
  }

  /**
   * The lock this condition waits with.
   *
   * @example The default lock is an RLock
   * ```ts
   * import { Condition, RLock } from "@parallel/parallel";
   * import { ok } from "node:assert/strict";
   *
   * ok(new Condition().lock instanceof RLock);
   * ```
   */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  /**
   * Acquires the lock without blocking the event loop; see
   * {@linkcode Lock.acquire}.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once acquired, `false` if the timeout passed first.
   *
   * @example Acquire and release
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * strictEqual(await condition.acquire(), true);
   * condition.release();
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /**
   * Acquires the lock, blocking the thread; see {@linkcode Lock.acquireSync}.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once acquired, `false` if the timeout passed first.
   *
   * @example Acquire and release
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * strictEqual(condition.acquireSync(), true);
   * condition.release();
   * ```
   */
  acquireSync(options?: WaitOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  /**
   * Acquires the lock if it is free, without waiting.
   *
   * @returns `true` if the lock is now held by the caller.
   *
   * @example Taken by someone else
   * ```ts
   * import { Condition, Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * lock.acquireSync();
   * strictEqual(new Condition(lock).tryAcquire(), false);
   * lock.release();
   * ```
   */
  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  /**
   * Releases the lock.
   *
   * @throws {NotHeldError} If the lock is not held (by this thread, for an
   * RLock).
   *
   * @example Release what was acquired
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * condition.acquireSync();
   * condition.release();
   * strictEqual(condition.lock.locked, false);
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the lock and returns a guard for `await using`: Python's
   * `with condition:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold for a block
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * {
   *   await using _ = await condition.hold();
   *   strictEqual(condition.lock.locked, true);
   * }
   * strictEqual(condition.lock.locked, false);
   * ```
   */
  async hold(
    options?: WaitOptions,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) throw timeoutError("Condition", options);
    return guard(() => this.release());
  }

  /**
   * Acquires the lock, blocking the thread, and returns a guard for
   * `using`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold for a block
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * {
   *   using _ = condition.holdSync();
   *   strictEqual(condition.lock.locked, true);
   * }
   * strictEqual(condition.lock.locked, false);
   * ```
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) throw timeoutError("Condition", options);
    return guard(() => this.release());
  }

  /**
   * Releases the lock, waits for a notify, and re-acquires the lock before
   * returning, without blocking the event loop.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` if notified, `false` if the timeout passed first.
   * @throws {NotHeldError} If this thread does not hold the lock.
   * @throws {RangeError} If `timeout` is negative or `NaN`, or every waiter
   * slot is taken.
   * @throws {unknown} The signal's reason, once the lock is held again.
   *
   * @example Time out, holding the lock again
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * strictEqual(await condition.wait({ timeout: 5 }), false);
   * strictEqual(condition.lock.locked, true);
   * condition.release();
   * ```
   */
  wait(options?: WaitOptions): Promise<boolean> {
    try {
      const { deadline, signal } = parseWait(
        "Cannot wait on Condition",
        options,
      );
      signal?.throwIfAborted();
      return runAsync(this.#core.waitSteps(deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Releases the lock, waits for a notify, and re-acquires the lock before
   * returning, blocking the thread.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal` that is
   * checked before the thread blocks.
   * @returns `true` if notified, `false` if the timeout passed first.
   * @throws {NotHeldError} If this thread does not hold the lock.
   * @throws {RangeError} If `timeout` is negative or `NaN`, or every waiter
   * slot is taken.
   *
   * @example Time out
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * condition.acquireSync();
   * strictEqual(condition.waitSync({ timeout: 5 }), false);
   * condition.release();
   * ```
   */
  waitSync(options?: WaitOptions): boolean {
    const { deadline, signal } = parseWait("Cannot wait on Condition", options);
    signal?.throwIfAborted();
    return runSync(this.#core.waitSteps(deadline), signal);
  }

  /**
   * Waits until `predicate()` is truthy, without blocking the event loop.
   * The deadline is computed once, at the call.
   *
   * @typeParam T The predicate's result.
   * @param predicate Called with the lock held, first at once, then after
   * each wake-up.
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The predicate's last value (falsy if the timeout passed).
   * @throws {NotHeldError} If this thread does not hold the lock.
   *
   * @example A predicate that is already true
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * strictEqual(await condition.waitFor(() => "ready"), "ready");
   * condition.release();
   * ```
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    try {
      checkPredicate(predicate);
      const { deadline, signal } = parseWait(
        "Cannot wait on Condition",
        options,
      );
      signal?.throwIfAborted();
      return runAsync(this.#core.waitForSteps(predicate, deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits until `predicate()` is truthy, blocking the thread.
   *
   * @typeParam T The predicate's result.
   * @param predicate Called with the lock held, first at once, then after
   * each wake-up.
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The predicate's last value (falsy if the timeout passed).
   * @throws {NotHeldError} If this thread does not hold the lock.
   *
   * @example Time out with the last value
   * ```ts
   * import { Condition } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * condition.acquireSync();
   * strictEqual(condition.waitForSync(() => 0, { timeout: 5 }), 0);
   * condition.release();
   * ```
   */
  waitForSync<T>(predicate: () => T, options?: WaitOptions): T {
    checkPredicate(predicate);
    const { deadline, signal } = parseWait("Cannot wait on Condition", options);
    signal?.throwIfAborted();
    return runSync(this.#core.waitForSteps(predicate, deadline), signal);
  }

  /**
   * Wakes up to `n` waiting threads, the longest-waiting first. Each returns
   * from its wait once it holds the lock again.
   *
   * @param n How many to wake, a non-negative integer (default 1).
   * @throws {NotHeldError} If this thread does not hold the lock.
   * @throws {RangeError} If `n` is negative or not an integer.
   *
   * @example Notify with nobody waiting
   * ```ts
   * import { Condition } from "@parallel/parallel";
   *
   * const condition = new Condition();
   * condition.acquireSync();
   * condition.notify(); // wakes nobody, as in Python
   * condition.release();
   * ```
   */
  notify(n = 1): void {
    checkInteger("Cannot notify Condition", "n", n, 0);
    this.#core.checkOwned("notify");
    this.#core.notify(n);
  }

  /**
   * Wakes every waiting thread.
   *
   * @throws {NotHeldError} If this thread does not hold the lock.
   *
   * @example Needs the lock
   * ```ts
   * import { Condition, NotHeldError } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Condition().notifyAll(), NotHeldError);
   * ```
   */
  notifyAll(): void {
    this.#core.checkOwned("notify");
    this.#core.notify(Infinity);
  }
}

function checkPredicate(predicate: unknown): void {
  if (typeof predicate !== "function") {
    throw new TypeError(
      `Cannot wait on Condition: 'predicate' must be a function, received ${
        quote(predicate)
      }`,
    );
  }
}
