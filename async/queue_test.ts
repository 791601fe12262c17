// Ported from CPython's Lib/test/test_asyncio/test_queues.py (basic, get,
// put, LIFO, priority, join and the 3.13 shutdown tests), plus the rules of
// the cross-worker queues (`{ timeout, signal }`, QueueFull / QueueEmpty on
// timeout, RangeError for an extra taskDone) and the abort race of the
// issue: a getter aborted in the same tick as an item was promised to it
// leaves the item for the next getter. `await tick()` plays
// `await asyncio.sleep(0)`.
import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { QueueEmpty, QueueFull, QueueShutDown } from "../primitives/errors.ts";
import { LifoQueue, PriorityQueue, Queue } from "./queue.ts";

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Tracks whether a promise has settled. */
function track<T>(promise: Promise<T>): { done: boolean } {
  const state = { done: false };
  promise.then(() => state.done = true, () => state.done = true);
  return state;
}

const CLASSES = [
  { Class: Queue, order: [1, 3, 2] },
  { Class: LifoQueue, order: [2, 3, 1] },
  { Class: PriorityQueue, order: [1, 2, 3] },
] as const;

for (const { Class, order } of CLASSES) {
  Deno.test(`async ${Class.name}: items come out in its order, by get and by getNowait`, async () => {
    // test_order of each class, test_empty, test_full.
    const queue = new Class<number>();
    strictEqual(queue.empty(), true);
    strictEqual(queue.full(), false);
    for (const i of [1, 3, 2]) await queue.put(i);
    strictEqual(queue.empty(), false);
    strictEqual(queue.qsize(), 3);
    deepStrictEqual(
      [await queue.get(), await queue.get(), await queue.get()],
      order,
    );
    for (const i of [1, 3, 2]) queue.putNowait(i);
    deepStrictEqual(
      [queue.getNowait(), queue.getNowait(), queue.getNowait()],
      order,
    );
    strictEqual(queue.empty(), true);
  });
}

Deno.test("async Queue: maxsize bounds the queue, and must be a non-negative integer", async () => {
  // test_maxsize, test_nonblocking_put_exception.
  const queue = new Queue<number>(2);
  strictEqual(queue.maxsize, 2);
  const put: number[] = [];
  const putter = (async () => {
    for (let i = 0; i < 3; i++) {
      await queue.put(i);
      put.push(i);
    }
    return true;
  })();
  await tick();
  deepStrictEqual(put, [0, 1]); // blocked after two
  strictEqual(queue.full(), true);
  throws(() => queue.putNowait(9), {
    name: "QueueFull",
    message: "Queue is full",
  });
  strictEqual(await queue.get(), 0);
  await tick();
  deepStrictEqual(put, [0, 1, 2]);
  strictEqual(await queue.get(), 1);
  strictEqual(await queue.get(), 2);
  strictEqual(await putter, true);

  throws(() => new Queue(-1), {
    name: "RangeError",
    message:
      "Cannot create Queue: 'maxsize' must be a non-negative integer no greater than 2147483647, received -1",
  });
  throws(() => new LifoQueue(1.3), RangeError);
  // @ts-expect-error: a string
  throws(() => new PriorityQueue("2"), TypeError);
});

Deno.test("async Queue: a waiting get is woken by a put", async () => {
  // test_blocking_get_wait, test_put_with_waiting_getters.
  const queue = new Queue<string>();
  let finished = false;
  const getter = (async () => {
    const item = await queue.get();
    finished = true;
    return item;
  })();
  await tick();
  strictEqual(finished, false);
  setTimeout(() => queue.putNowait("late"), 1);
  strictEqual(await getter, "late");
  strictEqual(finished, true);
  const again = queue.get();
  await queue.put("a");
  strictEqual(await again, "a");
});

Deno.test("async Queue: waiting putters go in in arrival order", async () => {
  // test_get_with_waiting_putters, test_blocking_put_wait.
  const queue = new Queue<string>(1);
  const a = queue.put("a");
  const b = queue.put("b");
  const c = queue.put("c");
  await a;
  strictEqual(await queue.get(), "a");
  await b;
  strictEqual(queue.getNowait(), "b");
  await c;
  strictEqual(queue.getNowait(), "c");
});

