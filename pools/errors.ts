// The domain errors of the pools and their futures, the ones a caller is
// expected to catch. Bad input is reported with the built-in `TypeError`
// (wrong type) and `RangeError` (value out of range) instead, and a timeout
// with the `TimeoutError` DOMException that `AbortSignal.timeout()` uses.

/**
 * The error of a {@linkcode Future} that was cancelled before it started:
 * awaiting it, or its `result()` or `exception()`, rejects with this error.
 * Python's `concurrent.futures.CancelledError`.
 *
 * @example Await a cancelled future
 * ```ts
 * import { CancelledError, createFuture } from "@parallel/parallel/pools";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * const { future } = createFuture<number>();
 * strictEqual(future.cancel(), true);
 * await rejects(future.result(), CancelledError);
 * ```
 */
export class CancelledError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was cancelled.
   * @param options The `cause` of the cancellation, if any.
   */
  constructor(message?: string, options?: ErrorOptions) {
    if (message === undefined) message = "The future was cancelled";
    super(message, options);
    this.name = "CancelledError";
  }
}

/**
 * Thrown when an operation does not fit the state of a {@linkcode Future}:
 * settling a future that is already finished, or starting one that is
 * already running. Python's `concurrent.futures.InvalidStateError`.
 *
 * @example Resolve a future twice
 * ```ts
 * import { createFuture, InvalidStateError } from "@parallel/parallel/pools";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const control = createFuture<number>();
 * control.resolve(1);
 * throws(() => control.resolve(2), InvalidStateError);
 * strictEqual(await control.future, 1);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Creates the error.
   *
   * @param message What the state is, and what was attempted.
   * @param options The `cause`, if any.
   */
  constructor(
    message = "The future is in an invalid state for this operation",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "InvalidStateError";
  }
}

/** Options of a {@linkcode WorkerCrashedError}. */
export interface WorkerCrashedErrorOptions extends ErrorOptions {
  /** The exit code of the worker or process that died, if it had one. */
  exitCode?: number;
}

/**
 * The error of a task whose worker died while running it: the worker called
 * `self.close()` or `Deno.exit()`, was terminated, ran out of memory, or (in
 * a process pool) its process was killed. The task's future rejects with it;
 * Python's process pool reports the same event as `BrokenProcessPool`.
 *
 * @example The error a pool gives to the task of a dead worker
 * ```ts
 * import { createFuture, WorkerCrashedError } from "@parallel/parallel/pools";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * const control = createFuture<number>();
 * control.setRunning();
 * control.reject(new WorkerCrashedError(undefined, { exitCode: 3 }));
 * const error = await control.future.exception();
 * strictEqual(error instanceof WorkerCrashedError && error.exitCode, 3);
 * await rejects(control.future.result(), /exit code 3/);
 * ```
 */
export class WorkerCrashedError extends Error {
  /** The exit code of the worker or process that died, if it had one. */
  readonly exitCode?: number;

  /**
   * Creates the error.
   *
   * @param message What died, and while doing what. By default it names the
   * exit code, if there is one.
   * @param options The `exitCode` and the `cause` (the worker's error event,
   * for instance), if known.
   */
  constructor(message?: string, options?: WorkerCrashedErrorOptions) {
    const exitCode = options?.exitCode;
    super(
      message ??
        `The worker died while running the task${
          exitCode === undefined ? "" : ` (exit code ${exitCode})`
        }`,
      options,
    );
    this.name = "WorkerCrashedError";
    if (exitCode !== undefined) this.exitCode = exitCode;
  }
}

/**
 * The error of a pool that can no longer run tasks, for instance because a
 * worker failed to start or its initializer threw: `submit` throws it, and
 * the futures of the tasks that can no longer run reject with it. Python's
 * `concurrent.futures.BrokenExecutor` (`BrokenThreadPool`,
 * `BrokenProcessPool`).
 *
 * @example A broken pool's pending tasks fail with it
 * ```ts
 * import { BrokenPoolError, createFuture } from "@parallel/parallel/pools";
 * import { rejects } from "node:assert/strict";
 *
 * const control = createFuture<number>();
 * control.reject(new BrokenPoolError());
 * await rejects(control.future.result(), BrokenPoolError);
 * ```
 */
export class BrokenPoolError extends Error {
  /**
   * Creates the error.
   *
   * @param message Why the pool is broken.
   * @param options The `cause` (the error that broke the pool), if known.
   */
  constructor(
    message = "The pool is broken and can no longer run tasks",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "BrokenPoolError";
  }
}
