// Ported from CPython's Lib/test/test_queue.py (BaseQueueTestMixin, the
// shutdown tests of 3.13, BaseSimpleQueueTest), with real Workers for the
// threads, plus the faces this module adds: async and Sync waits, abort
// signals, handles, and Workers that die while they wait.
//
// Not ported: test_shrinking_queue (`maxsize` is fixed here), the
// FailingQueue tests (no `_put`/`_get` hooks to override), test_references
// and test_reentrancy (items are copies; there is no `__del__`).

import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.ts";
import { Event } from "./event.ts";
import { Lock } from "./lock.ts";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "./queue.ts";
import {
  handled,
  int32s,
  type Parallel,
  startWorkers,
  waitFor,
  within,
  wordsOf,
} from "../testing/workers.ts";

const QUEUE_SIZE = 5;

// The parts of a queue's handle (see _queue_core.ts): its lock, then the
// conditions "not empty" (getters wait there), "not full" (putters) and "all
// done" (joiners). Word 4 of a condition counts its waiting threads
// (_condvar.ts).
const NOT_EMPTY = 1;
const NOT_FULL = 2;
const ALL_DONE = 3;
const WAITING = 4;

type AnyQueue = Queue<unknown> | SimpleQueue<unknown>;

function waiting(queue: AnyQueue, part: number): number {
  return Atomics.load(wordsOf(queue.handle.parts[part]!), WAITING);
}

/** Waits until at least `n` threads wait on one of the queue's conditions. */
function untilWaiting(
  queue: AnyQueue,
  part: number,
  n: number,
): Promise<void> {
  const what = ["", "get", "put", "join"][part];
  return waitFor(
    `${n} threads wait to ${what}`,
    () => waiting(queue, part) >= n,
  );
}

/**
 * Runs in a Worker: waits until a thread waits on a condition of the queue,
 * then gets an item from it, or puts `item`. CPython's _TriggerThread, with
 * "it blocked" observed instead of slept for.
 */
async function trigger(
  _p: Parallel,
  queue: Queue<unknown>,
  part: number,
  action: "get" | "put",
  item?: unknown,
): Promise<unknown> {
  // Runs as source in a Worker (whose module is in testing/): the path
  // resolves the same from there as from here.
  const { wordsOf } = await import("../testing/workers.ts");
  const words = wordsOf(queue.handle.parts[part]!);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + 10_000;
  while (Atomics.load(words, 4) === 0) {
    if (performance.now() > deadline) throw new Error("Nobody blocked");
    Atomics.wait(nap, 0, 0, 1);
  }
  if (action === "get") return queue.getNowait();
  queue.putNowait(item);
  return undefined;
}

const classes = [
  { name: "Queue", Class: Queue, order: [111, 333, 222] },
  { name: "LifoQueue", Class: LifoQueue, order: [222, 333, 111] },
  { name: "PriorityQueue", Class: PriorityQueue, order: [111, 222, 333] },
] as const;

// ---------------------------------------------------------------------------
// One thread, or one thread and a trigger

for (const { name, Class, order } of classes) {
  Deno.test(`${name}: puts and gets in order, and a full or empty queue blocks, times out or throws`, async () => {
    // CPython's test_basic (basic_queue_test, twice on the same queue).
    await using workers = startWorkers(1);
    const worker = workers[0]!;
    await worker.run(() => 0); // started, so that it answers a blocked main
    const queue = new Class<number>(QUEUE_SIZE);
    for (let round = 0; round < 2; round++) {
      strictEqual(queue.qsize(), 0);
      strictEqual(queue.empty(), true);
      strictEqual(queue.full(), false);
      queue.putSync(111);
      await queue.put(333);
      queue.putNowait(222);
      deepStrictEqual(
        [queue.getSync(), await queue.get(), queue.getNowait()],
        order,
      );
      for (let i = 0; i < QUEUE_SIZE - 1; i++) {
        queue.putSync(i);
        strictEqual(queue.qsize(), i + 1);
      }
      strictEqual(queue.full(), false);
      const last = 2 * QUEUE_SIZE;
      const full = 3 * 2 * QUEUE_SIZE;
      queue.putSync(last);
      strictEqual(queue.full(), true);
      strictEqual(queue.empty(), false);
      strictEqual(queue.qsize(), QUEUE_SIZE);
      throws(() => queue.putNowait(full), QueueFull);
      throws(() => queue.putSync(full, { timeout: 10 }), QueueFull);
      throws(() => queue.putSync(full, { timeout: 0 }), QueueFull);
      await rejects(queue.put(full, { timeout: 10 }), QueueFull);
      await rejects(queue.put(full, { timeout: 0 }), QueueFull);
      strictEqual(queue.qsize(), QUEUE_SIZE);
      // A blocking put returns once a Worker takes an item, in both faces.
      const taken = handled(worker.run(trigger, queue.handle, NOT_FULL, "get"));
      queue.putSync(full);
      strictEqual(typeof await taken, "number");
      const taken2 = handled(
        worker.run(trigger, queue.handle, NOT_FULL, "get"),
      );
      await queue.put(full, { timeout: 10_000 });
      strictEqual(typeof await taken2, "number");
      strictEqual(queue.qsize(), QUEUE_SIZE);
      for (let i = 0; i < QUEUE_SIZE; i++) queue.getSync();
      strictEqual(queue.qsize(), 0);
      throws(() => queue.getNowait(), QueueEmpty);
      throws(() => queue.getSync({ timeout: 10 }), QueueEmpty);
      throws(() => queue.getSync({ timeout: 0 }), QueueEmpty);
      await rejects(queue.get({ timeout: 10 }), QueueEmpty);
      await rejects(queue.get({ timeout: 0 }), QueueEmpty);
      // A blocking get returns once a Worker puts an item, in both faces.
      const empty = 99;
      const put = handled(
        worker.run(trigger, queue.handle, NOT_EMPTY, "put", empty),
      );
      strictEqual(queue.getSync(), empty);
      await put;
      const put2 = handled(
        worker.run(trigger, queue.handle, NOT_EMPTY, "put", empty),
      );
      strictEqual(await queue.get({ timeout: 10_000 }), empty);
      await put2;
    }
  });

  Deno.test(`${name}: join waits until every item taken by Workers is marked done`, async () => {
    // CPython's test_queue_join (queue_join_test, twice, then one taskDone
    // too many).
    await using workers = startWorkers(2);
    const queue = new Class<number>();
    const cum = int32s(1);
    const worker = (_p: Parallel, queue: Queue<number>, cum: Int32Array) => {
      for (;;) {
        const x = queue.getSync();
        if (x < 0) {
          queue.taskDone();
          return;
        }
        Atomics.add(cum, 0, x);
        queue.taskDone();
      }
    };
    for (let round = 0; round < 2; round++) {
      Atomics.store(cum, 0, 0);
      const threads = workers.map((w) => w.run(worker, queue.handle, cum))
        .map(handled);
      for (let i = 0; i < 100; i++) await queue.put(i);
      strictEqual(await queue.join(), true);
      strictEqual(
        Atomics.load(cum, 0),
        4950,
        "join() did not wait until all tasks were done",
      );
      for (let i = 0; i < 2; i++) queue.putNowait(-1);
      strictEqual(queue.joinSync(), true); // join twice
      await Promise.all(threads);
    }
    throws(() => queue.taskDone(), RangeError);
  });
}

