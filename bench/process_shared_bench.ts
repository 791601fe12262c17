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
//   left out of the time. Per iteration, the 2 processes start, release a
//   "ready" Semaphore and wait on a "go" Event; the time runs from go.set()
//   to the parent's second acquire of a "done" Semaphore (both children have
//   finished their increments). Their joins come after the time. Python does
//   the same with multiprocessing.Semaphore / Event.
// - "Queue, 100,000 ints, producer -> consumer": a producer child puts
//   0..N-1 into a Queue() (putSync), the parent takes them (getSync) and
//   checks their order; timed from go.set() to the last item taken. Also the
//   same Queue with the producer in a Thread (a Worker) of the parent, and
//   Python's multiprocessing.Queue() with the producer in a child process.
// - "Pipe, 10,000 round trips": the parent sends a small int on one end of
//   a Pipe(), a child sends it back (recvSync / send), 10,000 times; µs per
//   round trip = time/iter ÷ 10,000. Against multiprocessing.Pipe().
// - "Event ping-pong, 10,000 round trips": the parent sets `ping` and waits
//   for `pong` (then clears it); a child waits for `ping`, clears it and sets
//   `pong`. Against multiprocessing.Event.
//
// In all but the first group the children start before the time, per
// iteration, and are joined after it: the time is the work alone (measured
// with b.start() / b.end()). A Python case's time also holds one line to the
// Python process and its answer back (bench/_python.ts), some 0.1 ms. Each
// case checks its counts and its children's exit codes, and throws on a
// wrong one. Spinning pays off only while each process has a CPU of its own:
// on a 2-core machine the whole-run groups share it with process starts.

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
/** How long the children may take to start (ms). */
const START_MS = 30_000;

function check(what: string, got: number, expected: number): void {
  if (got !== expected) {
    throw new Error(`${what}: counted ${got}, expected ${expected}`);
  }
}

/** A child that runs one export of bench/_process_shared_tasks.ts. */
type Child = Process | Thread;

function process(target: string, args: unknown[]): Process {
  return new Process({ module: benchTasks, target, args });
}

/**
 * Starts `children`, waits until each has released `ready`, then times
 * `work` alone; joins the children after the time and checks that each
 * process exited with 0.
 */
async function timed(
  b: Deno.BenchContext,
  ready: Semaphore,
  children: Child[],
  work: () => void,
): Promise<void> {
  for (const child of children) child.start();
  for (const _ of children) {
    if (!await ready.acquire({ timeout: START_MS })) {
      throw new Error(`the children did not start within ${START_MS} ms`);
    }
  }
  b.start();
  work();
  b.end();
  for (const child of children) {
    if (!await child.join({ timeout: START_MS })) {
      throw new Error(`a child did not end within ${START_MS} ms`);
    }
    if (child instanceof Process && child.exitCode !== 0) {
      throw new Error(`a child exited with ${child.exitCode}`);
    }
  }
}

/**
 * Has the Python process start the children of `question`, times its "go"
 * alone, and has it join them; returns the words of go's answer.
 */
async function pythonTimed(
  b: Deno.BenchContext,
  question: string,
): Promise<string[]> {
  await python.ask(`prepare ${question}`);
  b.start();
  const answer = await python.ask("go");
  b.end();
  await python.ask("finish");
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

Deno.bench("Value under its Lock, 2 Processes, increments only", {
  ...increments,
  baseline: true,
}, async (b) => {
  const [ready, go, done] = [new Semaphore(0), new Event(), new Semaphore(0)];
  const lock = new Lock();
  const value = new Value("i32", 0);
  const children = [0, 1].map(() =>
    process("countAfterGo", [ready, go, done, lock, value, TIMES])
  );
  await timed(b, ready, children, () => {
    go.set();
    done.acquireSync();
    done.acquireSync();
  });
  check("deno", value.value, 2 * TIMES);
});

Deno.bench("Python multiprocessing.Value with get_lock(), increments only", {
  ...increments,
}, async (b) => {
  const [total] = await pythonTimed(b, `counter ${TIMES}`);
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
function consume(queue: Queue<number>): () => void {
  return () => {
    for (let i = 0; i < ITEMS; i++) {
      const got = queue.getSync();
      if (got !== i) throw new Error(`item ${i} arrived as ${got}`);
    }
  };
}

Deno.bench(`Queue(), Process -> parent, ${ITEMS} ints`, {
  ...queued,
  baseline: true,
}, async (b) => {
  const [ready, go, queue] = [new Semaphore(0), new Event(), new Queue()];
  const producer = process("produceAfterGo", [ready, go, queue, ITEMS]);
  await timed(b, ready, [producer], () => {
    go.set();
    consume(queue as Queue<number>)();
  });
  check("deno, items left", queue.qsize(), 0);
});

Deno.bench(`Queue(), Thread (Worker) -> main thread, ${ITEMS} ints`, {
  ...queued,
}, async (b) => {
  const [ready, go, queue] = [new Semaphore(0), new Event(), new Queue()];
  const producer = new Thread({
    target: { module: benchTasks, name: "produceAfterGo" },
    args: [ready, go, queue, ITEMS],
  });
  await timed(b, ready, [producer], () => {
    go.set();
    consume(queue as Queue<number>)();
  });
  check("deno, items left", queue.qsize(), 0);
});

Deno.bench(`Python multiprocessing.Queue(), process -> parent, ${ITEMS} ints`, {
  ...queued,
  n: 5,
  warmup: 1,
}, async (b) => {
  const [count] = await pythonTimed(b, `queue ${ITEMS}`);
  check("python3", Number(count), ITEMS);
});

// ---------------------------------------------------------------------------
// Pipe round trips.

const piped = { group: `Pipe, ${ROUNDS} round trips`, n: 10, warmup: 2 };

Deno.bench(`Pipe(), parent <-> Process, ${ROUNDS} round trips`, {
  ...piped,
  baseline: true,
}, async (b) => {
  const ready = new Semaphore(0);
  const [ours, theirs] = Pipe<number>();
  let trips = 0;
  await timed(b, ready, [process("echo", [ready, theirs, ROUNDS])], () => {
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
  const [trips] = await pythonTimed(b, `pipe ${ROUNDS}`);
  check("python3", Number(trips), ROUNDS);
});

// ---------------------------------------------------------------------------
// Event ping-pong.

const pingPong = {
  group: `Event ping-pong, ${ROUNDS} round trips`,
  n: 10,
  warmup: 2,
};

Deno.bench(`two Events, parent <-> Process, ${ROUNDS} round trips`, {
  ...pingPong,
  baseline: true,
}, async (b) => {
  const [ready, ping, pong] = [new Semaphore(0), new Event(), new Event()];
  let trips = 0;
  await timed(
    b,
    ready,
    [process("pong", [ready, ping, pong, ROUNDS])],
    () => {
      for (let i = 0; i < ROUNDS; i++) {
        ping.set();
        if (!pong.waitSync()) throw new Error(`round trip ${i} was lost`);
        pong.clear();
        trips++;
      }
    },
  );
  check("deno", trips, ROUNDS);
  check("deno, ping left set", Number(ping.isSet), 0);
});

Deno.bench(`Python two multiprocessing.Events, ${ROUNDS} round trips`, {
  ...pingPong,
  n: 5,
  warmup: 1,
}, async (b) => {
  const [trips] = await pythonTimed(b, `event ${ROUNDS}`);
  check("python3", Number(trips), ROUNDS);
});

globalThis.addEventListener("unload", () => python.close());
