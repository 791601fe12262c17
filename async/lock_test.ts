// Ported from CPython's Lib/test/test_asyncio/test_locks.py (LockTests),
// plus the manners of this module: `{ timeout, signal }`, `hold()` with
// `await using`, and the abort races of the issue (an abort in the same tick
// as the grant passes the lock on; an abort after the grant changes
// nothing). `await tick()` plays asyncio's `await asyncio.sleep(0)`: every
// task that can run, runs.
import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { NotHeldError } from "../primitives/errors.ts";
import { Lock } from "./lock.ts";

/** Lets every pending promise reaction run (one macrotask). */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("async Lock: a new lock is free, and acquire and release toggle locked", async () => {
  const lock = new Lock();
  strictEqual(lock.locked, false);
  strictEqual(await lock.acquire(), true);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
  // The free lock is taken at once, before the promise is awaited.
  const acquired = lock.acquire({ timeout: 0 });
  strictEqual(lock.locked, true);
  strictEqual(await acquired, true);
  lock.release();
});

Deno.test("async Lock: releasing an unlocked lock throws NotHeldError, and the lock stays usable", async () => {
  const lock = new Lock();
  throws(() => lock.release(), {
    name: "NotHeldError",
    message: "Cannot release Lock: it is not held",
  });
  await lock.acquire();
  lock.release();
  throws(() => lock.release(), NotHeldError);
  strictEqual(lock.tryAcquire(), true);
  strictEqual(lock.tryAcquire(), false);
  lock.release();
});

Deno.test("async Lock: waiters acquire in arrival order, one per release", async () => {
  // test_acquire.
  const lock = new Lock();
  const result: number[] = [];
  strictEqual(await lock.acquire(), true);
  const task = async (n: number) => {
    if (await lock.acquire()) result.push(n);
    return true;
  };
  const t1 = task(1);
  const t2 = task(2);
  await tick();
  deepStrictEqual(result, []);
  lock.release();
  await tick();
  deepStrictEqual(result, [1]);
  await tick();
  deepStrictEqual(result, [1]);
  const t3 = task(3);
  lock.release();
  await tick();
  deepStrictEqual(result, [1, 2]);
  lock.release();
  await tick();
  deepStrictEqual(result, [1, 2, 3]);
  deepStrictEqual(await Promise.all([t1, t2, t3]), [true, true, true]);
  lock.release();
});

