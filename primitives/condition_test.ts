// Ported from CPython's Lib/test/lock_tests.py (ConditionTests), with real
// Workers wherever a second thread is needed.

import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { Condition } from "./condition.ts";
import { NotHeldError } from "./errors.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { getIdent } from "./_thread.ts";
import { delay, int32s, startWorkers, waitFor } from "../testing/workers.ts";

Deno.test("Condition: the default lock is an RLock", () => {
  const condition = new Condition();
  ok(condition.lock instanceof RLock);
  // CPython test_acquire: an RLock can be acquired again by its owner.
  strictEqual(condition.acquireSync(), true);
  strictEqual(condition.tryAcquire(), true);
  strictEqual((condition.lock as RLock).count, 2);
  condition.release();
  condition.release();
  strictEqual(condition.lock.locked, false);
});

Deno.test("Condition: acquire, release, tryAcquire and hold pass through to the lock", async () => {
  const lock = new Lock();
  const condition = new Condition(lock);
  strictEqual(condition.lock, lock);
  strictEqual(condition.acquireSync(), true);
  strictEqual(lock.tryAcquire(), false);
  condition.release();
  strictEqual(lock.tryAcquire(), true);
  strictEqual(condition.tryAcquire(), false);
  strictEqual(await condition.acquire({ timeout: 0 }), false);
  strictEqual(condition.acquireSync({ timeout: 0 }), false);
  lock.release();
  strictEqual(await condition.acquire(), true);
  strictEqual(lock.locked, true);
  condition.release();
  {
    using _ = condition.holdSync();
    strictEqual(lock.tryAcquire(), false);
  }
  strictEqual(lock.locked, false);
  {
    await using _ = await condition.hold();
    strictEqual(lock.tryAcquire(), false);
  }
  strictEqual(lock.locked, false);
  lock.acquireSync();
  await rejects(condition.hold({ timeout: 0 }), { name: "TimeoutError" });
  throws(() => condition.holdSync({ timeout: 0 }), { name: "TimeoutError" });
  lock.release();
});

Deno.test("Condition: wait, notify and notifyAll without the lock throw NotHeldError", async () => {
  for (const condition of [new Condition(), new Condition(new Lock())]) {
    throws(() => condition.waitSync(), NotHeldError);
    throws(() => condition.waitForSync(() => true), NotHeldError);
    await rejects(condition.wait(), NotHeldError);
    await rejects(condition.waitFor(() => true), NotHeldError);
    throws(() => condition.notify(), NotHeldError);
    throws(() => condition.notifyAll(), NotHeldError);
    throws(() => condition.release(), NotHeldError);
  }
});

Deno.test("Condition: a Worker that does not hold the lock gets NotHeldError while main holds it", async () => {
  await using workers = startWorkers(1);
  for (const lock of [new RLock(), new Lock()]) {
    const condition = new Condition(lock);
    condition.acquireSync();
    const names = await workers[0]!.run(async (_p, condition: Condition) => {
      const names: string[] = [];
      const attempt = async (fn: () => unknown) => {
        try {
          await fn();
          names.push("returned");
        } catch (error) {
          names.push((error as Error).name);
        }
      };
      await attempt(() => condition.waitSync({ timeout: 0 }));
      await attempt(() => condition.wait({ timeout: 0 }));
      await attempt(() => condition.waitForSync(() => 0, { timeout: 0 }));
      await attempt(() => condition.waitFor(() => 0, { timeout: 0 }));
      await attempt(() => condition.notify());
      await attempt(() => condition.notifyAll());
      return names;
    }, condition.handle);
    deepStrictEqual(names, Array(6).fill("NotHeldError"));
    strictEqual(condition.lock.locked, true);
    condition.release();
  }
});

