// Ported from CPython's Lib/test/lock_tests.py (BaseLockTests, RLockTests),
// with real Workers for the threads. Ownership is per thread: two async
// tasks on one thread are the same owner, so every ownership test uses
// Workers.
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { NotHeldError } from "./errors.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { getIdent } from "./_thread.ts";
import { STATE } from "./_mutex.ts";
import {
  delay,
  handled,
  int32s,
  SETTLE_MS,
  startWorkers,
  waitFor,
  within,
  wordsOf,
} from "../testing/workers.ts";

// Waiters in Workers wait without a timeout: an acquire that times out still
// takes a lock found free at its deadline, which would hide a lost wake-up.
// The main thread bounds each wait instead (`within`), and `await using`
// terminates a Worker left asleep.

/**
 * Counts the threads asleep in an acquire of `lock`, by waking them: a
 * waiter that wakes to find the lock still held sleeps again.
 */
function asleep(lock: RLock): number {
  return Atomics.notify(wordsOf(lock.handle), STATE);
}

/** Waits until `n` threads are asleep in an acquire of `lock`. */
function untilAsleep(lock: RLock, n: number): Promise<void> {
  return waitFor(`${n} threads wait for the lock`, () => asleep(lock) >= n);
}

// ---------------------------------------------------------------------------
// One thread

Deno.test("RLock: a new lock is free, with no owner and a count of 0", () => {
  const rlock = new RLock();
  strictEqual(rlock.locked, false);
  strictEqual(rlock.owner, undefined);
  strictEqual(rlock.count, 0);
});

Deno.test("RLock: the owner re-enters, and it is free once the count returns to 0", async () => {
  // CPython's test_reacquire and test_recursion_count, in both faces.
  const rlock = new RLock();
  strictEqual(rlock.acquireSync(), true);
  strictEqual(await rlock.acquire(), true);
  strictEqual(rlock.tryAcquire(), true);
  strictEqual(rlock.acquireSync({ timeout: 0 }), true);
  strictEqual(await rlock.acquire({ timeout: 10 }), true);
  strictEqual(rlock.count, 5);
  strictEqual(rlock.owner, getIdent());
  for (let left = 4; left > 0; left--) {
    rlock.release();
    strictEqual(rlock.count, left);
    strictEqual(rlock.locked, true);
    strictEqual(rlock.owner, getIdent());
  }
  rlock.release();
  strictEqual(rlock.count, 0);
  strictEqual(rlock.locked, false);
  strictEqual(rlock.owner, undefined);
  // Up and down again: the count starts afresh.
  rlock.acquireSync();
  rlock.acquireSync();
  rlock.release();
  rlock.acquireSync();
  strictEqual(rlock.count, 2);
  rlock.release();
  rlock.release();
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: releasing an unheld RLock throws NotHeldError and the lock stays usable", () => {
  // CPython's test_release_unacquired.
  const rlock = new RLock();
  throws(
    () => rlock.release(),
    (error: Error) =>
      error instanceof NotHeldError &&
      error.message === "Cannot release RLock: it is not held",
  );
  strictEqual(rlock.count, 0);
  rlock.acquireSync();
  rlock.acquireSync();
  rlock.release();
  rlock.acquireSync();
  rlock.release();
  rlock.release();
  throws(() => rlock.release(), NotHeldError);
  strictEqual(rlock.locked, false);
  strictEqual(rlock.count, 0);
  strictEqual(rlock.tryAcquire(), true);
  strictEqual(rlock.count, 1);
  rlock.release();
});

