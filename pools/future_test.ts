// Ported from CPython's Lib/test/test_concurrent_futures (test_future.py,
// test_as_completed.py, test_wait.py), with futures driven by hand through
// createFuture instead of an executor, plus what this module adds: the
// promise face (`await future`), abort signals, and validation.
//
// Two differences from Python, on purpose: a cancelled future counts as done
// for `wait` and `asCompleted` at once (Python waits for the executor to
// notice the cancellation), and `asCompleted` yields a future that completed
// before the consumer asked even when the deadline has passed since.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  ALL_COMPLETED,
  asCompleted,
  createFuture,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  type FutureController,
  wait,
} from "./future.ts";
import { CancelledError, InvalidStateError } from "./errors.ts";
import { isCollected, nextWeakly } from "../testing/gc.ts";

// ---------------------------------------------------------------- helpers

function pending<T = number>(): FutureController<T> {
  return createFuture<T>();
}

function running<T = number>(): FutureController<T> {
  const control = createFuture<T>();
  control.setRunning();
  return control;
}

function cancelled<T = number>(): Future<T> {
  const { future } = createFuture<T>();
  future.cancel();
  return future;
}

function failed<T = number>(error: unknown = new Error("boom")): Future<T> {
  const control = running<T>();
  control.reject(error);
  return control.future;
}

function succeeded<T>(value: T): Future<T> {
  const control = running<T>();
  control.resolve(value);
  return control.future;
}

/** A macrotask: every microtask queued so far has run. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Whether `promise` has settled, after the microtasks queued so far. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await tick();
  return settled;
}

/** Runs `fn` with `console.error` captured; returns what it was given. */
function capturingConsoleError(fn: () => void): unknown[][] {
  const calls: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => calls.push(args);
  try {
    fn();
  } finally {
    console.error = original;
  }
  return calls;
}

function isTimeoutError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

/**
 * Collects what `asCompleted` yields until it ends or throws. It calls
 * `next()` itself: TypeScript types the variable of `for await` as `T`, since
 * it assumes an async iterator never yields a thenable.
 */
async function collect<T>(
  iterator: AsyncIterator<Future<T>>,
): Promise<{ yielded: Future<T>[]; error?: unknown }> {
  const yielded: Future<T>[] = [];
  try {
    for (let step = await iterator.next(); !step.done;) {
      yielded.push(step.value);
      step = await iterator.next();
    }
  } catch (error) {
    return { yielded, error };
  }
  return { yielded };
}

/** What `for await` really gives: the future (see `collect`). */
function asFuture<T>(value: T): Future<T> {
  return value as unknown as Future<T>;
}

// ------------------------------------------------------------ the states

Deno.test("Future: done, running and cancelled follow each state", () => {
  const cases: [string, Future<number>, [boolean, boolean, boolean]][] = [
    ["pending", pending().future, [false, false, false]],
    ["running", running().future, [false, true, false]],
    ["cancelled", cancelled(), [true, false, true]],
    ["failed", failed(), [true, false, false]],
    ["succeeded", succeeded(42), [true, false, false]],
  ];
  for (const [state, future, expected] of cases) {
    deepStrictEqual(
      [future.done, future.running, future.cancelled],
      expected,
      state,
    );
  }
});

Deno.test("Future: cancel() succeeds only while pending, and again once cancelled", () => {
  const f1 = pending().future;
  const f2 = running().future;
  const f3 = cancelled();
  const f4 = failed();
  const f5 = succeeded(5);

  strictEqual(f1.cancel(), true);
  strictEqual(f1.cancelled, true);
  strictEqual(f2.cancel(), false);
  strictEqual(f2.running, true);
  strictEqual(f3.cancel(), true);
  strictEqual(f3.cancelled, true);
  strictEqual(f4.cancel(), false);
  strictEqual(f4.cancelled, false);
  strictEqual(f5.cancel(), false);
  strictEqual(f5.cancelled, false);
});

Deno.test("Future: a successful cancel() calls onCancel once, before the done callbacks", () => {
  const events: string[] = [];
  const { future } = createFuture(() => events.push("onCancel"));
  future.addDoneCallback(() => events.push("callback"));
  strictEqual(future.cancel(), true);
  strictEqual(future.cancel(), true);
  deepStrictEqual(events, ["onCancel", "callback"]);
});

