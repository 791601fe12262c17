// Ported from CPython's Lib/test/test_asyncio/test_locks.py (EventTests),
// plus `{ timeout, signal }`. `await tick()` plays `await asyncio.sleep(0)`.
import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { Event } from "./event.ts";

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("async Event: isSet follows set() and clear()", () => {
  // test_clear.
  const event = new Event();
  strictEqual(event.isSet, false);
  event.set();
  strictEqual(event.isSet, true);
  event.set();
  strictEqual(event.isSet, true);
  event.clear();
  strictEqual(event.isSet, false);
});

Deno.test("async Event: set() wakes every waiter, in the order they began to wait", async () => {
  // test_wait.
  const event = new Event();
  const result: number[] = [];
  const task = async (n: number) => {
    if (await event.wait()) result.push(n);
  };
  const t1 = task(1);
  const t2 = task(2);
  await tick();
  deepStrictEqual(result, []);
  const t3 = task(3);
  event.set();
  await Promise.all([t1, t2, t3]);
  deepStrictEqual(result, [1, 2, 3]);
});

Deno.test("async Event: waiting on a set event returns true at once", async () => {
  // test_wait_on_set.
  const event = new Event();
  event.set();
  strictEqual(await event.wait(), true);
  strictEqual(await event.wait({ timeout: 0 }), true);
});

Deno.test("async Event: an aborted wait rejects with the reason, and set() still wakes the others", async () => {
  // test_wait_cancel.
  const event = new Event();
  const controller = new AbortController();
  const aborted = event.wait({ signal: controller.signal });
  const other = event.wait({ timeout: 10_000 });
  await tick();
  controller.abort(new Error("gone"));
  await rejects(aborted, { message: "gone" });
  event.set();
  strictEqual(await other, true);
});

Deno.test("async Event: set() then clear() still wakes the tasks that were waiting", async () => {
  // test_clear_with_waiters.
  const event = new Event();
  const result: number[] = [];
  const t = (async () => {
    if (await event.wait()) result.push(1);
    return true;
  })();
  await tick();
  deepStrictEqual(result, []);
  event.set();
  event.clear();
  strictEqual(event.isSet, false);
  event.set();
  event.set();
  await tick();
  deepStrictEqual(result, [1]);
  strictEqual(await t, true);
});

Deno.test("async Event: wait returns false when the timeout passes first", async () => {
  const event = new Event();
  strictEqual(await event.wait({ timeout: 0 }), false);
  strictEqual(await event.wait({ timeout: 5 }), false);
  const patient = event.wait({ timeout: 10_000 });
  event.set();
  strictEqual(await patient, true); // its timer is cleared
});

Deno.test("async Event: a pre-aborted signal or a bad option is refused", async () => {
  const event = new Event();
  event.set();
  const reason = new Error("before");
  await rejects(event.wait({ signal: AbortSignal.abort(reason) }), reason);
  await rejects(event.wait({ timeout: -5 }), {
    name: "RangeError",
    message:
      "Cannot wait for Event: 'timeout' must be a non-negative number of milliseconds, received -5",
  });
  // @ts-expect-error: not a signal
  await rejects(event.wait({ signal: "stop" }), TypeError);
});