Deno.test("RLock: two async tasks on one thread are the same owner", async () => {
  // Ownership is per thread: the second task re-enters instead of waiting.
  const rlock = new RLock();
  const [a, b] = await Promise.all([rlock.acquire(), rlock.acquire()]);
  deepStrictEqual([a, b], [true, true]);
  strictEqual(rlock.count, 2);
  rlock.release();
  rlock.release();
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: holdSync() and hold() nest, and release at the end of each block", async () => {
  // CPython's test_with.
  const rlock = new RLock();
  {
    using outer = rlock.holdSync();
    strictEqual(outer, rlock);
    {
      await using _ = await rlock.hold();
      strictEqual(rlock.count, 2);
    }
    strictEqual(rlock.count, 1);
  }
  strictEqual(rlock.locked, false);
  throws(() => {
    using _ = rlock.holdSync();
    using __ = rlock.holdSync({ timeout: 10 });
    throw new TypeError("boom");
  }, TypeError);
  strictEqual(rlock.locked, false);
  await rejects(async () => {
    await using _ = await rlock.hold({ timeout: 10 });
    throw new TypeError("boom");
  }, TypeError);
  strictEqual(rlock.locked, false);
  strictEqual(rlock.count, 0);
});

Deno.test("RLock: an already-aborted signal throws its reason, in both faces", async () => {
  const rlock = new RLock();
  const reason = new Error("stop");
  const signal = AbortSignal.abort(reason);
  throws(() => rlock.acquireSync({ signal }), (error) => error === reason);
  await rejects(rlock.acquire({ signal }), (error) => error === reason);
  throws(() => rlock.holdSync({ signal }), (error) => error === reason);
  await rejects(rlock.hold({ signal }), (error) => error === reason);
  strictEqual(rlock.locked, false);
  // Even for the owner: the signal is checked before re-entry.
  rlock.acquireSync();
  throws(() => rlock.acquireSync({ signal }), (error) => error === reason);
  await rejects(rlock.acquire({ signal }), (error) => error === reason);
  strictEqual(rlock.count, 1);
  rlock.release();
  strictEqual(rlock.locked, false);
});

// ---------------------------------------------------------------------------
// Bad input

Deno.test("RLock: from() refuses the handle of another kind, a foreign buffer and non-handles", () => {
  const lock = new Lock();
  throws(
    () => RLock.from(lock.handle),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        'Cannot create RLock from handle: expected an RLock handle, received a handle of kind "Lock"',
  );
  // Same size, other magic: a Lock relabelled as an RLock is refused.
  throws(
    () => RLock.from({ ...lock.handle, kind: "RLock" }),
    (error: Error) =>
      error instanceof TypeError &&
      error.message.endsWith("is not the memory of an RLock"),
  );
  throws(
    () => Lock.from(new RLock().handle),
    (error: Error) =>
      error instanceof TypeError && error.message.includes('"RLock"'),
  );
  throws(
    () =>
      RLock.from({
        kind: "RLock",
        buffer: new SharedArrayBuffer(12),
        byteOffset: 0,
        length: 3,
        parts: [],
      }),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        "Cannot create RLock from handle: its buffer (12 bytes) at offset 0 is not the memory of an RLock",
  );
  throws(
    // deno-lint-ignore no-explicit-any
    () => RLock.from(42 as any),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        "Cannot create RLock from handle: expected an RLock handle, received 42",
  );
  strictEqual(lock.locked, false);
  strictEqual(new RLock().locked, false);
});