Deno.test("Future: onCancel is not called when cancel() fails", () => {
  let calls = 0;
  const control = createFuture(() => calls++);
  control.setRunning();
  strictEqual(control.future.cancel(), false);
  control.resolve(1);
  strictEqual(control.future.cancel(), false);
  strictEqual(calls, 0);
});

Deno.test("Future: an onCancel that throws is reported and the cancel still succeeds", () => {
  const error = new Error("onCancel failed");
  let called = false;
  const { future } = createFuture(() => {
    throw error;
  });
  future.addDoneCallback(() => called = true);
  const calls = capturingConsoleError(() => strictEqual(future.cancel(), true));
  strictEqual(calls.length, 1);
  ok(calls[0]!.includes(error));
  strictEqual(future.cancelled, true);
  strictEqual(called, true);
});

Deno.test("createFuture: setRunning() starts a pending future, and refuses a cancelled one", () => {
  const control = createFuture<number>();
  strictEqual(control.setRunning(), true);
  strictEqual(control.future.running, true);

  const dropped = createFuture<number>();
  dropped.future.cancel();
  strictEqual(dropped.setRunning(), false);
  strictEqual(dropped.future.running, false);
  strictEqual(dropped.future.cancelled, true);
});

Deno.test("createFuture: setRunning() on a running or finished future throws InvalidStateError", () => {
  const control = running();
  throws(() => control.setRunning(), InvalidStateError);
  control.resolve(1);
  throws(() => control.setRunning(), InvalidStateError);
  strictEqual(control.future.running, false);
});

Deno.test("createFuture: a pending future can be settled without running first", async () => {
  const control = pending();
  control.resolve(3);
  strictEqual(control.future.done, true);
  strictEqual(await control.future, 3);
});

Deno.test("createFuture: resolving twice throws InvalidStateError and keeps the first result", async () => {
  const control = pending();
  control.resolve(1);
  throws(() => control.resolve(2), InvalidStateError);
  throws(() => control.reject(new Error("late")), InvalidStateError);
  strictEqual(control.future.done, true);
  strictEqual(await control.future.result(), 1);
});

Deno.test("createFuture: rejecting twice throws InvalidStateError and keeps the first error", async () => {
  const control = pending();
  const error = new RangeError("first");
  control.reject(error);
  throws(() => control.reject(new Error("second")), InvalidStateError);
  throws(() => control.resolve(1), InvalidStateError);
  strictEqual(await control.future.exception(), error);
});

Deno.test("createFuture: settling a cancelled future is ignored", async () => {
  const control = pending();
  control.future.cancel();
  control.resolve(1);
  control.reject(new Error("late"));
  strictEqual(control.future.cancelled, true);
  await rejects(control.future.result(), CancelledError);
});

Deno.test("createFuture: an onCancel that is not a function is a TypeError", () => {
  throws(
    () => createFuture("drop" as unknown as () => void),
    { name: "TypeError", message: /'onCancel'.*"drop"/ },
  );
});

// -------------------------------------------------------- done callbacks

Deno.test("Future.addDoneCallback: called with the future once it has a result", async () => {
  const control = pending();
  const seen: Future<number>[] = [];
  control.future.addDoneCallback((future) => seen.push(future));
  strictEqual(seen.length, 0);
  control.resolve(5);
  deepStrictEqual(seen, [control.future]);
  strictEqual(await seen[0]!.result(), 5);
});

Deno.test("Future.addDoneCallback: called once the future fails", async () => {
  const control = pending();
  let result: Promise<unknown> | undefined;
  control.future.addDoneCallback((future) => result = future.exception());
  control.reject(new Error("test"));
  strictEqual(((await result) as Error).message, "test");
});

Deno.test("Future.addDoneCallback: called on cancel, seeing the future cancelled", () => {
  const { future } = pending();
  let wasCancelled: boolean | undefined;
  future.addDoneCallback((f) => wasCancelled = f.cancelled);
  strictEqual(future.cancel(), true);
  strictEqual(wasCancelled, true);
});