// CPython's _check_notify, run twice on one condition (test_notify): four
// Workers wait in waitSync; notify(1), notify(2), then notifyAll wake exactly
// 1, 2 and 1 of them. Each woken Worker records the phase it saw, which main
// sets while holding the lock just before it notifies.
Deno.test("Condition: notify(n) wakes exactly n waiting Workers", async () => {
  const n = 4;
  const condition = new Condition();
  await using workers = startWorkers(n);
  for (let round = 0; round < 2; round++) {
    const state = int32s(3); // [ready, woken, phase]
    const waiting = workers.map((w) =>
      w.run(
        (p, condition: Condition, state: Int32Array) => {
          condition.acquireSync();
          Atomics.add(state, 0, 1);
          const notified = condition.waitSync({ timeout: 30_000 });
          const phase = Atomics.load(state, 2);
          const owned = (condition.lock as RLock).owner === p.getIdent();
          Atomics.add(state, 1, 1);
          condition.release();
          return { notified, phase, owned };
        },
        condition.handle,
        state,
      )
    );
    const step = async (
      phase: number,
      wake: () => void,
      before: number,
      woken: number,
    ) => {
      // Once the count is reached, holding the lock means that every
      // waiter has released it inside wait.
      await waitFor(`${n} Workers wait`, () => Atomics.load(state, 0) === n);
      await condition.acquire();
      strictEqual(Atomics.load(state, 1), before);
      Atomics.store(state, 2, phase);
      wake();
      condition.release();
      await waitFor(`${woken} woke`, () => Atomics.load(state, 1) >= woken);
      strictEqual(Atomics.load(state, 1), woken);
    };
    await step(1, () => condition.notify(1), 0, 1);
    await step(2, () => condition.notify(2), 1, 3);
    await step(3, () => condition.notifyAll(), 3, 4);
    const results = await Promise.all(waiting);
    ok(results.every((r) => r.notified && r.owned));
    deepStrictEqual(results.map((r) => r.phase).sort(), [1, 2, 2, 3]);
    strictEqual(condition.lock.locked, false);
  }
});

Deno.test("Condition: notify(n) wakes exactly n Workers waiting in the async face", async () => {
  const n = 3;
  const condition = new Condition(new Lock());
  await using workers = startWorkers(n);
  const state = int32s(3); // [ready, woken, phase]
  const waiting = workers.map((w) =>
    w.run(
      async (_p, condition: Condition, state: Int32Array) => {
        await condition.acquire();
        Atomics.add(state, 0, 1);
        const notified = await condition.wait({ timeout: 30_000 });
        const phase = Atomics.load(state, 2);
        Atomics.add(state, 1, 1);
        condition.release();
        return { notified, phase };
      },
      condition.handle,
      state,
    )
  );
  await waitFor(`${n} Workers wait`, () => Atomics.load(state, 0) === n);
  for (const [phase, count, woken] of [[1, 1, 1], [2, 2, 3]] as const) {
    await condition.acquire();
    strictEqual(Atomics.load(state, 1), woken - count);
    Atomics.store(state, 2, phase);
    condition.notify(count);
    condition.release();
    await waitFor(`${woken} woke`, () => Atomics.load(state, 1) >= woken);
    strictEqual(Atomics.load(state, 1), woken);
  }
  const results = await Promise.all(waiting);
  ok(results.every((r) => r.notified));
  deepStrictEqual(results.map((r) => r.phase).sort(), [1, 2, 2]);
});

Deno.test("Condition: a woken waiter returns only once the notifier has released the lock", async () => {
  await using workers = startWorkers(1);
  for (const face of ["sync", "async"] as const) {
    const condition = new Condition();
    const state = int32s(2); // [ready, released]
    const waiter = workers[0]!.run(
      async (_p, condition: Condition, state: Int32Array, face: string) => {
        condition.acquireSync();
        Atomics.store(state, 0, 1);
        const notified = face === "sync"
          ? condition.waitSync({ timeout: 30_000 })
          : await condition.wait({ timeout: 30_000 });
        const released = Atomics.load(state, 1);
        const count = (condition.lock as { count: number }).count;
        condition.release();
        return { notified, released, count };
      },
      condition.handle,
      state,
      face,
    );
    await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
    await condition.acquire();
    condition.notify();
    await delay(50); // hold the lock a while after notifying
    Atomics.store(state, 1, 1);
    condition.release();
    deepStrictEqual(await waiter, { notified: true, released: 1, count: 1 });
  }
});

