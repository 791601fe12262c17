/**
 * The domain errors of this module, the ones a caller is expected to catch.
 * Bad input is reported with the built-in `TypeError` (wrong type) and
 * `RangeError` (value out of range) instead.
 *
 * @module
 */

/**
 * Thrown when a lock is released by a thread that does not hold it, or when a
 * {@linkcode Condition} is used without holding its lock. It is Python's
 * `RuntimeError("cannot release un-acquired lock")`.
 *
 * @example Releasing a lock that nobody holds
 * ```ts
 * import { Lock, NotHeldError } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => new Lock().release(), NotHeldError);
 * ```
 */
export class NotHeldError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was not held, and by whom.
   */
  constructor(message: string) {
    super(message);
    this.name = "NotHeldError";
  }
}

/**
 * Thrown by {@linkcode Barrier.wait} when the barrier is broken: it was
 * aborted, reset while threads waited, a party timed out, or its action threw.
 * Python's `threading.BrokenBarrierError`.
 *
 * @example Waiting on an aborted barrier
 * ```ts
 * import { Barrier, BrokenBarrierError } from "@parallel/parallel";
 * import { rejects } from "node:assert/strict";
 *
 * const barrier = new Barrier(2);
 * barrier.abort();
 * await rejects(barrier.wait(), BrokenBarrierError);
 * ```
 */
export class BrokenBarrierError extends Error {
  /**
   * Creates the error.
   *
   * @param message Why the barrier is broken.
   */
  constructor(message = "The barrier is broken") {
    super(message);
    this.name = "BrokenBarrierError";
  }
}
