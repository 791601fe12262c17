// Ported from CPython's Lib/test/lock_tests.py (BaseSemaphoreTests,
// SemaphoreTests, BoundedSemaphoreTests), with real Workers for the threads.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";
import {
  delay,
  handled,
  int32s,
  SETTLE_MS,
  startWorkers,
  waitFor,
  within,
} from "../testing/workers.ts";

const KINDS = [Semaphore, BoundedSemaphore] as const;

for (const Kind of KINDS) {
  const name = Kind.name;

  Deno.test(`${name}: a negative, fractional or too large value is a RangeError quoting it`, () => {
    for (const value of [-1, -Number.MAX_SAFE_INTEGER, 1.5, NaN, 2 ** 31]) {
      throws(() => new Kind(value), (error: unknown) => {
        ok(error instanceof RangeError);
        strictEqual(
          error.message,
          `Cannot create ${name}: 'value' must be a non-negative integer no greater than 2147483647, received ${value}`,
        );
        return true;
      });
    }
  });

  Deno.test(`${name}: a value that is not a number is a TypeError quoting it`, () => {
    // deno-lint-ignore no-explicit-any
    throws(() => new Kind("3" as any), {
      name: "TypeError",
      message:
        `Cannot create ${name}: 'value' must be an integer, received "3"`,
    });
    // deno-lint-ignore no-explicit-any
    throws(() => new Kind(null as any), TypeError);
    // deno-lint-ignore no-explicit-any
    throws(() => new Kind(3n as any), TypeError);
  });

  Deno.test(`${name}: the default value is 1`, () => {
    const semaphore = new Kind();
    strictEqual(semaphore.value, 1);
    strictEqual(semaphore.tryAcquire(), true);
    strictEqual(semaphore.tryAcquire(), false);
    semaphore.release();
    strictEqual(semaphore.value, 1);
    strictEqual(new Kind(undefined).value, 1);
    strictEqual(new Kind(0).value, 0);
  });

  Deno.test(`${name}: acquire and release, in both faces`, async () => {
    let semaphore = new Kind(1);
    strictEqual(semaphore.acquireSync(), true);
    strictEqual(semaphore.value, 0);
    semaphore.release();
    strictEqual(await semaphore.acquire(), true);
    semaphore.release();
    semaphore = new Kind(2);
    strictEqual(semaphore.acquireSync(), true);
    strictEqual(await semaphore.acquire(), true);
    strictEqual(semaphore.value, 0);
    semaphore.release();
    semaphore.release();
    strictEqual(semaphore.value, 2);
  });

  Deno.test(`${name}: tryAcquire takes only the free permits`, () => {
    const semaphore = new Kind(2);
    strictEqual(semaphore.tryAcquire(), true);
    strictEqual(semaphore.tryAcquire(), true);
    strictEqual(semaphore.tryAcquire(), false);
    semaphore.release();
    strictEqual(semaphore.tryAcquire(), true);
    strictEqual(semaphore.value, 0);
  });

  Deno.test(`${name}: an acquire with a timeout returns false when no permit comes`, async () => {
    const semaphore = new Kind(2);
    strictEqual(semaphore.acquireSync({ timeout: 5 }), true);
    strictEqual(await semaphore.acquire({ timeout: 5 }), true);
    strictEqual(semaphore.acquireSync({ timeout: 5 }), false);
    strictEqual(await semaphore.acquire({ timeout: 5 }), false);
    strictEqual(semaphore.acquireSync({ timeout: 0 }), false);
    strictEqual(await semaphore.acquire({ timeout: 0 }), false);
    semaphore.release();
    strictEqual(semaphore.acquireSync({ timeout: 5 }), true);
    semaphore.release();
    strictEqual(await semaphore.acquire({ timeout: 0 }), true);
    strictEqual(semaphore.value, 0);
  });

  Deno.test(`${name}: a bad timeout is refused and leaves the value alone`, async () => {
    const semaphore = new Kind(1);
    for (const timeout of [-1, NaN, -Infinity]) {
      throws(() => semaphore.acquireSync({ timeout }), RangeError);
      await rejects(semaphore.acquire({ timeout }), RangeError);
    }
    // deno-lint-ignore no-explicit-any
    const text = { timeout: "5" as any };
    throws(() => semaphore.acquireSync(text), {
      name: "TypeError",
      message:
        `Cannot acquire ${name}: 'timeout' must be a number of milliseconds, received "5"`,
    });
    await rejects(semaphore.acquire(text), TypeError);
    strictEqual(semaphore.value, 1);
    strictEqual(semaphore.acquireSync({ timeout: Infinity }), true);
  });

  Deno.test(`${name}: release(n) returns n permits`, () => {
    const semaphore = new Kind(5);
    for (let i = 0; i < 5; i++) semaphore.acquireSync();
    semaphore.release(3);
    strictEqual(semaphore.value, 3);
    semaphore.release(2);
    strictEqual(semaphore.value, 5);
  });

  Deno.test(`${name}: release(n) refuses a count that is not a positive integer`, () => {
    const semaphore = new Kind(1);
    semaphore.acquireSync();
    for (const n of [0, -1, 1.5, NaN]) {
      throws(() => semaphore.release(n), {
        name: "RangeError",
        message:
          `Cannot release ${name}: 'n' must be a positive integer no greater than 2147483647, received ${n}`,
      });
    }
    // deno-lint-ignore no-explicit-any
    throws(() => semaphore.release("2" as any), {
      name: "TypeError",
      message: `Cannot release ${name}: 'n' must be an integer, received "2"`,
    });
    strictEqual(semaphore.value, 0);
    semaphore.release();
    strictEqual(semaphore.value, 1);
  });

  Deno.test(`${name}: holdSync and hold give the permit back at the end of the block`, async () => {
    const semaphore = new Kind(2);
    const block = (error?: Error) => {
      using _ = semaphore.holdSync();
      strictEqual(semaphore.tryAcquire(), true);
      semaphore.release();
      {
        using _ = semaphore.holdSync({ timeout: 5 });
        strictEqual(semaphore.tryAcquire(), false);
        if (error) throw error;
      }
    };
    block();
    strictEqual(semaphore.value, 2);
    throws(() => block(new TypeError("inside")), TypeError);
    strictEqual(semaphore.value, 2);

    const asyncBlock = async (error?: Error) => {
      await using _ = await semaphore.hold();
      strictEqual(semaphore.value, 1);
      {
        await using _ = await semaphore.hold({ timeout: 5 });
        strictEqual(semaphore.tryAcquire(), false);
        if (error) throw error;
      }
    };
    await asyncBlock();
    strictEqual(semaphore.value, 2);
    await rejects(asyncBlock(new TypeError("inside")), TypeError);
    strictEqual(semaphore.value, 2);
  });

  Deno.test(`${name}: hold and holdSync throw a TimeoutError when no permit comes`, async () => {
    const semaphore = new Kind(0);
    throws(() => semaphore.holdSync({ timeout: 1 }), {
      name: "TimeoutError",
    });
    await rejects(semaphore.hold({ timeout: 1 }), { name: "TimeoutError" });
    strictEqual(semaphore.value, 0);
  });

  Deno.test(`${name}: a pre-aborted signal throws its reason and takes no permit`, async () => {
    const reason = new Error("stop");
    const signal = AbortSignal.abort(reason);
    for (const value of [0, 1]) {
      const semaphore = new Kind(value);
      throws(() => semaphore.acquireSync({ signal }), (e) => e === reason);
      throws(() => semaphore.holdSync({ signal }), (e) => e === reason);
      await rejects(semaphore.acquire({ signal }), (e) => e === reason);
      await rejects(semaphore.hold({ signal }), (e) => e === reason);
      strictEqual(semaphore.value, value);
    }
  });

  Deno.test(`${name}: aborting a waiting acquire rejects with the reason and loses no permit`, async () => {
    const semaphore = new Kind(1);
    semaphore.acquireSync();
    const passed = int32s(1);
    await using workers = startWorkers(1);
    const worker = handled(workers[0]!.run(
      (_p, semaphore: Semaphore, passed: Int32Array) => {
        semaphore.acquireSync();
        Atomics.store(passed, 0, 1);
        return semaphore.value;
      },
      semaphore.handle,
      passed,
    ));
    const controller = new AbortController();
    const aborted = semaphore.acquire({ signal: controller.signal });
    await delay(20);
    const reason = new Error("stop");
    controller.abort(reason);
    await rejects(aborted, (e) => e === reason);
    strictEqual(semaphore.value, 0);
    strictEqual(Atomics.load(passed, 0), 0);

    semaphore.release(1);
    strictEqual(await within(worker, "the Worker gets the permit"), 0);
    strictEqual(Atomics.load(passed, 0), 1);
    strictEqual(semaphore.value, 0);
    semaphore.release();
    strictEqual(semaphore.value, 1);
  });

  Deno.test(`${name}: after one async waiter aborts, a release goes to another one`, async () => {
    const semaphore = new Kind(1);
    semaphore.acquireSync();
    const controller = new AbortController();
    const aborted = semaphore.acquire({ signal: controller.signal });
    const waiting = semaphore.acquire();
    controller.abort();
    await rejects(aborted, { name: "AbortError" });
    semaphore.release();
    strictEqual(await within(waiting, "the other waiter passes"), true);
    strictEqual(semaphore.value, 0);
    semaphore.release();
    strictEqual(semaphore.value, 1);
  });

  Deno.test(`${name}: a waiting Worker passes only once a permit is released`, async () => {
    // CPython's test_default_value.
    const semaphore = new Kind();
    semaphore.acquireSync();
    const state = int32s(1);
    await using workers = startWorkers(1);
    const worker = handled(workers[0]!.run(
      (_p, semaphore: Semaphore, state: Int32Array) => {
        Atomics.store(state, 0, 1);
        semaphore.acquireSync();
        Atomics.store(state, 0, 2);
        semaphore.release();
      },
      semaphore.handle,
      state,
    ));
    await waitFor("the Worker starts", () => Atomics.load(state, 0) !== 0);
    await delay(SETTLE_MS);
    strictEqual(Atomics.load(state, 0), 1);
    semaphore.release();
    await within(worker, "the Worker passes");
    strictEqual(Atomics.load(state, 0), 2);
    strictEqual(semaphore.value, 1);
  });

  Deno.test(`${name}: with 2 permits free, exactly 2 of 3 waiting Workers pass`, async () => {
    const semaphore = new Kind(2);
    const passed = int32s(1);
    await using workers = startWorkers(3);
    const done = handled(Promise.all(workers.map((worker) =>
      worker.run(
        (_p, semaphore: Semaphore, passed: Int32Array) => {
          semaphore.acquireSync();
          Atomics.add(passed, 0, 1);
          return true;
        },
        semaphore.handle,
        passed,
      )
    )));
    await waitFor("2 Workers pass", () => Atomics.load(passed, 0) >= 2);
    await delay(SETTLE_MS);
    strictEqual(Atomics.load(passed, 0), 2);
    strictEqual(semaphore.value, 0);
    semaphore.release();
    deepStrictEqual(
      await within(done, "the last Worker passes"),
      [true, true, true],
    );
    strictEqual(Atomics.load(passed, 0), 3);
    strictEqual(semaphore.value, 0);
  });

  Deno.test(`${name}: tryAcquire from 3 Workers takes exactly the free permits`, async () => {
    // CPython's test_try_acquire_contended.
    const semaphore = new Kind(4);
    semaphore.acquireSync();
    await using workers = startWorkers(3);
    const results = await Promise.all(workers.map((worker) =>
      worker.run(
        (_p, semaphore: Semaphore) => [
          semaphore.tryAcquire(),
          semaphore.tryAcquire(),
        ],
        semaphore.handle,
      )
    ));
    deepStrictEqual(
      results.flat().sort(),
      [false, false, false, true, true, true],
    );
    strictEqual(semaphore.value, 0);
  });
}

