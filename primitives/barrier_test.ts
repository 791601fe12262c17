// Ported from CPython's Lib/test/lock_tests.py (BarrierTests): N - 1 real
// Workers and the main thread are the parties, as in CPython's run_threads.
// The Workers alternate between the sync and the async face; main uses the
// async face (it must keep its event loop running to hear from them).

import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import * as parallel from "../mod.ts";
import { Barrier } from "./barrier.ts";
import { BrokenBarrierError } from "./errors.ts";
import { Lock } from "./lock.ts";
import {
  delay,
  int32s,
  type Parallel,
  startWorkers,
  type TestWorker,
  waitFor,
} from "../testing/workers.ts";

const N = 5;

/** What a party function gets besides its own arguments. */
interface Party {
  p: Parallel;
  /** "sync" or "async": the face this party waits with. */
  face: string;
  /** Sleeps without using any primitive (blocks in the sync face). */
  sleep(ms: number): Promise<void> | void;
}

/**
 * Runs `fn` in every Worker and on the main thread at once (CPython's
 * run_threads) and returns all the results, main's last. `fn` must be
 * self-contained; a Barrier among `args` reaches each Worker as a rebuilt
 * Barrier.
 */
function runThreads<T>(
  workers: TestWorker[],
  // deno-lint-ignore no-explicit-any
  fn: (party: Party, ...args: any[]) => T | Promise<T>,
  ...args: unknown[]
): Promise<T[]> {
  const source = fn.toString();
  // Each Worker rebuilds the party around the function it receives.
  const inWorker = (
    p: Parallel,
    face: string,
    source: string,
    ...args: unknown[]
  ) => {
    const sleep = (ms: number) => {
      if (face === "sync") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        return;
      }
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    return new Function(`return (${source});`)()({ p, face, sleep }, ...args);
  };
  const handles = args.map((arg) => arg instanceof Barrier ? arg.handle : arg);
  const runs = workers.map((worker, i) =>
    worker.run(
      inWorker,
      i % 2 === 0 ? "sync" : "async",
      source,
      ...handles,
    ) as Promise<T>
  );
  const main = { p: parallel, face: "async", sleep: delay };
  runs.push(Promise.resolve().then(() => fn(main, ...args)));
  return Promise.all(runs);
}

Deno.test("Barrier: parties must be a positive integer", () => {
  for (const parties of [0, -1, 1.5, NaN, Infinity]) {
    throws(() => new Barrier(parties), RangeError, `parties ${parties}`);
  }
  // deno-lint-ignore no-explicit-any
  const bad = (value: unknown) => value as any;
  throws(() => new Barrier(bad("2")), TypeError);
  throws(() => new Barrier(bad(undefined)), TypeError);
  throws(() => new Barrier(2, { action: bad(1) }), TypeError);
  throws(() => new Barrier(2, bad(1)), TypeError);
  throws(() => new Barrier(2, { timeout: -1 }), RangeError);
  throws(() => new Barrier(2, { timeout: NaN }), RangeError);
  throws(() => Barrier.from(new Lock().handle), TypeError);
  const barrier = new Barrier(2);
  throws(() => barrier.waitSync({ timeout: -1 }), RangeError);
  strictEqual(barrier.broken, false);
  strictEqual(barrier.parties, 2);
});

Deno.test("Barrier: parties, nWaiting and broken are readable as threads arrive", async () => {
  const barrier = new Barrier(3, { timeout: 30_000 });
  strictEqual(barrier.parties, 3);
  strictEqual(barrier.nWaiting, 0);
  strictEqual(barrier.broken, false);
  await using workers = startWorkers(2);
  const wait = (worker: TestWorker) =>
    worker.run((_p, barrier: Barrier) => {
      try {
        return barrier.waitSync();
      } catch (error) {
        return (error as Error).name;
      }
    }, barrier.handle);
  const first = wait(workers[0]!);
  await waitFor("one waits", () => barrier.nWaiting === 1);
  const second = wait(workers[1]!);
  await waitFor("two wait", () => barrier.nWaiting === 2);
  strictEqual(barrier.broken, false);
  const mine = await barrier.wait();
  deepStrictEqual([mine, await first, await second].sort(), [0, 1, 2]);
  await waitFor("all left", () => barrier.nWaiting === 0);
  // Abort with one waiting: it and every later wait see a broken barrier.
  const third = wait(workers[0]!);
  await waitFor("one waits again", () => barrier.nWaiting === 1);
  barrier.abort();
  strictEqual(barrier.broken, true);
  strictEqual(await third, "BrokenBarrierError");
  await rejects(barrier.wait(), BrokenBarrierError);
  throws(() => barrier.waitSync(), BrokenBarrierError);
  barrier.reset();
  strictEqual(barrier.broken, false);
  strictEqual(barrier.nWaiting, 0);
});