Deno.test("async Queue: getNowait throws QueueEmpty and putNowait QueueFull", () => {
  // test_nonblocking_get_exception, test_nonblocking_put_exception.
  throws(() => new Queue().getNowait(), {
    name: "QueueEmpty",
    message: "Queue is empty",
  });
  throws(() => new LifoQueue().getNowait(), { message: "LifoQueue is empty" });
  const queue = new Queue(1);
  queue.putNowait(1);
  throws(() => queue.putNowait(2), QueueFull);
});

Deno.test("async Queue: a timeout rejects get with QueueEmpty and put with QueueFull", async () => {
  // test_cancelled_getters_not_being_held_in_self_getters.
  const queue = new Queue<number>(1);
  await rejects(queue.get({ timeout: 0 }), QueueEmpty);
  // The message says how long it waited (milliseconds, not Python's seconds).
  await rejects(queue.get({ timeout: 5 }), {
    name: "QueueEmpty",
    message: "Queue is empty after waiting 5 ms",
  });
  queue.putNowait(1);
  await rejects(queue.put(2, { timeout: 0 }), QueueFull);
  await rejects(queue.put(2, { timeout: 5 }), {
    name: "QueueFull",
    message: "Queue is full after waiting 5 ms",
  });
  // The timed-out waiters left the line: the next ones are served.
  strictEqual(queue.getNowait(), 1);
  const getter = queue.get({ timeout: 10_000 });
  queue.putNowait(3);
  strictEqual(await getter, 3);
  strictEqual(queue.qsize(), 0);
});

Deno.test("async Queue: a getter aborted while waiting leaves the line", async () => {
  // test_get_cancelled_race.
  const queue = new Queue<string>();
  const controller = new AbortController();
  const t1 = queue.get({ signal: controller.signal });
  const t2 = queue.get();
  await tick();
  controller.abort(new Error("t1 gone"));
  await rejects(t1, { message: "t1 gone" });
  await queue.put("a");
  strictEqual(await t2, "a");
});

Deno.test("async Queue: a getter aborted in the same tick as an item was promised to it leaves the item", async () => {
  // test_get_cancel_drop_one_pending_reader.
  const queue = new Queue<number>();
  const controller = new AbortController();
  const reader = queue.get({ signal: controller.signal });
  await tick();
  queue.putNowait(1); // promised to the reader...
  queue.putNowait(2);
  controller.abort(new Error("cancelled")); // ...which is aborted before it runs
  await rejects(reader, { message: "cancelled" });
  strictEqual(queue.qsize(), 2);
  strictEqual(await queue.get(), 1); // 1 was not dropped
  strictEqual(await queue.get(), 2);
});

Deno.test("async Queue: of several pending readers, an aborted one passes its item to the others", async () => {
  // test_get_cancel_drop_many_pending_readers.
  const queue = new Queue<number>();
  const controller = new AbortController();
  const reader1 = queue.get({ signal: controller.signal });
  const reader2 = queue.get();
  const reader3 = queue.get();
  await tick();
  queue.putNowait(1);
  queue.putNowait(2);
  controller.abort(new Error("cancelled"));
  await rejects(reader1, { message: "cancelled" });
  deepStrictEqual(
    new Set(await Promise.all([reader2, reader3])),
    new Set([1, 2]),
  );
  strictEqual(queue.qsize(), 0);
});

Deno.test("async Queue: an item promised to a woken getter is not taken by getNowait", async () => {
  const queue = new Queue<string>();
  const getter = queue.get();
  await tick();
  queue.putNowait("promised");
  strictEqual(queue.qsize(), 1);
  throws(() => queue.getNowait(), QueueEmpty);
  strictEqual(await getter, "promised");
});

Deno.test("async Queue: an abort after a get has its item changes nothing", async () => {
  const queue = new Queue<string>();
  const controller = new AbortController();
  const getter = queue.get({ signal: controller.signal });
  queue.putNowait("mine");
  strictEqual(await getter, "mine");
  controller.abort();
  strictEqual(queue.qsize(), 0);
});

