import { BrokenBarrierError } from "../primitives/errors.ts";
import {
  checkInteger,
  checkObject,
  deadlineOf,
  parseWait,
  quote,
  type WaitOptions,
} from "../internal/options.ts";
import { WaiterList } from "./_waiters.ts";

/** Options of {@linkcode Barrier}'s constructor. */
export interface BarrierOptions {
  /**
   * Called once per round, by the last task to arrive, before any task is
   * released. If it throws, the barrier breaks and that task's `wait`
   * rejects with the error.
   */
  action?: () => void;
  /** The default timeout of `wait`, in milliseconds (default `Infinity`). */
  timeout?: number;
}

/**
 * A barrier for a fixed number of tasks of one event loop, like Python's
 * `asyncio.Barrier`: each round, every party waits until all `parties` have
 * arrived, then all go on together.
 *
 * As in asyncio, a party whose wait is aborted (or times out) leaves the
 * round without breaking it, and no longer counts in `nWaiting`; only
 * {@linkcode Barrier.abort}, {@linkcode Barrier.reset} and a throwing
 * `action` break a round. A round that has filled is passed by all its
 * parties, whatever happens next. Times are in milliseconds.
 *
 * @example Three tasks meet, each round
 * ```ts
 * import { Barrier } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const barrier = new Barrier(3);
 * const log: string[] = [];
 * await Promise.all(["a", "b", "c"].map(async (name) => {
 *   for (const round of [1, 2]) {
 *     log.push(`${name}${round}`);
 *     await barrier.wait();
 *   }
 * }));
 * deepStrictEqual(log, ["a1", "b1", "c1", "a2", "b2", "c2"]);
 * ```
 */
export class Barrier {
  #parties: number;
  #action: (() => void) | undefined;
  #timeout: number;
  #broken = false;
  #waiters: WaiterList<number>;

  /**
   * Creates a barrier for `parties` tasks.
   *
   * @param parties How many must arrive each round, a positive integer.
   * @param options `action`, run once per round by the last to arrive, and
   * `timeout`, the default timeout of `wait` in milliseconds.
   * @throws {TypeError} If `parties` is not a number or `action` not a
   * function.
   * @throws {RangeError} If `parties` is not a positive integer, or the
   * timeout is negative or `NaN`.
   *
   * @example One party never waits
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Barrier(1).wait(), 0);
   * ```
   */
  constructor(parties: number, options?: BarrierOptions) {
    const where = "Cannot create Barrier";
    checkInteger(where, "parties", parties, 1);
    checkObject(where, "options", options);
    const action = options?.action;
    if (action !== undefined && typeof action !== "function") {
      throw new TypeError(
        `${where}: 'action' must be a function, received ${quote(action)}`,
      );
    }
    const timeout = options?.timeout ?? Infinity;
    deadlineOf(where, timeout); // checks it
    this.#parties = parties;
    this.#action = action;
    this.#timeout = timeout;
    this.#waiters = new WaiterList<number>((waited) => {
      throw new DOMException(
        `Timed out after ${waited} ms waiting on Barrier for the other parties`,
        "TimeoutError",
      );
    });
  }

  /**
   * How many tasks must arrive each round.
   *
   * @example Read it back
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Barrier(3).parties, 3);
   * ```
   */
  get parties(): number {
    return this.#parties;
  }

  /**
   * How many tasks wait in the current round. Aborted and timed-out waits
   * have left it.
   *
   * @example One waits for two more
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(3);
   * const waiting = barrier.wait();
   * strictEqual(barrier.nWaiting, 1);
   * barrier.abort();
   * await waiting.catch(() => {});
   * ```
   */
  get nWaiting(): number {
    return this.#waiters.size;
  }

  /**
   * Whether the barrier is broken (see {@linkcode Barrier.abort}).
   *
   * @example Broken by abort
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * strictEqual(barrier.broken, true);
   * ```
   */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Waits until all parties have arrived.
   *
   * @param options `timeout` in milliseconds (default: the barrier's), and
   * an `AbortSignal`.
   * @returns This party's index in the round: its place in the order of
   * arrival among the parties that passed, from 0 to `parties - 1`.
   * @throws {BrokenBarrierError} If the barrier is or becomes broken, or is
   * reset while this party waits.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first; the
   * party leaves the round, which stays whole.
   * @throws {unknown} The signal's reason, if it aborts the wait; the party
   * leaves the round, which stays whole.
   *
   * @example The last to arrive gets parties - 1
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * deepStrictEqual(await Promise.all([barrier.wait(), barrier.wait()]), [0, 1]);
   * ```
   */
  wait(options?: WaitOptions): Promise<number> {
    let signal: AbortSignal | undefined;
    try {
      ({ signal } = parseWait("Cannot wait on Barrier", options));
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#broken) return Promise.reject(new BrokenBarrierError());
    if (this.#waiters.size + 1 < this.#parties) {
      return this.#waiters.add(options?.timeout ?? this.#timeout, signal);
    }
    // The last party: run the action, then release the round in order.
    try {
      this.#action?.();
    } catch (error) {
      this.abort();
      return Promise.reject(error);
    }
    let index = 0;
    while (this.#waiters.grant(index)) index++;
    return Promise.resolve(index);
  }

  /**
   * Resets the barrier to its first state. Tasks waiting now get a
   * {@linkcode BrokenBarrierError}; the barrier is usable again at once,
   * also after {@linkcode Barrier.abort}.
   *
   * @example Reset a broken barrier
   * ```ts
   * import { Barrier } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * barrier.reset();
   * strictEqual(barrier.broken, false);
   * ```
   */
  reset(): void {
    this.#broken = false;
    this.#waiters.rejectAll(() =>
      new BrokenBarrierError("The barrier was reset while this party waited")
    );
  }

  /**
   * Breaks the barrier: every task waiting now, and every later `wait`,
   * gets a {@linkcode BrokenBarrierError} until {@linkcode Barrier.reset}.
   *
   * @example Abort wakes the waiters
   * ```ts
   * import { Barrier, BrokenBarrierError } from "@parallel/parallel/async";
   * import { rejects } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * const waiting = barrier.wait();
   * barrier.abort();
   * await rejects(waiting, BrokenBarrierError);
   * ```
   */
  abort(): void {
    this.#broken = true;
    this.#waiters.rejectAll(() => new BrokenBarrierError());
  }
}
