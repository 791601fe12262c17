import { NotHeldError } from "../primitives/errors.ts";
import type { WaitOptions } from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";
import { acquireWaiting, TRUE, WaiterList } from "./_waiters.ts";

/**
 * A mutual-exclusion lock for the tasks of one event loop, like Python's
 * `asyncio.Lock`: plain promises, no shared memory. It is not reentrant, and
 * any task may release it.
 *
 * Waiters are served strictly in arrival order: `release` hands the lock
 * straight to the first waiter, so a task that releases and acquires again
 * at once queues behind the others. Times are in milliseconds. To share a
 * lock with Workers, use the `Lock` of `@parallel/parallel` instead; the two
 * have the same methods, less the `Sync` ones.
 *
 * @example Guard a critical section across awaits
 * ```ts
 * import { Lock } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const lock = new Lock();
 * const log: string[] = [];
 * async function task(name: string) {
 *   await using _ = await lock.hold();
 *   log.push(`${name} in`);
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   log.push(`${name} out`);
 * }
 * await Promise.all([task("a"), task("b")]);
 * deepStrictEqual(log, ["a in", "a out", "b in", "b out"]);
 * ```
 */
export class Lock {
  #locked = false;
  #waiters = new WaiterList<boolean>(() => false);

  /**
   * Whether a task holds the lock.
   *
   * @example Locked while held
   * ```ts
   * import { Lock } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * await lock.acquire();
   * strictEqual(lock.locked, true);
   * lock.release();
   * strictEqual(lock.locked, false);
   * ```
   */
  get locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquires the lock if it is free, without waiting: Python's
   * `acquire(blocking=False)`. A free lock has nobody waiting for it, so
   * this never jumps the line.
   *
   * @returns `true` if the lock is now held by the caller.
   *
   * @example A held lock cannot be taken again
   * ```ts
   * import { Lock } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * strictEqual(lock.tryAcquire(), true);
   * strictEqual(lock.tryAcquire(), false);
   * lock.release();
   * ```
   */
  tryAcquire(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * Acquires the lock, waiting behind the tasks that came first.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait. A waiter
   * aborted in the same tick as the lock was handed to it passes the lock
   * on to the next waiter before it rejects.
   *
   * @example Give up after a timeout
   * ```ts
   * import { Lock } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * await lock.acquire();
   * strictEqual(await lock.acquire({ timeout: 10 }), false);
   * lock.release();
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    // The common case allocates nothing: a free lock has no waiters.
    if (options === undefined && !this.#locked) {
      this.#locked = true;
      return TRUE;
    }
    return acquireWaiting(
      "Cannot acquire Lock",
      options,
      this.#take,
      this.#waiters,
      this.#handOn,
    );
  }

  readonly #take = (): boolean => {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  };
  readonly #handOn = (): void => this.release();

  /**
   * Releases the lock, handing it to the first waiter if there is one. Any
   * task may release it, as in Python.
   *
   * @throws {NotHeldError} If the lock is not held.
   *
   * @example Releasing twice throws
   * ```ts
   * import { Lock, NotHeldError } from "@parallel/parallel/async";
   * import { throws } from "node:assert/strict";
   *
   * const lock = new Lock();
   * await lock.acquire();
   * lock.release();
   * throws(() => lock.release(), NotHeldError);
   * ```
   */
  release(): void {
    if (!this.#locked) {
      throw new NotHeldError("Cannot release Lock: it is not held");
    }
    if (!this.#waiters.grant(true)) this.#locked = false;
  }

  /**
   * Acquires the lock and returns a guard for `await using`, which releases
   * it at the end of the block: Python's `async with lock:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Hold for a block
   * ```ts
   * import { Lock } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * {
   *   await using _ = await lock.hold();
   *   strictEqual(lock.locked, true);
   * }
   * strictEqual(lock.locked, false);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable & AsyncDisposable> {
    if (options === undefined && !this.#locked) {
      this.#locked = true;
      return Promise.resolve(guard(() => this.release()));
    }
    return this.#holdLater(options);
  }

  async #holdLater(
    options: WaitOptions | undefined,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) throw timeoutError("Lock", options);
    return guard(() => this.release());
  }
}