/**
 * CPython's test_acquire_contended and test_multirelease: 3 Workers want 4
 * permits each, 12 in all. Each records the phase in which it got a permit;
 * every release lets exactly that many through.
 */
async function contended(
  Kind: typeof Semaphore,
  release: (semaphore: Semaphore, n: number) => void,
): Promise<void> {
  const semaphore = new Kind(7);
  semaphore.acquireSync();
  const phase = int32s(1);
  const log = int32s(1 + 12); // [count, phase of each acquisition...]
  await using workers = startWorkers(3);
  const done = handled(Promise.all(workers.map((worker) =>
    worker.run(
      (_p, semaphore: Semaphore, phase: Int32Array, log: Int32Array) => {
        for (let i = 0; i < 4; i++) {
          semaphore.acquireSync();
          // Read the phase before counting: once the main thread sees the
          // count, it may move to the next phase.
          const now = Atomics.load(phase, 0);
          Atomics.store(log, 1 + Atomics.add(log, 0, 1), now);
        }
        return 4;
      },
      semaphore.handle,
      phase,
      log,
    )
  )));
  const count = () => Atomics.load(log, 0);
  const step = async (n: number, expected: number) => {
    await waitFor(`${expected} permits are taken`, () => count() >= expected);
    await delay(SETTLE_MS);
    strictEqual(count(), expected);
    strictEqual(semaphore.value, 0);
    strictEqual(semaphore.tryAcquire(), false);
    Atomics.add(phase, 0, 1);
    if (n > 0) release(semaphore, n);
  };
  await step(4, 6); // Phase 0: the 6 free permits.
  await step(1, 10); // Phase 1: 4 more.
  await step(1, 11); // Phase 2: the semaphore is still locked.
  deepStrictEqual(
    await within(done, "every Worker is done"),
    [4, 4, 4],
  );
  deepStrictEqual(
    Array.from(log.subarray(1), (_, i) => Atomics.load(log, 1 + i)).sort(),
    [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3],
  );
  strictEqual(semaphore.value, 0);
}