Deno.test("async Lock: strict FIFO even when the releasing task re-acquires at once", async () => {
  // test_acquire_fifo_order, with a Lock and with no pause between a
  // release and the next acquire: the releaser still queues behind.
  for (const pause of [true, false]) {
    const lock = new Lock();
    const result: string[] = [];
    const task = async (tag: string) => {
      for (const round of [1, 2]) {
        await lock.acquire();
        result.push(`${tag}_${round}`);
        if (pause) await tick();
        lock.release();
      }
    };
    await Promise.all([task("c1"), task("c2"), task("c3")]);
    deepStrictEqual(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
    strictEqual(lock.locked, false);
  }
});

Deno.test("async Lock: an acquire aborted while waiting rejects with the reason and leaves the line", async () => {
  // test_acquire_cancel.
  const lock = new Lock();
  await lock.acquire();
  const controller = new AbortController();
  const waiting = lock.acquire({ signal: controller.signal });
  const next = lock.acquire();
  await tick();
  controller.abort(new Error("gone"));
  await rejects(waiting, { message: "gone" });
  lock.release();
  strictEqual(await next, true); // the release went past the aborted waiter
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: a waiter aborted as the holder releases does not take the lock of the next", async () => {
  // test_cancel_race: A holds the lock, B and C wait; B is aborted and A
  // releases in the same tick. The lock goes to C, never to B.
  const lock = new Lock();
  const log: string[] = [];
  const lockit = async (name: string, signal?: AbortSignal) => {
    await lock.acquire(signal && { signal });
    log.push(name);
    lock.release();
  };
  await lock.acquire();
  const controller = new AbortController();
  const b = lockit("B", controller.signal);
  const c = lockit("C");
  await tick();
  lock.release();
  controller.abort(new Error("B is aborted"));
  await rejects(b, { message: "B is aborted" });
  await c;
  deepStrictEqual(log, ["C"]);
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: an abort in the same tick as the grant passes the lock to the next waiter", async () => {
  // test_finished_waiter_cancelled, test_cancel_release_race: the lock is
  // handed to B, then B is aborted before it runs; C gets the lock, and
  // only one task ever holds it.
  const lock = new Lock();
  await lock.acquire();
  let holders = 0;
  const controller = new AbortController();
  const b = lock.acquire({ signal: controller.signal }).then((ok) => {
    holders++;
    return ok;
  });
  const c = lock.acquire().then((ok) => {
    holders++;
    return ok;
  });
  await tick();
  lock.release(); // hands the lock to B...
  controller.abort(new Error("too late")); // ...which is aborted before it runs
  await rejects(b, { message: "too late" });
  strictEqual(await c, true);
  strictEqual(holders, 1);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: an abort after the grant changes nothing: the waiter holds the lock", async () => {
  const lock = new Lock();
  await lock.acquire();
  const controller = new AbortController();
  const b = lock.acquire({ signal: controller.signal });
  lock.release();
  strictEqual(await b, true);
  controller.abort();
  strictEqual(lock.locked, true);
  const c = lock.acquire({ timeout: 5 });
  strictEqual(await c, false);
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: a timed-out acquire returns false, leaves the line and loses no wake-up", async () => {
  const lock = new Lock();
  await lock.acquire();
  strictEqual(await lock.acquire({ timeout: 0 }), false);
  const late = lock.acquire({ timeout: 5 });
  const patient = lock.acquire({ timeout: 10_000 });
  strictEqual(await late, false);
  lock.release();
  strictEqual(await patient, true); // its timer is cleared: no leak
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: a free lock is acquired at once whatever the timeout", async () => {
  const lock = new Lock();
  for (const timeout of [0, 5, Infinity]) {
    strictEqual(await lock.acquire({ timeout }), true);
    lock.release();
  }
});

Deno.test("async Lock: an already-aborted signal rejects with its reason, even on a free lock", async () => {
  const lock = new Lock();
  const reason = new Error("before");
  await rejects(lock.acquire({ signal: AbortSignal.abort(reason) }), reason);
  strictEqual(lock.locked, false);
  await rejects(lock.hold({ signal: AbortSignal.abort(reason) }), reason);
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: bad options are refused, quoting the value, and the lock stays usable", async () => {
  const lock = new Lock();
  await rejects(lock.acquire({ timeout: -1 }), {
    name: "RangeError",
    message:
      "Cannot acquire Lock: 'timeout' must be a non-negative number of milliseconds, received -1",
  });
  await rejects(lock.acquire({ timeout: NaN }), RangeError);
  await rejects(
    // @ts-expect-error: a string timeout
    lock.acquire({ timeout: "5" }),
    {
      name: "TypeError",
      message:
        "Cannot acquire Lock: 'timeout' must be a number of milliseconds, received \"5\"",
    },
  );
  // @ts-expect-error: not an AbortSignal
  await rejects(lock.acquire({ signal: {} }), TypeError);
  // @ts-expect-error: not an object
  await rejects(lock.acquire(5), TypeError);
  strictEqual(lock.locked, false);
  strictEqual(await lock.acquire(), true);
  lock.release();
});

Deno.test("async Lock: hold() releases at the end of an `await using` block, also on a throw", async () => {
  const lock = new Lock();
  {
    await using _ = await lock.hold();
    strictEqual(lock.locked, true);
  }
  strictEqual(lock.locked, false);
  await rejects(async () => {
    await using _ = await lock.hold();
    throw new Error("inside");
  }, { message: "inside" });
  strictEqual(lock.locked, false);
  // The guard releases what it acquired, once: disposing it again changes
  // nothing, and the lock itself is not disposable.
  const guard = await lock.hold();
  guard[Symbol.dispose]();
  lock.tryAcquire();
  guard[Symbol.dispose]();
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(Symbol.dispose in lock, false);
});

Deno.test("async Lock: hold() throws a TimeoutError DOMException when the timeout passes", async () => {
  const lock = new Lock();
  await lock.acquire();
  await rejects(
    lock.hold({ timeout: 5 }),
    (error: DOMException) =>
      error instanceof DOMException && error.name === "TimeoutError" &&
      error.message === "Timed out after 5 ms waiting to acquire Lock",
  );
  lock.release();
});

Deno.test("async Lock: 50 tasks that each add 100 times across awaits end exact", async () => {
  const lock = new Lock();
  let counter = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 100; i++) {
        await using _ = await lock.hold();
        const seen = counter;
        await null; // another task would interleave here without the lock
        counter = seen + 1;
      }
    }),
  );
  strictEqual(counter, 5000);
  strictEqual(lock.locked, false);
});

Deno.test("async Lock: a timeout of 2^31 ms or more waits (setTimeout alone would fire it at once)", async () => {
  const lock = new Lock();
  await lock.acquire();
  const waiting = lock.acquire({ timeout: 2 ** 31 + 1_000 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  lock.release();
  strictEqual(await waiting, true);
  lock.release();
});