Deno.test("Barrier: threads pass in lockstep for 10 rounds", async () => {
  // CPython test_barrier and test_barrier_10.
  const barrier = new Barrier(N, { timeout: 30_000 });
  const results = int32s(2);
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ face }, barrier: Barrier, results: Int32Array, passes: number) => {
      const m = barrier.parties;
      for (let i = 0; i < passes; i++) {
        Atomics.add(results, 0, 1);
        if (Atomics.load(results, 1) !== i * m) throw new Error("ahead");
        if (face === "sync") barrier.waitSync();
        else await barrier.wait();
        Atomics.add(results, 1, 1);
        if (Atomics.load(results, 0) !== (i + 1) * m) throw new Error("behind");
        if (face === "sync") barrier.waitSync();
        else await barrier.wait();
      }
      return barrier.broken;
    },
    barrier,
    results,
    10,
  );
  deepStrictEqual(outcomes, Array(N).fill(false));
  deepStrictEqual([...results], [10 * N, 10 * N]);
  strictEqual(barrier.nWaiting, 0);
});

Deno.test("Barrier: wait returns distinct indices 0 to parties - 1", async () => {
  // CPython test_wait_return, over a few rounds.
  const barrier = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const indices = await runThreads(
    workers,
    async ({ face }, barrier: Barrier) => {
      const mine: number[] = [];
      for (let round = 0; round < 5; round++) {
        mine.push(face === "sync" ? barrier.waitSync() : await barrier.wait());
      }
      return mine;
    },
    barrier,
  );
  for (let round = 0; round < 5; round++) {
    deepStrictEqual(indices.map((list) => list[round]).sort(), [0, 1, 2, 3, 4]);
  }
});

Deno.test("Barrier: a barrier of one never blocks", async () => {
  // CPython test_single_thread.
  const barrier = new Barrier(1);
  strictEqual(barrier.waitSync(), 0);
  strictEqual(barrier.waitSync(), 0);
  strictEqual(await barrier.wait(), 0);
  let actions = 0;
  const counted = new Barrier(1, { action: () => actions++ });
  strictEqual(await counted.wait(), 0);
  strictEqual(counted.waitSync(), 0);
  strictEqual(actions, 2);
  strictEqual(counted.nWaiting, 0);
});

Deno.test("Barrier: the action runs once per round, before any waiter returns", async () => {
  // CPython test_action. Functions cannot be shared: each party rebuilds the
  // barrier with its own action, which bumps one shared counter.
  const barrier = new Barrier(N, { timeout: 30_000 });
  const actions = int32s(1);
  const rounds = 5;
  await using workers = startWorkers(N - 1);
  const seen = await runThreads(
    workers,
    async (
      { p, face },
      box: { handle: Barrier["handle"] },
      actions: Int32Array,
      rounds: number,
    ) => {
      const barrier = p.Barrier.from(box.handle, {
        action: () => void Atomics.add(actions, 0, 1),
      });
      const seen: number[] = [];
      for (let round = 0; round < rounds; round++) {
        if (face === "sync") barrier.waitSync();
        else await barrier.wait();
        seen.push(Atomics.load(actions, 0));
      }
      return seen;
    },
    { handle: barrier.handle },
    actions,
    rounds,
  );
  const expected = Array.from({ length: rounds }, (_, round) => round + 1);
  deepStrictEqual(seen, Array(N).fill(expected));
  strictEqual(actions[0], rounds);
});

Deno.test("Barrier: an action that throws breaks the barrier", async () => {
  const barrier = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ p, face }, box: { handle: Barrier["handle"] }) => {
      const barrier = p.Barrier.from(box.handle, {
        action: () => {
          throw new Error("the action failed");
        },
      });
      try {
        if (face === "sync") barrier.waitSync();
        else await barrier.wait();
        return "passed";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    },
    { handle: barrier.handle },
  );
  // The thread that ran the action gets its error, the others a broken
  // barrier.
  const broken = outcomes.filter((o) => o.startsWith("BrokenBarrierError"));
  deepStrictEqual(
    outcomes.filter((o) => !o.startsWith("BrokenBarrierError")),
    ["Error: the action failed"],
  );
  strictEqual(broken.length, N - 1);
  strictEqual(barrier.broken, true);
  // The main thread's own action, on the original object.
  const local = new Barrier(1, {
    action: () => {
      throw new TypeError("local");
    },
  });
  await rejects(local.wait(), TypeError);
  strictEqual(local.broken, true);
  throws(() => local.waitSync(), BrokenBarrierError);
});

