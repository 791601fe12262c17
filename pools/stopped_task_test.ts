// Tests of what a timeout or an abort does to a running thread task. In
// Deno 2.9.6 no thread can be stopped from outside while it computes, so
// the future rejects at once and the worker is retired, while the task's
// code runs on until it returns (or looks at its `taskSignal()`, or blocks
// in one of this module's waits, or gives its event loop control back).
// What the old thread still does must never reach the rest of the program:
// no task runs twice, nothing it holds is taken from it while it runs, and
// it takes no more work. Each test is exact: counts and items, not timings.

import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { AbandonedLockError, Event, Lock, Queue, Value } from "../mod.ts";
import { taskSignal } from "./task_signal.ts";
import { Thread } from "./thread.ts";
import { ThreadPool } from "./thread_pool.ts";
import { liveWorkers } from "./_transport.ts";
import {
  bounded,
  boundedTest,
  delay,
  SETTLE_MS,
  waitFor,
  within,
} from "../testing/workers.ts";
import type * as Tasks from "./testdata/tasks.ts";
import { producedItem } from "./testdata/tasks.ts";

const TASKS = new URL("./testdata/tasks.ts", import.meta.url);
/** A bound on one step of a test, well within the whole test's bound. */
const STEP_MS = 8_000;

function tasksPool(maxWorkers = 1): ThreadPool<typeof Tasks> {
  return new ThreadPool<typeof Tasks>(TASKS, { maxWorkers });
}

/**
 * Waits until the timed-out task's code has returned (it sets `done`), and
 * then for whatever its old thread would still do, wrongly.
 */
async function oldThreadReturned(done: Value<"i32">): Promise<void> {
  await waitFor("the old task returns", () => done.value === 1);
  await delay(SETTLE_MS);
  await untilWorkers(1);
}

/** Waits until only `n` pool or Thread workers are left. */
function untilWorkers(n: number): Promise<void> {
  return waitFor(`${n} worker(s) are left`, () => liveWorkers().size === n);
}

boundedTest(
  "stopped task: the tasks queued behind a task that times out run exactly once",
  async () => {
    await using pool = tasksPool();
    await pool.submit("add", 0, 0); // the worker has started
    const counter = new Value("i32", 0);
    // It times out while it computes; the next task waits in its worker's
    // line, where the old thread would find it when the loop returns.
    const done = new Value("i32", 0);
    const slow = pool.apply("spinFor", [600, done], { timeout: 100 });
    const behind = Array.from(
      { length: 6 },
      (_, i) => pool.submit("count", counter, i),
    );
    await rejects(slow, { name: "TimeoutError" });
    deepStrictEqual(await Promise.all(behind), [0, 1, 2, 3, 4, 5]);
    await oldThreadReturned(done);
    strictEqual(counter.value, 6);
  },
);

