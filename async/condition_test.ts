// Ported from CPython's Lib/test/test_asyncio/test_locks.py
// (ConditionTests), plus `{ timeout, signal }`, `hold()`, and the rules of
// the issue: an aborted wait re-acquires the lock before it throws, and a
// waiter notified then aborted passes the notify on. `await tick()` plays
// `await asyncio.sleep(0)`.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { Lock as SharedLock } from "../primitives/lock.ts";
import { NotHeldError } from "../primitives/errors.ts";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A task that waits on `condition` and records `n` once woken. */
async function waiter(condition: Condition, n: number, result: number[]) {
  await condition.acquire();
  if (await condition.wait()) result.push(n);
  condition.release();
  return true;
}

Deno.test("async Condition: a woken waiter returns only once it holds the lock again", async () => {
  // test_wait: the waiters keep the lock after they return.
  const condition = new Condition();
  const result: number[] = [];
  const task = async (n: number) => {
    await condition.acquire();
    if (await condition.wait()) result.push(n);
    return true;
  };
  const tasks = [task(1), task(2), task(3)];
  await tick();
  deepStrictEqual(result, []);
  strictEqual(condition.locked, false);

  strictEqual(await condition.acquire(), true);
  condition.notify();
  await tick();
  deepStrictEqual(result, []);
  strictEqual(condition.locked, true);

  condition.release();
  await tick();
  deepStrictEqual(result, [1]);
  strictEqual(condition.locked, true);

  condition.notify(2); // the lock is held, by task 1: enough, as in asyncio
  await tick();
  deepStrictEqual(result, [1]);

  condition.release();
  await tick();
  deepStrictEqual(result, [1, 2]);
  strictEqual(condition.locked, true);

  condition.release();
  await tick();
  deepStrictEqual(result, [1, 2, 3]);
  strictEqual(condition.locked, true);
  deepStrictEqual(await Promise.all(tasks), [true, true, true]);
  condition.release();
});

Deno.test("async Condition: notify(n) wakes exactly n, the longest-waiting first", async () => {
  // test_notify.
  const condition = new Condition();
  const result: number[] = [];
  const tasks = [1, 2, 3].map((n) => waiter(condition, n, result));
  await tick();
  deepStrictEqual(result, []);
  await condition.acquire();
  condition.notify(1);
  condition.release();
  await tick();
  deepStrictEqual(result, [1]);
  await condition.acquire();
  condition.notify(1);
  condition.notify(2048);
  condition.release();
  await tick();
  deepStrictEqual(result, [1, 2, 3]);
  deepStrictEqual(await Promise.all(tasks), [true, true, true]);
});

Deno.test("async Condition: notifyAll wakes every waiter", async () => {
  // test_notify_all.
  const condition = new Condition();
  const result: number[] = [];
  const tasks = [1, 2].map((n) => waiter(condition, n, result));
  await tick();
  await condition.acquire();
  condition.notifyAll();
  condition.release();
  await Promise.all(tasks);
  deepStrictEqual(result, [1, 2]);
  strictEqual(condition.locked, false);
});

Deno.test("async Condition: wait, waitFor, notify and notifyAll without the lock throw NotHeldError", async () => {
  // test_wait_unacquired, test_wait_for_unacquired, test_notify_unacquired,
  // test_notify_all_unacquired.
  const condition = new Condition();
  await rejects(condition.wait(), {
    name: "NotHeldError",
    message: "Cannot wait on Condition: its lock is not held",
  });
  // A predicate that is already true needs no lock.
  deepStrictEqual(await condition.waitFor(() => [1, 2, 3]), [1, 2, 3]);
  await rejects(condition.waitFor(() => false), NotHeldError);
  throws(() => condition.notify(), {
    name: "NotHeldError",
    message: "Cannot notify Condition: its lock is not held",
  });
  throws(() => condition.notifyAll(), NotHeldError);
});

Deno.test("async Condition: waitFor rechecks its predicate after each notify", async () => {
  // test_wait_for.
  const condition = new Condition();
  let ready = false;
  const result: number[] = [];
  const t = (async () => {
    await condition.acquire();
    if (await condition.waitFor(() => ready)) {
      result.push(1);
      condition.release();
    }
    return true;
  })();
  await tick();
  deepStrictEqual(result, []);
  await condition.acquire();
  condition.notify();
  condition.release();
  await tick();
  deepStrictEqual(result, []);
  ready = true;
  await condition.acquire();
  condition.notify();
  condition.release();
  await tick();
  deepStrictEqual(result, [1]);
  strictEqual(await t, true);
});