Deno.test("Barrier: abort breaks the barrier for present and future waiters", async () => {
  // CPython test_abort.
  const barrier = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ p, face }, barrier: Barrier, n: number) => {
      const wait = () => face === "sync" ? barrier.waitSync() : barrier.wait();
      // As in CPython, the first wait is inside the try: the abort may come
      // before a released party has re-acquired the lock to leave.
      try {
        const i = await wait();
        if (i === Math.floor(n / 2)) {
          barrier.abort();
          return "aborted";
        }
        await wait();
        return "passed";
      } catch (error) {
        if (!(error instanceof p.BrokenBarrierError)) throw error;
        return "broken";
      }
    },
    barrier,
    N,
  );
  deepStrictEqual(
    outcomes.sort(),
    ["aborted", ...Array(N - 1).fill("broken")],
  );
  strictEqual(barrier.broken, true);
  await rejects(barrier.wait(), BrokenBarrierError);
  throws(() => barrier.waitSync(), BrokenBarrierError);
  strictEqual(barrier.broken, true);
});

Deno.test("Barrier: reset while threads wait breaks them, then the barrier works again", async () => {
  // CPython test_reset.
  const barrier = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ p, face, sleep }, barrier: Barrier, n: number) => {
      const wait = () => face === "sync" ? barrier.waitSync() : barrier.wait();
      let outcome: string;
      const i = await wait();
      if (i === Math.floor(n / 2)) {
        // Wait until the other threads are all in the barrier.
        for (let t = 0; t < 10_000 && barrier.nWaiting < n - 1; t++) {
          await sleep(1);
        }
        barrier.reset();
        outcome = "reset";
      } else {
        try {
          await wait();
          outcome = "passed";
        } catch (error) {
          if (!(error instanceof p.BrokenBarrierError)) throw error;
          outcome = "broken";
        }
      }
      // Now, pass the barrier again.
      await wait();
      return outcome;
    },
    barrier,
    N,
  );
  deepStrictEqual(outcomes.sort(), [...Array(N - 1).fill("broken"), "reset"]);
  strictEqual(barrier.broken, false);
});

Deno.test("Barrier: reset after abort makes the barrier usable again", async () => {
  // CPython test_abort_and_reset.
  const barrier = new Barrier(N, { timeout: 30_000 });
  const barrier2 = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ p, face }, barrier: Barrier, barrier2: Barrier, n: number) => {
      const wait = (b: Barrier) => face === "sync" ? b.waitSync() : b.wait();
      let outcome: string;
      try {
        const i = await wait(barrier);
        if (i === Math.floor(n / 2)) {
          barrier.abort();
          outcome = "aborted";
        } else {
          await wait(barrier);
          outcome = "passed";
        }
      } catch (error) {
        if (!(error instanceof p.BrokenBarrierError)) throw error;
        outcome = "broken";
      }
      // Synchronize and reset the barrier: everyone has left it before the
      // reset, and no one enters it before the reset is done.
      if (await wait(barrier2) === Math.floor(n / 2)) barrier.reset();
      await wait(barrier2);
      await wait(barrier);
      return outcome;
    },
    barrier,
    barrier2,
    N,
  );
  deepStrictEqual(
    outcomes.sort(),
    ["aborted", ...Array(N - 1).fill("broken")],
  );
  strictEqual(barrier.broken, false);
});

Deno.test("Barrier: a timeout in one party breaks the barrier for all", async () => {
  // CPython test_timeout. The late party arrives only once the barrier is
  // broken (CPython sleeps for longer than the timeout instead), so the
  // outcome does not depend on how fast the machine is.
  const barrier = new Barrier(N, { timeout: 30_000 });
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async ({ p, face, sleep }, barrier: Barrier, n: number) => {
      const wait = (options?: { timeout: number }) =>
        face === "sync" ? barrier.waitSync(options) : barrier.wait(options);
      // The first wait is inside the try too: a fast party's timeout may
      // break the barrier before a slow one has left the first round.
      try {
        const i = await wait();
        if (i === Math.floor(n / 2)) {
          // One thread is late (at most 10 s, so that a bug cannot hang us).
          for (let t = 0; t < 10_000 && !barrier.broken; t++) await sleep(1);
        }
        await wait({ timeout: 50 });
        return "passed";
      } catch (error) {
        if (!(error instanceof p.BrokenBarrierError)) throw error;
        return "broken";
      }
    },
    barrier,
    N,
  );
  deepStrictEqual(outcomes, Array(N).fill("broken"));
  strictEqual(barrier.broken, true);
});