Deno.test("Future.addDoneCallback: a callback that throws is reported and the others still run", () => {
  const control = pending();
  let raisingWasCalled = false;
  let fnWasCalled = false;
  const error = new Error("doh!");
  control.future.addDoneCallback(() => {
    raisingWasCalled = true;
    throw error;
  });
  control.future.addDoneCallback(() => fnWasCalled = true);
  const calls = capturingConsoleError(() => control.resolve(5));
  strictEqual(raisingWasCalled, true);
  strictEqual(fnWasCalled, true);
  strictEqual(calls.length, 1);
  ok(calls[0]!.includes(error));
});

Deno.test("Future.addDoneCallback: called at once on a future already done", async () => {
  const results: unknown[] = [];
  succeeded(5).addDoneCallback((f) => results.push(f.done));
  const failure = new Error("test");
  let exception: Promise<unknown> | undefined;
  failed(failure).addDoneCallback((f) => exception = f.exception());
  let wasCancelled = false;
  cancelled().addDoneCallback((f) => wasCancelled = f.cancelled);
  deepStrictEqual(results, [true]);
  strictEqual(await exception, failure);
  strictEqual(wasCancelled, true);
});

Deno.test("Future.addDoneCallback: a callback that throws on a done future is reported", () => {
  const error = new Error("doh!");
  const calls = capturingConsoleError(() =>
    succeeded(5).addDoneCallback(() => {
      throw error;
    })
  );
  strictEqual(calls.length, 1);
  ok(calls[0]!.includes(error));
});

Deno.test("Future.addDoneCallback: callbacks run once each, in the order added", () => {
  const control = pending();
  const order: number[] = [];
  for (let i = 0; i < 5; i++) {
    control.future.addDoneCallback(() => order.push(i));
  }
  control.setRunning();
  deepStrictEqual(order, []);
  control.resolve(1);
  control.future.cancel();
  deepStrictEqual(order, [0, 1, 2, 3, 4]);
});

Deno.test("Future.addDoneCallback: a callback added by a callback runs at once", () => {
  const control = pending();
  const order: string[] = [];
  control.future.addDoneCallback((future) => {
    order.push("outer");
    future.addDoneCallback(() => order.push("inner"));
    order.push("outer end");
  });
  control.resolve(1);
  deepStrictEqual(order, ["outer", "inner", "outer end"]);
});

Deno.test("Future.addDoneCallback: a callback that is not a function is a TypeError", () => {
  throws(
    () => pending().future.addDoneCallback(42 as unknown as () => void),
    { name: "TypeError", message: /'fn'.*42/ },
  );
});

// ---------------------------------------------------- result / exception

Deno.test("Future.result: with a zero timeout, answers for each state at once", async () => {
  const error = new SyntaxError("bad");
  await rejects(pending().future.result({ timeout: 0 }), isTimeoutError);
  await rejects(running().future.result({ timeout: 0 }), isTimeoutError);
  await rejects(cancelled().result({ timeout: 0 }), CancelledError);
  await rejects(failed(error).result({ timeout: 0 }), (e) => e === error);
  strictEqual(await succeeded(42).result({ timeout: 0 }), 42);
});

Deno.test("Future.exception: with a zero timeout, answers for each state at once", async () => {
  const error = new SyntaxError("bad");
  await rejects(pending().future.exception({ timeout: 0 }), isTimeoutError);
  await rejects(running().future.exception({ timeout: 0 }), isTimeoutError);
  await rejects(cancelled().exception({ timeout: 0 }), CancelledError);
  strictEqual(await failed(error).exception({ timeout: 0 }), error);
  strictEqual(await succeeded(42).exception({ timeout: 0 }), undefined);
});

Deno.test("Future.result: waits for a result that comes later", async () => {
  const control = running();
  const result = control.future.result({ timeout: 10_000 });
  strictEqual(await isSettled(result), false);
  control.resolve(42);
  strictEqual(await result, 42);
});

Deno.test("Future.result: without options, waits for a result that comes later", async () => {
  const control = pending();
  const result = control.future.result();
  setTimeout(() => control.resolve(42), 1);
  strictEqual(await result, 42);
});

Deno.test("Future.result: rejects with CancelledError when cancelled while waiting", async () => {
  const { future } = pending();
  const result = future.result({ timeout: 10_000 });
  setTimeout(() => future.cancel(), 1);
  await rejects(result, CancelledError);
});