for (const Kind of KINDS) {
  Deno.test(`${Kind.name}: each release() lets exactly one waiting Worker through`, async () => {
    await contended(Kind, (semaphore, n) => {
      for (let i = 0; i < n; i++) semaphore.release();
    });
  });

  Deno.test(`${Kind.name}: release(n) lets exactly n waiting Workers through`, async () => {
    await contended(Kind, (semaphore, n) => semaphore.release(n));
  });
}

Deno.test("Semaphore: 4 Workers never hold more than 2 permits of a Semaphore(2)", async () => {
  const semaphore = new Semaphore(2);
  // [inside now, most inside seen, passes, Workers ready, a word to sleep on]
  const stats = int32s(5);
  const iterations = 10_000;
  await using workers = startWorkers(4);
  const done = await within(
    Promise.all(workers.map((worker, i) =>
      worker.run(
        async (
          _p,
          semaphore: Semaphore,
          stats: Int32Array,
          n: number,
          useAsync: boolean,
        ) => {
          // Start together, so that the Workers really contend.
          Atomics.add(stats, 3, 1);
          Atomics.notify(stats, 3);
          for (let seen; (seen = Atomics.load(stats, 3)) < 4;) {
            Atomics.wait(stats, 3, seen);
          }
          for (let i = 0; i < n; i++) {
            if (useAsync) await semaphore.acquire();
            else semaphore.acquireSync();
            const inside = Atomics.add(stats, 0, 1) + 1;
            let most = Atomics.load(stats, 1);
            while (inside > most) {
              const seen = Atomics.compareExchange(stats, 1, most, inside);
              if (seen === most) break;
              most = seen;
            }
            // Now and then, sleep while holding the permit: on a machine with
            // few cores, that is what makes the others find none free.
            if (i % 4 === 0) Atomics.wait(stats, 4, 0, 0.02);
            Atomics.add(stats, 2, 1);
            Atomics.sub(stats, 0, 1);
            semaphore.release();
          }
          return n;
        },
        semaphore.handle,
        stats,
        iterations,
        i % 2 === 0, // Two Workers use the async face, two the Sync one.
      )
    )),
    "every Worker is done",
  );
  deepStrictEqual(done, [iterations, iterations, iterations, iterations]);
  const most = Atomics.load(stats, 1);
  ok(most >= 1 && most <= 2, `at most 2 inside, saw ${most}`);
  strictEqual(Atomics.load(stats, 0), 0);
  strictEqual(Atomics.load(stats, 2), 4 * iterations);
  strictEqual(semaphore.value, 2);
});