Deno.test("Queue: taskDone called more times than items were put throws RangeError", () => {
  // CPython's test_queue_task_done.
  for (const Class of [Queue, LifoQueue, PriorityQueue]) {
    const queue = new Class<number>();
    throws(
      () => queue.taskDone(),
      (error: Error) =>
        error instanceof RangeError &&
        /Cannot call taskDone on \w+: it was called more times than items were put/
          .test(error.message),
    );
    queue.putNowait(1);
    queue.getNowait();
    queue.taskDone();
    throws(() => queue.taskDone(), RangeError);
    // The count is intact: one more item, one more taskDone.
    queue.putNowait(2);
    strictEqual(queue.joinSync({ timeout: 0 }), false);
    queue.taskDone();
    strictEqual(queue.joinSync({ timeout: 0 }), true);
  }
});

Deno.test("Queue: putNowait throws QueueFull and getNowait QueueEmpty", () => {
  // CPython's test_nowait.
  for (const Class of [Queue, LifoQueue, PriorityQueue]) {
    const queue = new Class<number>(QUEUE_SIZE);
    for (let i = 0; i < QUEUE_SIZE; i++) queue.putNowait(1);
    throws(
      () => queue.putNowait(1),
      (error: Error) =>
        error instanceof QueueFull && error.name === "QueueFull" &&
        error.message === `${Class.name} is full`,
    );
    for (let i = 0; i < QUEUE_SIZE; i++) queue.getNowait();
    throws(
      () => queue.getNowait(),
      (error: Error) =>
        error instanceof QueueEmpty && error.name === "QueueEmpty" &&
        error.message === `${Class.name} is empty`,
    );
  }
});

Deno.test("Queue: a negative or NaN timeout is a RangeError and a non-number one a TypeError, in every face", async () => {
  // CPython's test_negative_timeout_raises_exception.
  const queue = new Queue<number>(QUEUE_SIZE);
  queue.putNowait(1);
  for (const timeout of [-1, -Infinity, NaN]) {
    throws(() => queue.putSync(1, { timeout }), RangeError);
    throws(() => queue.getSync({ timeout }), RangeError);
    throws(() => queue.joinSync({ timeout }), RangeError);
    await rejects(queue.put(1, { timeout }), RangeError);
    await rejects(queue.get({ timeout }), RangeError);
    await rejects(queue.join({ timeout }), RangeError);
  }
  const bad = { timeout: "10" } as unknown as { timeout: number };
  throws(() => queue.getSync(bad), TypeError);
  await rejects(queue.get(bad), TypeError);
  throws(() => queue.putSync(1, bad), TypeError);
  throws(() => queue.getSync(5 as unknown as undefined), TypeError);
  throws(
    () => queue.getSync({ signal: "stop" as unknown as AbortSignal }),
    TypeError,
  );
  // Nothing moved.
  strictEqual(queue.qsize(), 1);
  strictEqual(queue.getNowait(), 1);
  const simple = new SimpleQueue<number>();
  simple.put(1);
  throws(() => simple.getSync({ timeout: -1 }), RangeError);
  await rejects(simple.get({ timeout: -1 }), RangeError);
  strictEqual(simple.qsize(), 1);
});

Deno.test("Queue: a timeout of 0 takes or puts what it can without waiting", async () => {
  const queue = new Queue<string>(1);
  queue.putSync("a", { timeout: 0 });
  strictEqual(queue.getSync({ timeout: 0 }), "a");
  await queue.put("b", { timeout: 0 });
  strictEqual(await queue.get({ timeout: 0 }), "b");
  queue.taskDone();
  queue.taskDone();
  strictEqual(queue.joinSync({ timeout: 0 }), true);
  strictEqual(await queue.join({ timeout: 0 }), true);
});

Deno.test("Queue: join and joinSync with a timeout return false while a task is open", async () => {
  const queue = new Queue<number>();
  queue.putNowait(1);
  strictEqual(queue.joinSync({ timeout: 10 }), false);
  strictEqual(await queue.join({ timeout: 10 }), false);
  queue.getNowait();
  strictEqual(await queue.join({ timeout: 0 }), false);
  queue.taskDone();
  strictEqual(queue.joinSync({ timeout: 10 }), true);
  strictEqual(await queue.join({ timeout: 10 }), true);
});

Deno.test("Queue: qsize, empty, full and maxsize", () => {
  const bounded = new Queue<number>(2);
  strictEqual(bounded.maxsize, 2);
  deepStrictEqual(
    [bounded.qsize(), bounded.empty(), bounded.full()],
    [0, true, false],
  );
  bounded.putNowait(1);
  deepStrictEqual(
    [bounded.qsize(), bounded.empty(), bounded.full()],
    [1, false, false],
  );
  bounded.putNowait(2);
  deepStrictEqual(
    [bounded.qsize(), bounded.empty(), bounded.full()],
    [2, false, true],
  );
  bounded.getNowait();
  deepStrictEqual(
    [bounded.qsize(), bounded.empty(), bounded.full()],
    [1, false, false],
  );
  // Unbounded: never full.
  const unbounded = new Queue<number>();
  strictEqual(unbounded.maxsize, 0);
  for (let i = 0; i < 1000; i++) unbounded.putNowait(i);
  deepStrictEqual(
    [unbounded.qsize(), unbounded.empty(), unbounded.full()],
    [1000, false, false],
  );
  strictEqual(new LifoQueue(3).maxsize, 3);
  strictEqual(new PriorityQueue().maxsize, 0);
});

Deno.test("LifoQueue: get takes the newest item, across a Worker too", async () => {
  await using workers = startWorkers(1);
  const stack = new LifoQueue<number>();
  for (let i = 0; i < 100; i++) stack.putNowait(i);
  const got: number[] = [];
  for (let i = 0; i < 50; i++) got.push(stack.getNowait());
  deepStrictEqual(got, Array.from({ length: 50 }, (_, i) => 99 - i));
  // A Worker pushes on top of what is left and takes from the top.
  const fromWorker = await workers[0]!.run(
    (p: Parallel, stack: LifoQueue<number>) => {
      if (!(stack instanceof p.LifoQueue)) throw new Error("Not a LifoQueue");
      for (let i = 100; i < 110; i++) stack.putSync(i);
      return [stack.getSync(), stack.getSync()];
    },
    stack.handle,
  );
  deepStrictEqual(fromWorker, [109, 108]);
  const rest: number[] = [];
  while (!stack.empty()) rest.push(stack.getNowait());
  deepStrictEqual(rest, [
    ...Array.from({ length: 8 }, (_, i) => 107 - i),
    ...Array.from({ length: 50 }, (_, i) => 49 - i),
  ]);
});

