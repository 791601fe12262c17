import { checkInteger, type WaitOptions } from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";
import { acquireWaiting, TRUE, WaiterList } from "./_waiters.ts";

/** The same ceiling as the cross-worker semaphore, whose value is an Int32. */
const MAX_VALUE = 0x7fffffff;

/**
 * A counting semaphore for the tasks of one event loop, like Python's
 * `asyncio.Semaphore`: `acquire` takes one permit, waiting while there is
 * none; `release(n)` returns `n` permits.
 *
 * Waiters are served strictly in arrival order: a released permit goes
 * straight to the first waiter, so a task that releases and acquires again
 * at once queues behind the others. Times are in milliseconds.
 *
 * @example At most two tasks at a time
 * ```ts
 * import { Semaphore } from "@parallel/parallel/async";
 * import { strictEqual } from "node:assert/strict";
 *
 * const slots = new Semaphore(2);
 * let running = 0;
 * let most = 0;
 * async function task() {
 *   await using _ = await slots.hold();
 *   most = Math.max(most, ++running);
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   running--;
 * }
 * await Promise.all([task(), task(), task(), task()]);
 * strictEqual(most, 2);
 * ```
 */
export class Semaphore {
  #value: number;
  /** The initial value of a BoundedSemaphore; -1 when unbounded. */
  #bound: number;
  #waiters = new WaiterList<boolean>(() => false);

  /**
   * Creates a semaphore with `value` permits.
   *
   * @param value The number of permits, a non-negative integer (default 1).
   * @throws {TypeError} If `value` is not a number.
   * @throws {RangeError} If `value` is negative or not an integer.
   *
   * @example No permits: every acquire waits
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Semaphore(0).tryAcquire(), false);
   * ```
   */
  constructor(value?: number) {
    if (value === undefined) value = 1;
    checkInteger(`Cannot create ${this.#kind}`, "value", value, 0, MAX_VALUE);
    this.#value = value;
    this.#bound = this instanceof BoundedSemaphore ? value : -1;
  }

  get #kind(): string {
    return this instanceof BoundedSemaphore ? "BoundedSemaphore" : "Semaphore";
  }

  /**
   * The number of permits free now (Python's `_value`). While tasks wait it
   * is 0: a released permit goes to them, not to the count.
   *
   * @example Permits go down as they are taken
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(3);
   * await semaphore.acquire();
   * strictEqual(semaphore.value, 2);
   * ```
   */
  get value(): number {
    return this.#value;
  }

  /**
   * Whether an acquire would wait now (Python's `locked()`).
   *
   * @example Locked once every permit is taken
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * strictEqual(semaphore.locked, false);
   * semaphore.tryAcquire();
   * strictEqual(semaphore.locked, true);
   * ```
   */
  get locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Takes a permit if one is free, without waiting. A free permit means
   * nobody waits, so this never jumps the line.
   *
   * @returns `true` if a permit was taken.
   *
   * @example Only as many as there are permits
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * strictEqual(semaphore.tryAcquire(), true);
   * strictEqual(semaphore.tryAcquire(), false);
   * ```
   */
  tryAcquire(): boolean {
    if (this.#value === 0) return false;
    this.#value--;
    return true;
  }

  /**
   * Takes a permit, waiting behind the tasks that came first.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once a permit is taken, `false` if the timeout passed.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait. A waiter
   * aborted in the same tick as a permit was handed to it passes the permit
   * on before it rejects.
   *
   * @example Wait for a permit that another task returns
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(0);
   * setTimeout(() => semaphore.release(), 5);
   * strictEqual(await semaphore.acquire({ timeout: 1000 }), true);
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    if (options === undefined && this.#value > 0) {
      this.#value--;
      return TRUE;
    }
    return acquireWaiting(
      `Cannot acquire ${this.#kind}`,
      options,
      this.#take,
      this.#waiters,
      this.#handOn,
    );
  }

  readonly #take = (): boolean => {
    if (this.#value <= 0) return false;
    this.#value--;
    return true;
  };
  // A waiter aborted as it was granted passes the permit on.
  readonly #handOn = (): void => this.#give(1);

  /** Hands `n` permits to the waiters in order; the rest go to the count. */
  #give(n: number): void {
    while (n > 0 && this.#waiters.grant(true)) n--;
    this.#value += n;
  }

  /**
   * Returns `n` permits, handing them to the first `n` waiters.
   *
   * @param n How many permits to return, a positive integer (default 1).
   * @throws {TypeError} If `n` is not a number.
   * @throws {RangeError} If `n` is not a positive integer, or (for a
   * {@linkcode BoundedSemaphore}) if it would raise the value above its
   * initial value.
   *
   * @example Release several at once
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(0);
   * semaphore.release(3);
   * strictEqual(semaphore.value, 3);
   * ```
   */
  release(n = 1): void {
    const where = `Cannot release ${this.#kind}`;
    checkInteger(where, "n", n, 1, MAX_VALUE);
    const value = this.#value;
    const bound = this.#bound;
    if (value + n > (bound < 0 ? MAX_VALUE : bound)) {
      throw new RangeError(
        bound < 0
          ? `${where}: the value would exceed ${MAX_VALUE}`
          : `${where}: released too many times (value ${value} + ${n} would exceed its initial value ${bound})`,
      );
    }
    this.#give(n);
  }

  /**
   * Takes a permit and returns a guard for `await using`, which gives
   * the permit back at the end of the block: Python's `async with sem:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that gives the permit back when disposed (at the end
   * of the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Hold a permit for a block
   * ```ts
   * import { Semaphore } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * {
   *   await using _ = await semaphore.hold();
   *   strictEqual(semaphore.value, 0);
   * }
   * strictEqual(semaphore.value, 1);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable & AsyncDisposable> {
    if (options === undefined && this.#value > 0) {
      this.#value--;
      return Promise.resolve(guard(() => this.release()));
    }
    return this.#holdLater(options);
  }

  async #holdLater(
    options: WaitOptions | undefined,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) throw timeoutError(this.#kind, options);
    return guard(() => this.release());
  }
}

/**
 * A semaphore that refuses to be released above its initial value, like
 * Python's `asyncio.BoundedSemaphore`: an extra release is a bug, and it
 * throws a `RangeError` instead of silently adding a permit.
 *
 * @example An extra release throws
 * ```ts
 * import { BoundedSemaphore } from "@parallel/parallel/async";
 * import { throws } from "node:assert/strict";
 *
 * const semaphore = new BoundedSemaphore(1);
 * await semaphore.acquire();
 * semaphore.release();
 * throws(() => semaphore.release(), RangeError);
 * ```
 */
export class BoundedSemaphore extends Semaphore {}