Deno.test("RLock: acquire rejects bad options, quoting the value, and the lock stays usable", async () => {
  const rlock = new RLock();
  const where = "Cannot acquire RLock";
  const cases: [unknown, typeof TypeError | typeof RangeError, string][] = [
    [
      { timeout: -1 },
      RangeError,
      `${where}: 'timeout' must be a non-negative number of milliseconds, received -1`,
    ],
    [
      { timeout: NaN },
      RangeError,
      `${where}: 'timeout' must be a non-negative number of milliseconds, received NaN`,
    ],
    [
      { timeout: "5" },
      TypeError,
      `${where}: 'timeout' must be a number of milliseconds, received "5"`,
    ],
    [
      { signal: 5 },
      TypeError,
      `${where}: 'signal' must be an AbortSignal, received 5`,
    ],
    [5, TypeError, `${where}: 'options' must be an object, received 5`],
  ];
  // Free, then held by this thread (where a re-entry would succeed).
  for (const held of [false, true]) {
    if (held) rlock.acquireSync();
    for (const [options, type, message] of cases) {
      const is = (error: Error) =>
        error instanceof type && error.message === message;
      // deno-lint-ignore no-explicit-any
      const bad = options as any;
      throws(() => rlock.acquireSync(bad), is, message);
      throws(() => rlock.holdSync(bad), is, message);
      const promise = rlock.acquire(bad);
      ok(promise instanceof Promise);
      await rejects(promise, is, message);
      await rejects(rlock.hold(bad), is, message);
      strictEqual(rlock.count, held ? 1 : 0, "bad input took nothing");
    }
    if (held) rlock.release();
    strictEqual(rlock.locked, false);
    strictEqual(rlock.tryAcquire(), true);
    rlock.release();
  }
});

// ---------------------------------------------------------------------------
// Threads

Deno.test("RLock: owner is getIdent() of the owning thread, main or Worker", async () => {
  // CPython's test__is_owned.
  const rlock = new RLock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  rlock.acquireSync();
  rlock.acquireSync();
  strictEqual(rlock.owner, getIdent());
  // The Worker sees main as the owner, and is not it.
  const seen = await worker.run(
    (p, rlock: RLock) => ({
      me: p.getIdent(),
      owner: rlock.owner,
      locked: rlock.locked,
      count: rlock.count,
    }),
    rlock.handle,
  );
  notStrictEqual(seen.me, getIdent());
  ok(Number.isInteger(seen.me) && seen.me > 0);
  deepStrictEqual(seen, {
    me: seen.me,
    owner: getIdent(),
    locked: true,
    count: 2,
  });
  rlock.release();
  strictEqual(rlock.owner, getIdent());
  rlock.release();
  strictEqual(rlock.owner, undefined);

  // Now the Worker owns it.
  const [me, owner] = await worker.run((p, rlock: RLock) => {
    rlock.acquireSync();
    return [p.getIdent(), rlock.owner];
  }, rlock.handle);
  strictEqual(owner, me);
  strictEqual(rlock.owner, me);
  notStrictEqual(rlock.owner, getIdent());
  strictEqual(rlock.locked, true);
  strictEqual(rlock.count, 1);
  await worker.run((_p, rlock: RLock) => rlock.release(), rlock.handle);
  strictEqual(rlock.owner, undefined);
});

