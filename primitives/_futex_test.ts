import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { runAsync, runSync, type Steps, wake } from "./_futex.ts";
import { delay, int32s, startWorkers } from "../testing/workers.ts";

/** Waits once on view[0] while it is 0; returns what the wait said. */
function* waitOnce(view: Int32Array, deadline: number): Steps<boolean> {
  return yield { view, index: 0, expected: 0, deadline };
}

Deno.test("futex: a wait on a value that already changed returns at once", async () => {
  const view = int32s(2);
  Atomics.store(view, 0, 1);
  strictEqual(runSync(waitOnce(view, Infinity)), true);
  strictEqual(await runAsync(waitOnce(view, Infinity)), true);
});

Deno.test("futex: a wait past its deadline reports false in both faces", async () => {
  const view = int32s(2);
  strictEqual(runSync(waitOnce(view, performance.now() + 5)), false);
  strictEqual(await runAsync(waitOnce(view, performance.now() + 5)), false);
  strictEqual(runSync(waitOnce(view, performance.now() - 1)), false);
});

Deno.test("futex: the async face is woken by another thread's notify", async () => {
  const view = int32s(2);
  await using workers = startWorkers(1);
  const waiting = runAsync(waitOnce(view, Infinity));
  await workers[0]!.run((_p, view: Int32Array) => {
    Atomics.wait(view, 1, 0, 20);
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
  }, view);
  strictEqual(await waiting, true);
});

Deno.test("futex: an abort is thrown into the algorithm, which may clean up", async () => {
  const view = int32s(2);
  const log: string[] = [];
  function* steps(): Steps<string> {
    try {
      yield { view, index: 0, expected: 0, deadline: Infinity };
      return "woke";
    } catch (reason) {
      log.push(`caught ${reason}`);
      // Still able to wait after the abort (a Condition re-acquires).
      const woke = yield {
        view,
        index: 0,
        expected: 0,
        deadline: performance.now() + 1,
      };
      log.push(`waited again: ${woke}`);
      throw reason;
    }
  }
  const controller = new AbortController();
  const running = runAsync(steps(), controller.signal);
  controller.abort("stop");
  await rejects(running, (reason) => reason === "stop");
  deepStrictEqual(log, ["caught stop", "waited again: false"]);

  log.length = 0;
  throws(
    () => runSync(steps(), AbortSignal.abort("early")),
    (reason) => reason === "early",
  );
  deepStrictEqual(log, ["caught early", "waited again: false"]);
});

Deno.test("futex: an aborted async waiter does not swallow a later wake-up", async () => {
  const view = int32s(2);
  const controller = new AbortController();
  const aborted = runAsync(waitOnce(view, Infinity), controller.signal);
  controller.abort(new Error("gone"));
  await rejects(aborted, { message: "gone" });
  // A live waiter that arrives next must get the single wake-up.
  const live = runAsync(waitOnce(view, performance.now() + 5_000));
  await delay(5);
  Atomics.store(view, 0, 1);
  wake(view, 0, 1);
  strictEqual(await live, true);
});

Deno.test("futex: no timer is left once async waits settle", async () => {
  // Deno's op sanitizer fails this test if the keep-alive timer leaks.
  const view = int32s(2);
  const waits = [1, 2, 3].map(() =>
    runAsync(waitOnce(view, performance.now() + 10))
  );
  deepStrictEqual(await Promise.all(waits), [false, false, false]);
});
