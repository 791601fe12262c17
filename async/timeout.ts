import { deadlineOf, parseWait, quote } from "../internal/options.ts";
import { setLongTimeout } from "../internal/timers.ts";

/** Options of {@linkcode timeout} and {@linkcode timeoutAt}. */
export interface TimeoutOptions {
  /** An outer signal that aborts `fn` too; the call rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Runs `fn(signal)` with a time limit, like Python's `asyncio.timeout`: at
 * the deadline the signal aborts with a `TimeoutError` DOMException (the
 * one `AbortSignal.timeout` uses), and the call rejects with it unless `fn`
 * settled first.
 *
 * The call settles only once `fn` has: nothing it started outlives the
 * call, as with asyncio's cancellation. So `fn` should honour the signal
 * (pass it to `fetch`, check it between steps); a `fn` that ignores it
 * still gets the TimeoutError when it ends late.
 *
 * @typeParam T What `fn` returns.
 * @param ms The time limit in milliseconds; `Infinity` for none.
 * @param fn The work, given the signal to stop on.
 * @param options `signal`: an outer signal that aborts `fn` too.
 * @returns What `fn` returns.
 * @throws {DOMException} A `TimeoutError` if the deadline passed first.
 * @throws {RangeError} If `ms` is negative or `NaN`.
 * @throws {TypeError} If `ms` is not a number, `fn` not a function, or an
 * option has the wrong type.
 * @throws {unknown} What `fn` throws; the outer signal's reason if it
 * aborted first.
 *
 * @example Cancel a slow task
 * ```ts
 * import { timeout } from "@parallel/parallel/async";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * const slow = (signal: AbortSignal) =>
 *   new Promise<string>((resolve, reject) => {
 *     const timer = setTimeout(() => resolve("done"), 60_000);
 *     signal.addEventListener("abort", () => {
 *       clearTimeout(timer);
 *       reject(signal.reason);
 *     });
 *   });
 * await rejects(timeout(10, slow), { name: "TimeoutError" });
 * strictEqual(await timeout(1000, async () => "fast"), "fast");
 * ```
 */
export function timeout<T>(
  ms: number,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T> {
  const where = "Cannot run with timeout";
  try {
    const deadline = deadlineOf(where, ms);
    return run(
      deadline,
      fn,
      check(where, fn, options),
      `Timed out after ${ms} ms`,
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Runs `fn(signal)` until a deadline, like Python's `asyncio.timeout_at`;
 * otherwise it is {@linkcode timeout}.
 *
 * @typeParam T What `fn` returns.
 * @param deadline A time on the `performance.now()` clock (monotonic, like
 * asyncio's `loop.time()`), or a `Date`; `Infinity` for none. A deadline
 * already past aborts the signal before `fn` runs.
 * @param fn The work, given the signal to stop on.
 * @param options `signal`: an outer signal that aborts `fn` too.
 * @returns What `fn` returns.
 * @throws {DOMException} A `TimeoutError` if the deadline passed first.
 * @throws {RangeError} If `deadline` is `NaN` or an invalid Date.
 * @throws {TypeError} If `deadline` is neither a number nor a Date, `fn` not
 * a function, or an option has the wrong type.
 * @throws {unknown} What `fn` throws; the outer signal's reason if it
 * aborted first.
 *
 * @example One deadline for several steps
 * ```ts
 * import { timeoutAt } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const deadline = performance.now() + 1000;
 * const first = await timeoutAt(deadline, async () => "a");
 * const second = await timeoutAt(deadline, async () => "b");
 * deepStrictEqual([first, second], ["a", "b"]);
 * ```
 */
export function timeoutAt<T>(
  deadline: number | Date,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: TimeoutOptions,
): Promise<T> {
  const where = "Cannot run with timeoutAt";
  try {
    let at: number;
    if (deadline instanceof Date) {
      at = performance.now() + (deadline.getTime() - Date.now());
    } else if (typeof deadline === "number") at = deadline;
    else {
      throw new TypeError(
        `${where}: 'deadline' must be a number or a Date, received ${
          quote(deadline)
        }`,
      );
    }
    if (Number.isNaN(at)) {
      throw new RangeError(
        `${where}: 'deadline' must be a time, received ${
          deadline instanceof Date ? "an invalid Date" : "NaN"
        }`,
      );
    }
    return run(
      at,
      fn,
      check(where, fn, options),
      "Timed out: the deadline passed",
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Checks `fn` and the options; returns the outer signal. */
function check(
  where: string,
  fn: unknown,
  options: TimeoutOptions | undefined,
): AbortSignal | undefined {
  if (typeof fn !== "function") {
    throw new TypeError(
      `${where}: 'fn' must be a function, received ${quote(fn)}`,
    );
  }
  const { signal } = parseWait(where, options);
  signal?.throwIfAborted();
  return signal;
}

async function run<T>(
  deadline: number,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  outer: AbortSignal | undefined,
  message: string,
): Promise<T> {
  const controller = new AbortController();
  const signal = controller.signal;
  const expire = () => {
    controller.abort(new DOMException(message, "TimeoutError"));
  };
  const onAbort = () => controller.abort(outer!.reason);
  const ms = deadline - performance.now();
  const timer = ms <= 0 ? undefined : setLongTimeout(expire, ms);
  if (ms <= 0) expire();
  outer?.addEventListener("abort", onAbort, { once: true });
  try {
    const value = await fn(signal);
    // It ended late, having ignored the signal: the deadline still wins.
    if (signal.aborted) throw signal.reason;
    return value;
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    timer?.clear();
    outer?.removeEventListener("abort", onAbort);
  }
}