Deno.test("Future.result: rejects with the task's error when it fails while waiting", async () => {
  const control = running();
  const error = new TypeError("task failed");
  const result = control.future.result({ timeout: 10_000 });
  control.reject(error);
  await rejects(result, (e) => e === error);
});

Deno.test("Future.exception: waits for an error that comes later", async () => {
  const control = running();
  const error = new Error("later");
  const exception = control.future.exception({ timeout: 10_000 });
  strictEqual(await isSettled(exception), false);
  control.reject(error);
  strictEqual(await exception, error);
});

Deno.test("Future.result: times out on a future that stays pending, leaving no timer", async () => {
  const { future } = running();
  await rejects(future.result({ timeout: 10 }), (error) => {
    ok(isTimeoutError(error));
    ok((error as Error).message.includes("10 ms"));
    return true;
  });
  strictEqual(future.running, true);
  await rejects(future.exception({ timeout: 1 }), isTimeoutError);
});

Deno.test("Future.result: a timeout beyond setTimeout's range does not fire early", async () => {
  const control = running();
  const result = control.future.result({ timeout: 2 ** 40 });
  strictEqual(await isSettled(result), false);
  control.resolve(1);
  strictEqual(await result, 1);
});

Deno.test("Future.result: an abort rejects the wait with the signal's reason", async () => {
  const control = running();
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  const result = control.future.result({
    signal: controller.signal,
    timeout: 10_000,
  });
  const exception = control.future.exception({ signal: controller.signal });
  controller.abort(reason);
  await rejects(result, (e) => e === reason);
  await rejects(exception, (e) => e === reason);
  // The task goes on: the future still finishes.
  control.resolve(7);
  strictEqual(await control.future.result(), 7);
});

Deno.test("Future.result: an already aborted signal rejects even on a done future", async () => {
  const signal = AbortSignal.abort(new Error("aborted"));
  await rejects(succeeded(1).result({ signal }), { message: "aborted" });
  await rejects(pending().future.exception({ signal }), { message: "aborted" });
});

Deno.test("Future.result: a result after an abort leaves the signal without listeners", async () => {
  const control = running();
  const controller = new AbortController();
  const result = control.future.result({ signal: controller.signal });
  control.resolve(1);
  strictEqual(await result, 1);
  controller.abort(); // nothing listens any more: no rejection to handle
  await tick();
});

Deno.test("Future.result: bad options are a TypeError or a RangeError, as a rejection", async () => {
  const { future } = pending();
  await rejects(future.result({ timeout: -1 }), {
    name: "RangeError",
    message: /'timeout'.*-1/,
  });
  await rejects(future.result({ timeout: NaN }), RangeError);
  await rejects(
    future.result({ timeout: "5" as unknown as number }),
    { name: "TypeError", message: /'timeout'.*"5"/ },
  );
  await rejects(
    future.exception({ signal: {} as AbortSignal }),
    { name: "TypeError", message: /'signal'/ },
  );
  await rejects(
    future.result(5 as unknown as { timeout: number }),
    { name: "TypeError", message: /'options'/ },
  );
});

// ---------------------------------------------------------- the promise

Deno.test("Future: await gives the result, the task's error, or a CancelledError", async () => {
  strictEqual(await succeeded("ok"), "ok");
  const error = new Error("task failed");
  await rejects(async () => await failed(error), (e) => e === error);
  await rejects(async () => await cancelled(), CancelledError);

  const later = pending<string>();
  setTimeout(() => later.resolve("later"), 1);
  strictEqual(await later.future, "later");
});

Deno.test("Future: then, catch and finally work like a promise's", async () => {
  strictEqual(await succeeded(20).then((n) => n + 1), 21);
  strictEqual(
    await failed(new Error("x")).then(() => "no", (e) => (e as Error).message),
    "x",
  );
  strictEqual(
    await failed(new Error("y")).catch((e) => (e as Error).message),
    "y",
  );
  strictEqual(await succeeded(1).catch(() => 2), 1);
  let ran = false;
  strictEqual(await succeeded(3).finally(() => ran = true), 3);
  strictEqual(ran, true);
  await rejects(failed(new Error("z")).finally(() => {}), { message: "z" });
  deepStrictEqual(
    await Promise.all([succeeded(1), succeeded(2), Promise.resolve(3)]),
    [1, 2, 3],
  );
});