Deno.test("async Queue: a putter aborted while waiting puts nothing", async () => {
  // test_put_cancelled_race, test_cancelled_puts_not_being_held_in_self_putters.
  const queue = new Queue<string>(1);
  const controller = new AbortController();
  const putA = queue.put("a");
  const putB = queue.put("b");
  const putX = queue.put("X", { signal: controller.signal });
  await putA;
  controller.abort(new Error("X cancelled"));
  await rejects(putX, { message: "X cancelled" });
  strictEqual(queue.getNowait(), "a");
  await putB;
  strictEqual(queue.getNowait(), "b");
  strictEqual(queue.qsize(), 0);
});

Deno.test("async Queue: a put whose item went in is done, and a later abort does not undo it", async () => {
  // test_put_cancel_drop, test_cancelled_put_silence_value_error_exception.
  const queue = new Queue<number>(1);
  queue.putNowait(1);
  const controller = new AbortController();
  const writer = queue.put(2, { signal: controller.signal });
  await tick();
  strictEqual(queue.getNowait(), 1); // the slot takes the writer's item now
  controller.abort();
  await writer;
  strictEqual(queue.getNowait(), 2);
  strictEqual(queue.qsize(), 0);
});

Deno.test("async Queue: a producer and a consumer of a queue of one do not stall", async () => {
  // test_why_are_getters_waiting, test_why_are_putters_waiting.
  const queue = new Queue<number>(1);
  const got: number[] = [];
  await Promise.all([
    (async () => {
      for (let i = 0; i < 5; i++) await queue.put(i);
    })(),
    (async () => {
      for (let i = 0; i < 5; i++) got.push(await queue.get());
    })(),
  ]);
  deepStrictEqual(got, [0, 1, 2, 3, 4]);

  const two = new Queue<number>(2);
  await Promise.all([
    (async () => {
      await tick();
      for (let n = two.qsize(); n > 0; n--) two.getNowait();
    })(),
    ...[0, 1, 2, 3].map((i) => two.put(i)),
  ]);
  strictEqual(two.qsize(), 2);
});

Deno.test("async PriorityQueue: ties come out in insertion order; an item without a priority is a TypeError", async () => {
  const queue = new PriorityQueue<[number, string] | number>();
  queue.putNowait([2, "b1"]);
  queue.putNowait([1, "a"]);
  queue.putNowait([2, "b2"]);
  queue.putNowait(-Infinity);
  queue.putNowait([2, "b3"]);
  deepStrictEqual(
    [1, 2, 3, 4, 5].map(() => queue.getNowait()),
    [-Infinity, [1, "a"], [2, "b1"], [2, "b2"], [2, "b3"]],
  );
  const message =
    'Cannot put into PriorityQueue: an item must be a number or an array whose first element is a number (its priority), received "x"';
  // @ts-expect-error: a string
  throws(() => queue.putNowait("x"), { name: "TypeError", message });
  // @ts-expect-error: a string
  await rejects(queue.put("x"), { name: "TypeError", message });
  throws(() => queue.putNowait(NaN), TypeError);
  // @ts-expect-error: no numeric priority
  throws(() => queue.putNowait(["1", "a"]), {
    message: /received an array whose first element is "1"$/,
  });
  strictEqual(queue.qsize(), 0);
  // 200 random priorities come out sorted, ties in insertion order.
  const many = new PriorityQueue<[number, number]>();
  const items = Array.from(
    { length: 200 },
    (_, i) => [Math.floor(Math.random() * 10), i] as [number, number],
  );
  for (const item of items) many.putNowait(item);
  const out = items.map(() => many.getNowait());
  deepStrictEqual(
    out,
    items.toSorted((a, b) => a[0] - b[0] || a[1] - b[1]),
  );
});

Deno.test("async Queue: taskDone called more times than items were put throws RangeError", () => {
  // test_task_done_underflow.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>();
    throws(() => queue.taskDone(), {
      name: "RangeError",
      message:
        `Cannot call taskDone on ${Class.name}: it was called more times than items were put`,
    });
  }
});