Deno.test("Barrier: the constructor's timeout is the default of wait", async () => {
  // CPython test_default_timeout. The indices come from a second barrier
  // with no timeout, so that slow Worker start-up cannot break this one.
  const barrier = new Barrier(N, { timeout: 50 });
  const start = new Barrier(N);
  await using workers = startWorkers(N - 1);
  const outcomes = await runThreads(
    workers,
    async (
      { p, face, sleep },
      barrier: Barrier,
      start: Barrier,
      n: number,
    ) => {
      const wait = (b: Barrier) => face === "sync" ? b.waitSync() : b.wait();
      if (await wait(start) === Math.floor(n / 2)) {
        // Later than the timeout (at most 10 s, so that a bug cannot hang us).
        for (let t = 0; t < 10_000 && !barrier.broken; t++) await sleep(1);
      }
      try {
        await wait(barrier);
        return "passed";
      } catch (error) {
        if (!(error instanceof p.BrokenBarrierError)) throw error;
        return "broken";
      }
    },
    barrier,
    start,
    N,
  );
  deepStrictEqual(outcomes, Array(N).fill("broken"));
  // A timeout given to wait overrides the default.
  barrier.reset();
  const late = barrier.wait({ timeout: 30_000 });
  await delay(100);
  strictEqual(barrier.broken, false);
  barrier.abort();
  await rejects(late, BrokenBarrierError);
});

Deno.test("Barrier: an aborted async wait breaks the barrier", async () => {
  const barrier = new Barrier(3, { timeout: 30_000 });
  await using workers = startWorkers(1);
  const other = workers[0]!.run((_p, barrier: Barrier) => {
    try {
      return barrier.waitSync();
    } catch (error) {
      return (error as Error).name;
    }
  }, barrier.handle);
  const controller = new AbortController();
  const reason = new Error("no longer needed");
  const mine = barrier.wait({ signal: controller.signal });
  await waitFor("two wait", () => barrier.nWaiting === 2);
  controller.abort(reason);
  await rejects(mine, (error) => error === reason);
  strictEqual(barrier.broken, true); // before the other party can time out
  strictEqual(await other, "BrokenBarrierError");
  strictEqual(barrier.broken, true);
  await rejects(barrier.wait(), BrokenBarrierError);
  // A signal aborted before the call throws its reason without waiting.
  barrier.reset();
  const signal = AbortSignal.abort(reason);
  await rejects(barrier.wait({ signal }), (error) => error === reason);
  throws(() => barrier.waitSync({ signal }), (error) => error === reason);
  strictEqual(barrier.nWaiting, 0);
});

Deno.test("Barrier: 4 parties run 200 rounds, each index seen once per round", async () => {
  const parties = 4;
  const rounds = 200;
  const barrier = new Barrier(parties, { timeout: 30_000 });
  const seen = int32s(rounds * parties);
  const actions = int32s(1);
  await using workers = startWorkers(parties - 1);
  const results = await runThreads(
    workers,
    async (
      { p, face },
      box: { handle: Barrier["handle"] },
      seen: Int32Array,
      actions: Int32Array,
      rounds: number,
    ) => {
      const barrier = p.Barrier.from(box.handle, {
        action: () => void Atomics.add(actions, 0, 1),
      });
      const parties = barrier.parties;
      for (let round = 0; round < rounds; round++) {
        const index = face === "sync"
          ? barrier.waitSync()
          : await barrier.wait();
        if (Atomics.load(actions, 0) !== round + 1) {
          throw new Error(`Round ${round}: ${actions[0]} actions`);
        }
        Atomics.add(seen, round * parties + index, 1);
      }
      return rounds;
    },
    { handle: barrier.handle },
    seen,
    actions,
    rounds,
  );
  deepStrictEqual(results, Array(parties).fill(rounds));
  strictEqual(actions[0], rounds);
  ok(seen.every((count) => count === 1), "every index once per round");
  strictEqual(barrier.broken, false);
  strictEqual(barrier.nWaiting, 0);
});

Deno.test("Barrier: from() with a bad action leaves no state behind for the next barrier", () => {
  const shared = new Barrier(2);
  throws(
    () => Barrier.from(shared.handle, { action: 5 as unknown as () => void }),
    TypeError,
  );
  const fresh = new Barrier(3);
  strictEqual(fresh.parties, 3);
  notStrictEqual(fresh.handle.byteOffset, shared.handle.byteOffset);
});

Deno.test("Barrier: a wait that times out says how long it waited (milliseconds)", async () => {
  const barrier = new Barrier(2);
  throws(() => barrier.waitSync({ timeout: 1 }), {
    name: "BrokenBarrierError",
    message: "The barrier broke: a party timed out after waiting 1 ms",
  });
  const defaulted = new Barrier(2, { timeout: 2 });
  await rejects(defaulted.wait(), {
    message: "The barrier broke: a party timed out after waiting 2 ms",
  });
});