Deno.test("Future: a failed or cancelled future that nobody awaits is no unhandled rejection", async () => {
  let unhandled = 0;
  const onUnhandled = (event: PromiseRejectionEvent) => {
    unhandled++;
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    failed(new Error("never observed"));
    cancelled();
    const later = running();
    later.reject(new Error("never observed either"));
    const cancelledLater = pending();
    cancelledLater.future.addDoneCallback(() => {});
    cancelledLater.future.cancel();
    // An observer that handles the error is enough, however many there are.
    const observed = running();
    const caught = observed.future.catch(() => "caught");
    observed.reject(new Error("observed"));
    strictEqual(await caught, "caught");
    await tick();
    await tick();
    strictEqual(unhandled, 0);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

Deno.test("Future: Deno.inspect shows the state, and the result or error", () => {
  strictEqual(Deno.inspect(pending().future), "Future { <pending> }");
  strictEqual(Deno.inspect(running().future), "Future { <running> }");
  strictEqual(Deno.inspect(cancelled()), "Future { <cancelled> }");
  strictEqual(Deno.inspect(succeeded("a")), 'Future { "a" }');
  ok(
    Deno.inspect(failed(new Error("boom"))).startsWith(
      "Future { <rejected> Error: boom",
    ),
  );
});

// ----------------------------------------------------------- asCompleted

Deno.test("asCompleted: yields every future once, done or completing later", async () => {
  const c = cancelled();
  const e = failed();
  const s = succeeded(42);
  const f1 = running();
  const f2 = running();
  setTimeout(() => f1.resolve(2 * 21), 1);
  setTimeout(() => f2.resolve(7 * 6), 2);
  const { yielded, error } = await collect(
    asCompleted([c, e, s, f1.future, f2.future]),
  );
  strictEqual(error, undefined);
  strictEqual(yielded.length, 5);
  deepStrictEqual(new Set(yielded), new Set([c, e, s, f1.future, f2.future]));
});

Deno.test("asCompleted: yields the done futures first, then in completion order", async () => {
  const a = running();
  const b = running();
  const c = pending();
  const done1 = succeeded(1);
  const done2 = cancelled();
  const iterator = asCompleted([a.future, done1, b.future, c.future, done2]);
  strictEqual((await iterator.next()).value, done1);
  strictEqual((await iterator.next()).value, done2);
  const third = iterator.next();
  strictEqual(await isSettled(third), false);
  b.resolve(2);
  strictEqual((await third).value, b.future);
  c.future.cancel();
  a.reject(new Error("a failed"));
  strictEqual((await iterator.next()).value, c.future);
  strictEqual((await iterator.next()).value, a.future);
  deepStrictEqual(await iterator.next(), { done: true, value: undefined });
  deepStrictEqual(await iterator.next(), { done: true, value: undefined });
});

Deno.test("asCompleted: futures that complete while the consumer is busy are kept, in order", async () => {
  const controls = [running(), running(), running()];
  const order: Future<number>[] = [];
  controls[1]!.resolve(1);
  for await (const future of asCompleted(controls.map((c) => c.future))) {
    order.push(asFuture(future));
    if (order.length === 1) {
      // Both complete before the loop asks for the next one.
      controls[2]!.resolve(2);
      controls[0]!.resolve(0);
    }
  }
  deepStrictEqual(order, [
    controls[1]!.future,
    controls[2]!.future,
    controls[0]!.future,
  ]);
});

Deno.test("asCompleted: times out after yielding the done futures", async () => {
  const alreadyCompleted = [cancelled(), failed(), succeeded(42)];
  for (const timeout of [0, 10]) {
    const future = running();
    const { yielded, error } = await collect(
      asCompleted([...alreadyCompleted, future.future], { timeout }),
    );
    ok(isTimeoutError(error), `timeout ${timeout}`);
    deepStrictEqual(new Set(yielded), new Set(alreadyCompleted));
    strictEqual(future.future.done, false);
  }
});

Deno.test("asCompleted: the timeout error says how many futures are unfinished", async () => {
  const futures = [
    cancelled(),
    pending().future,
    running().future,
    succeeded(1),
  ];
  const { error } = await collect(asCompleted(futures, { timeout: 0 }));
  ok(isTimeoutError(error));
  ok(
    (error as Error).message.includes("2 (of 4) futures unfinished"),
    (error as Error).message,
  );
});

Deno.test("asCompleted: a future that completes before the timeout is yielded", async () => {
  const control = running();
  setTimeout(() => control.resolve(1), 1);
  const { yielded, error } = await collect(
    asCompleted([control.future], { timeout: 10_000 }),
  );
  strictEqual(error, undefined);
  deepStrictEqual(yielded, [control.future]);
});

Deno.test("asCompleted: duplicate futures are yielded once", async () => {
  const control = running();
  setTimeout(() => control.resolve(1), 1);
  const repeated = Array.from({ length: 3 }, () => control.future);
  const { yielded } = await collect(asCompleted(repeated));
  deepStrictEqual(yielded, [control.future]);
  const done = succeeded(2);
  deepStrictEqual((await collect(asCompleted([done, done, done]))).yielded, [
    done,
  ]);
});

Deno.test("asCompleted: takes any iterable, and an empty one ends at once", async () => {
  const a = succeeded(1);
  const b = succeeded(2);
  const { yielded } = await collect(asCompleted(new Set([a, b]).values()));
  deepStrictEqual(yielded, [a, b]);
  deepStrictEqual((await collect(asCompleted([]))).yielded, []);
});

Deno.test("asCompleted: breaking out of the loop leaves no timer behind", async () => {
  const slow = running();
  const seen: Future<number>[] = [];
  for await (
    const future of asCompleted([succeeded(1), slow.future], {
      timeout: 60_000,
    })
  ) {
    seen.push(asFuture(future));
    break;
  }
  strictEqual(seen.length, 1);
  slow.resolve(2); // nothing watches it any more
});

Deno.test("asCompleted: return() ends a pending next() and the iteration", async () => {
  const slow = running();
  const iterator = asCompleted([slow.future], { timeout: 60_000 });
  const next = iterator.next();
  strictEqual(await isSettled(next), false);
  deepStrictEqual(await iterator.return!(), { done: true, value: undefined });
  deepStrictEqual(await next, { done: true, value: undefined });
  deepStrictEqual(await iterator.next(), { done: true, value: undefined });
  slow.resolve(1);
});

Deno.test("asCompleted: an iterator never used watches nothing and keeps no timer", () => {
  const control = running();
  asCompleted([control.future], { timeout: 60_000 });
  control.resolve(1);
});

Deno.test("asCompleted: calls of next() take turns", async () => {
  const a = running();
  const b = running();
  const iterator = asCompleted([a.future, b.future]);
  const first = iterator.next();
  const second = iterator.next();
  const third = iterator.next();
  await tick(); // the first call now watches both futures
  b.resolve(2);
  a.resolve(1);
  strictEqual((await first).value, b.future);
  strictEqual((await second).value, a.future);
  strictEqual((await third).done, true);
});

Deno.test("asCompleted: an abort rejects the iteration with the signal's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("enough");
  const slow = running();
  const done = succeeded(1);
  const iterator = asCompleted([done, slow.future], {
    signal: controller.signal,
  });
  strictEqual((await iterator.next()).value, done);
  const next = iterator.next();
  controller.abort(reason);
  await rejects(next, (e) => e === reason);
  deepStrictEqual(await iterator.next(), { done: true, value: undefined });
  slow.resolve(2);
});

Deno.test("asCompleted: bad arguments throw at the call", () => {
  throws(
    () => asCompleted(42 as unknown as Future<number>[]),
    { name: "TypeError", message: /'futures'.*42/ },
  );
  throws(
    () => asCompleted(null as unknown as Future<number>[]),
    { name: "TypeError", message: /'futures'.*null/ },
  );
  throws(
    () => asCompleted([succeeded(1), "x" as unknown as Future<number>]),
    { name: "TypeError", message: /'futures'.*"x"/ },
  );
  throws(() => asCompleted([], { timeout: -5 }), {
    name: "RangeError",
    message: /'timeout'.*-5/,
  });
  throws(() => asCompleted([], { signal: "s" as unknown as AbortSignal }), {
    name: "TypeError",
  });
});

// ------------------------------------------------------------------ wait

Deno.test("wait: duplicate futures count once", async () => {
  const future = succeeded(2);
  const { done, notDone } = await wait([future, future], {
    returnWhen: ALL_COMPLETED,
  });
  deepStrictEqual(done, new Set([future]));
  deepStrictEqual(notDone, new Set());
});

Deno.test("wait: FIRST_COMPLETED returns at the first completion", async () => {
  const f1 = running();
  const f2 = running();
  const result = wait([f1.future, f2.future], { returnWhen: FIRST_COMPLETED });
  strictEqual(await isSettled(result), false);
  f1.resolve(42);
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([f1.future]));
  deepStrictEqual(notDone, new Set([f2.future]));
});

Deno.test("wait: FIRST_COMPLETED with some already completed returns at once", async () => {
  const c = cancelled();
  const s = succeeded(42);
  const f1 = running();
  const { done, notDone } = await wait([c, s, f1.future], {
    returnWhen: FIRST_COMPLETED,
  });
  deepStrictEqual(done, new Set([c, s]));
  deepStrictEqual(notDone, new Set([f1.future]));
});

Deno.test("wait: FIRST_COMPLETED counts a cancellation as a completion", async () => {
  const f1 = pending();
  const f2 = running();
  const result = wait([f1.future, f2.future], { returnWhen: FIRST_COMPLETED });
  f1.future.cancel();
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([f1.future]));
  deepStrictEqual(notDone, new Set([f2.future]));
});

