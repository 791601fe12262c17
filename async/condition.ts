import { NotHeldError } from "../primitives/errors.ts";
import {
  checkInteger,
  parseWait,
  quote,
  type WaitOptions,
} from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";
import { Lock } from "./lock.ts";
import { msOf, WaiterList } from "./_waiters.ts";

/**
 * A condition variable for the tasks of one event loop, like Python's
 * `asyncio.Condition`: wait until another task notifies, while holding a
 * lock that protects the shared state.
 *
 * `notify(n)` wakes exactly `n` waiters, in the order they began to wait,
 * and a woken waiter returns only once it holds the lock again. As in
 * asyncio, the lock has no owner: "held" means "locked", by any task.
 * Times are in milliseconds.
 *
 * @example Wait for a value that another task publishes
 * ```ts
 * import { Condition } from "@parallel/parallel/async";
 * import { strictEqual } from "node:assert/strict";
 *
 * const condition = new Condition();
 * let box: number | undefined;
 * setTimeout(async () => {
 *   await using _ = await condition.hold();
 *   box = 42;
 *   condition.notify();
 * }, 5);
 * await using _ = await condition.hold();
 * strictEqual(await condition.waitFor(() => box), 42);
 * ```
 */
export class Condition {
  #lock: Lock;
  #waiters = new WaiterList<boolean>(() => false);

  /**
   * Creates a condition over `lock` (a new {@linkcode Lock} by default).
   *
   * @param lock The Lock of this family that guards the shared state.
   * @throws {TypeError} If `lock` is not a Lock of `@parallel/parallel/async`.
   *
   * @example Over a lock of your own
   * ```ts
   * import { Condition, Lock } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * const condition = new Condition(lock);
   * await condition.acquire();
   * strictEqual(lock.locked, true);
   * condition.release();
   * ```
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(
        `Cannot create Condition: 'lock' must be a Lock of @parallel/parallel/async, received ${
          quote(lock)
        }`,
      );
    }
    this.#lock = lock ?? new Lock();
  }

  /**
   * The lock this condition waits with.
   *
   * @example The default lock
   * ```ts
   * import { Condition, Lock } from "@parallel/parallel/async";
   * import { ok } from "node:assert/strict";
   *
   * ok(new Condition().lock instanceof Lock);
   * ```
   */
  get lock(): Lock {
    return this.#lock;
  }

  /**
   * Whether the lock is held, by any task.
   *
   * @example Locked while held
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * strictEqual(condition.locked, true);
   * condition.release();
   * ```
   */
  get locked(): boolean {
    return this.#lock.locked;
  }