Deno.test("Condition: wait with a timeout returns false, holding the lock again", async () => {
  // CPython test_timeout, in both faces and from several Workers at once.
  for (const lock of [new RLock(), new Lock()]) {
    const condition = new Condition(lock);
    condition.acquireSync();
    strictEqual(condition.waitSync({ timeout: 10 }), false);
    strictEqual(lock.locked, true);
    strictEqual(await condition.wait({ timeout: 10 }), false);
    strictEqual(lock.locked, true);
    strictEqual(condition.waitSync({ timeout: 0 }), false);
    condition.release();
    strictEqual(lock.locked, false);
  }
  const condition = new Condition();
  await using workers = startWorkers(3);
  const results = await Promise.all(
    workers.map((w, i) =>
      w.run(
        async (_p, condition: Condition, face: string) => {
          condition.acquireSync();
          const result = face === "sync"
            ? condition.waitSync({ timeout: 20 })
            : await condition.wait({ timeout: 20 });
          // We own it again: an RLock owner may re-enter it.
          const owned = condition.tryAcquire() &&
            (condition.lock as { count: number }).count === 2;
          condition.release();
          condition.release();
          return { result, owned };
        },
        condition.handle,
        i % 2 ? "sync" : "async",
      )
    ),
  );
  deepStrictEqual(results, Array(3).fill({ result: false, owned: true }));
  strictEqual(condition.lock.locked, false);
});

Deno.test("Condition: waitFor returns the predicate's last value", async () => {
  // CPython test_waitfor: a Worker waits until main has counted to 4.
  await using workers = startWorkers(1);
  for (const face of ["sync", "async"] as const) {
    const condition = new Condition();
    const state = int32s(2); // [ready, count]
    const waiter = workers[0]!.run(
      async (_p, condition: Condition, state: Int32Array, face: string) => {
        await using _ = await condition.hold();
        Atomics.store(state, 0, 1);
        let calls = 0;
        const predicate = () => {
          calls++;
          return Atomics.load(state, 1) === 4 && `count ${state[1]}`;
        };
        const result = face === "sync"
          ? condition.waitForSync(predicate)
          : await condition.waitFor(predicate, { timeout: 30_000 });
        return { result, calls, owned: condition.lock.locked };
      },
      condition.handle,
      state,
      face,
    );
    await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
    for (let i = 0; i < 4; i++) {
      await delay(5);
      using _ = condition.holdSync();
      Atomics.add(state, 1, 1);
      condition.notify();
    }
    const { result, calls, owned } = await waiter;
    strictEqual(result, "count 4");
    ok(calls >= 2 && calls <= 5, `${calls} predicate calls`);
    strictEqual(owned, true);
  }
  // Already true: no wait, no lock release.
  const condition = new Condition(new Lock());
  condition.acquireSync();
  strictEqual(condition.waitForSync(() => 42), 42);
  strictEqual(await condition.waitFor(() => "yes", { timeout: 0 }), "yes");
  condition.release();
});

Deno.test("Condition: waitFor with a timeout returns the falsy last value", async () => {
  for (const lock of [new RLock(), new Lock()]) {
    const condition = new Condition(lock);
    condition.acquireSync();
    strictEqual(condition.waitForSync(() => 0, { timeout: 10 }), 0);
    strictEqual(await condition.waitFor(() => "", { timeout: 10 }), "");
    strictEqual(await condition.waitFor(() => null, { timeout: 0 }), null);
    strictEqual(lock.locked, true);
    condition.release();
  }
  // CPython test_waitfor_timeout: notifications arrive during the wait, but
  // the predicate never becomes true.
  await using workers = startWorkers(1);
  for (const face of ["sync", "async"] as const) {
    const condition = new Condition();
    const state = int32s(2); // [ready, count]
    const waiter = workers[0]!.run(
      async (_p, condition: Condition, state: Int32Array, face: string) => {
        await using _ = await condition.hold();
        Atomics.store(state, 0, 1);
        const predicate = () => Atomics.load(state, 1) === 4 ? "four" : 0;
        const result = face === "sync"
          ? condition.waitForSync(predicate, { timeout: 100 })
          : await condition.waitFor(predicate, { timeout: 100 });
        return { result, owned: condition.lock.locked };
      },
      condition.handle,
      state,
      face,
    );
    await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
    for (let i = 0; i < 3; i++) {
      await delay(5);
      using _ = condition.holdSync();
      Atomics.add(state, 1, 1);
      condition.notify();
    }
    deepStrictEqual(await waiter, { result: 0, owned: true });
  }
});