Deno.test("PriorityQueue: lowest priority first, ties in insertion order", () => {
  const queue = new PriorityQueue<number | [number, ...unknown[]]>();
  const items: [number, string][] = [
    [3, "c1"],
    [1, "a1"],
    [2, "b1"],
    [1, "a2"],
    [-Infinity, "min"],
    [Infinity, "max"],
    [0, "zero"],
    [-0, "minus zero"],
    [0.5, "half"],
    [3, "c2"],
    [-1e300, "very low"],
    [1, "a3"],
  ];
  for (const item of items) queue.putNowait(item);
  const out: unknown[] = [];
  while (!queue.empty()) out.push(queue.getNowait());
  deepStrictEqual(out, [
    [-Infinity, "min"],
    [-1e300, "very low"],
    [0, "zero"],
    [-0, "minus zero"],
    [0.5, "half"],
    [1, "a1"],
    [1, "a2"],
    [1, "a3"],
    [2, "b1"],
    [3, "c1"],
    [3, "c2"],
    [Infinity, "max"],
  ]);
  // A bare number is its own priority.
  for (const n of [5, 3, 9, 1, 3]) queue.putNowait(n);
  deepStrictEqual(
    Array.from({ length: 5 }, () => queue.getNowait()),
    [1, 3, 3, 5, 9],
  );
});

Deno.test("PriorityQueue: an item without a numeric priority is a TypeError and is not enqueued", async () => {
  const queue = new PriorityQueue<unknown>();
  for (
    const item of ["1", NaN, [NaN, "x"], [], ["1", "x"], { 0: 1 }, null, 1n]
  ) {
    throws(
      () => queue.putNowait(item),
      (error: Error) =>
        error instanceof TypeError &&
        error.message.startsWith(
          "Cannot put into PriorityQueue: an item must be a number or an array whose first element is a number",
        ),
    );
    throws(() => queue.putSync(item), TypeError);
    await rejects(queue.put(item), TypeError);
  }
  strictEqual(queue.qsize(), 0);
  throws(() => queue.taskDone(), RangeError); // nothing was counted either
});

Deno.test("PriorityQueue: a bad priority is quoted in the error", () => {
  const queue = new PriorityQueue<unknown>();
  throws(() => queue.putNowait(["a", "x"]), {
    message: /received an array whose first element is "a"$/,
  });
  throws(() => queue.putNowait([]), {
    message: /received an array whose first element is undefined$/,
  });
});