Deno.test("wait: FIRST_EXCEPTION returns at the first failure", async () => {
  const f1 = running();
  const f2 = running();
  const f3 = running();
  const result = wait([f1.future, f2.future, f3.future], {
    returnWhen: FIRST_EXCEPTION,
  });
  f1.resolve(42);
  strictEqual(await isSettled(result), false);
  f2.reject(new Error("this is an exception"));
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([f1.future, f2.future]));
  deepStrictEqual(notDone, new Set([f3.future]));
});

Deno.test("wait: FIRST_EXCEPTION with some already complete waits for a failure", async () => {
  const s = succeeded(42);
  const c = cancelled();
  const f1 = running();
  const f2 = running();
  const result = wait([s, c, f1.future, f2.future], {
    returnWhen: FIRST_EXCEPTION,
  });
  strictEqual(await isSettled(result), false);
  f1.reject(new RangeError("divmod by zero"));
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([s, c, f1.future]));
  deepStrictEqual(notDone, new Set([f2.future]));
});

Deno.test("wait: FIRST_EXCEPTION with one already failed returns at once", async () => {
  const e = failed();
  const f1 = running();
  const { done, notDone } = await wait([e, f1.future], {
    returnWhen: FIRST_EXCEPTION,
  });
  deepStrictEqual(done, new Set([e]));
  deepStrictEqual(notDone, new Set([f1.future]));
});