Deno.test("Condition: waitFor computes its deadline once, however often it is notified", async () => {
  // A Worker notifies every few milliseconds, more often than the timeout:
  // a waitFor that restarted its timeout after each wake-up would never
  // return (the notifier gives up after a few seconds, so a failure cannot
  // hang the test).
  await using workers = startWorkers(1);
  for (const face of ["sync", "async"] as const) {
    const condition = new Condition();
    const state = int32s(2); // [started, stop]
    const notifier = workers[0]!.run(
      (_p, condition: Condition, state: Int32Array) => {
        Atomics.store(state, 0, 1);
        for (let i = 0; i < 2_000; i++) {
          if (Atomics.load(state, 1) === 1) return "stopped";
          condition.acquireSync();
          condition.notifyAll();
          condition.release();
          Atomics.wait(state, 1, 0, 2);
        }
        return "gave up";
      },
      condition.handle,
      state,
    );
    await waitFor("the notifier runs", () => Atomics.load(state, 0) === 1);
    condition.acquireSync();
    let calls = 0;
    const predicate = () => (calls++, false);
    const result = face === "sync"
      ? condition.waitForSync(predicate, { timeout: 150 })
      : await condition.waitFor(predicate, { timeout: 150 });
    condition.release();
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 1);
    strictEqual(result, false);
    strictEqual(await notifier, "stopped");
    ok(calls >= 1);
  }
});

Deno.test("Condition: wait restores the RLock's recursion count", async () => {
  await using workers = startWorkers(1);
  for (const face of ["sync", "async"] as const) {
    const lock = new RLock();
    const condition = new Condition(lock);
    condition.acquireSync();
    condition.acquireSync();
    strictEqual(lock.count, 2);
    // While main waits, the lock is free: a Worker takes it and notifies.
    const helper = workers[0]!.run(async (_p, condition: Condition) => {
      await using _ = await condition.hold({ timeout: 30_000 });
      condition.notify();
      return "notified";
    }, condition.handle);
    const notified = face === "sync"
      ? condition.waitSync({ timeout: 30_000 })
      : await condition.wait({ timeout: 30_000 });
    strictEqual(await helper, "notified");
    strictEqual(notified, true);
    strictEqual(lock.count, 2);
    strictEqual(lock.owner, getIdent());
    strictEqual(condition.waitSync({ timeout: 1 }), false);
    strictEqual(lock.count, 2);
    condition.release();
    strictEqual(lock.count, 1);
    condition.release();
    strictEqual(lock.locked, false);
  }
});

Deno.test("Condition: while a thread waits, its RLock is fully released", async () => {
  const lock = new RLock();
  const condition = new Condition(lock);
  await using workers = startWorkers(1);
  const state = int32s(1);
  const waiter = workers[0]!.run(
    (_p, condition: Condition, state: Int32Array) => {
      condition.acquireSync();
      condition.acquireSync();
      condition.acquireSync();
      Atomics.store(state, 0, 1);
      const notified = condition.waitSync({ timeout: 30_000 });
      const count = (condition.lock as { count: number }).count;
      condition.release();
      condition.release();
      condition.release();
      return { notified, count };
    },
    condition.handle,
    state,
  );
  await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
  strictEqual(await condition.acquire({ timeout: 30_000 }), true);
  strictEqual(lock.count, 1);
  condition.notify();
  condition.release();
  deepStrictEqual(await waiter, { notified: true, count: 3 });
  strictEqual(lock.locked, false);
});

