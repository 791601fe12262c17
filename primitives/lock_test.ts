// Ported from CPython's Lib/test/lock_tests.py (BaseLockTests, LockTests),
// with real Workers for the threads, plus the faces this module adds: the
// async and Sync acquire, `hold()`/`holdSync()`, abort signals and handles.
// What Lock and RLock share is tested here for both (looping over `KINDS`);
// rlock_test.ts keeps what is RLock's own (re-entry, owner, count).
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { AbandonedLockError, NotHeldError } from "./errors.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { Semaphore } from "./semaphore.ts";
import { getIdent } from "./_thread.ts";
import { STATE } from "./_mutex.ts";
import { reapThread } from "./_reap.ts";
import { heap } from "./_heap.ts";
import { openMemory } from "./_memory.ts";
import {
  delay,
  handled,
  int32s,
  SETTLE_MS,
  startWorkers,
  waitFor,
  wakeAll,
  within,
  wordsOf,
} from "../testing/workers.ts";

/** The two mutexes: the tests of what they share loop over both. */
const KINDS = [Lock, RLock] as const;

/** A lock of either kind. */
type AnyLock = Lock | RLock;

/**
 * How many times `lock` is held: an RLock's recursion count, 1 or 0 for a
 * Lock.
 */
function depth(lock: AnyLock): number {
  return lock instanceof RLock ? lock.count : Number(lock.locked);
}

// Waiters in Workers wait without a timeout: an acquire that times out still
// takes a lock found free at its deadline, which would hide a lost wake-up.
// The main thread bounds each wait instead (`within`), and `await using`
// terminates a Worker left asleep.

/**
 * Counts the threads asleep in an acquire of `lock`, by waking them: a
 * waiter that wakes to find the lock still held sleeps again.
 */
function asleep(lock: AnyLock): number {
  return wakeAll(wordsOf(lock.handle), STATE);
}

/** Waits until `n` threads are asleep in an acquire of `lock`. */
function untilAsleep(lock: AnyLock, n: number): Promise<void> {
  return waitFor(`${n} threads wait for the lock`, () => asleep(lock) >= n);
}

// ---------------------------------------------------------------------------
// What Lock and RLock share: each test runs for both kinds.