Deno.test("async Queue: join waits until every item is marked done, by two workers", async () => {
  // test_task_done, test_join_empty_queue, for each class.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>();
    strictEqual(await queue.join(), true);
    strictEqual(await queue.join(), true);
    for (let i = 0; i < 100; i++) queue.putNowait(i);
    let accumulator = 0;
    let running = true;
    const workers = [0, 1].map(async () => {
      while (running) {
        const item = await queue.get();
        accumulator += item;
        queue.taskDone();
      }
    });
    strictEqual(await queue.join(), true);
    strictEqual(accumulator, 4950);
    running = false;
    for (const _ of workers) queue.putNowait(0);
    await Promise.all(workers);
  }
});

Deno.test("async Queue: join with a timeout returns false while a task is open, and honours its signal", async () => {
  const queue = new Queue<number>();
  queue.putNowait(1);
  strictEqual(await queue.join({ timeout: 0 }), false);
  strictEqual(await queue.join({ timeout: 5 }), false);
  const controller = new AbortController();
  const joining = queue.join({ signal: controller.signal });
  controller.abort(new Error("stop joining"));
  await rejects(joining, { message: "stop joining" });
  const patient = queue.join({ timeout: 10_000 });
  queue.getNowait();
  queue.taskDone();
  strictEqual(await patient, true);
});

Deno.test("async Queue: shutting down an empty queue fails the waiting getter and every later put and get", async () => {
  // test_shutdown_empty.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>();
    const getter = queue.get();
    await tick();
    queue.shutdown();
    strictEqual(queue.isShutDown, true);
    strictEqual(queue.qsize(), 0);
    strictEqual(await queue.join(), true);
    await rejects(getter, {
      name: "QueueShutDown",
      message: `${Class.name} is shut down`,
    });
    await rejects(queue.put(1), QueueShutDown);
    throws(() => queue.putNowait(1), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    await rejects(queue.get({ timeout: 1000 }), QueueShutDown);
    throws(() => queue.getNowait(), QueueShutDown);
  }
});

Deno.test("async Queue: a normal shutdown fails the blocked putter, and get drains what is left", async () => {
  // test_shutdown_nonempty.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>(1);
    queue.putNowait(1);
    const join = track(queue.join());
    const putter = queue.put(2);
    await tick();
    queue.shutdown({ immediate: false });
    strictEqual(queue.qsize(), 1);
    await rejects(putter, QueueShutDown);
    strictEqual(await queue.get(), 1);
    await tick();
    strictEqual(join.done, false);
    await rejects(queue.put(3), QueueShutDown);
    throws(() => queue.putNowait(3), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    throws(() => queue.getNowait(), QueueShutDown);
    queue.taskDone();
    await tick();
    strictEqual(join.done, true);
    throws(() => queue.taskDone(), RangeError);
  }
});

Deno.test("async Queue: an immediate shutdown drops the items and releases join", async () => {
  // test_shutdown_immediate.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>();
    queue.putNowait(1);
    const join = queue.join();
    queue.shutdown({ immediate: true });
    strictEqual(queue.qsize(), 0);
    strictEqual(await join, true);
    await rejects(queue.put(1), QueueShutDown);
    throws(() => queue.putNowait(1), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    throws(() => queue.getNowait(), QueueShutDown);
    throws(() => queue.taskDone(), RangeError);
  }
});