Deno.test("Condition: Condition.from in a Worker shares the waiters and the lock", async () => {
  const lock = new Lock();
  const condition = new Condition(lock, { maxWaiters: 4 });
  await using workers = startWorkers(1);
  const state = int32s(1);
  condition.acquireSync();
  // The handle travels inside an object, so the Worker calls from() itself.
  const waiter = workers[0]!.run(
    (p, box: { handle: unknown }, state: Int32Array) => {
      const copy = p.Condition.from(box.handle as never);
      const lockIsShared = copy.tryAcquire() === false; // main holds it
      Atomics.store(state, 0, 1);
      copy.acquireSync();
      Atomics.store(state, 0, 2);
      const notified = copy.waitSync({ timeout: 30_000 });
      copy.notify(); // wake main in turn
      copy.release();
      return { lockIsShared, notified, isLock: copy.lock instanceof p.Lock };
    },
    { handle: condition.handle },
    state,
  );
  await waitFor(
    "the Worker tried the lock",
    () => Atomics.load(state, 0) === 1,
  );
  condition.release();
  await waitFor("the Worker waits", () => Atomics.load(state, 0) === 2);
  await condition.acquire();
  condition.notify();
  strictEqual(await condition.wait({ timeout: 30_000 }), true);
  condition.release();
  deepStrictEqual(await waiter, {
    lockIsShared: true,
    notified: true,
    isLock: true,
  });
  // And from() on this thread: the same waiters and lock.
  const copy = Condition.from(condition.handle);
  copy.acquireSync();
  strictEqual(lock.locked, true);
  strictEqual(condition.tryAcquire(), false);
  copy.release();
  strictEqual(lock.locked, false);
});

// Two producers (one sync, one async) and two consumers (one sync, one async)
// share a bounded buffer of 8 guarded by two conditions over one lock.
Deno.test("Condition: producers and consumers in Workers lose and duplicate nothing", async () => {
  const items = 2_000;
  const capacity = 8;
  const total = 2 * items;
  const lock = new Lock();
  const notEmpty = new Condition(lock);
  const notFull = new Condition(lock);
  const buffer = int32s(capacity);
  const state = int32s(4); // [head, tail, count, taken]
  const seen = int32s(total + 1);
  await using workers = startWorkers(4);
  const producer = async (
    _p: unknown,
    notEmpty: Condition,
    notFull: Condition,
    buffer: Int32Array,
    state: Int32Array,
    first: number,
    items: number,
    face: string,
  ) => {
    for (let i = 0; i < items; i++) {
      if (face === "sync") {
        notFull.acquireSync();
        notFull.waitForSync(() => state[2]! < buffer.length);
      } else {
        await notFull.acquire();
        await notFull.waitFor(() => state[2]! < buffer.length);
      }
      buffer[state[1]!] = first + i;
      state[1] = (state[1]! + 1) % buffer.length;
      state[2] = state[2]! + 1;
      notEmpty.notify();
      notFull.release();
    }
    return items;
  };
  const consumer = async (
    _p: unknown,
    notEmpty: Condition,
    notFull: Condition,
    buffer: Int32Array,
    state: Int32Array,
    seen: Int32Array,
    total: number,
    face: string,
  ) => {
    let sum = 0;
    let count = 0;
    for (;;) {
      const ready = () => state[2]! > 0 || state[3] === total;
      if (face === "sync") {
        notEmpty.acquireSync();
        notEmpty.waitForSync(ready);
      } else {
        await notEmpty.acquire();
        await notEmpty.waitFor(ready);
      }
      if (state[2] === 0) {
        notEmpty.release();
        return { sum, count };
      }
      const item = buffer[state[0]!]!;
      state[0] = (state[0]! + 1) % buffer.length;
      state[2] = state[2]! - 1;
      state[3] = state[3]! + 1;
      if (state[3] === total) notEmpty.notifyAll(); // let the other one out
      notFull.notify();
      notEmpty.release();
      Atomics.add(seen, item, 1);
      sum += item;
      count++;
    }
  };
  const faces = ["sync", "async"];
  const producers = faces.map((face, k) =>
    workers[k]!.run(
      producer,
      notEmpty.handle,
      notFull.handle,
      buffer,
      state,
      1 + k * items,
      items,
      face,
    )
  );
  const consumers = faces.map((face, k) =>
    workers[2 + k]!.run(
      consumer,
      notEmpty.handle,
      notFull.handle,
      buffer,
      state,
      seen,
      total,
      face,
    )
  );
  deepStrictEqual(await Promise.all(producers), [items, items]);
  const results = await Promise.all(consumers);
  strictEqual(results[0]!.count + results[1]!.count, total);
  strictEqual(results[0]!.sum + results[1]!.sum, (total * (total + 1)) / 2);
  strictEqual(seen[0], 0);
  for (let item = 1; item <= total; item++) {
    if (seen[item] !== 1) throw new Error(`Item ${item} seen ${seen[item]}x`);
  }
  deepStrictEqual([...state], [0, 0, 0, total]);
  strictEqual(lock.locked, false);
});