Deno.test("async Condition: waitFor with a timeout returns the falsy last value, its deadline computed once", async () => {
  const condition = new Condition();
  await condition.acquire();
  strictEqual(await condition.waitFor(() => 0, { timeout: 5 }), 0);
  strictEqual(condition.locked, true);
  condition.release();
  // Notified again and again, it still gives up at its one deadline.
  let calls = 0;
  const waiting = (async () => {
    await using _ = await condition.hold();
    return await condition.waitFor(() => (calls++, ""), { timeout: 30 });
  })();
  const stop = setInterval(async () => {
    await using _ = await condition.hold();
    condition.notifyAll();
  }, 1);
  try {
    strictEqual(await waiting, "");
  } finally {
    clearInterval(stop);
  }
  ok(calls >= 2, `the predicate ran ${calls} times`);
  await condition.acquire(); // the last notifier has left
  condition.release();
});

Deno.test("async Condition: wait with a timeout returns false, holding the lock again", async () => {
  // test_timeout_in_block.
  const condition = new Condition();
  await using _ = await condition.hold();
  strictEqual(await condition.wait({ timeout: 0 }), false);
  strictEqual(await condition.wait({ timeout: 5 }), false);
  strictEqual(condition.locked, true);
});

Deno.test("async Condition: an aborted wait re-acquires the lock before it rejects", async () => {
  // test_wait_cancel, with the lock contended while the waiter waits.
  const condition = new Condition();
  await condition.acquire();
  const controller = new AbortController();
  let holdsOnReject = false;
  const waiting = condition.wait({ signal: controller.signal }).catch(
    (error) => {
      holdsOnReject = condition.locked;
      throw error;
    },
  );
  await tick();
  strictEqual(condition.locked, false); // released while waiting
  await condition.acquire(); // another task takes the lock...
  controller.abort(new Error("gone")); // ...and the waiter is aborted
  await tick();
  let settled = false;
  waiting.catch(() => settled = true);
  await tick();
  strictEqual(settled, false); // it waits for the lock first
  condition.release();
  await rejects(waiting, { message: "gone" });
  ok(holdsOnReject);
  strictEqual(condition.locked, true); // the aborted waiter holds it
  condition.release();
  // The aborted waiter left the line: a notify finds nobody.
  const result: number[] = [];
  const next = waiter(condition, 7, result);
  await tick();
  await condition.acquire();
  condition.notify(1);
  condition.release();
  await next;
  deepStrictEqual(result, [7]);
});

Deno.test("async Condition: a waiter notified and then aborted in the same tick passes the notify on", async () => {
  const condition = new Condition();
  const controller = new AbortController();
  const result: string[] = [];
  const first = (async () => {
    await using _ = await condition.hold();
    await condition.wait({ signal: controller.signal });
    result.push("first");
  })();
  const second = (async () => {
    await using _ = await condition.hold();
    if (await condition.wait()) result.push("second");
  })();
  await tick();
  await condition.acquire();
  condition.notify(1); // meant for `first`...
  controller.abort(new Error("first is aborted")); // ...aborted before it runs
  condition.release();
  await rejects(first, { message: "first is aborted" });
  await second; // woken by the notify that `first` passed on
  deepStrictEqual(result, ["second"]);
  strictEqual(condition.locked, false);
});

Deno.test("async Condition: notified, then aborted while it waits for the lock: it rejects holding the lock", async () => {
  // test_wait_cancel_after_notify, test_wait_cancel_contested.
  const condition = new Condition();
  const controller = new AbortController();
  let waited = false;
  const waiting = (async () => {
    await using _ = await condition.hold();
    waited = true;
    await condition.wait({ signal: controller.signal });
  })();
  await tick();
  await condition.acquire();
  condition.notify();
  await tick(); // the waiter now waits for the lock
  controller.abort(new Error("cancelled"));
  await tick();
  condition.release();
  await rejects(waiting, { message: "cancelled" });
  ok(waited);
  strictEqual(condition.locked, false); // `await using` released it
});