Deno.test("async Queue: an immediate shutdown keeps the tasks already taken open", async () => {
  // test_shutdown_immediate_with_unfinished.
  for (const { Class } of CLASSES) {
    const queue = new Class<number>();
    queue.putNowait(1);
    queue.putNowait(2);
    const join = track(queue.join());
    strictEqual(typeof await queue.get(), "number");
    queue.shutdown({ immediate: true });
    strictEqual(queue.qsize(), 0);
    await tick();
    strictEqual(join.done, false);
    await rejects(queue.put(1), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    queue.taskDone();
    throws(() => queue.taskDone(), RangeError);
    await tick();
    strictEqual(join.done, true);
  }
});

Deno.test("async Queue: shutdown goes from normal to immediate, and is never undone", () => {
  const queue = new Queue<number>();
  queue.putNowait(1);
  queue.shutdown();
  strictEqual(queue.qsize(), 1);
  queue.shutdown({ immediate: true });
  strictEqual(queue.qsize(), 0);
  queue.shutdown({ immediate: false });
  strictEqual(queue.isShutDown, true);
  throws(() => queue.putNowait(2), QueueShutDown);
});

Deno.test("async Queue: getters woken before a shutdown get their items; an immediate one fails them", async () => {
  const queue = new Queue<string>();
  const first = queue.get();
  const second = queue.get();
  const third = queue.get();
  await tick();
  queue.putNowait("a"); // promised to `first`...
  queue.shutdown(); // ...which still gets it; the others have none
  strictEqual(await first, "a");
  await rejects(second, QueueShutDown);
  await rejects(third, QueueShutDown);

  const other = new Queue<string>();
  const woken = other.get();
  await tick();
  other.putNowait("dropped");
  other.shutdown({ immediate: true });
  await rejects(woken, QueueShutDown);
  strictEqual(await other.join(), true);
});

Deno.test("async Queue: a pre-aborted signal or a bad option is refused before anything moves", async () => {
  const queue = new Queue<number>(1);
  const reason = new Error("before");
  await rejects(queue.put(1, { signal: AbortSignal.abort(reason) }), reason);
  strictEqual(queue.qsize(), 0);
  queue.putNowait(1);
  await rejects(queue.get({ signal: AbortSignal.abort(reason) }), reason);
  await rejects(queue.join({ signal: AbortSignal.abort(reason) }), reason);
  strictEqual(queue.qsize(), 1);
  await rejects(queue.get({ timeout: -1 }), {
    name: "RangeError",
    message: /^Cannot get from Queue: 'timeout'/,
  });
  await rejects(queue.put(2, { timeout: NaN }), {
    message: /^Cannot put into Queue: 'timeout'/,
  });
  // @ts-expect-error: not a signal
  await rejects(queue.join({ signal: 1 }), {
    name: "TypeError",
    message: /^Cannot join Queue: 'signal'/,
  });
  strictEqual(queue.getNowait(), 1);
});

Deno.test("async Queue: 4 producers and 4 consumers move 4,000 items through Queue(8), exact", async () => {
  const queue = new Queue<number>(8);
  const PER = 1000;
  const taken: number[] = [];
  const producers = [0, 1, 2, 3].map(async (p) => {
    for (let i = 0; i < PER; i++) {
      await queue.put(p * PER + i);
      if (i % 7 === 0) await tick();
    }
  });
  const consumers = [0, 1, 2, 3].map(async () => {
    for (;;) {
      let item: number;
      try {
        item = await queue.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return;
        throw error;
      }
      taken.push(item);
      queue.taskDone();
    }
  });
  await Promise.all(producers);
  strictEqual(await queue.join(), true);
  queue.shutdown();
  await Promise.all(consumers);
  strictEqual(taken.length, 4 * PER);
  deepStrictEqual(
    taken.toSorted((a, b) => a - b),
    Array.from({ length: 4 * PER }, (_, i) => i),
  );
  // Each producer's items came out in the order it put them.
  for (let p = 0; p < 4; p++) {
    const mine = taken.filter((n) => Math.floor(n / PER) === p);
    deepStrictEqual(mine, mine.toSorted((a, b) => a - b));
  }
});

Deno.test("async Queue: shutdown checks its options", () => {
  for (const Kind of [Queue, LifoQueue, PriorityQueue]) {
    const queue = new Kind();
    throws(() => queue.shutdown({ immediate: 1 as never }), {
      name: "TypeError",
      message: /'immediate' must be a boolean, received 1/,
    });
    throws(() => queue.shutdown("now" as never), {
      name: "TypeError",
      message: /'options' must be an object, received "now"/,
    });
    queue.shutdown({ immediate: true });
  }
});