Deno.test("Condition: an aborted async wait rejects with the reason, holding the lock again", async () => {
  for (const lock of [new RLock(), new Lock()]) {
    const condition = new Condition(lock);
    await condition.acquire();
    const controller = new AbortController();
    const reason = new Error("stop waiting");
    const waiting = condition.wait({ signal: controller.signal });
    strictEqual(lock.locked, false); // released inside wait
    setTimeout(() => controller.abort(reason), 5);
    await rejects(waiting, (error) => error === reason);
    strictEqual(lock.locked, true);
    condition.release(); // this thread holds it
    strictEqual(lock.locked, false);
    // The slot was freed: notify finds nobody, and the condition still works.
    condition.acquireSync();
    condition.notifyAll();
    strictEqual(await condition.wait({ timeout: 1 }), false);
    condition.release();
  }
});

Deno.test("Condition: an aborted wait re-acquires the lock that a Worker holds before rejecting", async () => {
  const lock = new Lock();
  const condition = new Condition(lock);
  await using workers = startWorkers(1);
  const state = int32s(2); // [holding, released]
  await condition.acquire();
  const controller = new AbortController();
  const waiting = condition.wait({ signal: controller.signal });
  let settled = false;
  waiting.catch(() => {
    settled = true;
  });
  const holder = workers[0]!.run(
    (_p, condition: Condition, state: Int32Array) => {
      condition.acquireSync();
      Atomics.store(state, 0, 1);
      Atomics.wait(state, 1, 0); // until main says go
      condition.release();
    },
    condition.handle,
    state,
  );
  await waitFor(
    "the Worker holds the lock",
    () => Atomics.load(state, 0) === 1,
  );
  controller.abort("aborted");
  await delay(20);
  strictEqual(settled, false); // still waiting for the lock
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 1);
  await holder;
  await rejects(waiting, (error) => error === "aborted");
  strictEqual(lock.locked, true);
  condition.release();
});

// The waiter that is notified first (main, async) aborts while it waits to
// re-acquire the lock, which main still holds after notify(1): it must pass
// the wake-up on to the second waiter (a Worker), and still reject holding
// the lock.
Deno.test("Condition: a notified waiter that aborts passes the wake-up on", async () => {
  // A plain Lock: with an RLock, the waiter would re-enter the lock that
  // its own thread holds (ownership is per thread, not per task).
  const lock = new Lock();
  const condition = new Condition(lock);
  await using workers = startWorkers(1);
  for (let round = 0; round < 2; round++) {
    const state = int32s(2); // [ready, woken]
    await condition.acquire();
    const controller = new AbortController();
    const first = condition.wait({ signal: controller.signal });
    const second = workers[0]!.run(
      (_p, condition: Condition, state: Int32Array) => {
        condition.acquireSync();
        Atomics.store(state, 0, 1);
        const notified = condition.waitSync({ timeout: 30_000 });
        Atomics.store(state, 1, 1);
        condition.release();
        return notified;
      },
      condition.handle,
      state,
    );
    await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
    await condition.acquire(); // both wait now; the first is the oldest
    condition.notify(1);
    await delay(20); // the first wakes and waits for the lock we hold
    strictEqual(Atomics.load(state, 1), 0);
    controller.abort("aborted after notify");
    condition.release();
    await rejects(first, (error) => error === "aborted after notify");
    strictEqual(lock.locked, true);
    condition.release();
    strictEqual(await second, true);
    strictEqual(Atomics.load(state, 1), 1);
  }
});

