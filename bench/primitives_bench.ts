// What the cross-worker primitives cost, side by side with what they replace.
//
//   deno bench --allow-read --allow-run=python3 bench/primitives_bench.ts
//
// Groups (Deno prints each case's ratio to the group's baseline):
//
// - "uncontended": one iteration is 100,000 `acquireSync(); release()` pairs
//   on one thread; ns per pair = time/iter ÷ 100,000. Baseline: a bare
//   `Atomics.compareExchange` + `Atomics.store` loop, the least a lock can
//   cost. Also RLock, Semaphore and the async face (`await lock.acquire()`).
// - "hand-off": one iteration is 10,000 round trips between two Workers
//   (the main thread only starts them and waits); µs per round trip =
//   time/iter ÷ 10,000. Two Events each cleared by its waiter, two
//   Semaphore(0)s, and a Condition with a turn word, all with the Sync faces.
//   Baseline: the same ping-pong on bare Atomics.wait / notify, no spinning.
//   Also a pure spin on one word (the floor) and a postMessage ping-pong
//   between the main thread and a Worker.
// - "contended counter": two Workers each do N lock-protected `counter++`
//   on one Lock; ops/s = 2N ÷ time/iter. Baseline: the same program in
//   Python 3 (bench/python/lock_counter.py: two threading.Threads, one
//   threading.Lock), started once and driven over its stdin and stdout.
//
// The Workers and the Python process start once, at load, and are ended by
// the "unload" event, so that `deno bench` exits by itself. A loop that does
// not finish within 30 s (a lost wake-up leaves both Workers asleep) fails
// its case, and fresh Workers run the next ones. The whole run takes about
// 20 s. Results swing with the machine's load: spinning pays off only while
// both Workers have a CPU of their own.

import { Condition, Event, Lock, RLock, Semaphore } from "../mod.ts";
import {
  type Case,
  COUNTER,
  FUTEX,
  type Request,
  type Shared,
  SPIN,
  TURN,
  WORDS,
} from "./_primitives_protocol.ts";
import { PythonChild } from "./_python.ts";
import { WorkerPair } from "./_shared.ts";

/** Lock/release pairs per iteration of the uncontended group. */
const PAIRS = 100_000;
/** Round trips per iteration of the hand-off group. */
const ROUNDS = 10_000;
/** Increments per thread per iteration of the contended counter. */
const INCREMENTS = 200_000;

// ---------------------------------------------------------------------------
// Uncontended: one thread, nobody else touches the word.

const bare = new Int32Array(new SharedArrayBuffer(4));
const lock = new Lock();
const rlock = new RLock();
const semaphore = new Semaphore(1);

const uncontended = { group: "uncontended", n: 200, warmup: 20 };

function checkFree(free: boolean): void {
  if (!free) throw new Error("The primitive was left held");
}

Deno.bench("bare Atomics.compareExchange + store", {
  ...uncontended,
  baseline: true,
}, () => {
  for (let i = 0; i < PAIRS; i++) {
    Atomics.compareExchange(bare, 0, 0, 1);
    Atomics.store(bare, 0, 0);
  }
  checkFree(Atomics.load(bare, 0) === 0);
});

Deno.bench("Lock acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    lock.acquireSync();
    lock.release();
  }
  checkFree(!lock.locked);
});

Deno.bench("RLock acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    rlock.acquireSync();
    rlock.release();
  }
  checkFree(!rlock.locked);
});

Deno.bench("Semaphore acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    semaphore.acquireSync();
    semaphore.release();
  }
  checkFree(semaphore.value === 1);
});

Deno.bench("Lock await acquire + release", uncontended, async () => {
  for (let i = 0; i < PAIRS; i++) {
    await lock.acquire();
    lock.release();
  }
  checkFree(!lock.locked);
});

// ---------------------------------------------------------------------------
// Workers: started once; each request runs a whole loop and answers once.

/** The two bench Workers; `pair.shared` is their shared words. */
const pair = new WorkerPair<Request, void, Int32Array>(
  new URL("./_primitives_worker.ts", import.meta.url),
  () => {
    const words = new Int32Array(new SharedArrayBuffer(WORDS * 4));
    const shared: Shared = {
      ping: new Event().handle,
      pong: new Event().handle,
      pingSemaphore: new Semaphore(0).handle,
      pongSemaphore: new Semaphore(0).handle,
      condition: new Condition().handle,
      lock: new Lock().handle,
      words: words.buffer as SharedArrayBuffer,
    };
    const init: Request = { op: "init", shared };
    return { shared: words, init: [init, init] };
  },
);

/** Runs one ping-pong of ROUNDS round trips between the two Workers. */
async function pingPong(name: Case): Promise<void> {
  await pair.run(
    `The ${name} ping-pong (are both Workers asleep: a lost wake-up?)`,
    { op: `${name}-ping`, rounds: ROUNDS },
    { op: `${name}-pong`, rounds: ROUNDS },
  );
  const words = pair.shared;
  if (words[TURN] !== 0 || words[FUTEX] !== 0 || words[SPIN] !== 0) {
    throw new Error(`The ${name} ping-pong ended out of turn`);
  }
}

// ---------------------------------------------------------------------------
// Hand-off latency. The spinning cases take ~10-20 ms an iteration, the
// sleeping ones ~0.5-1 s: a few iterations of those are enough.

const fast = { group: "hand-off", n: 40, warmup: 5 };
const slow = { group: "hand-off", n: 5, warmup: 1 };

Deno.bench(
  "raw futex ping-pong (Atomics.wait/notify, no spin)",
  { ...slow, baseline: true },
  async () => await pingPong("futex"),
);

Deno.bench("Event ping-pong (set/waitSync/clear)", fast, async () => {
  await pingPong("event");
});

Deno.bench(
  "Semaphore(0) pair ping-pong (release/acquireSync)",
  fast,
  async () => {
    await pingPong("semaphore");
  },
);

Deno.bench(
  "Condition ping-pong (notify/waitSync, turn word)",
  fast,
  async () => {
    await pingPong("condition");
  },
);

Deno.bench("spin ping-pong (Atomics.load loop, the floor)", fast, async () => {
  await pingPong("spin");
});

Deno.bench("postMessage ping-pong (main <-> Worker)", slow, async () => {
  await pair.ready();
  for (let i = 0; i < ROUNDS; i++) await pair.callFirst({ op: "echo" });
});

// ---------------------------------------------------------------------------
// Contended counter: Deno Workers against Python threads, same N.

/** The Python counter: answers N with "ok <count> <elapsed ns>". */
const python = new PythonChild(
  new URL("./python/lock_counter.py", import.meta.url),
);

const counter = { group: "contended counter", n: 20, warmup: 3 };

Deno.bench(
  `Python: 2 threads × ${INCREMENTS} increments under threading.Lock`,
  { ...counter, baseline: true },
  async () => {
    await python.ask(`${INCREMENTS}`);
  },
);

Deno.bench(
  `Deno: 2 Workers × ${INCREMENTS} increments under Lock (acquireSync)`,
  counter,
  async () => {
    const request: Request = { op: "count", n: INCREMENTS };
    Atomics.store(pair.shared, COUNTER, 0);
    await pair.run("The Deno counter (a lost wake-up?)", request, request);
    const total = Atomics.load(pair.shared, COUNTER);
    if (total !== 2 * INCREMENTS) {
      throw new Error(`The counter is ${total}, expected ${2 * INCREMENTS}`);
    }
  },
);

// ---------------------------------------------------------------------------

globalThis.addEventListener("unload", () => {
  pair.terminate();
  python.close();
});