Deno.test("Semaphore: releases past the initial value are allowed", () => {
  // CPython's SemaphoreTests.test_release_unacquired.
  const semaphore = new Semaphore(1);
  semaphore.release();
  strictEqual(semaphore.value, 2);
  semaphore.acquireSync();
  semaphore.acquireSync();
  semaphore.release();
  strictEqual(semaphore.value, 1);
  semaphore.release(10);
  strictEqual(semaphore.value, 11);
});

Deno.test("Semaphore: a release past 2147483647 is a RangeError and changes nothing", () => {
  const semaphore = new Semaphore(0x7fffffff);
  throws(() => semaphore.release(), RangeError);
  strictEqual(semaphore.value, 0x7fffffff);
  semaphore.acquireSync();
  semaphore.release();
  strictEqual(semaphore.value, 0x7fffffff);
});

Deno.test("BoundedSemaphore: releasing past the initial value is a RangeError", () => {
  // CPython's BoundedSemaphoreTests.test_release_unacquired.
  const semaphore = new BoundedSemaphore();
  throws(() => semaphore.release(), {
    name: "RangeError",
    message:
      "Cannot release BoundedSemaphore: released too many times (value 1 + 1 would exceed its initial value 1)",
  });
  strictEqual(semaphore.value, 1);
  semaphore.acquireSync();
  semaphore.release();
  throws(() => semaphore.release(), RangeError);
  strictEqual(semaphore.value, 1);
});

