// After CPython's Lib/test/test_asyncio/test_timeouts.py: a slow task is
// cancelled and the call raises TimeoutError; a fast one is not; a deadline
// in the past; no deadline; nested timeouts; the error of the body goes
// through. Python's cancellation is an AbortSignal here, and every test
// ends with no timer pending (Deno's sanitizers).
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { timeout, timeoutAt } from "./timeout.ts";

/** Sleeps `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

Deno.test("async timeout: a slow task is aborted at the deadline and the call rejects with a TimeoutError", async () => {
  // test_timeout_basic.
  let seen: unknown;
  const error = await timeout(10, async (signal) => {
    try {
      await sleep(60_000, signal);
    } catch (reason) {
      seen = reason;
      throw reason;
    }
  }).then(() => undefined, (error) => error);
  ok(isTimeout(error), `not a TimeoutError: ${error}`);
  strictEqual(error.message, "Timed out after 10 ms");
  strictEqual(seen, error); // the signal's reason is the very error
});

Deno.test("async timeout: a task that ends first gives its value and leaves no timer", async () => {
  // test_timeout_not_called, test_timeout_zero... for a fast body.
  strictEqual(await timeout(60_000, () => Promise.resolve("fast")), "fast");
  strictEqual(await timeout(60_000, () => 7), 7);
  let aborted: boolean | undefined;
  strictEqual(
    await timeout(60_000, async (signal) => {
      await sleep(1, signal);
      aborted = signal.aborted;
      return "done";
    }),
    "done",
  );
  strictEqual(aborted, false);
});

Deno.test("async timeout: the task's own error goes through", async () => {
  // test_timeout_exception_context / the body raises first.
  await rejects(
    timeout(60_000, () => Promise.reject(new RangeError("own error"))),
    { name: "RangeError", message: "own error" },
  );
  await rejects(
    timeout(60_000, () => {
      throw new TypeError("synchronous");
    }),
    { name: "TypeError", message: "synchronous" },
  );
});

Deno.test("async timeout: a task that ignores the signal is waited for, then the call rejects", async () => {
  // Nothing outlives the call: it settles once the task has.
  let finished = false;
  const error = await timeout(5, async () => {
    await sleep(20); // ignores the signal
    finished = true;
    return "late";
  }).then(() => undefined, (error) => error);
  ok(isTimeout(error));
  strictEqual(finished, true);
});

Deno.test("async timeout: 0 ms, or a deadline already past, aborts the signal before the task runs", async () => {
  // test_timeout_zero, test_timeout_in_the_past.
  let aborted: boolean | undefined;
  await rejects(
    timeout(0, (signal) => {
      aborted = signal.aborted;
      return "too late";
    }),
    isTimeout,
  );
  strictEqual(aborted, true);
  await rejects(
    timeoutAt(performance.now() - 1000, (signal) => sleep(60_000, signal)),
    (error: DOMException) =>
      isTimeout(error) && error.message === "Timed out: the deadline passed",
  );
  await rejects(timeoutAt(-Infinity, () => 1), isTimeout);
});

Deno.test("async timeout: Infinity means no deadline and no timer", async () => {
  // test_timeout_disabled / asyncio.timeout(None).
  strictEqual(
    await timeout(Infinity, async (signal) => {
      await sleep(2, signal);
      return signal.aborted;
    }),
    false,
  );
  strictEqual(await timeoutAt(Infinity, () => "ok"), "ok");
});

Deno.test("async timeoutAt: a deadline on the performance.now() clock, or a Date", async () => {
  // test_timeout_at.
  await rejects(
    timeoutAt(performance.now() + 5, (signal) => sleep(60_000, signal)),
    isTimeout,
  );
  strictEqual(
    await timeoutAt(
      performance.now() + 60_000,
      () => Promise.resolve("in time"),
    ),
    "in time",
  );
  await rejects(
    timeoutAt(new Date(Date.now() + 5), (signal) => sleep(60_000, signal)),
    isTimeout,
  );
  strictEqual(await timeoutAt(new Date(Date.now() + 60_000), () => 1), 1);
});

Deno.test("async timeout: nested timeouts: the shorter one fires, and its error reaches the outer call", async () => {
  // test_nested_timeouts, test_nested_timeout_in_finally.
  let innerError: unknown;
  const outerError = await timeout(
    10,
    (outer) =>
      timeout(60_000, async (inner) => {
        try {
          await sleep(60_000, inner);
        } catch (reason) {
          innerError = reason;
          throw reason;
        }
      }, { signal: outer }),
  ).then(() => undefined, (error) => error);
  ok(isTimeout(outerError));
  strictEqual(outerError.message, "Timed out after 10 ms");
  strictEqual(innerError, outerError);

  const inner = await timeout(
    60_000,
    () =>
      timeout(5, (signal) => sleep(60_000, signal))
        .catch((error) => error.message),
  );
  strictEqual(inner, "Timed out after 5 ms");
});

Deno.test("async timeout: an outer signal aborts the task and the call rejects with its reason", async () => {
  const controller = new AbortController();
  const reason = new Error("cancelled from outside");
  const running = timeout(60_000, (signal) => sleep(60_000, signal), {
    signal: controller.signal,
  });
  await sleep(1);
  controller.abort(reason);
  await rejects(running, reason);
  let called = false;
  await rejects(
    timeout(60_000, () => called = true, { signal: AbortSignal.abort(reason) }),
    reason,
  );
  strictEqual(called, false);
});

Deno.test("async timeout: bad arguments are a TypeError or a RangeError", async () => {
  await rejects(timeout(-1, () => 1), {
    name: "RangeError",
    message:
      "Cannot run with timeout: 'timeout' must be a non-negative number of milliseconds, received -1",
  });
  await rejects(timeout(NaN, () => 1), RangeError);
  // @ts-expect-error: a string
  await rejects(timeout("5", () => 1), TypeError);
  // @ts-expect-error: not a function
  await rejects(timeout(5, "fn"), {
    name: "TypeError",
    message:
      "Cannot run with timeout: 'fn' must be a function, received \"fn\"",
  });
  // @ts-expect-error: not a signal
  await rejects(timeout(5, () => 1, { signal: {} }), TypeError);
  await rejects(timeoutAt(NaN, () => 1), {
    name: "RangeError",
    message:
      "Cannot run with timeoutAt: 'deadline' must be a time, received NaN",
  });
  await rejects(timeoutAt(new Date(NaN), () => 1), {
    message:
      "Cannot run with timeoutAt: 'deadline' must be a time, received an invalid Date",
  });
  // @ts-expect-error: a string
  await rejects(timeoutAt("soon", () => 1), TypeError);
});

Deno.test("async timeout: many concurrent timeouts each settle their own way", async () => {
  const outcomes = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        timeout(i % 2 === 0 ? 5 : 60_000, async (signal) => {
          await sleep(i % 2 === 0 ? 60_000 : 1, signal);
          return i;
        }).then((value) => value, (error) => error.name),
    ),
  );
  deepStrictEqual(
    outcomes,
    Array.from({ length: 20 }, (_, i) => i % 2 === 0 ? "TimeoutError" : i),
  );
});

Deno.test("timeout: a delay of 2^31 ms or more waits (setTimeout alone would fire it at once)", async () => {
  const value = await timeout(
    2 ** 31 + 1_000,
    () =>
      new Promise<string>((resolve) => setTimeout(() => resolve("done"), 20)),
  );
  strictEqual(value, "done");
});