Deno.test("RLock: a thread that does not own it cannot release it", async () => {
  // CPython's test_different_thread.
  const rlock = new RLock();
  await using workers = startWorkers(2);
  const [owner, other] = [workers[0]!, workers[1]!];
  const ownerId = await owner.run((p, rlock: RLock) => {
    rlock.acquireSync();
    rlock.acquireSync();
    return p.getIdent();
  }, rlock.handle);

  // Not main...
  throws(
    () => rlock.release(),
    (error: Error) =>
      error instanceof NotHeldError &&
      error.message ===
        `Cannot release RLock: it is held by thread ${ownerId}, not by this thread (${getIdent()})`,
  );
  // ...nor another Worker.
  const otherId = await other.run((p) => p.getIdent());
  notStrictEqual(otherId, ownerId);
  await rejects(
    other.run((_p, rlock: RLock) => rlock.release(), rlock.handle),
    (error: Error) =>
      error.name === "NotHeldError" &&
      error.message.includes(`held by thread ${ownerId}`) &&
      error.message.includes(`(${otherId})`),
  );
  // Nothing changed.
  strictEqual(rlock.owner, ownerId);
  strictEqual(rlock.count, 2);
  strictEqual(rlock.tryAcquire(), false);

  // The owner releases both levels; then main owns it, and the Worker that
  // owned it before cannot release it.
  await owner.run((_p, rlock: RLock) => {
    rlock.release();
    rlock.release();
  }, rlock.handle);
  strictEqual(rlock.locked, false);
  rlock.acquireSync();
  await rejects(
    owner.run((_p, rlock: RLock) => rlock.release(), rlock.handle),
    { name: "NotHeldError" },
  );
  strictEqual(rlock.owner, getIdent());
  rlock.release();
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: another thread gets it only once the count returns to 0", async () => {
  const rlock = new RLock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  const tryFromWorker = () =>
    worker.run((_p, rlock: RLock) => {
      if (!rlock.tryAcquire()) return [false, rlock.locked];
      rlock.release();
      return [true, rlock.locked];
    }, rlock.handle);
  rlock.acquireSync();
  rlock.acquireSync();
  rlock.acquireSync();
  deepStrictEqual(await tryFromWorker(), [false, true]);
  rlock.release();
  deepStrictEqual(await tryFromWorker(), [false, true]);
  rlock.release();
  deepStrictEqual(await tryFromWorker(), [false, true]);
  rlock.release();
  deepStrictEqual(await tryFromWorker(), [true, false]);
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: a timed-out acquire by another thread returns false and leaves it consistent", async () => {
  // CPython's test_timeout.
  const rlock = new RLock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  rlock.acquireSync();
  rlock.acquireSync();
  deepStrictEqual(
    await worker.run(async (_p, rlock: RLock) => {
      const results = [
        rlock.tryAcquire(),
        rlock.acquireSync({ timeout: 0 }),
        rlock.acquireSync({ timeout: 20 }),
        await rlock.acquire({ timeout: 0 }),
        await rlock.acquire({ timeout: 20 }),
      ];
      let holdSync = "";
      try {
        rlock.holdSync({ timeout: 20 });
      } catch (error) {
        holdSync = (error as Error).name;
      }
      let hold = "";
      try {
        await rlock.hold({ timeout: 20 });
      } catch (error) {
        hold = (error as Error).name;
      }
      return [...results, holdSync, hold];
    }, rlock.handle),
    [false, false, false, false, false, "TimeoutError", "TimeoutError"],
  );
  strictEqual(rlock.owner, getIdent());
  strictEqual(rlock.count, 2);
  rlock.release();
  rlock.release();
  strictEqual(rlock.locked, false);
  // And main times out while the Worker holds it.
  await worker.run((_p, rlock: RLock) => rlock.acquireSync(), rlock.handle);
  strictEqual(rlock.tryAcquire(), false);
  strictEqual(rlock.acquireSync({ timeout: 20 }), false);
  strictEqual(await rlock.acquire({ timeout: 20 }), false);
  throws(() => rlock.holdSync({ timeout: 20 }), { name: "TimeoutError" });
  await rejects(rlock.hold({ timeout: 20 }), { name: "TimeoutError" });
  strictEqual(rlock.count, 1);
  await worker.run((_p, rlock: RLock) => rlock.release(), rlock.handle);
  strictEqual(rlock.tryAcquire(), true);
  strictEqual(rlock.count, 1);
  rlock.release();
});