for (const Kind of KINDS) {
  const name = Kind.name;
  const a = name === "RLock" ? "an RLock" : "a Lock";

  // -------------------------------------------------------------------------
  // One thread

  Deno.test(`${name}: a new lock is unlocked and acquire/release toggle \`locked\``, async () => {
    // CPython's test_constructor, test_acquire_release and test_locked.
    const lock = new Kind();
    strictEqual(lock.locked, false);
    strictEqual(lock.acquireSync(), true);
    strictEqual(lock.locked, true);
    lock.release();
    strictEqual(lock.locked, false);
    strictEqual(await lock.acquire(), true);
    strictEqual(lock.locked, true);
    lock.release();
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: releasing an unheld lock throws NotHeldError and the lock stays usable`, async () => {
    // CPython's test_release_unacquired.
    const lock = new Kind();
    throws(
      () => lock.release(),
      (error: Error) =>
        error instanceof NotHeldError && error.name === "NotHeldError" &&
        error.message === `Cannot release ${name}: it is not held`,
    );
    strictEqual(lock.locked, false);
    strictEqual(lock.tryAcquire(), true);
    lock.release();
    throws(() => lock.release(), NotHeldError);
    strictEqual(await lock.acquire(), true);
    strictEqual(lock.locked, true);
    lock.release();
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: a free lock is acquired at once whatever the timeout`, async () => {
    // CPython's test_timeout: a long timeout does not make a free lock wait,
    // and the largest timeouts are accepted (no OverflowError here).
    const lock = new Kind();
    for (const timeout of [0, 5_000, 1e100, Number.MAX_VALUE, Infinity]) {
      strictEqual(lock.acquireSync({ timeout }), true, `timeout ${timeout}`);
      lock.release();
      strictEqual(await lock.acquire({ timeout }), true, `timeout ${timeout}`);
      lock.release();
    }
    strictEqual(lock.acquireSync({}), true);
    lock.release();
    strictEqual(await lock.acquire({}), true);
    lock.release();
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: holdSync() releases at the end of a \`using\` block, also on a throw`, () => {
    // CPython's test_with.
    const lock = new Kind();
    {
      using _ = lock.holdSync();
      strictEqual(lock.locked, true);
    }
    strictEqual(lock.locked, false);
    throws(() => {
      using _ = lock.holdSync({ timeout: 100 });
      strictEqual(lock.locked, true);
      throw new TypeError("boom");
    }, TypeError);
    strictEqual(lock.locked, false);
    strictEqual(lock.tryAcquire(), true);
    lock.release();
  });

  Deno.test(`${name}: hold() releases at the end of an \`await using\` block, also on a throw`, async () => {
    const lock = new Kind();
    {
      await using _ = await lock.hold();
      strictEqual(lock.locked, true);
    }
    strictEqual(lock.locked, false);
    await rejects(async () => {
      await using _ = await lock.hold({ timeout: 100 });
      strictEqual(lock.locked, true);
      throw new TypeError("boom");
    }, TypeError);
    strictEqual(lock.locked, false);
    strictEqual(lock.tryAcquire(), true);
    lock.release();
  });

  Deno.test(`${name}: an already-aborted signal throws its reason, in both faces`, async () => {
    const lock = new Kind();
    const reason = new Error("stop");
    const signal = AbortSignal.abort(reason);
    // Free or held, an aborted signal wins: nothing is acquired.
    throws(() => lock.acquireSync({ signal }), (error) => error === reason);
    throws(() => lock.holdSync({ signal }), (error) => error === reason);
    await rejects(lock.acquire({ signal }), (error) => error === reason);
    await rejects(lock.hold({ signal }), (error) => error === reason);
    strictEqual(lock.locked, false);
    // Held by this thread: an RLock checks the signal before re-entry.
    lock.acquireSync();
    throws(() => lock.acquireSync({ signal }), (error) => error === reason);
    await rejects(lock.acquire({ signal }), (error) => error === reason);
    strictEqual(lock.locked, true);
    strictEqual(depth(lock), 1);
    lock.release();
    strictEqual(lock.locked, false);
    strictEqual(lock.tryAcquire(), true);
    lock.release();
  });

  // -------------------------------------------------------------------------
  // Bad input

  Deno.test(`${name}: from() refuses the handle of another kind, naming both kinds`, () => {
    const semaphore = new Semaphore();
    throws(
      () => Kind.from(semaphore.handle),
      (error: Error) =>
        error instanceof TypeError &&
        error.message ===
          `Cannot create ${name} from handle: expected ${a} handle, received a handle of kind "Semaphore"`,
    );
    // Relabelled, a foreign layout is still refused by its magic word.
    throws(
      () => Kind.from({ ...semaphore.handle, kind: name }),
      (error: Error) => error instanceof TypeError && error.message.includes(a),
    );
    // The semaphore was not touched.
    strictEqual(semaphore.value, 1);
  });

  Deno.test(`${name}: from() refuses a foreign buffer and non-handles`, () => {
    const foreign = {
      kind: name,
      buffer: new SharedArrayBuffer(12),
      byteOffset: 0,
      length: 3,
      generation: 1,
      parts: [],
    };
    throws(
      () => Kind.from(foreign),
      (error: Error) =>
        error instanceof TypeError &&
        error.message ===
          `Cannot create ${name} from handle: its buffer (12 bytes) at offset 0 is not the memory of ${a}`,
    );
    strictEqual(new Int32Array(foreign.buffer)[STATE], 0, "left untouched");
    throws(
      // deno-lint-ignore no-explicit-any
      () => Kind.from(42 as any),
      (error: Error) =>
        error instanceof TypeError &&
        error.message ===
          `Cannot create ${name} from handle: expected ${a} handle, received 42`,
    );
    const cases: [unknown, string | RegExp][] = [
      [42, "received 42"],
      [null, "received null"],
      [undefined, "received undefined"],
      [name, `received "${name}"`],
      [
        { kind: name },
        "'buffer' must be a SharedArrayBuffer, received undefined",
      ],
      [
        { kind: name, buffer: new ArrayBuffer(12) },
        // (`quote()` says "a ArrayBuffer" for now: see the report.)
        /'buffer' must be a SharedArrayBuffer, received an ArrayBuffer$/,
      ],
      [{ ...new Kind().handle, parts: "no" }, `is not the memory of ${a}`],
    ];
    for (const [handle, quoted] of cases) {
      throws(
        // deno-lint-ignore no-explicit-any
        () => Kind.from(handle as any),
        (error: Error) =>
          error instanceof TypeError &&
          (typeof quoted === "string"
            ? error.message.includes(quoted)
            : quoted.test(error.message)),
        String(quoted),
      );
    }
    // A failed from() leaves nothing behind for the next constructor.
    const lock = new Kind();
    strictEqual(lock.locked, false);
    notStrictEqual(lock.handle.buffer, foreign.buffer);
    strictEqual(openMemory(lock.handle.buffer), heap()); // the shared heap
  });

  Deno.test(`${name}: acquire rejects bad options, quoting the value, and the lock stays usable`, async () => {
    const lock = new Kind();
    const where = `Cannot acquire ${name}`;
    const cases: [
      unknown,
      typeof TypeError | typeof RangeError,
      string | RegExp,
    ][] = [
      [
        { timeout: -1 },
        RangeError,
        `${where}: 'timeout' must be a non-negative number of milliseconds, received -1`,
      ],
      [
        { timeout: -Infinity },
        RangeError,
        `${where}: 'timeout' must be a non-negative number of milliseconds, received -Infinity`,
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
        { timeout: 5n },
        TypeError,
        `${where}: 'timeout' must be a number of milliseconds, received 5n`,
      ],
      [
        { signal: 5 },
        TypeError,
        `${where}: 'signal' must be an AbortSignal, received 5`,
      ],
      [
        { signal: new AbortController() },
        TypeError,
        new RegExp(
          `^${where}: 'signal' must be an AbortSignal, received an AbortController$`,
        ),
      ],
      [5, TypeError, `${where}: 'options' must be an object, received 5`],
      [
        null,
        TypeError,
        `${where}: 'options' must be an object, received null`,
      ],
      [
        "fast",
        TypeError,
        `${where}: 'options' must be an object, received "fast"`,
      ],
    ];
    // Free, then held by this thread (where an RLock's re-entry would
    // succeed).
    for (const held of [false, true]) {
      if (held) lock.acquireSync();
      for (const [options, type, message] of cases) {
        const is = (error: Error) =>
          error instanceof type &&
          (typeof message === "string"
            ? error.message === message
            : message.test(error.message));
        // deno-lint-ignore no-explicit-any
        const bad = options as any;
        const what = String(message);
        throws(() => lock.acquireSync(bad), is, what);
        throws(() => lock.holdSync(bad), is, what);
        // The async face rejects: it never throws synchronously.
        const promise = lock.acquire(bad);
        ok(promise instanceof Promise);
        await rejects(promise, is, what);
        await rejects(lock.hold(bad), is, what);
        strictEqual(lock.locked, held, "bad input took nothing");
        strictEqual(depth(lock), held ? 1 : 0, "bad input took nothing");
      }
      if (held) lock.release();
      strictEqual(lock.locked, false);
      strictEqual(lock.tryAcquire(), true);
      lock.release();
      strictEqual(await lock.acquire({ timeout: 10 }), true);
      lock.release();
    }
  });

  // -------------------------------------------------------------------------
  // Threads

  Deno.test(`${name}: tryAcquire from a Worker is false while main holds it`, async () => {
    // CPython's test_try_acquire_contended.
    const lock = new Kind();
    await using workers = startWorkers(1);
    const worker = workers[0]!;
    lock.acquireSync();
    strictEqual(
      await worker.run((_p, lock: AnyLock) => lock.tryAcquire(), lock.handle),
      false,
    );
    strictEqual(
      await worker.run((_p, lock: AnyLock) => lock.locked, lock.handle),
      true,
    );
    lock.release();
    strictEqual(
      await worker.run((_p, lock: AnyLock) => {
        const took = lock.tryAcquire();
        lock.release();
        return took;
      }, lock.handle),
      true,
    );
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: a timed-out acquire in another thread returns false and leaves the lock consistent`, async () => {
    // CPython's test_timeout and test_state_after_timeout, across threads.
    const lock = new Kind();
    await using workers = startWorkers(1);
    const worker = workers[0]!;
    // Main holds it (an RLock twice over).
    const levels = lock instanceof RLock ? 2 : 1;
    for (let i = 0; i < levels; i++) lock.acquireSync();
    deepStrictEqual(
      await worker.run(async (_p, lock: AnyLock) => {
        const results = [
          lock.tryAcquire(),
          lock.acquireSync({ timeout: 0 }),
          lock.acquireSync({ timeout: 20 }),
          await lock.acquire({ timeout: 0 }),
          await lock.acquire({ timeout: 20 }),
        ];
        let holdSync = "";
        try {
          lock.holdSync({ timeout: 20 });
        } catch (error) {
          holdSync = (error as Error).name;
        }
        let hold = "";
        try {
          await lock.hold({ timeout: 20 });
        } catch (error) {
          hold = (error as Error).name;
        }
        return [...results, holdSync, hold, lock.locked];
      }, lock.handle),
      [
        false,
        false,
        false,
        false,
        false,
        "TimeoutError",
        "TimeoutError",
        true,
      ],
    );
    strictEqual(lock.locked, true);
    strictEqual(depth(lock), levels);
    if (lock instanceof RLock) strictEqual(lock.owner, getIdent());
    for (let i = 0; i < levels; i++) lock.release();
    strictEqual(lock.locked, false);
    deepStrictEqual(
      await worker.run(async (_p, lock: AnyLock) => {
        const sync = lock.acquireSync({ timeout: 20 });
        lock.release();
        const async = await lock.acquire({ timeout: 20 });
        lock.release();
        return [sync, async, lock.locked];
      }, lock.handle),
      [true, true, false],
    );
    // And the other way: main times out while a Worker holds it.
    await worker.run((_p, lock: AnyLock) => lock.acquireSync(), lock.handle);
    strictEqual(lock.tryAcquire(), false);
    strictEqual(lock.acquireSync({ timeout: 20 }), false);
    strictEqual(await lock.acquire({ timeout: 20 }), false);
    throws(() => lock.holdSync({ timeout: 20 }), { name: "TimeoutError" });
    await rejects(lock.hold({ timeout: 20 }), { name: "TimeoutError" });
    strictEqual(depth(lock), 1);
    await worker.run((_p, lock: AnyLock) => lock.release(), lock.handle);
    strictEqual(lock.tryAcquire(), true);
    strictEqual(depth(lock), 1);
    lock.release();
  });

  Deno.test(`${name}: a Worker blocked in acquireSync is woken by main's last release`, async () => {
    // An RLock held twice over wakes it only when the count returns to 0.
    const lock = new Kind();
    const got = int32s(1);
    await using workers = startWorkers(1);
    const levels = lock instanceof RLock ? 2 : 1;
    for (let i = 0; i < levels; i++) lock.acquireSync();
    const done = handled(workers[0]!.run(
      (p, lock: AnyLock, got: Int32Array) => {
        const ok = lock.acquireSync();
        Atomics.store(got, 0, 1);
        const owned = !(lock instanceof p.RLock) ||
          (lock.owner === p.getIdent() && lock.count === 1);
        lock.release();
        return ok && owned;
      },
      lock.handle,
      got,
    ));
    await untilAsleep(lock, 1);
    for (let i = 1; i < levels; i++) lock.release();
    await delay(SETTLE_MS);
    strictEqual(Atomics.load(got, 0), 0, "still held: the Worker waits");
    lock.release();
    strictEqual(await within(done, "the Worker acquires"), true);
    strictEqual(Atomics.load(got, 0), 1);
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: an async acquire in a Worker is woken by main's release`, async () => {
    const lock = new Kind();
    await using workers = startWorkers(1);
    lock.acquireSync();
    const done = handled(workers[0]!.run(async (_p, lock: AnyLock) => {
      const ok = await lock.acquire();
      lock.release();
      return ok;
    }, lock.handle));
    await untilAsleep(lock, 1);
    lock.release();
    strictEqual(await within(done, "the Worker acquires"), true);
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: an async acquire on main is woken by a Worker's release`, async () => {
    const lock = new Kind();
    await using workers = startWorkers(1);
    await workers[0]!.run(
      (_p, lock: AnyLock) => lock.acquireSync(),
      lock.handle,
    );
    const acquired = handled(lock.acquire());
    const done = handled(workers[0]!.run(
      (_p, lock: AnyLock) => lock.release(),
      lock.handle,
    ));
    strictEqual(await within(acquired, "main acquires"), true);
    await done;
    strictEqual(lock.locked, true);
    lock.release();
    // The same with hold(), released by `await using`.
    await workers[0]!.run(
      (_p, lock: AnyLock) => lock.acquireSync(),
      lock.handle,
    );
    const holding = handled(lock.hold());
    await workers[0]!.run((_p, lock: AnyLock) => lock.release(), lock.handle);
    {
      await using _ = await within(holding, "main holds");
      strictEqual(lock.locked, true);
    }
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: 3 Workers waiting on a held lock all get through`, async () => {
    // CPython's test_acquire_contended (N = 3): two wait in acquireSync, one
    // in the async acquire, and main releases (an RLock held twice over:
    // fully). Each RLock waiter re-enters once inside.
    const lock = new Kind();
    const inside = int32s(2); // [threads inside now, most ever inside]
    await using workers = startWorkers(3);
    const levels = lock instanceof RLock ? 2 : 1;
    for (let i = 0; i < levels; i++) lock.acquireSync();
    const done = workers.map((worker, i) =>
      handled(worker.run(
        async (p, lock: AnyLock, inside: Int32Array, useAsync: boolean) => {
          const ok = useAsync ? await lock.acquire() : lock.acquireSync();
          const now = Atomics.add(inside, 0, 1) + 1;
          if (now > Atomics.load(inside, 1)) Atomics.store(inside, 1, now);
          let owned = true;
          if (lock instanceof p.RLock) {
            lock.acquireSync();
            owned = lock.owner === p.getIdent() && lock.count === 2;
            lock.release();
          }
          Atomics.sub(inside, 0, 1);
          lock.release();
          return ok && owned;
        },
        lock.handle,
        inside,
        i === 2,
      ))
    );
    await untilAsleep(lock, 3);
    for (let i = 1; i < levels; i++) lock.release();
    await delay(SETTLE_MS);
    strictEqual(Atomics.load(inside, 1), 0, "nobody got through early");
    lock.release();
    deepStrictEqual(
      await within(Promise.all(done), "all 3 Workers get through"),
      [true, true, true],
    );
    strictEqual(Atomics.load(inside, 1), 1, "one at a time");
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: an async acquire aborted while a Worker holds the lock rejects with the reason`, async () => {
    const lock = new Kind();
    await using workers = startWorkers(1);
    const worker = workers[0]!;
    const ownerId = await worker.run((p, lock: AnyLock) => {
      lock.acquireSync();
      return p.getIdent();
    }, lock.handle);
    const controller = new AbortController();
    const aborted = handled(lock.acquire({ signal: controller.signal }));
    const holding = handled(lock.hold({ signal: controller.signal }));
    const reason = new Error("no longer needed");
    controller.abort(reason);
    await rejects(aborted, (error) => error === reason);
    await rejects(holding, (error) => error === reason);
    strictEqual(lock.locked, true, "the Worker still holds it");
    strictEqual(depth(lock), 1);
    if (lock instanceof RLock) strictEqual(lock.owner, ownerId);
    // A live waiter behind the aborted ones still gets the lock.
    const waiting = handled(lock.acquire());
    await worker.run((_p, lock: AnyLock) => lock.release(), lock.handle);
    strictEqual(await within(waiting, "main acquires"), true);
    if (lock instanceof RLock) strictEqual(lock.owner, getIdent());
    lock.release();
    strictEqual(lock.locked, false);
    strictEqual(await lock.acquire({ timeout: 1_000 }), true);
    lock.release();
    // A signal that times out rejects with its TimeoutError.
    await worker.run((_p, lock: AnyLock) => lock.acquireSync(), lock.handle);
    await rejects(
      lock.acquire({ signal: AbortSignal.timeout(10) }),
      { name: "TimeoutError" },
    );
    await worker.run((_p, lock: AnyLock) => lock.release(), lock.handle);
    strictEqual(lock.tryAcquire(), true);
    lock.release();
  });

  Deno.test(`${name}: an aborted async waiter does not swallow the wake-up of the next one`, async () => {
    // Main's aborted waitAsync must not stay queued first on the lock word,
    // where the holder's release (which wakes one waiter) would wake it
    // instead of a live waiter: main's second waiter, then a Worker's.
    const lock = new Kind();
    const flags = int32s(2); // [the Worker is about to wait, it got through]
    await using workers = startWorkers(2);
    const holder = workers[0]!;
    const waiter = workers[1]!;
    const cleanup = new AbortController();
    try {
      // Round 1: two async waiters on main; the first is aborted.
      await holder.run((_p, lock: AnyLock) => lock.acquireSync(), lock.handle);
      const controller = new AbortController();
      const first = handled(lock.acquire({ signal: controller.signal }));
      const second = handled(lock.acquire({ signal: cleanup.signal }));
      controller.abort(new Error("aborted"));
      await rejects(first, { message: "aborted" });
      await holder.run((_p, lock: AnyLock) => lock.release(), lock.handle);
      strictEqual(await within(second, "the second waiter acquires"), true);
      lock.release();

      // Round 2: an aborted waiter on main, then a Worker asleep in
      // acquireSync. If the wake-up is lost, the Worker sleeps on (until the
      // test gives up and terminates it).
      await holder.run((_p, lock: AnyLock) => lock.acquireSync(), lock.handle);
      const again = new AbortController();
      const third = handled(lock.acquire({ signal: again.signal }));
      again.abort(new Error("aborted"));
      await rejects(third, { message: "aborted" });
      const done = handled(waiter.run(
        (_p, lock: AnyLock, flags: Int32Array) => {
          Atomics.store(flags, 0, 1);
          const ok = lock.acquireSync();
          Atomics.store(flags, 1, 1);
          lock.release();
          return ok;
        },
        lock.handle,
        flags,
      ));
      await waitFor("the Worker waits", () => Atomics.load(flags, 0) === 1);
      await delay(SETTLE_MS);
      await holder.run((_p, lock: AnyLock) => lock.release(), lock.handle);
      strictEqual(await within(done, "the Worker is woken"), true);
      strictEqual(Atomics.load(flags, 1), 1);
      strictEqual(lock.locked, false);
    } finally {
      cleanup.abort();
    }
  });

  Deno.test(`${name}: a counter guarded across 4 Workers ends exact`, async () => {
    const lock = new Kind();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    await using workers = startWorkers(4);
    const iterations = 20_000;
    const done = await Promise.all(
      workers.map((w) =>
        w.run(
          (_p, lock: AnyLock, counter: Int32Array, n: number) => {
            for (let i = 0; i < n; i++) {
              lock.acquireSync();
              // A plain read-modify-write: only the lock makes it safe.
              counter[0] = counter[0]! + 1;
              lock.release();
            }
            return n;
          },
          lock.handle,
          counter,
          iterations,
        )
      ),
    );
    deepStrictEqual(done, [iterations, iterations, iterations, iterations]);
    strictEqual(counter[0], 4 * iterations);
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: a counter guarded by async and sync acquires across threads ends exact`, async () => {
    // Main and 2 Workers use the async face, 2 Workers the Sync one.
    const lock = new Kind();
    const counter = int32s(1);
    await using workers = startWorkers(4);
    const iterations = 2_000;
    const work = async (
      _p: unknown,
      lock: AnyLock,
      counter: Int32Array,
      n: number,
      useAsync: boolean,
    ) => {
      for (let i = 0; i < n; i++) {
        if (useAsync) await lock.acquire();
        else lock.acquireSync();
        const seen = counter[0]!;
        if (useAsync && i % 64 === 0) await Promise.resolve();
        counter[0] = seen + 1;
        lock.release();
      }
      return n;
    };
    const done = await within(
      Promise.all([
        ...workers.map((w, i) =>
          w.run(work, lock.handle, counter, iterations, i < 2)
        ),
        work(undefined, lock, counter, iterations, true),
      ]),
      "every thread finishes",
    );
    deepStrictEqual(done, Array(5).fill(iterations));
    strictEqual(counter[0], 5 * iterations);
    strictEqual(lock.locked, false);
  });
}

// ---------------------------------------------------------------------------
// Lock only: not reentrant, and any thread may release it

Deno.test("Lock: tryAcquire takes a free lock and is false on a held one", () => {
  // CPython's test_try_acquire.
  const lock = new Lock();
  strictEqual(lock.tryAcquire(), true);
  strictEqual(lock.locked, true);
  strictEqual(lock.tryAcquire(), false);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test("Lock: it is not reentrant: a second acquire by the holding thread times out", async () => {
  const lock = new Lock();
  lock.acquireSync();
  strictEqual(lock.tryAcquire(), false);
  strictEqual(lock.acquireSync({ timeout: 0 }), false);
  strictEqual(lock.acquireSync({ timeout: 10 }), false);
  strictEqual(await lock.acquire({ timeout: 0 }), false);
  strictEqual(await lock.acquire({ timeout: 10 }), false);
  strictEqual(lock.locked, true);
  // One release frees it: no count was kept.
  lock.release();
  strictEqual(lock.locked, false);
  throws(() => lock.release(), NotHeldError);
});

Deno.test("Lock: a timed-out acquire leaves the lock consistent", async () => {
  // CPython's test_state_after_timeout (issue #11618), in both faces.
  const lock = new Lock();
  lock.acquireSync();
  strictEqual(lock.acquireSync({ timeout: 10 }), false);
  lock.release();
  strictEqual(lock.locked, false);
  strictEqual(lock.tryAcquire(), true);
  strictEqual(await lock.acquire({ timeout: 10 }), false);
  lock.release();
  strictEqual(lock.locked, false);
  strictEqual(lock.tryAcquire(), true);
  lock.release();
});

Deno.test("Lock: hold() and holdSync() throw a TimeoutError DOMException when the timeout passes", async () => {
  const lock = new Lock();
  lock.acquireSync();
  const isTimeout = (error: unknown) =>
    error instanceof DOMException && error.name === "TimeoutError" &&
    error.message.includes("10 ms") && error.message.includes("Lock");
  throws(() => lock.holdSync({ timeout: 10 }), isTimeout);
  await rejects(lock.hold({ timeout: 10 }), isTimeout);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
  // The lock is still usable: the failed holds took nothing.
  {
    using _ = lock.holdSync({ timeout: 10 });
    strictEqual(lock.locked, true);
  }
  strictEqual(lock.locked, false);
});

Deno.test("Lock: an async acquire aborted while this thread holds the lock rejects with the reason", async () => {
  const lock = new Lock();
  lock.acquireSync();
  const controller = new AbortController();
  const waiting = handled(lock.acquire({ signal: controller.signal }));
  const reason = new Error("cancelled");
  controller.abort(reason);
  await rejects(waiting, (error) => error === reason);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
  strictEqual(await lock.acquire(), true);
  lock.release();
});

Deno.test("Lock: an async acquire waits for this thread's own release", async () => {
  // The lock is not reentrant, so on one thread it serializes async tasks.
  const lock = new Lock();
  lock.acquireSync();
  let settled = false;
  const waiting = handled(lock.acquire().finally(() => settled = true));
  await delay(SETTLE_MS);
  strictEqual(settled, false, "the acquire waits");
  lock.release();
  strictEqual(await within(waiting, "the acquire succeeds"), true);
  strictEqual(lock.locked, true);
  lock.release();
});

Deno.test("Lock: async tasks on one thread take turns under hold()", async () => {
  const lock = new Lock();
  let counter = 0;
  let inside = 0;
  let most = 0;
  const task = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await using _ = await lock.hold();
      most = Math.max(most, ++inside);
      const seen = counter;
      // Yield inside the critical section: only the lock keeps others out.
      await (i % 10 === 0 ? delay(0) : Promise.resolve());
      counter = seen + 1;
      inside--;
    }
  };
  await within(
    Promise.all([task(50), task(50), task(50)]),
    "every task finishes",
  );
  strictEqual(counter, 150);
  strictEqual(most, 1);
  strictEqual(lock.locked, false);
});

Deno.test("Lock: handles rebuild the same lock, made in any thread", async () => {
  const lock = new Lock();
  const copy = Lock.from(structuredClone(lock.handle));
  notStrictEqual(copy, lock);
  copy.acquireSync();
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(copy.locked, false);

  // A lock made in a Worker comes back to main through its handle.
  await using workers = startWorkers(1);
  const handle = await workers[0]!.run((p) => {
    const made = new p.Lock();
    made.acquireSync();
    return made.handle;
  });
  const made = Lock.from(handle);
  strictEqual(made.locked, true);
  strictEqual(made.tryAcquire(), false);
  made.release();
  strictEqual(made.tryAcquire(), true);
  made.release();
});

Deno.test("Lock: any thread may release it", async () => {
  // CPython's test_different_thread, both ways.
  const lock = new Lock();
  await using workers = startWorkers(1);
  const worker = workers[0]!;
  lock.acquireSync();
  await worker.run((_p, lock: Lock) => lock.release(), lock.handle);
  strictEqual(lock.locked, false);
  strictEqual(lock.tryAcquire(), true);
  lock.release();

  await worker.run((_p, lock: Lock) => lock.acquireSync(), lock.handle);
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
  strictEqual(await lock.acquire(), true);
  lock.release();

  // Released twice across threads: the second release throws in the Worker.
  lock.acquireSync();
  lock.release();
  await rejects(
    worker.run((_p, lock: Lock) => lock.release(), lock.handle),
    (error: Error) =>
      error.name === "NotHeldError" &&
      error.message === "Cannot release Lock: it is not held",
  );
  strictEqual(lock.tryAcquire(), true);
  lock.release();
});

Deno.test("Lock: a Worker's second acquire waits until another thread releases", async () => {
  // CPython's test_reacquire: the lock must be released before re-acquiring.
  const lock = new Lock();
  const phase = int32s(1);
  await using workers = startWorkers(1);
  const done = handled(workers[0]!.run(
    (_p, lock: Lock, phase: Int32Array) => {
      lock.acquireSync();
      Atomics.store(phase, 0, 1);
      const again = lock.acquireSync();
      Atomics.store(phase, 0, 2);
      return again;
    },
    lock.handle,
    phase,
  ));
  await waitFor("the Worker holds the lock", () => Atomics.load(phase, 0) >= 1);
  await untilAsleep(lock, 1);
  await delay(SETTLE_MS);
  strictEqual(Atomics.load(phase, 0), 1, "the second acquire waits");
  lock.release();
  strictEqual(await within(done, "the Worker acquires again"), true);
  strictEqual(Atomics.load(phase, 0), 2);
  // The Worker's second acquire holds the lock now.
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(lock.locked, false);
});

Deno.test({
  name:
    "Lock: a program whose only pending work is an acquire does not exit early",
  async fn() {
    const script = new URL("./testdata/keepalive_lock.ts", import.meta.url);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", script.href],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const errors = decoder.decode(stderr);
    strictEqual(
      decoder.decode(stdout),
      "locked: true\nacquired: true\ntimed out: true\nlocked: false\n",
      errors,
    );
    strictEqual(code, 0, errors);
  },
});

// ---------------------------------------------------------------------------
// Abandoned locks: a pool that sees a worker die calls reapThread with the
// worker's thread id. Here a Worker takes the lock and is told it died.

for (const Kind of KINDS) {
  const name = Kind.name;

  Deno.test(`${name}: the first acquire after its owner died throws AbandonedLockError, then the lock works`, async () => {
    await using workers = startWorkers(1);
    const lock = new Kind();
    const owner = await workers[0]!.run((p, held: AnyLock) => {
      held.acquireSync();
      return p.getIdent();
    }, lock.handle);
    strictEqual(lock.tryAcquire(), false);
    reapThread(owner);
    throws(() => lock.tryAcquire(), AbandonedLockError);
    strictEqual(lock.locked, false, "the error frees the lock");
    strictEqual(lock.tryAcquire(), true);
    lock.release();
    // Once more, through the async face.
    await workers[0]!.run(
      (_, held: AnyLock) => held.acquireSync(),
      lock.handle,
    );
    reapThread(owner);
    await rejects(lock.acquire(), AbandonedLockError);
    strictEqual(await lock.acquire({ timeout: 1000 }), true);
    lock.release();
  });

  Deno.test(`${name}: a thread asleep on an abandoned lock wakes with AbandonedLockError`, async () => {
    await using workers = startWorkers(2);
    const lock = new Kind();
    const owner = await workers[0]!.run((p, held: AnyLock) => {
      held.acquireSync();
      return p.getIdent();
    }, lock.handle);
    const waiter = handled(workers[1]!.run((_, held: AnyLock) => {
      try {
        held.acquireSync();
        return "acquired";
      } catch (error) {
        return (error as Error).name;
      }
    }, lock.handle));
    await untilAsleep(lock, 1);
    reapThread(owner);
    strictEqual(
      await within(waiter, "the waiter wakes"),
      "AbandonedLockError",
    );
    strictEqual(lock.locked, false);
  });

  Deno.test(`${name}: reaping another thread leaves the locks of live threads alone`, () => {
    const lock = new Kind();
    lock.acquireSync();
    reapThread(getIdent() + 1000);
    strictEqual(lock.locked, true);
    strictEqual(lock.tryAcquire(), Kind === RLock);
    if (Kind === RLock) lock.release();
    lock.release();
    strictEqual(lock.locked, false);
  });
}

for (const Kind of KINDS) {
  Deno.test(`${Kind.name}: hold() and holdSync() return a guard that releases what they acquired, once`, async () => {
    const lock = new Kind();
    {
      using _ = lock.holdSync();
      strictEqual(lock.locked, true);
    }
    strictEqual(lock.locked, false);
    const guard = lock.holdSync();
    guard[Symbol.dispose]();
    lock.acquireSync(); // held by someone else's acquire now
    guard[Symbol.dispose](); // nothing more to release
    strictEqual(lock.locked, true);
    lock.release();
    const later = await lock.hold();
    await later[Symbol.asyncDispose]();
    await later[Symbol.asyncDispose]();
    strictEqual(lock.locked, false);
  });

  Deno.test(`${Kind.name}: the lock itself is not disposable ('using' it would release a lock it never took)`, () => {
    const lock = new Kind();
    strictEqual(Symbol.dispose in lock, false);
    throws(() => {
      using _ = lock as unknown as Disposable;
    }, TypeError);
    strictEqual(lock.locked, false);
  });
}

Deno.test("RLock: each guard releases one level", () => {
  const lock = new RLock();
  const outer = lock.holdSync();
  const inner = lock.holdSync();
  strictEqual(lock.count, 2);
  inner[Symbol.dispose]();
  inner[Symbol.dispose]();
  strictEqual(lock.count, 1);
  outer[Symbol.dispose]();
  strictEqual(lock.locked, false);
});