Deno.test("Queue: shutdown checks its options", () => {
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

// ---------------------------------------------------------------------------
// Construction and handles

Deno.test("Queue: maxsize must be a non-negative integer", () => {
  for (const Class of [Queue, LifoQueue, PriorityQueue]) {
    for (const maxsize of [-1, 1.5, NaN, Infinity, 2 ** 31]) {
      throws(
        () => new Class(maxsize),
        (error: Error) =>
          error instanceof RangeError &&
          error.message.startsWith(`Cannot create ${Class.name}: 'maxsize'`),
      );
    }
    for (const maxsize of ["3", null, 3n, {}]) {
      throws(
        () => new Class(maxsize as unknown as number),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(`Cannot create ${Class.name}: 'maxsize'`),
      );
    }
    strictEqual(new Class(undefined).maxsize, 0);
  }
  throws(() => new Queue(0, 5 as unknown as undefined), TypeError);
  throws(() => new SimpleQueue(null as unknown as undefined), TypeError);
  throws(() => new Queue(0, { maxWaiters: 0 }), RangeError);
  throws(
    () => new Queue(0, { maxWaiters: "2" as unknown as number }),
    TypeError,
  );
});

Deno.test("Queue: from() with a handle of another kind, or no handle, is a TypeError", () => {
  const queues = {
    Queue: new Queue(),
    LifoQueue: new LifoQueue(),
    PriorityQueue: new PriorityQueue(),
    SimpleQueue: new SimpleQueue(),
  };
  const froms = {
    Queue: Queue.from,
    LifoQueue: LifoQueue.from,
    PriorityQueue: PriorityQueue.from,
    SimpleQueue: SimpleQueue.from,
  };
  for (const [kind, from] of Object.entries(froms)) {
    for (const [other, queue] of Object.entries(queues)) {
      if (other === kind) continue;
      throws(
        () => from(queue.handle),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(`Cannot create ${kind} from handle`),
      );
    }
    const handle = queues[kind as keyof typeof queues].handle;
    const broken = [
      null,
      undefined,
      "Queue",
      {},
      new Lock().handle,
      new Event().handle,
      { ...handle, index: undefined },
      { ...handle, arena: new ArrayBuffer(8) },
      { ...handle, parts: [] },
      { ...handle, parts: [...handle.parts].reverse() },
      { ...handle, byteOffset: handle.byteOffset + 4 },
    ];
    for (const bad of broken) {
      throws(() => from(bad as never), TypeError);
    }
  }
  // A failed from() leaves nothing behind: new queues are new.
  const fresh = new Queue<number>();
  fresh.putNowait(1);
  strictEqual(queues.Queue.qsize(), 0);
  strictEqual(fresh.qsize(), 1);
});

Deno.test("Queue: a wait that times out says how long it waited (milliseconds, not seconds)", async () => {
  const queue = new Queue<number>(1);
  throws(() => queue.getSync({ timeout: 1 }), {
    name: "QueueEmpty",
    message: "Queue is empty after waiting 1 ms",
  });
  await rejects(queue.get({ timeout: 2 }), {
    message: "Queue is empty after waiting 2 ms",
  });
  throws(() => queue.getNowait(), { message: "Queue is empty" });
  queue.putNowait(1);
  throws(() => queue.putSync(2, { timeout: 1 }), {
    name: "QueueFull",
    message: "Queue is full after waiting 1 ms",
  });
  await rejects(queue.put(2, { timeout: 2 }), {
    message: "Queue is full after waiting 2 ms",
  });
  throws(() => queue.putNowait(2), { message: "Queue is full" });
});

Deno.test("Queue: from() refuses a handle stitched from two queues, with buffers too small, or with parts of another primitive", () => {
  const a = new Queue<string>();
  const b = new Queue<string>();
  a.putNowait("a1");
  b.putNowait("b1");
  const handle = a.handle;
  const other = b.handle;
  const small = new SharedArrayBuffer(8, { maxByteLength: 16 });
  const stitched = [
    [{ ...handle, index: other.index }, /'index' and 'arena'/],
    [{ ...handle, arena: other.arena }, /'index' and 'arena'/],
    [
      { ...handle, index: other.index, arena: other.arena },
      /'index' and 'arena'/,
    ],
    [{ ...handle, index: small }, /'index' and 'arena'/],
    [{ ...handle, arena: small }, /'index' and 'arena'/],
    [{ ...handle, parts: other.parts }, /'parts\[0\]' is not the primitive/],
    [
      { ...handle, parts: [handle.parts[0]!, ...other.parts.slice(1)] },
      /'parts\[1\]' is not the primitive/,
    ],
    [{ ...handle, length: handle.length - 1 }, /is not the memory of a Queue/],
    [{ ...handle, length: handle.length + 8 }, /is not the memory of a Queue/],
  ] as const;
  for (const [bad, message] of stitched) {
    throws(
      () => Queue.from(bad as never),
      (error: Error) =>
        error instanceof TypeError && message.test(error.message),
    );
  }
  // Nothing was overwritten or shared.
  strictEqual(a.getNowait(), "a1");
  strictEqual(b.getNowait(), "b1");
  strictEqual(a.qsize() + b.qsize(), 0);
});

Deno.test("Queue: from() shares the items, the task count and the shutdown", () => {
  const queue = new Queue<string>(2);
  const copy = Queue.from<string>(structuredClone(queue.handle));
  ok(copy instanceof Queue);
  strictEqual(copy.maxsize, 2);
  copy.putNowait("a");
  strictEqual(queue.qsize(), 1);
  queue.putNowait("b");
  strictEqual(copy.full(), true);
  strictEqual(copy.getNowait(), "a");
  strictEqual(queue.getNowait(), "b");
  copy.taskDone();
  strictEqual(queue.joinSync({ timeout: 0 }), false);
  queue.taskDone();
  strictEqual(copy.joinSync({ timeout: 0 }), true);
  queue.shutdown();
  strictEqual(copy.isShutDown, true);
  throws(() => copy.putNowait("c"), QueueShutDown);
  strictEqual(queue.handle.kind, "Queue");
  strictEqual(LifoQueue.from(new LifoQueue().handle).constructor, LifoQueue);
  strictEqual(
    PriorityQueue.from(new PriorityQueue().handle).constructor,
    PriorityQueue,
  );
});

Deno.test("Queue: more waiters than maxWaiters is a RangeError, and the queue stays usable", async () => {
  const queue = new Queue<number>(0, { maxWaiters: 1 });
  const first = handled(queue.get());
  await rejects(
    queue.get(),
    (error: Error) =>
      error instanceof RangeError && /maxWaiters/.test(error.message),
  );
  queue.putNowait(1);
  strictEqual(await first, 1);
  queue.putNowait(2);
  strictEqual(await queue.get(), 2);
});

// ---------------------------------------------------------------------------
// Aborts

Deno.test("Queue: a pre-aborted signal throws its reason before anything moves, in every face", async () => {
  const queue = new Queue<string>(1);
  queue.putNowait("kept");
  const reason = new Error("stop");
  const signal = AbortSignal.abort(reason);
  throws(() => queue.getSync({ signal }), (e) => e === reason);
  await rejects(queue.get({ signal }), (e) => e === reason);
  throws(() => queue.joinSync({ signal }), (e) => e === reason);
  await rejects(queue.join({ signal }), (e) => e === reason);
  queue.getNowait();
  throws(() => queue.putSync("no", { signal }), (e) => e === reason);
  await rejects(queue.put("no", { signal }), (e) => e === reason);
  strictEqual(queue.qsize(), 0);
  const simple = new SimpleQueue<string>();
  simple.put("kept");
  throws(() => simple.getSync({ signal }), (e) => e === reason);
  await rejects(simple.get({ signal }), (e) => e === reason);
  strictEqual(simple.getNowait(), "kept");
});

Deno.test("Queue: aborting a waiting get, put or join rejects with the reason and moves nothing", async () => {
  const queue = new Queue<string>(1);
  const controller = new AbortController();
  const get = handled(queue.get({ signal: controller.signal }));
  await untilWaiting(queue, NOT_EMPTY, 1);
  controller.abort(new Error("get aborted"));
  await rejects(get, { message: "get aborted" });
  strictEqual(waiting(queue, NOT_EMPTY), 0);
  queue.putNowait("a"); // full now, one open task
  const put = new AbortController();
  const putting = handled(queue.put("never", { signal: put.signal }));
  const join = new AbortController();
  const joining = handled(queue.join({ signal: join.signal }));
  await untilWaiting(queue, NOT_FULL, 1);
  await untilWaiting(queue, ALL_DONE, 1);
  put.abort(new Error("put aborted"));
  join.abort(new Error("join aborted"));
  await rejects(putting, { message: "put aborted" });
  await rejects(joining, { message: "join aborted" });
  // Only "a" is in the queue, and it is still one open task.
  strictEqual(queue.qsize(), 1);
  strictEqual(queue.getNowait(), "a");
  throws(() => queue.getNowait(), QueueEmpty);
  queue.taskDone();
  strictEqual(await queue.join(), true);
});

Deno.test("Queue: an aborted get that was already notified passes the item on", async () => {
  const queue = new Queue<string>();
  const controller = new AbortController();
  const aborted = handled(queue.get({ signal: controller.signal }));
  const other = handled(queue.get());
  await untilWaiting(queue, NOT_EMPTY, 2);
  // The put notifies the oldest waiter, which is aborted before it runs.
  queue.putNowait("x");
  controller.abort(new Error("gone"));
  await rejects(aborted, { message: "gone" });
  strictEqual(await within(other, "the other getter gets the item"), "x");
  strictEqual(queue.qsize(), 0);
  // Aborted with nobody else waiting: the item stays.
  const lone = new AbortController();
  const alone = handled(queue.get({ signal: lone.signal }));
  await untilWaiting(queue, NOT_EMPTY, 1);
  queue.putNowait("y");
  lone.abort(new Error("gone"));
  await rejects(alone, { message: "gone" });
  strictEqual(queue.getNowait(), "y");
});

// ---------------------------------------------------------------------------
// Shutdown (CPython 3.13's test_shutdown_*)

Deno.test("Queue: after shutdown, put throws QueueShutDown and get drains what is left, then throws", async () => {
  // test_shutdown_empty, test_shutdown_nonempty,
  // test_shutdown_all_methods_in_one_thread.
  for (const Class of [Queue, LifoQueue, PriorityQueue]) {
    const empty = new Class<number>();
    empty.shutdown();
    throws(() => empty.putNowait(1), QueueShutDown);
    throws(() => empty.getNowait(), QueueShutDown);
    await rejects(empty.get(), QueueShutDown);

    const queue = new Class<number>(2);
    queue.putSync(1);
    queue.putNowait(2);
    queue.shutdown();
    strictEqual(queue.isShutDown, true);
    throws(
      () => queue.putNowait(3),
      (error: Error) =>
        error instanceof QueueShutDown && error.name === "QueueShutDown" &&
        error.message === `${Class.name} is shut down`,
    );
    throws(() => queue.putSync(3), QueueShutDown);
    throws(() => queue.putSync(3, { timeout: 0 }), QueueShutDown);
    await rejects(queue.put(3), QueueShutDown);
    strictEqual(queue.qsize(), 2);
    const got = [queue.getSync(), await queue.get()].sort();
    deepStrictEqual(got, [1, 2]);
    queue.taskDone();
    queue.taskDone();
    strictEqual(await queue.join(), true);
    throws(() => queue.getNowait(), QueueShutDown);
    throws(() => queue.getSync(), QueueShutDown);
    throws(() => queue.getSync({ timeout: 1000 }), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    await rejects(queue.get({ timeout: 1000 }), QueueShutDown);
  }
});

Deno.test("Queue: shutdown({ immediate: true }) drops the items, and releases join", async () => {
  // test_shutdown_immediate, test_shutdown_immediate_all_methods_in_one_thread.
  for (const Class of [Queue, LifoQueue, PriorityQueue]) {
    const queue = new Class<number>(2);
    queue.putNowait(1);
    queue.putNowait(2);
    strictEqual(queue.joinSync({ timeout: 0 }), false);
    queue.shutdown({ immediate: true });
    strictEqual(queue.isShutDown, true);
    strictEqual(queue.qsize(), 0);
    strictEqual(queue.empty(), true);
    throws(() => queue.putNowait(3), QueueShutDown);
    await rejects(queue.put(3), QueueShutDown);
    throws(() => queue.getNowait(), QueueShutDown);
    throws(() => queue.getSync(), QueueShutDown);
    await rejects(queue.get(), QueueShutDown);
    throws(() => queue.taskDone(), RangeError);
    strictEqual(queue.joinSync(), true);
    strictEqual(await queue.join(), true);
  }
  // Items already taken stay open tasks: only the dropped ones are closed.
  const queue = new Queue<number>();
  for (let i = 0; i < 3; i++) queue.putNowait(i);
  queue.getNowait();
  queue.shutdown({ immediate: true });
  strictEqual(queue.joinSync({ timeout: 0 }), false);
  queue.taskDone();
  strictEqual(queue.joinSync({ timeout: 0 }), true);
});

Deno.test("Queue: shutdown can go from normal to immediate, and is never undone", () => {
  // test_shutdown_allowed_transitions.
  const queue = new Queue<number>();
  strictEqual(queue.isShutDown, false);
  queue.putNowait(1);
  queue.shutdown();
  strictEqual(queue.isShutDown, true);
  strictEqual(queue.qsize(), 1);
  queue.shutdown({ immediate: true });
  strictEqual(queue.isShutDown, true);
  strictEqual(queue.qsize(), 0);
  queue.shutdown({ immediate: false });
  strictEqual(queue.isShutDown, true);
  throws(() => queue.putNowait(2), QueueShutDown);
});

/** Runs in a Worker: one call, its outcome as a string. */
function attempt(
  _p: Parallel,
  queue: Queue<unknown>,
  call: "getSync" | "putSync" | "joinSync" | "get" | "put",
  item?: unknown,
): Promise<string> | string {
  const outcome = (value: unknown) => `ok ${JSON.stringify(value)}`;
  const failed = (error: Error) => `${error.name}`;
  try {
    switch (call) {
      case "getSync":
        return outcome(queue.getSync());
      case "putSync":
        return outcome(queue.putSync(item));
      case "joinSync":
        return outcome(queue.joinSync());
      case "get":
        return queue.get().then(outcome, failed);
      case "put":
        return queue.put(item).then(outcome, failed);
    }
  } catch (error) {
    return failed(error as Error);
  }
}

/** The same call in main, async, its outcome as a string. */
function attemptHere(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    (value) => `ok ${JSON.stringify(value)}`,
    (error: Error) => error.name,
  );
}

for (const immediate of [false, true]) {
  const mode = immediate ? "immediate shutdown" : "shutdown";
  Deno.test(`Queue: ${mode} wakes every blocked getter, in Workers and in main, with QueueShutDown`, async () => {
    // test_shutdown_pending_get and test_shutdown[_immediate]_get, with the
    // getters asleep before the shutdown.
    await using workers = startWorkers(3);
    const queue = new Queue<string>();
    const getters = [
      workers[0]!.run(attempt, queue.handle, "getSync"),
      workers[1]!.run(attempt, queue.handle, "getSync"),
      workers[2]!.run(attempt, queue.handle, "get"),
      attemptHere(queue.get()),
      attemptHere(queue.get()),
    ].map(handled);
    await untilWaiting(queue, NOT_EMPTY, getters.length);
    queue.shutdown({ immediate });
    deepStrictEqual(
      await within(Promise.all(getters), "every getter wakes"),
      Array(getters.length).fill("QueueShutDown"),
    );
    strictEqual(waiting(queue, NOT_EMPTY), 0);
  });

  Deno.test(
    `Queue: ${mode} wakes every blocked putter with QueueShutDown${
      immediate ? " and releases every joiner" : ""
    }`,
    async () => {
      // test_shutdown[_immediate]_put, test_shutdown[_immediate]_join and
      // test_shutdown[_immediate]_put_join, with everyone asleep first.
      await using workers = startWorkers(4);
      const queue = new Queue<string>(2);
      queue.putNowait("Y");
      queue.putNowait("D");
      const putters = [
        workers[0]!.run(attempt, queue.handle, "putSync", "E"),
        workers[1]!.run(attempt, queue.handle, "put", "W"),
        attemptHere(queue.put("L")),
        attemptHere(queue.put("O")),
      ].map(handled);
      const joiners = [
        workers[2]!.run(attempt, queue.handle, "joinSync"),
        workers[3]!.run(attempt, queue.handle, "joinSync"),
        attemptHere(queue.join()),
      ].map(handled);
      await untilWaiting(queue, NOT_FULL, putters.length);
      await untilWaiting(queue, ALL_DONE, joiners.length);
      queue.shutdown({ immediate });
      deepStrictEqual(
        await within(Promise.all(putters), "every putter wakes"),
        Array(putters.length).fill("QueueShutDown"),
      );
      if (immediate) {
        strictEqual(queue.qsize(), 0);
        throws(() => queue.getNowait(), QueueShutDown);
      } else {
        // The joiners wait for the two items, which can still be taken.
        strictEqual(await queue.join({ timeout: 20 }), false);
        strictEqual(queue.qsize(), 2);
        deepStrictEqual([queue.getNowait(), await queue.get()], ["Y", "D"]);
        throws(() => queue.getNowait(), QueueShutDown);
        queue.taskDone();
        strictEqual(await queue.join({ timeout: 20 }), false);
        queue.taskDone();
      }
      deepStrictEqual(
        await within(Promise.all(joiners), "every joiner returns"),
        Array(joiners.length).fill("ok true"),
      );
      throws(() => queue.taskDone(), RangeError);
    },
  );
}

Deno.test("Queue: a normal shutdown lets blocked getters take what is put before it, and the rest throw", async () => {
  // test_shutdown_get: three getters, two items, one QueueShutDown.
  await using workers = startWorkers(3);
  const queue = new Queue<string>(2);
  const getters = workers.map((w) => w.run(attempt, queue.handle, "getSync"))
    .map(handled);
  await untilWaiting(queue, NOT_EMPTY, 3);
  queue.putNowait("Y");
  queue.putNowait("D");
  queue.shutdown();
  deepStrictEqual((await within(Promise.all(getters), "getters")).sort(), [
    "QueueShutDown",
    'ok "D"',
    'ok "Y"',
  ]);
});

Deno.test("Queue: getters that call taskDone release joiners after a normal shutdown", async () => {
  // test_shutdown_get_task_done_join.
  await using workers = startWorkers(4);
  const queue = new Queue<string>(2);
  queue.putNowait("Y");
  queue.putNowait("D");
  const go = new Event();
  const getTaskDone = (_p: Parallel, queue: Queue<string>, go: Event) => {
    go.waitSync();
    try {
      const item = queue.getSync();
      queue.taskDone();
      return item;
    } catch (error) {
      return (error as Error).name;
    }
  };
  const getters = [0, 1].map((i) =>
    workers[i]!.run(getTaskDone, queue.handle, go.handle)
  ).map(handled);
  const joiners = [2, 3].map((i) =>
    workers[i]!.run(attempt, queue.handle, "joinSync")
  ).map(handled);
  await untilWaiting(queue, ALL_DONE, 2);
  go.set();
  queue.shutdown();
  deepStrictEqual((await within(Promise.all(getters), "getters")).sort(), [
    "D",
    "Y",
  ]);
  deepStrictEqual(await within(Promise.all(joiners), "joiners"), [
    "ok true",
    "ok true",
  ]);
});

for (const immediate of [false, true]) {
  Deno.test(
    `Queue: ${
      immediate ? "immediate shutdown" : "shutdown"
    } in the middle of traffic between Workers loses and duplicates nothing`,
    async () => {
      // test_shutdown[_immediate]_all_methods_in_many_threads, exact: every
      // item put is taken once (normal shutdown) or at most once (immediate).
      const producers = 3;
      const consumers = 3;
      await using workers = startWorkers(producers + consumers + 1);
      const queue = new Queue<[number, number]>(16);
      const taken = int32s(1);
      const producer = (
        _p: Parallel,
        queue: Queue<[number, number]>,
        p: number,
      ) => {
        let seq = 0;
        try {
          for (;;) {
            queue.putSync([p, seq]);
            seq++;
          }
        } catch (error) {
          if ((error as Error).name !== "QueueShutDown") throw error;
        }
        return seq; // items put
      };
      const consumer = async (
        _p: Parallel,
        queue: Queue<[number, number]>,
        taken: Int32Array,
        face: string,
      ) => {
        const seen: number[][] = [[], [], []];
        try {
          for (;;) {
            const [p, seq] = face === "sync"
              ? queue.getSync()
              : await queue.get();
            seen[p]!.push(seq);
            Atomics.add(taken, 0, 1);
            queue.taskDone();
          }
        } catch (error) {
          if ((error as Error).name !== "QueueShutDown") throw error;
        }
        return seen;
      };
      const puts = Array.from(
        { length: producers },
        (_, p) => workers[p]!.run(producer, queue.handle, p),
      ).map(handled);
      const gets = Array.from(
        { length: consumers },
        (_, c) =>
          workers[producers + c]!.run(
            consumer,
            queue.handle,
            taken,
            c === 0 ? "async" : "sync",
          ),
      ).map(handled);
      const joiner = handled(workers[producers + consumers]!.run(
        attempt,
        queue.handle,
        "joinSync",
      ));
      await waitFor("traffic", () => Atomics.load(taken, 0) >= 2000);
      queue.shutdown({ immediate });
      const putCounts = await within(Promise.all(puts), "producers stop");
      const seen = await within(Promise.all(gets), "consumers stop");
      strictEqual(await within(joiner, "the joiner returns"), "ok true");
      strictEqual(await queue.join({ timeout: 0 }), true);
      strictEqual(queue.qsize(), 0);
      for (let p = 0; p < producers; p++) {
        const all = seen.flatMap((s) => s[p]!).sort((a, b) => a - b);
        if (immediate) {
          ok(all.length <= putCounts[p]!);
          strictEqual(new Set(all).size, all.length, "an item came twice");
          ok(all.every((seq) => seq < putCounts[p]!));
        } else {
          deepStrictEqual(
            all,
            Array.from({ length: putCounts[p]! }, (_, i) => i),
          );
        }
        for (const s of seen) {
          ok(s[p]!.every((seq, i) => i === 0 || seq > s[p]![i - 1]!));
        }
      }
      strictEqual(
        seen.flat(2).length,
        Atomics.load(taken, 0),
      );
    },
  );
}

// ---------------------------------------------------------------------------
// Many Workers

Deno.test("Queue: 4 producer and 4 consumer Workers move 200,000 items through Queue(64), exact, and join waits for every taskDone", async () => {
  const producers = 4;
  const consumers = 4;
  const perProducer = 50_000;
  const total = producers * perProducer;
  await using workers = startWorkers(producers + consumers);
  const queue = new Queue<[number, number] | null>(64);
  const release = new Event();
  const done = int32s(1); // taskDone calls, counted just before each
  const producer = (
    _p: Parallel,
    queue: Queue<[number, number]>,
    p: number,
    n: number,
  ) => {
    for (let seq = 0; seq < n; seq++) queue.putSync([p, seq]);
    return n;
  };
  const consumer = (
    _p: Parallel,
    queue: Queue<[number, number] | null>,
    release: Event,
    done: Int32Array,
    producers: number,
  ) => {
    const seen: number[][] = Array.from({ length: producers }, () => []);
    for (;;) {
      const item = queue.getSync();
      if (item === null) {
        // Hold the last task open until main has seen join() time out.
        release.waitSync();
        Atomics.add(done, 0, 1);
        queue.taskDone();
        return seen;
      }
      seen[item[0]]!.push(item[1]);
      Atomics.add(done, 0, 1);
      queue.taskDone();
    }
  };
  const gets = Array.from(
    { length: consumers },
    (_, c) =>
      workers[producers + c]!.run(
        consumer,
        queue.handle,
        release.handle,
        done,
        producers,
      ),
  ).map(handled);
  const puts = Array.from(
    { length: producers },
    (_, p) => workers[p]!.run(producer, queue.handle, p, perProducer),
  ).map(handled);
  deepStrictEqual(
    await Promise.all(puts),
    Array(producers).fill(perProducer),
  );
  // Every item is in; one sentinel per consumer.
  for (let c = 0; c < consumers; c++) await queue.put(null);
  // The consumers hold their sentinel's task open: join times out.
  strictEqual(await queue.join({ timeout: 20 }), false);
  strictEqual(queue.joinSync({ timeout: 5 }), false);
  ok(Atomics.load(done, 0) < total + consumers);
  release.set();
  strictEqual(await within(queue.join(), "join returns"), true);
  strictEqual(
    Atomics.load(done, 0),
    total + consumers,
    "join() returned before every taskDone() was in",
  );
  const seen = await Promise.all(gets);
  strictEqual(queue.qsize(), 0);
  let count = 0;
  for (let p = 0; p < producers; p++) {
    const marks = new Uint8Array(perProducer);
    for (const [c, perConsumer] of seen.entries()) {
      const seqs = perConsumer[p]!;
      for (let i = 0; i < seqs.length; i++) {
        const seq = seqs[i]!;
        if (i > 0 && seq <= seqs[i - 1]!) {
          throw new Error(
            `Consumer ${c} saw producer ${p}'s ${seq} after ${seqs[i - 1]}`,
          );
        }
        if (marks[seq] !== 0) throw new Error(`Item [${p}, ${seq}] came twice`);
        marks[seq] = 1;
        count++;
      }
    }
    ok(marks.every((m) => m === 1), `an item of producer ${p} was lost`);
  }
  strictEqual(count, total);
});

Deno.test("PriorityQueue: concurrent puts from Workers come out by priority, ties in each producer's order", async () => {
  const producers = 4;
  const perProducer = 2_500;
  await using workers = startWorkers(producers);
  const queue = new PriorityQueue<[number, number, number]>();
  const producer = (
    _p: Parallel,
    queue: PriorityQueue<[number, number, number]>,
    p: number,
    n: number,
  ) => {
    let x = p + 1;
    for (let seq = 0; seq < n; seq++) {
      x = (x * 1103515245 + 12345) % 2147483648; // a fixed pseudo-random walk
      const priority = (x % 10) - 3; // many ties, some negative
      queue.putSync([priority, p, seq]);
    }
  };
  await Promise.all(
    workers.map((w, p) => w.run(producer, queue.handle, p, perProducer)),
  );
  strictEqual(queue.qsize(), producers * perProducer);
  const out: [number, number, number][] = [];
  while (!queue.empty()) out.push(queue.getNowait());
  strictEqual(out.length, producers * perProducer);
  const lastSeq = new Map<string, number>();
  const counts = new Array(producers).fill(0);
  for (let i = 0; i < out.length; i++) {
    const [priority, p, seq] = out[i]!;
    if (i > 0) ok(priority >= out[i - 1]![0], "out of priority order");
    const key = `${priority}/${p}`;
    ok(
      (lastSeq.get(key) ?? -1) < seq,
      `producer ${p}'s items of priority ${priority} out of order`,
    );
    lastSeq.set(key, seq);
    counts[p]++;
  }
  deepStrictEqual(counts, Array(producers).fill(perProducer));
  const distinct = new Set(out.map(([, p, seq]) => p * perProducer + seq));
  strictEqual(distinct.size, out.length);
});

Deno.test("Queue: a Worker terminated while it waits in get leaves a dead waiter that costs the other consumers no item", async () => {
  await using workers = startWorkers(2);
  const doomed = workers[0]!;
  const survivor = workers[1]!;
  const queue = new Queue<number>();
  // The doomed Worker waits first, so that the first put notifies its slot,
  // which nobody will ever answer.
  const lost = handled(doomed.run(attempt, queue.handle, "get"));
  await untilWaiting(queue, NOT_EMPTY, 1);
  const items = 50;
  const got = handled(survivor.run(
    (_p: Parallel, queue: Queue<number>, n: number) => {
      const got: number[] = [];
      for (let i = 0; i < n; i++) got.push(queue.getSync());
      return got;
    },
    queue.handle,
    items,
  ));
  await untilWaiting(queue, NOT_EMPTY, 2);
  doomed.terminate();
  await rejects(lost, { message: "The test Worker was terminated" });
  // One item alone: its wake-up goes to the dead slot, and the survivor
  // finds it when it looks again on its own.
  queue.putNowait(0);
  await waitFor("the survivor takes the first item", () => queue.empty());
  for (let i = 1; i < items; i++) queue.putNowait(i);
  deepStrictEqual(
    await within(got, "the survivor gets every item"),
    Array.from({ length: items }, (_, i) => i),
  );
  strictEqual(queue.qsize(), 0);
  // The queue still works in every face.
  queue.putNowait(1);
  strictEqual(await queue.get(), 1);
  queue.putNowait(2);
  strictEqual(queue.getSync(), 2);
  throws(() => queue.getNowait(), QueueEmpty);
});

Deno.test("Queue: a Worker terminated while blocked in getSync takes at most one more item, and the queue stays exact", async () => {
  // Deno 2.9.6's Worker.terminate() only stops a Worker at its event loop: a
  // Worker blocked in getSync (or in any synchronous loop) runs on until
  // its call returns. So the terminated Worker may still take one item,
  // which is lost with its reply; it records what it took here instead.
  await using workers = startWorkers(2);
  const doomed = workers[0]!;
  const survivor = workers[1]!;
  const queue = new Queue<number | null>();
  const took = int32s(2); // [taken item + 1 (0: none), finished]
  const lost = handled(doomed.run(
    (_p: Parallel, queue: Queue<number | null>, took: Int32Array) => {
      try {
        const item = queue.getSync();
        Atomics.store(took, 0, item === null ? -1 : item + 1);
      } finally {
        Atomics.store(took, 1, 1);
      }
    },
    queue.handle,
    took,
  ));
  await untilWaiting(queue, NOT_EMPTY, 1);
  const got = handled(survivor.run(
    (_p: Parallel, queue: Queue<number | null>) => {
      const got: number[] = [];
      for (let item = queue.getSync(); item !== null; item = queue.getSync()) {
        got.push(item);
      }
      return got;
    },
    queue.handle,
  ));
  await untilWaiting(queue, NOT_EMPTY, 2);
  doomed.terminate();
  await rejects(lost, { message: "The test Worker was terminated" });
  const items = 50;
  for (let i = 0; i < items; i++) queue.putNowait(i);
  queue.putNowait(null);
  queue.putNowait(null); // in case the doomed Worker takes one
  const survived = await within(got, "the survivor gets its items");
  // Let the doomed Worker out if it still waits: it must end before the test.
  queue.shutdown();
  await waitFor("the doomed Worker returns", () => Atomics.load(took, 1) === 1);
  const taken = Atomics.load(took, 0);
  const all = taken > 0 ? [...survived, taken - 1] : survived;
  deepStrictEqual(
    all.sort((a, b) => a - b),
    Array.from({ length: items }, (_, i) => i),
  );
  ok(survived.every((x, i) => i === 0 || x > survived[i - 1]!));
  // It took an item, or the second sentinel (at the latest once shut down).
  ok(taken !== 0);
  strictEqual(queue.qsize(), taken > 0 ? 1 : 0);
});

// ---------------------------------------------------------------------------
// SimpleQueue (CPython's BaseSimpleQueueTest)

Deno.test("SimpleQueue: put, get, qsize and empty", async () => {
  // test_basic.
  const queue = new SimpleQueue<number>();
  strictEqual(queue.empty(), true);
  strictEqual(queue.qsize(), 0);
  queue.put(1);
  strictEqual(queue.empty(), false);
  strictEqual(queue.qsize(), 1);
  queue.put(2);
  queue.put(3);
  queue.put(4);
  strictEqual(queue.qsize(), 4);
  strictEqual(await queue.get(), 1);
  strictEqual(queue.qsize(), 3);
  strictEqual(queue.getNowait(), 2);
  strictEqual(queue.getSync(), 3);
  strictEqual(queue.getSync({ timeout: 100 }), 4);
  strictEqual(queue.empty(), true);
  throws(() => queue.getNowait(), QueueEmpty);
  throws(() => queue.getSync({ timeout: 1 }), QueueEmpty);
  await rejects(queue.get({ timeout: 1 }), QueueEmpty);
  strictEqual(queue.qsize(), 0);
  // No task tracking, no bound, no shutdown.
  const methods = Object.getOwnPropertyNames(SimpleQueue.prototype);
  for (const absent of ["taskDone", "join", "shutdown", "full", "putNowait"]) {
    ok(!methods.includes(absent), `SimpleQueue has ${absent}`);
  }
  for (let i = 0; i < 10_000; i++) queue.put(i);
  strictEqual(queue.qsize(), 10_000);
  ok(SimpleQueue.from(queue.handle) instanceof SimpleQueue);
});

Deno.test("SimpleQueue: one Worker feeding one consuming Worker keeps the order", async () => {
  // test_order.
  await using workers = startWorkers(2);
  const queue = new SimpleQueue<number | null>();
  const inputs = Array.from({ length: 100 }, (_, i) => i);
  const results = handled(workers[1]!.run(
    (_p: Parallel, queue: SimpleQueue<number | null>) => {
      const results: number[] = [];
      for (let x = queue.getSync(); x !== null; x = queue.getSync()) {
        results.push(x);
      }
      return results;
    },
    queue.handle,
  ));
  await workers[0]!.run(
    (_p: Parallel, queue: SimpleQueue<number | null>, inputs: number[]) => {
      for (const x of inputs) queue.put(x);
      queue.put(null);
    },
    queue.handle,
    inputs,
  );
  deepStrictEqual(await results, inputs);
});

Deno.test("SimpleQueue: Workers feeding and consuming in every face lose and duplicate nothing", async () => {
  // test_many_threads, test_many_threads_nonblock, test_many_threads_timeout.
  const n = 4;
  await using workers = startWorkers(2 * n);
  const queue = new SimpleQueue<number | null>();
  const inputs = Array.from({ length: 10_000 }, (_, i) => i);
  const feed = (
    _p: Parallel,
    queue: SimpleQueue<number | null>,
    seq: number[],
  ) => {
    for (const x of seq) queue.put(x);
    queue.put(null);
  };
  const consume = async (
    p: Parallel,
    queue: SimpleQueue<number | null>,
    face: string,
  ) => {
    const results: number[] = [];
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      let x: number | null | undefined;
      while (x === undefined) {
        try {
          if (face === "sync") x = queue.getSync();
          else if (face === "async") x = await queue.get();
          else if (face === "timeout") x = queue.getSync({ timeout: 0.01 });
          else x = queue.getNowait();
        } catch (error) {
          if (!(error instanceof p.QueueEmpty)) throw error;
          if (face === "nowait") Atomics.wait(nap, 0, 0, 0.01);
        }
      }
      if (x === null) return results;
      results.push(x);
    }
  };
  const faces = ["sync", "async", "timeout", "nowait"];
  const consumers = faces.map((face, i) =>
    workers[n + i]!.run(consume, queue.handle, face)
  ).map(handled);
  const slices = Array.from(
    { length: n },
    (_, i) => inputs.filter((x) => x % n === i),
  );
  await Promise.all(
    slices.map((s, i) => workers[i]!.run(feed, queue.handle, s)),
  );
  const results = await within(Promise.all(consumers), "the consumers end");
  deepStrictEqual(results.flat().sort((a, b) => a - b), inputs);
  // Each feeder's items were seen in its order by each consumer.
  for (const r of results) {
    for (let i = 0; i < n; i++) {
      const mine = r.filter((x) => x % n === i);
      ok(mine.every((x, j) => j === 0 || x > mine[j - 1]!));
    }
  }
  strictEqual(queue.empty(), true);
  strictEqual(queue.qsize(), 0);
});

Deno.test("Queue: a Worker sees the queue's class, maxsize, size and shutdown", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<number>(3);
  for (let i = 0; i < 3; i++) queue.putNowait(i);
  const seen = await workers[0]!.run(
    (p: Parallel, queue: Queue<number>, simple: SimpleQueue<number>) => ({
      isQueue: queue instanceof p.Queue,
      maxsize: queue.maxsize,
      qsize: queue.qsize(),
      full: queue.full(),
      simple: simple instanceof p.SimpleQueue,
      first: queue.getNowait(),
    }),
    queue.handle,
    new SimpleQueue<number>().handle,
  );
  deepStrictEqual(seen, {
    isQueue: true,
    maxsize: 3,
    qsize: 3,
    full: true,
    simple: true,
    first: 0,
  });
  strictEqual(queue.qsize(), 2);
  queue.shutdown();
  strictEqual(
    await workers[0]!.run(
      (_p: Parallel, queue: Queue<number>) => queue.isShutDown,
      queue.handle,
    ),
    true,
  );
});