  /**
   * Acquires the lock; see {@linkcode Lock.acquire}.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Acquire and release
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
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
   * Acquires the lock if it is free, without waiting.
   *
   * @returns `true` if the lock is now held by the caller.
   *
   * @example Taken by someone else
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * strictEqual(condition.tryAcquire(), true);
   * strictEqual(condition.tryAcquire(), false);
   * condition.release();
   * ```
   */
  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  /**
   * Releases the lock.
   *
   * @throws {NotHeldError} If the lock is not held.
   *
   * @example Release what was acquired
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * condition.release();
   * strictEqual(condition.locked, false);
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the lock and returns a guard for `await using`: Python's
   * `async with condition:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Hold for a block
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * {
   *   await using _ = await condition.hold();
   *   strictEqual(condition.locked, true);
   * }
   * strictEqual(condition.locked, false);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable & AsyncDisposable> {
    if (options === undefined && this.#lock.tryAcquire()) {
      return Promise.resolve(guard(() => this.release()));
    }
    return this.#holdLater(options);
  }

  async #holdLater(
    options: WaitOptions | undefined,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) throw timeoutError("Condition", options);
    return guard(() => this.release());
  }

  /**
   * Releases the lock, waits for a notify, and acquires the lock again
   * before returning, whatever ends the wait.
   *
   * @param options `timeout` in milliseconds (for the notify; getting the
   * lock back is not bounded), and an `AbortSignal`.
   * @returns `true` if notified, `false` if the timeout passed first.
   * @throws {NotHeldError} If the lock is not held.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, once the lock is held again. A
   * waiter that was notified but aborted before it could return passes the
   * notify on to the next waiter.
   *
   * @example Time out, holding the lock again
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * strictEqual(await condition.wait({ timeout: 5 }), false);
   * strictEqual(condition.locked, true);
   * condition.release();
   * ```
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { signal } = parseWait("Cannot wait on Condition", options);
    if (!this.#lock.locked) {
      throw new NotHeldError("Cannot wait on Condition: its lock is not held");
    }
    signal?.throwIfAborted();
    // In line before the lock is released, so a notify from the task that
    // takes the lock next cannot be missed.
    const notified = this.#waiters.add(msOf(options), signal);
    this.#lock.release();
    let outcome = false;
    let failure: { reason: unknown } | undefined;
    try {
      outcome = await notified;
    } catch (reason) {
      failure = { reason }; // aborted while in line: it took no notify
    }
    await this.#lock.acquire();
    if (failure) throw failure.reason;
    if (signal?.aborted) {
      // Notified, then aborted before it could return: the notify is not
      // used, so it goes to the next waiter (asyncio does the same).
      if (outcome) this.#notify(1);
      throw signal.reason;
    }
    return outcome;
  }

  /**
   * Waits until `predicate()` is truthy, waiting for notifies in between.
   * The deadline is computed once, at the call.
   *
   * @typeParam T The predicate's result.
   * @param predicate Called with the lock held, first at once, then after
   * each wake-up.
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The predicate's last value (falsy if the timeout passed).
   * @throws {NotHeldError} If the predicate is falsy and the lock not held.
   * @throws {TypeError} If `predicate` is not a function.
   * @throws {unknown} The signal's reason, once the lock is held again.
   *
   * @example A predicate that is already true needs no lock
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Condition().waitFor(() => "ready"), "ready");
   * ```
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    if (typeof predicate !== "function") {
      throw new TypeError(
        `Cannot wait on Condition: 'predicate' must be a function, received ${
          quote(predicate)
        }`,
      );
    }
    const { deadline, signal } = parseWait("Cannot wait on Condition", options);
    let result = predicate();
    while (!result) {
      const timeout = deadline - performance.now();
      if (timeout <= 0) return result;
      await this.wait(signal === undefined ? { timeout } : { timeout, signal });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiting tasks, the longest-waiting first. Each returns
   * from its wait once it holds the lock again.
   *
   * @param n How many to wake, a non-negative integer (default 1).
   * @throws {NotHeldError} If the lock is not held.
   * @throws {RangeError} If `n` is negative or not an integer.
   * @throws {TypeError} If `n` is not a number.
   *
   * @example Notify with nobody waiting
   * ```ts
   * import { Condition } from "@parallel/parallel/async";
   *
   * const condition = new Condition();
   * await condition.acquire();
   * condition.notify(); // wakes nobody, as in Python
   * condition.release();
   * ```
   */
  notify(n = 1): void {
    checkInteger("Cannot notify Condition", "n", n, 0);
    this.#checkLocked();
    this.#notify(n);
  }

  /**
   * Wakes every waiting task.
   *
   * @throws {NotHeldError} If the lock is not held.
   *
   * @example Needs the lock
   * ```ts
   * import { Condition, NotHeldError } from "@parallel/parallel/async";
   * import { throws } from "node:assert/strict";
   *
   * throws(() => new Condition().notifyAll(), NotHeldError);
   * ```
   */
  notifyAll(): void {
    this.#checkLocked();
    this.#notify(Infinity);
  }

  #checkLocked(): void {
    if (!this.#lock.locked) {
      throw new NotHeldError("Cannot notify Condition: its lock is not held");
    }
  }

  #notify(n: number): void {
    while (n > 0 && this.#waiters.grant(true)) n--;
  }
}
