// What the single-loop primitives (async/) cost, side by side with the npm
// packages people reach for: async-mutex (Mutex, Semaphore) and p-limit.
//
//   deno bench bench/async_bench.ts
//
// Groups (Deno prints each case's ratio to the group's baseline, async-mutex
// Mutex):
//
// - "uncontended": one iteration is 10,000 acquire/release pairs by one
//   task, nobody else waiting; ns per pair = time/iter ÷ 10,000. p-limit(1)
//   runs an empty function instead.
// - "contended hand-off": one iteration is 100 tasks that each take the lock
//   100 times and release it at once; every acquire after the first finds
//   the lock held, so each of the 10,000 acquisitions is a hand-off from
//   one task to the next. µs per hand-off = time/iter ÷ 10,000.
//
// Every case checks its counter, so a lost or doubled acquisition fails it.

import { Mutex, Semaphore as AmSemaphore } from "npm:async-mutex@0.5.0";
import pLimit from "npm:p-limit@7.3.3";
import { Lock, Semaphore } from "../async/mod.ts";

/** Acquire/release pairs per iteration of the uncontended group. */
const PAIRS = 10_000;
/** Tasks, and acquisitions per task, of the contended group. */
const TASKS = 100;
const ROUNDS = 100;

function check(counter: number, expected: number): void {
  if (counter !== expected) {
    throw new Error(`Counted ${counter} acquisitions, expected ${expected}`);
  }
}

// ---------------------------------------------------------------------------
// Uncontended

const uncontended = { group: "uncontended", n: 50, warmup: 10 };

Deno.bench("async-mutex Mutex acquire + release", {
  ...uncontended,
  baseline: true,
}, async () => {
  const mutex = new Mutex();
  let counter = 0;
  for (let i = 0; i < PAIRS; i++) {
    const release = await mutex.acquire();
    counter++;
    release();
  }
  check(counter, PAIRS);
});

Deno.bench(
  "async-mutex Semaphore(1) acquire + release",
  uncontended,
  async () => {
    const semaphore = new AmSemaphore(1);
    let counter = 0;
    for (let i = 0; i < PAIRS; i++) {
      const [, release] = await semaphore.acquire();
      counter++;
      release();
    }
    check(counter, PAIRS);
  },
);

Deno.bench("p-limit(1) limit(fn)", uncontended, async () => {
  const limit = pLimit(1);
  let counter = 0;
  for (let i = 0; i < PAIRS; i++) {
    await limit(() => counter++);
  }
  check(counter, PAIRS);
});

Deno.bench("Lock acquire + release", uncontended, async () => {
  const lock = new Lock();
  let counter = 0;
  for (let i = 0; i < PAIRS; i++) {
    await lock.acquire();
    counter++;
    lock.release();
  }
  check(counter, PAIRS);
});

Deno.bench("Lock await using hold()", uncontended, async () => {
  const lock = new Lock();
  let counter = 0;
  for (let i = 0; i < PAIRS; i++) {
    await using _ = await lock.hold();
    counter++;
  }
  check(counter, PAIRS);
});

Deno.bench("Semaphore(1) acquire + release", uncontended, async () => {
  const semaphore = new Semaphore(1);
  let counter = 0;
  for (let i = 0; i < PAIRS; i++) {
    await semaphore.acquire();
    counter++;
    semaphore.release();
  }
  check(counter, PAIRS);
});

// ---------------------------------------------------------------------------
// Contended: 100 tasks hand the lock to each other.

const contended = { group: "contended hand-off, 100 tasks", n: 50, warmup: 10 };

/** Runs `TASKS` copies of `task` at once; returns their total count. */
async function crowd(task: () => Promise<number>): Promise<number> {
  const counts = await Promise.all(Array.from({ length: TASKS }, task));
  return counts.reduce((a, b) => a + b, 0);
}

Deno.bench("async-mutex Mutex hand-off", {
  ...contended,
  baseline: true,
}, async () => {
  const mutex = new Mutex();
  const total = await crowd(async () => {
    let counter = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const release = await mutex.acquire();
      counter++;
      release();
    }
    return counter;
  });
  check(total, TASKS * ROUNDS);
});

Deno.bench("async-mutex Semaphore(1) hand-off", contended, async () => {
  const semaphore = new AmSemaphore(1);
  const total = await crowd(async () => {
    let counter = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const [, release] = await semaphore.acquire();
      counter++;
      release();
    }
    return counter;
  });
  check(total, TASKS * ROUNDS);
});

Deno.bench("p-limit(1) hand-off", contended, async () => {
  const limit = pLimit(1);
  const total = await crowd(async () => {
    let counter = 0;
    for (let i = 0; i < ROUNDS; i++) await limit(() => counter++);
    return counter;
  });
  check(total, TASKS * ROUNDS);
});

Deno.bench("Lock hand-off", contended, async () => {
  const lock = new Lock();
  const total = await crowd(async () => {
    let counter = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await lock.acquire();
      counter++;
      lock.release();
    }
    return counter;
  });
  check(total, TASKS * ROUNDS);
});

Deno.bench("Semaphore(1) hand-off", contended, async () => {
  const semaphore = new Semaphore(1);
  const total = await crowd(async () => {
    let counter = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await semaphore.acquire();
      counter++;
      semaphore.release();
    }
    return counter;
  });
  check(total, TASKS * ROUNDS);
});