Deno.test("Condition: an abort before the notify does not take the wake-up", async () => {
  const condition = new Condition();
  await using workers = startWorkers(1);
  const state = int32s(1);
  await condition.acquire();
  const controller = new AbortController();
  const first = condition.wait({ signal: controller.signal });
  const second = workers[0]!.run(
    (_p, condition: Condition, state: Int32Array) => {
      condition.acquireSync();
      Atomics.store(state, 0, 1);
      const notified = condition.waitSync({ timeout: 30_000 });
      condition.release();
      return notified;
    },
    condition.handle,
    state,
  );
  await waitFor("the Worker waits", () => Atomics.load(state, 0) === 1);
  controller.abort("gone");
  await rejects(first, (error) => error === "gone");
  condition.notify(1); // still holding the lock
  condition.release();
  strictEqual(await second, true);
});

Deno.test("Condition: a pre-aborted signal throws before waiting, lock still held", async () => {
  const condition = new Condition();
  const reason = new Error("already aborted");
  const signal = AbortSignal.abort(reason);
  condition.acquireSync();
  throws(() => condition.waitSync({ signal }), (error) => error === reason);
  throws(
    () => condition.waitForSync(() => false, { signal }),
    (error) => error === reason,
  );
  await rejects(condition.wait({ signal }), (error) => error === reason);
  await rejects(
    condition.waitFor(() => false, { signal }),
    (error) => error === reason,
  );
  strictEqual((condition.lock as RLock).count, 1);
  condition.release();
  strictEqual(condition.lock.locked, false);
});

Deno.test("Condition: one waiter more than maxWaiters is a RangeError", async () => {
  const condition = new Condition(new Lock(), { maxWaiters: 1 });
  await condition.acquire();
  const first = condition.wait({ timeout: 30_000 });
  await condition.acquire();
  throws(() => condition.waitSync(), RangeError);
  await rejects(condition.wait(), RangeError);
  strictEqual(condition.lock.locked, true); // still ours after the error
  condition.notify();
  condition.release();
  strictEqual(await first, true);
  // The slot is free again.
  strictEqual(await condition.wait({ timeout: 1 }), false);
  condition.release();
});

Deno.test("Condition: bad input is a TypeError or a RangeError", async () => {
  // deno-lint-ignore no-explicit-any
  const bad = (value: unknown) => value as any;
  throws(() => new Condition(bad(42)), TypeError);
  throws(() => new Condition(bad({})), TypeError);
  throws(() => new Condition(undefined, { maxWaiters: 0 }), RangeError);
  throws(() => new Condition(undefined, { maxWaiters: -1 }), RangeError);
  throws(() => new Condition(undefined, { maxWaiters: 1.5 }), RangeError);
  throws(() => new Condition(undefined, bad(5)), TypeError);
  const lock = new Lock();
  throws(() => Condition.from(lock.handle), TypeError);
  throws(() => Condition.from(bad(null)), TypeError);
  const condition = new Condition();
  condition.acquireSync();
  throws(() => condition.notify(-1), RangeError);
  throws(() => condition.notify(1.5), RangeError);
  throws(() => condition.notify(bad("1")), TypeError);
  throws(() => condition.waitForSync(bad(5)), TypeError);
  await rejects(condition.waitFor(bad(5)), TypeError);
  throws(() => condition.waitSync({ timeout: -1 }), RangeError);
  throws(() => condition.waitSync({ timeout: NaN }), RangeError);
  await rejects(condition.wait({ timeout: -1 }), RangeError);
  await rejects(condition.wait(bad({ signal: "no" })), TypeError);
  strictEqual((condition.lock as RLock).count, 1);
  condition.release();
});

Deno.test("Condition: a guard releases the lock once, and the condition is not disposable", () => {
  const condition = new Condition();
  const guard = condition.holdSync();
  guard[Symbol.dispose]();
  guard[Symbol.dispose]();
  strictEqual(condition.lock.locked, false);
  strictEqual(Symbol.dispose in condition, false);
});