Deno.test("RLock: a Worker blocked in acquireSync is woken when the owner releases fully", async () => {
  const rlock = new RLock();
  const got = int32s(1);
  await using workers = startWorkers(1);
  rlock.acquireSync();
  rlock.acquireSync();
  const done = handled(workers[0]!.run(
    (p, rlock: RLock, got: Int32Array) => {
      rlock.acquireSync();
      Atomics.store(got, 0, 1);
      const owned = rlock.owner === p.getIdent() && rlock.count === 1;
      rlock.release();
      return owned;
    },
    rlock.handle,
    got,
  ));
  await untilAsleep(rlock, 1);
  rlock.release();
  await delay(SETTLE_MS);
  strictEqual(Atomics.load(got, 0), 0, "still held once: the Worker waits");
  rlock.release();
  strictEqual(await within(done, "the Worker acquires"), true);
  strictEqual(Atomics.load(got, 0), 1);
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: an async acquire on main is woken when a Worker releases fully", async () => {
  const rlock = new RLock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  await worker.run((_p, rlock: RLock) => {
    rlock.acquireSync();
    rlock.acquireSync();
  }, rlock.handle);
  const acquired = handled(rlock.acquire());
  await worker.run((_p, rlock: RLock) => rlock.release(), rlock.handle);
  strictEqual(rlock.count, 1);
  await worker.run((_p, rlock: RLock) => rlock.release(), rlock.handle);
  strictEqual(await within(acquired, "main acquires"), true);
  strictEqual(rlock.owner, getIdent());
  strictEqual(rlock.count, 1);
  rlock.release();
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: an async acquire aborted while a Worker holds it rejects with the reason", async () => {
  const rlock = new RLock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  const ownerId = await worker.run((p, rlock: RLock) => {
    rlock.acquireSync();
    return p.getIdent();
  }, rlock.handle);
  const controller = new AbortController();
  const aborted = handled(rlock.acquire({ signal: controller.signal }));
  const reason = new Error("no longer needed");
  controller.abort(reason);
  await rejects(aborted, (error) => error === reason);
  strictEqual(rlock.owner, ownerId);
  strictEqual(rlock.count, 1);
  // A live waiter behind the aborted one still gets the lock.
  const waiting = handled(rlock.acquire());
  await worker.run((_p, rlock: RLock) => rlock.release(), rlock.handle);
  strictEqual(await within(waiting, "main acquires"), true);
  strictEqual(rlock.owner, getIdent());
  rlock.release();
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: 3 Workers waiting all get through, each re-entering", async () => {
  // CPython's test_acquire_contended (N = 3).
  const rlock = new RLock();
  const inside = int32s(2); // [threads inside now, most ever inside]
  await using workers = startWorkers(3);
  rlock.acquireSync();
  rlock.acquireSync();
  const done = workers.map((worker, i) =>
    handled(worker.run(
      async (p, rlock: RLock, inside: Int32Array, useAsync: boolean) => {
        if (useAsync) await rlock.acquire();
        else rlock.acquireSync();
        const now = Atomics.add(inside, 0, 1) + 1;
        if (now > Atomics.load(inside, 1)) Atomics.store(inside, 1, now);
        rlock.acquireSync();
        const owned = rlock.owner === p.getIdent() && rlock.count === 2;
        rlock.release();
        Atomics.sub(inside, 0, 1);
        rlock.release();
        return owned;
      },
      rlock.handle,
      inside,
      i === 2,
    ))
  );
  await untilAsleep(rlock, 3);
  rlock.release();
  await delay(SETTLE_MS);
  strictEqual(Atomics.load(inside, 1), 0, "nobody got through early");
  rlock.release();
  deepStrictEqual(
    await within(Promise.all(done), "all 3 Workers get through"),
    [true, true, true],
  );
  strictEqual(Atomics.load(inside, 1), 1, "one at a time");
  strictEqual(rlock.locked, false);
});

Deno.test("RLock: a counter guarded by nested acquires across 3 Workers ends exact", async () => {
  const rlock = new RLock();
  const counter = int32s(1);
  await using workers = startWorkers(3);
  const iterations = 5_000;
  const done = await within(
    Promise.all(workers.map((worker) =>
      worker.run(
        (_p, rlock: RLock, counter: Int32Array, n: number) => {
          for (let i = 0; i < n; i++) {
            rlock.acquireSync();
            const seen = counter[0]!;
            rlock.acquireSync(); // re-entry inside the critical section
            counter[0] = seen + 1;
            rlock.release();
            rlock.release();
          }
          return n;
        },
        rlock.handle,
        counter,
        iterations,
      )
    )),
    "every Worker finishes",
  );
  deepStrictEqual(done, [iterations, iterations, iterations]);
  strictEqual(counter[0], 3 * iterations);
  strictEqual(rlock.locked, false);
  strictEqual(rlock.count, 0);
});
