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
  constructor(message?: string) {
    if (message === undefined) message = "The barrier is broken";
    super(message);
    this.name = "BrokenBarrierError";
  }
}

/**
 * Thrown by a queue's `getNowait`, or by `get` when its timeout passes with
 * the queue still empty. Python's `queue.Empty`.
 *
 * @example Take from an empty queue
 * ```ts
 * import { Queue, QueueEmpty } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => new Queue().getNowait(), QueueEmpty);
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * Creates the error.
   *
   * @param message What was empty.
   */
  constructor(message?: string) {
    if (message === undefined) message = "The queue is empty";
    super(message);
    this.name = "QueueEmpty";
  }
}

/**
 * Thrown by a bounded queue's `putNowait`, or by `put` when its timeout
 * passes with the queue still full. Python's `queue.Full`.
 *
 * @example Put into a full queue
 * ```ts
 * import { Queue, QueueFull } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * const queue = new Queue(1);
 * queue.putNowait("a");
 * throws(() => queue.putNowait("b"), QueueFull);
 * ```
 */
export class QueueFull extends Error {
  /**
   * Creates the error.
   *
   * @param message What was full.
   */
  constructor(message?: string) {
    if (message === undefined) message = "The queue is full";
    super(message);
    this.name = "QueueFull";
  }
}

/**
 * Thrown by `put` on a queue that was shut down, and by `get` once a shut
 * down queue is empty. Python's `queue.ShutDown`.
 *
 * @example Put after shutdown
 * ```ts
 * import { Queue, QueueShutDown } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * const queue = new Queue();
 * queue.shutdown();
 * throws(() => queue.putNowait(1), QueueShutDown);
 * ```
 */
export class QueueShutDown extends Error {
  /**
   * Creates the error.
   *
   * @param message What was shut down.
   */
  constructor(message?: string) {
    if (message === undefined) message = "The queue is shut down";
    super(message);
    this.name = "QueueShutDown";
  }
}

/**
 * Thrown by a {@linkcode Connection}'s `recv` once the other end of the pipe
 * is closed and every message it sent has been received, instead of waiting
 * forever. Python's `EOFError`.
 *
 * @example Receive after the other end closed
 * ```ts
 * import { EOFError, Pipe } from "@parallel/parallel";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * const [a, b] = Pipe<string>();
 * a.send("last words");
 * a.close();
 * strictEqual(await b.recv(), "last words");
 * await rejects(b.recv(), EOFError);
 * ```
 */
export class EOFError extends Error {
  /**
   * Creates the error.
   *
   * @param message What ended.
   */
  constructor(message?: string) {
    if (message === undefined) {
      message = "The other end is closed and nothing is left";
    }
    super(message);
    this.name = "EOFError";
  }
}

/**
 * Thrown by a {@linkcode Connection} that is closed (by `close()` in any
 * thread that holds it), and by `send` when the other end is closed, so
 * nothing sent could ever be received. Python's `OSError("handle is closed")`
 * and `BrokenPipeError`.
 *
 * @example Send on a closed connection
 * ```ts
 * import { ConnectionClosedError, Pipe } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * const [a, b] = Pipe();
 * a.close();
 * throws(() => a.send(1), ConnectionClosedError);
 * throws(() => b.send(1), ConnectionClosedError);
 * ```
 */
export class ConnectionClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which end is closed.
   */
  constructor(message?: string) {
    if (message === undefined) message = "The connection is closed";
    super(message);
    this.name = "ConnectionClosedError";
  }
}

/**
 * Thrown by the next acquire of a {@linkcode Lock} or {@linkcode RLock}
 * whose owner died holding it (a pool's worker that crashed, was terminated
 * or timed out): what the lock guards may be half-changed. The acquirer that
 * receives the error does not hold the lock, which is free again; it can
 * repair the guarded state and acquire again. Like `EOWNERDEAD` of a robust
 * POSIX mutex; Python has no equivalent and waits forever.
 *
 * @example Recovering after a worker died holding a lock
 * ```ts
 * import { AbandonedLockError, Lock } from "@parallel/parallel";
 * import { ThreadPool, WorkerCrashedError } from "@parallel/parallel/pools";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * await using pool = new ThreadPool({ maxWorkers: 1 });
 * const lock = new Lock();
 * const dies = (held: Lock) => {
 *   held.acquireSync();
 *   Deno.exit(1); // ends the worker's thread, not the program
 * };
 * await rejects(pool.submit(dies, lock), WorkerCrashedError);
 * await rejects(lock.acquire(), AbandonedLockError);
 * strictEqual(await lock.acquire(), true); // it works again
 * lock.release();
 * ```
 */
export class AbandonedLockError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which lock, and what happened.
   */
  constructor(message: string) {
    super(message);
    this.name = "AbandonedLockError";
  }
}
