// Ported from CPython's Lib/test/lock_tests.py (BaseLockTests, RLockTests),
// with real Workers for the threads. Ownership is per thread: two async
// tasks on one thread are the same owner, so every ownership test uses
// Workers. What RLock shares with Lock is tested for both in lock_test.ts.
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
import { handled, int32s, startWorkers, within } from "../testing/workers.ts";

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
    using _outer = rlock.holdSync();
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

// ---------------------------------------------------------------------------
// Bad input

Deno.test("RLock: Lock and RLock refuse each other's handles", () => {
  // The rest of from()'s refusals are tested for both kinds in lock_test.ts.
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
  strictEqual(lock.locked, false);
  strictEqual(new RLock().locked, false);
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