Deno.test("async Condition: an abort before the notify does not take the wake-up", async () => {
  const condition = new Condition();
  const controller = new AbortController();
  const result: number[] = [];
  const aborted = (async () => {
    await using _ = await condition.hold();
    await condition.wait({ signal: controller.signal });
  })();
  const other = waiter(condition, 2, result);
  await tick();
  controller.abort(new Error("early"));
  await rejects(aborted, { message: "early" });
  await condition.acquire();
  condition.notify(1);
  condition.release();
  await other;
  deepStrictEqual(result, [2]);
});

Deno.test("async Condition: a pre-aborted signal throws before waiting, the lock still held", async () => {
  const condition = new Condition();
  await condition.acquire();
  const reason = new Error("before");
  await rejects(condition.wait({ signal: AbortSignal.abort(reason) }), reason);
  strictEqual(condition.locked, true);
  await rejects(
    condition.waitFor(() => false, { signal: AbortSignal.abort(reason) }),
    reason,
  );
  strictEqual(condition.locked, true);
  condition.release();
});

Deno.test("async Condition: hold() with `await using`, and the lock methods pass through", async () => {
  // test_context_manager, test_explicit_lock.
  const condition = new Condition();
  {
    await using _ = await condition.hold();
    strictEqual(condition.locked, true);
  }
  strictEqual(condition.locked, false);
  for (const lock of [undefined, new Lock()]) {
    const c = new Condition(lock);
    if (lock) strictEqual(c.lock, lock);
    ok(c.lock instanceof Lock);
    {
      await using _ = await c.hold();
      strictEqual(c.lock.locked, true);
    }
    strictEqual(c.lock.locked, false);
    {
      await using _ = await c.lock.hold();
      strictEqual(c.locked, true);
    }
    strictEqual(c.locked, false);
    strictEqual(c.tryAcquire(), true);
    strictEqual(c.tryAcquire(), false);
    strictEqual(await c.acquire({ timeout: 1 }), false);
    c.release();
    strictEqual(c.locked, false);
  }
  await condition.acquire();
  await rejects(
    condition.hold({ timeout: 1 }),
    (error: DOMException) =>
      error.name === "TimeoutError" &&
      error.message === "Timed out after 1 ms waiting to acquire Condition",
  );
  condition.release();
});

Deno.test("async Condition: bad input is a TypeError or a RangeError", async () => {
  throws(() => new Condition(new SharedLock() as unknown as Lock), {
    name: "TypeError",
    message:
      "Cannot create Condition: 'lock' must be a Lock of @parallel/parallel/async, received a Lock",
  });
  // @ts-expect-error: not a lock
  throws(() => new Condition({}), TypeError);
  const condition = new Condition();
  await condition.acquire();
  throws(() => condition.notify(-1), RangeError);
  throws(() => condition.notify(1.5), RangeError);
  // @ts-expect-error: a string
  throws(() => condition.notify("1"), TypeError);
  await rejects(condition.wait({ timeout: -1 }), RangeError);
  // @ts-expect-error: not a function
  await rejects(condition.waitFor(true), {
    name: "TypeError",
    message:
      "Cannot wait on Condition: 'predicate' must be a function, received true",
  });
  strictEqual(condition.locked, true);
  condition.release();
});

Deno.test("async Condition: producers and consumers over a shared buffer lose and duplicate nothing", async () => {
  const condition = new Condition();
  const buffer: number[] = [];
  const taken: number[] = [];
  const PRODUCERS = 4;
  const ITEMS = 250;
  const producers = Array.from({ length: PRODUCERS }, async (_, p) => {
    for (let i = 0; i < ITEMS; i++) {
      await using _ = await condition.hold();
      await condition.waitFor(() => buffer.length < 8);
      buffer.push(p * ITEMS + i);
      condition.notifyAll();
    }
  });
  const consumers = Array.from({ length: 3 }, async () => {
    for (;;) {
      await using _ = await condition.hold();
      await condition.waitFor(() =>
        buffer.length > 0 || taken.length === PRODUCERS * ITEMS
      );
      if (buffer.length === 0) return;
      taken.push(buffer.shift()!);
      condition.notifyAll();
    }
  });
  await Promise.all([...producers, ...consumers]);
  strictEqual(taken.length, PRODUCERS * ITEMS);
  deepStrictEqual(
    taken.toSorted((a, b) => a - b),
    Array.from({ length: PRODUCERS * ITEMS }, (_, i) => i),
  );
});