boundedTest(
  "stopped task: its items are neither lost nor taken twice from a queue",
  async () => {
    const from = new Queue<number>();
    const to = new Queue<number>();
    // Each worker finds the queues through its initializer, so that the
    // tasks themselves travel as plain data, in shared memory.
    await using pool = new ThreadPool<typeof Tasks>(TASKS, {
      maxWorkers: 1,
      initializer: "useQueues",
      initargs: [from, to],
    });
    await pool.submit("add", 0, 0);
    const n = 8;
    // One item more than tasks: a task run twice would take it.
    for (let i = 0; i <= n; i++) from.putNowait(i);
    const done = new Value("i32", 0);
    const slow = pool.apply("spinFor", [600, done], { timeout: 100 });
    const moves = Array.from({ length: n }, () => pool.submit("moveOne"));
    await rejects(slow, { name: "TimeoutError" });
    const moved = await Promise.all(moves);
    await oldThreadReturned(done);
    deepStrictEqual([...moved].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    const arrived: number[] = [];
    while (!to.empty()) arrived.push(to.getNowait());
    deepStrictEqual(arrived.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    strictEqual(from.getNowait(), n);
  },
);

boundedTest(
  "stopped task: a lock it holds is never taken from it while its code runs",
  async () => {
    await using pool = tasksPool();
    await pool.submit("add", 0, 0);
    const lock = new Lock();
    const inside = new Value("i32", 0);
    const overlaps = new Value("i32", 0);
    const holds = new Value("i32", 0);
    // The task holds the lock for long stretches (the first outlasts its
    // time limit), without looking at its signal.
    const hammer = (
      lock: Lock,
      inside: Value<"i32">,
      overlaps: Value<"i32">,
      holds: Value<"i32">,
      ms: number,
    ) => {
      for (let i = 0; i < 3; i++) {
        lock.acquireSync();
        if (inside.add(1) !== 0) overlaps.add(1);
        const busy = performance.now() + ms;
        while (performance.now() < busy) {
          // Inside the critical section.
        }
        inside.sub(1);
        holds.add(1);
        lock.release();
      }
    };
    const future = pool.apply(hammer, [lock, inside, overlaps, holds, 300], {
      timeout: 100,
    });
    await rejects(future, { name: "TimeoutError" });
    // Meanwhile this thread takes the lock too, as often as it can.
    let abandoned = 0;
    let mine = 0;
    const end = performance.now() + 1_200;
    while (performance.now() < end) {
      try {
        if (!await lock.acquire({ timeout: 2_000 })) continue;
      } catch (error) {
        if (!(error instanceof AbandonedLockError)) throw error;
        abandoned++;
        continue;
      }
      if (inside.add(1) !== 0) overlaps.add(1);
      inside.sub(1);
      mine++;
      lock.release();
      await delay(0);
    }
    await untilWorkers(0); // the old thread has left; nothing replaced it
    strictEqual(holds.value, 3);
    ok(mine > 0);
    strictEqual(overlaps.value, 0);
    strictEqual(abandoned, 0);
  },
);

boundedTest(
  "stopped task: what it puts into a queue arrives whole and in order, and the queue's lock is never abandoned under it",
  async () => {
    await using pool = tasksPool();
    await pool.submit("add", 0, 0);
    const queue = new Queue<{ n: number; text: string }>();
    // Large items: the producer holds the queue's lock while it copies one
    // in, so it is likely to hold it when its time runs out.
    const count = 400;
    const size = 256 * 1024;
    // It times out while it produces. It goes on until it returns, or
    // until it would wait (for the queue's lock): then its thread ends.
    const future = pool.apply("produce", [queue, count, size], {
      timeout: 20,
    });
    let next = 0;
    const take = () => {
      const item = queue.getNowait();
      deepStrictEqual(item, producedItem(next, size));
      next++;
    };
    while (!future.done) {
      // Consume alongside it: both take the queue's lock.
      if (queue.qsize() > 0) take();
      else await delay(0);
    }
    for (;;) {
      // Until the old thread has left (it made no replacement).
      if (queue.qsize() > 0) take();
      else if (liveWorkers().size > 0) await delay(1);
      else break;
    }
    while (queue.qsize() > 0) take();
    ok(next > 0 && next <= count, `${next} items`);
    const outcome = await future.exception();
    ok(outcome === undefined || (outcome as Error).name === "TimeoutError");
  },
);

boundedTest(
  "stopped task: taskSignal() tells a running task that it timed out or was aborted",
  async () => {
    await using pool = tasksPool();
    const why = new Queue<string>();
    // A worker that idles claims a task at once: one still starting may not
    // have claimed it when its time is up, and the pool then drops it
    // unstarted (a TimeoutError too, but nothing would reach `why`).
    await pool.submit("add", 0, 0);
    // An export that awaits nothing: a function task would await its import
    // of taskSignal, and a stopped task that awaits may end its thread
    // before it looks (what a slow import under load once did here).
    await within(
      rejects(
        pool.apply("watchSignal", [why, new Event()], { timeout: 1_000 }),
        { name: "TimeoutError" },
      ),
      "the task times out",
      STEP_MS,
    );
    strictEqual(
      await within(why.get(), "the task saw its signal", STEP_MS),
      "TimeoutError",
    );
    const controller = new AbortController();
    const started = new Event();
    const aborted = pool.apply("watchSignal", [why, started], {
      signal: controller.signal,
    });
    // Running in its worker (not only first in its line).
    ok(await within(started.wait(), "the task runs", STEP_MS));
    const reason = new Error("enough");
    controller.abort(reason);
    strictEqual(
      await within(
        aborted.exception(),
        "the aborted task's future fails",
        STEP_MS,
      ),
      reason,
    );
    strictEqual(
      await within(why.get(), "the task saw its signal", STEP_MS),
      "AbortError",
    );
    // A task that is not stopped sees nothing.
    strictEqual(
      await within(
        pool.submit(async () => {
          const { taskSignal } = await import("./task_signal.ts");
          return taskSignal().aborted;
        }),
        "a task that is not stopped returns",
        STEP_MS,
      ),
      false,
    );
    strictEqual(taskSignal().aborted, false); // outside any task
    await within(pool.shutdown(), "the pool shuts down", STEP_MS);
  },
);

boundedTest(
  "stopped task: a stopped task that blocks in a Sync wait ends its thread, and its locks are abandoned",
  async () => {
    await using pool = tasksPool();
    const lock = new Lock();
    const started = new Event();
    const never = new Event();
    const controller = new AbortController();
    const future = pool.apply(
      (lock: Lock, started: Event, never: Event) => {
        lock.acquireSync();
        started.set();
        never.waitSync(); // forever
      },
      [lock, started, never],
      { signal: controller.signal },
    );
    ok(await bounded(started.wait(), "the task holds the lock"));
    controller.abort();
    await rejects(future, { name: "AbortError" });
    await rejects(
      bounded(lock.acquire(), "the lock is abandoned"),
      AbandonedLockError,
    );
    strictEqual(lock.tryAcquire(), true);
    lock.release();
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "stopped task: a stopped task that awaits ends its thread when its event loop runs, and its locks are abandoned",
  async () => {
    await using pool = tasksPool();
    const lock = new Lock();
    const started = new Event();
    const future = pool.apply(
      async (lock: Lock, started: Event) => {
        lock.acquireSync();
        started.set();
        await new Promise(() => {}); // forever
      },
      [lock, started],
      { timeout: 100 },
    );
    await rejects(future, { name: "TimeoutError" });
    ok(started.isSet);
    await rejects(
      bounded(lock.acquire(), "the lock is abandoned"),
      AbandonedLockError,
    );
    strictEqual(await pool.submit("add", 2, 2), 4);
  },
);

boundedTest(
  "stopped task: a retired worker whose task never returns takes no more work, and shutdown does not wait for it",
  async () => {
    const pool = tasksPool();
    const first = await pool.submit("getIdent");
    const lock = new Lock();
    const started = new Event();
    const future = pool.apply("holdLockAndSpin", [lock, started], {
      timeout: 50,
    });
    await rejects(future, { name: "TimeoutError" });
    const later = await Promise.all(
      Array.from({ length: 4 }, () => pool.submit("getIdent")),
    );
    for (const ident of later) notStrictEqual(ident, first);
    await pool.shutdown();
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "Thread: its signal asks the target to stop, through taskSignal()",
  async () => {
    const controller = new AbortController();
    const rounds = new Value("i32", 0);
    const thread = new Thread({
      target: async (rounds: Value<"i32">) => {
        const { taskSignal } = await import("./task_signal.ts");
        while (!taskSignal().aborted) rounds.add(1);
      },
      args: [rounds],
      signal: controller.signal,
    });
    thread.start();
    await waitFor("the thread runs", () => rounds.value > 0);
    controller.abort();
    strictEqual(await bounded(thread.join(), "the thread stops"), true);
    strictEqual(thread.isAlive, false);
  },
);