Deno.test("wait: FIRST_EXCEPTION does not count a cancellation as a failure, and returns when all are done", async () => {
  const f1 = pending();
  const f2 = running();
  const result = wait([f1.future, f2.future], { returnWhen: FIRST_EXCEPTION });
  f1.future.cancel();
  strictEqual(await isSettled(result), false);
  f2.resolve(1);
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([f1.future, f2.future]));
  deepStrictEqual(notDone, new Set());
});

Deno.test("wait: ALL_COMPLETED (the default) waits for every future", async () => {
  const s = succeeded(42);
  const c = cancelled();
  const e = failed();
  const f1 = running();
  const f2 = running();
  const result = wait([s, c, e, f1.future, f2.future]);
  f1.reject(new RangeError("divmod by zero"));
  strictEqual(await isSettled(result), false);
  setTimeout(() => f2.resolve(2 * 21), 1);
  const { done, notDone } = await result;
  deepStrictEqual(done, new Set([s, c, e, f1.future, f2.future]));
  deepStrictEqual(notDone, new Set());
});

Deno.test("wait: a timeout returns what is done by then, without throwing", async () => {
  const c = cancelled();
  const e = failed();
  const s = succeeded(42);
  const future = running();
  for (const returnWhen of [ALL_COMPLETED, FIRST_EXCEPTION] as const) {
    const { done, notDone } = await wait(
      [c, e, s, future.future].slice(
        returnWhen === FIRST_EXCEPTION ? 2 : 0,
      ),
      { timeout: 10, returnWhen },
    );
    deepStrictEqual(
      done,
      new Set(returnWhen === FIRST_EXCEPTION ? [s] : [c, e, s]),
    );
    deepStrictEqual(notDone, new Set([future.future]));
  }
  const { done, notDone } = await wait([future.future], {
    timeout: 5,
    returnWhen: FIRST_COMPLETED,
  });
  deepStrictEqual(done, new Set());
  deepStrictEqual(notDone, new Set([future.future]));
});

