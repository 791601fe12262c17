// Primitives shared with processes against Python's multiprocessing, in the
// same run (Deno prints each case's ratio to its group's baseline, the Deno
// case between processes):
//
//   deno bench --allow-read --allow-run --allow-ffi bench/process_shared_bench.ts
//
// Without --allow-ffi the primitives cannot go to a process: this file
// needs it, as any program that shares them with processes does.
//
// Groups:
//
// - "2 processes x 100,000 locked increments, whole run": 2 processes that
//   each add 1 to a Value 100,000 times under its lock, started and joined
//   per iteration, against multiprocessing.Value with get_lock().
// - "... increments only": the same increments, with the process start
//   left out of the time: the time runs from the order to the parent's
//   second acquire of a "done" Semaphore (both children have finished).
// - "Queue, 100,000 ints, producer -> consumer": a producer child puts
//   0..N-1 into a Queue() (putSync), the parent takes them (getSync) and
//   checks their order; timed from the order to the last item taken. Also
//   the same Queue with the producer in a Thread (a Worker) of this process,
//   and Python's multiprocessing.Queue() with the producer in a child.
// - "Pipe, 10,000 round trips": the parent sends a small int on one end of
//   a Pipe(), a child sends it back (recvSync / send), 10,000 times; µs per
//   round trip = time/iter ÷ 10,000. Against multiprocessing.Pipe().
// - "Event ping-pong, 10,000 round trips": the parent sets `ping` and waits
//   for `pong` (then clears it); a child waits for `ping`, clears it and sets
//   `pong`. Against multiprocessing.Event.
//
// In all but the first group, the children of a case (a Crew; the targets
// are in bench/_process_shared_tasks.ts) start on its first iteration and
// serve every later one: per iteration the parent writes how much to do and
// releases a "go" Semaphore, and each child releases "done" when it has
// done it. Only the order and the parent's side of the work are timed
// (b.start() / b.end()), so that neither the start of the children nor
// their warm-up (Deno's own warm-up iterations) is in the time. The Python
// side (bench/python/process_shared.py) does the same with multiprocessing
// Semaphores; its time also holds one line to the Python process and its
// answer back (bench/_python.ts), some 0.1 ms. Each case checks its counts
// and throws on a wrong one. The children are daemons, told to return when
// the bench unloads.
//
// Spinning pays off only while each process has a CPU of its own: on a
// 2-core machine that is busy with anything else, the waits sleep and
// each wake-up costs tens of µs.

import {
  Event,
  Lock,
  Pipe,
  Process,
  Queue,
  Semaphore,
  Thread,
  Value,
} from "../mod.ts";
import { PythonChild } from "./_python.ts";
import type { Orders } from "./_process_shared_tasks.ts";

const python = new PythonChild(
  new URL("./python/process_shared.py", import.meta.url),
);
const tasks = new URL("../pools/testdata/shared_tasks.ts", import.meta.url);
const benchTasks = new URL("./_process_shared_tasks.ts", import.meta.url);
/** Increments per process. */
const TIMES = 100_000;
/** Items through the queue per iteration. */
const ITEMS = 100_000;
/** Round trips per iteration. */
const ROUNDS = 10_000;
/** How long the children may take to start, or to end an order (ms). */
const STALL_MS = 30_000;

function check(what: string, got: number, expected: number): void {
  if (got !== expected) {
    throw new Error(`${what}: counted ${got}, expected ${expected}`);
  }
}

/** A child that runs one export of bench/_process_shared_tasks.ts. */
type Child = Process | Thread;

/** Every crew, stopped when the bench ends. */
const crews: Crew[] = [];

/**
 * The children of one case (see bench/_process_shared_tasks.ts), started on
 * its first iteration and serving all of them, so that neither their start
 * nor their warm-up (Deno's own warm-up iterations) is in the time.
 */
class Crew {
  readonly orders: Orders = {
    ready: new Semaphore(0),
    go: new Semaphore(0),
    done: new Semaphore(0),
    orders: new Value("i32", 0),
  };
  readonly #make: (orders: Orders) => Child[];
  #children: Child[] | undefined;
  /** How many children have not released `done` for this order yet. */
  #pending = 0;