Deno.test("BoundedSemaphore: release(n) past the initial value throws and changes nothing", () => {
  const semaphore = new BoundedSemaphore(3);
  semaphore.acquireSync();
  semaphore.acquireSync();
  throws(() => semaphore.release(3), RangeError);
  strictEqual(semaphore.value, 1);
  semaphore.release(2);
  strictEqual(semaphore.value, 3);
  throws(() => semaphore.release(1), RangeError);
  strictEqual(semaphore.value, 3);
});

Deno.test("BoundedSemaphore: from() and Semaphore.from() refuse each other's handles", () => {
  throws(() => BoundedSemaphore.from(new Semaphore().handle), {
    name: "TypeError",
    message:
      'Cannot create BoundedSemaphore from handle: expected a BoundedSemaphore handle, received a handle of kind "Semaphore"',
  });
  throws(() => Semaphore.from(new BoundedSemaphore().handle), {
    name: "TypeError",
    message:
      'Cannot create Semaphore from handle: expected a Semaphore handle, received a handle of kind "BoundedSemaphore"',
  });
  // deno-lint-ignore no-explicit-any
  throws(() => Semaphore.from({} as any), TypeError);
  // deno-lint-ignore no-explicit-any
  throws(() => Semaphore.from(null as any), TypeError);
});

Deno.test("BoundedSemaphore: from() shares the permits and the bound", () => {
  const semaphore = new BoundedSemaphore(2);
  const copy = BoundedSemaphore.from(semaphore.handle);
  ok(copy instanceof BoundedSemaphore);
  copy.acquireSync();
  strictEqual(semaphore.value, 1);
  semaphore.release();
  throws(() => copy.release(), RangeError);
  strictEqual(copy.value, 2);
});

Deno.test("BoundedSemaphore: stays bounded in a Worker", async () => {
  const semaphore = new BoundedSemaphore(2);
  semaphore.acquireSync();
  await using workers = startWorkers(1);
  const result = await workers[0]!.run(
    (p, semaphore: BoundedSemaphore) => {
      const bounded = semaphore instanceof p.BoundedSemaphore;
      semaphore.release();
      try {
        semaphore.release();
        return [bounded, "no error", semaphore.value];
      } catch (error) {
        return [bounded, (error as Error).name, semaphore.value];
      }
    },
    semaphore.handle,
  );
  deepStrictEqual(result, [true, "RangeError", 2]);
  strictEqual(semaphore.value, 2);
});

Deno.test("Semaphore: a guard gives back one permit, once", async () => {
  const semaphore = new Semaphore(2);
  const guard = semaphore.holdSync();
  strictEqual(semaphore.value, 1);
  guard[Symbol.dispose]();
  guard[Symbol.dispose]();
  strictEqual(semaphore.value, 2);
  {
    await using _ = await semaphore.hold();
    strictEqual(semaphore.value, 1);
  }
  strictEqual(semaphore.value, 2);
  strictEqual(Symbol.dispose in semaphore, false);
});