Deno.test("wait: a zero timeout answers at once", async () => {
  const s = succeeded(1);
  const p = pending();
  const { done, notDone } = await wait([s, p.future], { timeout: 0 });
  deepStrictEqual(done, new Set([s]));
  deepStrictEqual(notDone, new Set([p.future]));
});

Deno.test("wait: a future completing before the timeout ends the wait", async () => {
  const control = running();
  setTimeout(() => control.resolve(1), 1);
  const { done } = await wait([control.future], { timeout: 60_000 });
  deepStrictEqual(done, new Set([control.future]));
});

Deno.test("wait: an empty set of futures returns at once, for every returnWhen", async () => {
  for (
    const returnWhen of [
      FIRST_COMPLETED,
      FIRST_EXCEPTION,
      ALL_COMPLETED,
    ] as const
  ) {
    deepStrictEqual(await wait([], { returnWhen }), {
      done: new Set(),
      notDone: new Set(),
    });
  }
});

Deno.test("wait: many futures completing in a burst all count", async () => {
  const controls = Array.from({ length: 100 }, () => running());
  const result = wait(controls.map((c) => c.future), {
    returnWhen: ALL_COMPLETED,
  });
  for (const [i, control] of controls.entries()) control.resolve(i);
  const { done, notDone } = await result;
  strictEqual(done.size, 100);
  strictEqual(notDone.size, 0);
});

Deno.test("wait: an abort rejects with the signal's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("enough");
  const slow = running();
  const result = wait([slow.future], {
    signal: controller.signal,
    timeout: 60_000,
  });
  controller.abort(reason);
  await rejects(result, (e) => e === reason);
  await rejects(
    wait([succeeded(1)], { signal: controller.signal }),
    (e) => e === reason,
  );
  slow.resolve(1);
});

Deno.test("wait: bad arguments are a TypeError or a RangeError, as a rejection", async () => {
  const futures = [succeeded(1)];
  await rejects(
    wait(futures, { returnWhen: "FIRST" as typeof ALL_COMPLETED }),
    { name: "RangeError", message: /'returnWhen'.*"FIRST"/ },
  );
  await rejects(
    wait(futures, { returnWhen: 1 as unknown as typeof ALL_COMPLETED }),
    { name: "TypeError", message: /'returnWhen'.*1/ },
  );
  await rejects(wait(futures, { timeout: -1 }), {
    name: "RangeError",
    message: /'timeout'/,
  });
  await rejects(
    wait(undefined as unknown as Future<number>[]),
    { name: "TypeError", message: /'futures'.*undefined/ },
  );
  await rejects(
    wait([{ then() {} }] as unknown as Future<number>[]),
    { name: "TypeError", message: /'futures'/ },
  );
});

Deno.test("Future: result() with a timeout of 2^31 ms or more waits", async () => {
  const control = createFuture<number>();
  setTimeout(() => control.resolve(7), 20);
  strictEqual(await control.future.result({ timeout: 2 ** 31 + 1_000 }), 7);
});

Deno.test("asCompleted: keeps no reference to a future it has yielded (Python's test_free_reference_yielded_future)", async () => {
  let controls = Array.from({ length: 10 }, () => createFuture<string>());
  controls[8]!.future.cancel();
  controls[9]!.resolve("42");
  const forget = (future: Future<string>) => {
    controls = controls.filter((control) => control.future !== future);
  };
  const early = asCompleted(controls.map((c) => c.future), { timeout: 0 });
  for (let i = 0; i < 2; i++) {
    ok(await isCollected((await nextWeakly(early, forget))!));
  }
  await rejects(early.next(), { name: "TimeoutError" });
  controls[0]!.resolve("test");
  const rest = asCompleted(controls.map((c) => c.future));
  for (;;) {
    const ref = await nextWeakly(rest, forget);
    if (ref === undefined) break;
    ok(await isCollected(ref));
    controls[0]?.resolve("test");
  }
  strictEqual(controls.length, 0);
});