  constructor(make: (orders: Orders) => Child[]) {
    this.#make = make;
    crews.push(this);
  }

  /** A Process that runs export `target` with the orders, then `args`. */
  static process(target: string, orders: Orders, args: unknown[]): Process {
    return new Process({
      module: benchTasks,
      target,
      args: [orders, ...args],
      daemon: true,
    });
  }

  /**
   * Orders each child to do `n`, and times it with `work`, the parent's
   * side, which ends when the order is done; the children's `done` is
   * awaited after the time, unless `work` did it (through `finish`).
   */
  async run(b: Deno.BenchContext, n: number, work: () => void): Promise<void> {
    const children = await this.#up();
    this.orders.orders.value = n;
    this.#pending = children.length;
    b.start();
    this.orders.go.release(children.length);
    work();
    b.end();
    this.finish();
  }

  /** Waits until each child has done the order. */
  finish(): void {
    for (; this.#pending > 0; this.#pending--) {
      if (!this.orders.done.acquireSync({ timeout: STALL_MS })) {
        throw new Error(`a child did not finish within ${STALL_MS} ms`);
      }
    }
  }

  /** Ends the children (they return on their next order). */
  stop(): void {
    if (this.#children === undefined) return;
    this.orders.orders.value = 0;
    this.orders.go.release(this.#children.length);
    this.#children = undefined;
  }

  async #up(): Promise<Child[]> {
    if (this.#children === undefined) {
      const children = this.#make(this.orders);
      for (const child of children) child.start();
      this.#children = children;
      for (const _ of children) {
        if (!await this.orders.ready.acquire({ timeout: STALL_MS })) {
          throw new Error(`the children did not start within ${STALL_MS} ms`);
        }
      }
    }
    for (const child of this.#children) {
      const ended = child instanceof Process
        ? child.exitCode !== null
        : !child.isAlive;
      if (ended) throw new Error("a child of the bench has ended");
    }
    return this.#children;
  }
}

/**
 * Has the Python process start the children of `kind` (once), then times
 * their run of `n`; returns the words of the answer after "ok".
 */
async function pythonTimed(
  b: Deno.BenchContext,
  kind: string,
  n: number,
): Promise<string[]> {
  await python.ask(`start ${kind}`);
  b.start();
  const answer = await python.ask(`run ${kind} ${n}`);
  b.end();
  return answer.split(" ");
}

// ---------------------------------------------------------------------------
// 2 processes x 100,000 locked increments, whole run: start, count, join.

const whole = {
  group: "2 processes x 100,000 locked increments, whole run",
  n: 10,
  warmup: 1,
};

Deno.bench("Value under its Lock, 2 Processes, whole run", {
  ...whole,
  baseline: true,
}, async () => {
  const lock = new Lock();
  const value = new Value("i32", 0);
  const processes = [0, 1].map(() =>
    new Process({ module: tasks, target: "count", args: [lock, value, TIMES] })
  );
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  check("deno", value.value, 2 * TIMES);
});

Deno.bench("Python multiprocessing.Value with get_lock(), whole run", {
  ...whole,
}, async () => {
  const [total] = (await python.ask(`counter ${TIMES}`)).split(" ");
  check("python3", Number(total), 2 * TIMES);
});

// ---------------------------------------------------------------------------
// The same increments, with the start left out.

const increments = {
  group: "2 processes x 100,000 locked increments, increments only",
  n: 10,
  warmup: 2,
};

const lock = new Lock();
const value = new Value("i32", 0);
const counters = new Crew((orders) =>
  [0, 1].map(() => Crew.process("count", orders, [lock, value]))
);

Deno.bench("Value under its Lock, 2 Processes, increments only", {
  ...increments,
  baseline: true,
}, async (b) => {
  value.value = 0;
  await counters.run(b, TIMES, () => counters.finish());
  check("deno", value.value, 2 * TIMES);
});

Deno.bench("Python multiprocessing.Value with get_lock(), increments only", {
  ...increments,
}, async (b) => {
  const [total] = await pythonTimed(b, "counter", TIMES);
  check("python3", Number(total), 2 * TIMES);
});

// ---------------------------------------------------------------------------
// Small ints through a queue, from a producer to the parent.

const queued = {
  group: `Queue, ${ITEMS} ints, producer -> consumer`,
  n: 10,
  warmup: 2,
};

/** Takes ITEMS items from `queue`, checking that item i is i. */
function consume(queue: Queue<number>): void {
  for (let i = 0; i < ITEMS; i++) {
    const got = queue.getSync();
    if (got !== i) throw new Error(`item ${i} arrived as ${got}`);
  }
  check("deno, items left", queue.qsize(), 0);
}

const fromProcess = new Queue<number>();
const processProducer = new Crew((orders) => [
  Crew.process("produce", orders, [fromProcess]),
]);
const fromThread = new Queue<number>();
const threadProducer = new Crew((orders) => [
  new Thread({
    target: { module: benchTasks, name: "produce" },
    args: [orders, fromThread],
    daemon: true,
  }),
]);

Deno.bench(`Queue(), Process -> parent, ${ITEMS} ints`, {
  ...queued,
  baseline: true,
}, async (b) => {
  await processProducer.run(b, ITEMS, () => consume(fromProcess));
});

Deno.bench(`Queue(), Thread (Worker) -> main thread, ${ITEMS} ints`, {
  ...queued,
}, async (b) => {
  await threadProducer.run(b, ITEMS, () => consume(fromThread));
});

Deno.bench(`Python multiprocessing.Queue(), process -> parent, ${ITEMS} ints`, {
  ...queued,
  n: 5,
  warmup: 1,
}, async (b) => {
  const [count] = await pythonTimed(b, "queue", ITEMS);
  check("python3", Number(count), ITEMS);
});

// ---------------------------------------------------------------------------
// Pipe round trips.

const piped = { group: `Pipe, ${ROUNDS} round trips`, n: 10, warmup: 2 };

const [ours, theirs] = Pipe<number>();
const echoer = new Crew((orders) => [Crew.process("echo", orders, [theirs])]);

Deno.bench(`Pipe(), parent <-> Process, ${ROUNDS} round trips`, {
  ...piped,
  baseline: true,
}, async (b) => {
  let trips = 0;
  await echoer.run(b, ROUNDS, () => {
    for (let i = 0; i < ROUNDS; i++) {
      ours.send(i);
      const got = ours.recvSync();
      if (got !== i) throw new Error(`round trip ${i} came back as ${got}`);
      trips++;
    }
  });
  check("deno", trips, ROUNDS);
});

Deno.bench(`Python multiprocessing.Pipe(), ${ROUNDS} round trips`, {
  ...piped,
  n: 5,
  warmup: 1,
}, async (b) => {
  const [trips] = await pythonTimed(b, "pipe", ROUNDS);
  check("python3", Number(trips), ROUNDS);
});

// ---------------------------------------------------------------------------
// Event ping-pong.

const pingPong = {
  group: `Event ping-pong, ${ROUNDS} round trips`,
  n: 10,
  warmup: 2,
};

const [ping, pong] = [new Event(), new Event()];
const ponger = new Crew((orders) => [
  Crew.process("pong", orders, [ping, pong]),
]);

Deno.bench(`two Events, parent <-> Process, ${ROUNDS} round trips`, {
  ...pingPong,
  baseline: true,
}, async (b) => {
  let trips = 0;
  await ponger.run(b, ROUNDS, () => {
    for (let i = 0; i < ROUNDS; i++) {
      ping.set();
      if (!pong.waitSync()) throw new Error(`round trip ${i} was lost`);
      pong.clear();
      trips++;
    }
  });
  check("deno", trips, ROUNDS);
  check("deno, ping left set", Number(ping.isSet), 0);
});

Deno.bench(`Python two multiprocessing.Events, ${ROUNDS} round trips`, {
  ...pingPong,
  n: 5,
  warmup: 1,
}, async (b) => {
  const [trips] = await pythonTimed(b, "event", ROUNDS);
  check("python3", Number(trips), ROUNDS);
});

globalThis.addEventListener("unload", () => {
  for (const crew of crews) crew.stop();
  python.close();
});
