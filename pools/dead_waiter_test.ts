// Tests of a Condition whose waiter's thread is gone: a Thread that ends
// while it waits, or a pool task stopped while it waits. Its waiter slot
// must be freed and skipped by notify, and a wake-up it was given but could
// not take goes to the next waiter. The queue conditions are Conditions too.

import { ok, strictEqual } from "node:assert/strict";
import { Condition, Event, Value } from "../mod.ts";
import { Thread } from "./thread.ts";
import { ThreadPool } from "./thread_pool.ts";
import { liveWorkers } from "./_transport.ts";
import { bounded, boundedTest, waitFor } from "../testing/workers.ts";

/** A long bound on a wait that must end by a notify, not by its timeout. */
const LONG_MS = 10_000;

/**
 * Starts a thread that waits on `condition` (async) and ends its own thread
 * while it waits, once `die` is set (at once when `die` is set already).
 */
function dyingWaiter(condition: Condition, waiting: Event, die: Event) {
  const thread = new Thread({
    target: async (condition: Condition, waiting: Event, die: Event) => {
      await condition.acquire();
      const wait = condition.wait();
      waiting.set(); // it holds its slot: the lock was released to wait
      die.wait().then(() => Deno.exit(0));
      await wait;
    },
    args: [condition, waiting, die],
  });
  thread.start();
  return thread;
}

/** Starts a thread that waits on `condition` and records how it ended. */
function liveWaiter(condition: Condition, outcome: Value<"i32">) {
  const thread = new Thread({
    target: async (condition: Condition, outcome: Value<"i32">, ms: number) => {
      await condition.acquire();
      outcome.value = 1; // about to wait
      outcome.value = await condition.wait({ timeout: ms }) ? 2 : 3;
      condition.release();
    },
    args: [condition, outcome, LONG_MS],
  });
  thread.start();
  return thread;
}

/** Waits until `thread` has ended, bounded. */
async function ended(thread: Thread<never[]> | Thread<unknown[]>) {
  ok(await bounded(thread.join(), `${thread.name} ends`));
}

boundedTest(
  "dead waiter: a Thread that ended while it waited does not take the next notify",
  async () => {
    const condition = new Condition();
    const waiting = new Event();
    const die = new Event();
    die.set();
    await ended(dyingWaiter(condition, waiting, die));
    ok(waiting.isSet);
    const outcome = new Value("i32", 0);
    const live = liveWaiter(condition, outcome);
    await waitFor("the live waiter waits", () => outcome.value === 1);
    // Taking the lock means the live waiter has released it to wait.
    await condition.acquire();
    condition.notify(1);
    condition.release();
    await ended(live);
    strictEqual(outcome.value, 2); // notified, not timed out
  },
);

boundedTest(
  "dead waiter: the slots of dead waiters come back (maxWaiters: 4, four dead, then more waits)",
  async () => {
    const condition = new Condition(undefined, { maxWaiters: 4 });
    const die = new Event();
    die.set();
    for (let i = 0; i < 4; i++) {
      await ended(dyingWaiter(condition, new Event(), die));
    }
    for (let i = 0; i < 3; i++) {
      await condition.acquire();
      strictEqual(await condition.wait({ timeout: 1 }), false);
      condition.release();
    }
  },
);

boundedTest(
  "dead waiter: a wake-up given to a waiter that dies before it takes it goes to the next waiter",
  async () => {
    const condition = new Condition();
    const waiting = new Event();
    const die = new Event();
    const dying = dyingWaiter(condition, waiting, die);
    ok(await bounded(waiting.wait(), "the first waiter waits"));
    const outcome = new Value("i32", 0);
    const live = liveWaiter(condition, outcome);
    await waitFor("the second waiter waits", () => outcome.value === 1);
    await condition.acquire();
    condition.notify(1); // the first (oldest) waiter's
    // It dies holding the wake-up, before it can take the lock back.
    die.set();
    await ended(dying);
    condition.release();
    await ended(live);
    strictEqual(outcome.value, 2);
  },
);

boundedTest(
  "dead waiter: a pool task stopped while it waits frees its slot",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const condition = new Condition(undefined, { maxWaiters: 1 });
    const waiting = new Event();
    const controller = new AbortController();
    const future = pool.apply(
      (condition: Condition, waiting: Event) => {
        condition.acquireSync();
        waiting.set();
        condition.waitSync(); // until its thread ends
      },
      [condition, waiting],
      { signal: controller.signal },
    );
    ok(await bounded(waiting.wait(), "the task waits"));
    controller.abort();
    await future.exception();
    await waitFor("its worker has left", () => liveWorkers().size === 0);
    // The only slot is free again.
    const outcome = new Value("i32", 0);
    const live = liveWaiter(condition, outcome);
    await waitFor("the live waiter waits", () => outcome.value === 1);
    await condition.acquire();
    condition.notify(1);
    condition.release();
    await ended(live);
    strictEqual(outcome.value, 2);
  },
);
