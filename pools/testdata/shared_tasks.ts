// Tasks that get primitives of this module from their parent process
// (pools/process_shared_test.ts, through shared_program.ts).

import type {
  Barrier,
  Condition,
  Connection,
  Event,
  Lock,
  Queue,
  Semaphore,
  SharedArray,
  Value,
} from "../../mod.ts";
import { currentProcess, Thread } from "../../mod.ts";

/** Adds 1 to `value` under `lock`, `times` times. */
export function count(lock: Lock, value: Value<"i32">, times: number): void {
  for (let i = 0; i < times; i++) {
    lock.acquireSync();
    value.value = value.value + 1;
    lock.release();
  }
}

/** The tutorial's user_input: num.value += 1.0, then doubles each element. */
export function userInput(num: Value<"f32">, arr: SharedArray<"i32">): void {
  console.log(`${num.value.toFixed(2)} [${arr.toArray().join(", ")}]`);
  num.value += 1;
  for (let i = 0; i < arr.length; i++) arr.set(i, arr.get(i) * 2);
}

/** Puts `n` numbered items from `producer` into `queue`, then sets `done`. */
export async function produce(
  queue: Queue<[number, number]>,
  done: Event,
  producer: number,
  n: number,
): Promise<number> {
  for (let i = 0; i < n; i++) await queue.put([producer, i]);
  done.set();
  return n;
}

/**
 * Starts a Thread (a Worker of this process) that holds `lock` for good:
 * the process is killed while its Worker holds it.
 */
export async function holdForeverInThread(
  lock: Lock,
  held: Event,
): Promise<void> {
  const thread = new Thread({
    target: { module: import.meta.url, name: "holdForever" },
    args: [lock, held],
  });
  thread.start();
  await thread.join();
}

/** Holds `lock` and never gives it back: its process is killed holding it. */
export function holdForever(lock: Lock, held: Event): void {
  lock.acquireSync();
  held.set();
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

// The tasks of shared_scenarios.ts. Every wait has a bound: a task that
// would hang throws instead, and its exit code says so.

/** The longest any task waits for another process. */
const WAIT = { timeout: 10_000 };

/** Throws `what` unless `ok`: a wait that timed out. */
function bounded(ok: unknown, what: string): void {
  if (!ok) throw new Error(`timed out waiting for ${what}`);
}

/** Sleeps `ms` milliseconds, blocking the thread. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Enters `semaphore` `times` times once all parties met at `start`; counts
 * those inside in `inside` and keeps the most seen in `max`.
 */
export function enterSemaphore(
  semaphore: Semaphore,
  start: Barrier,
  inside: Value<"i32">,
  max: Value<"i32">,
  entries: Value<"i32">,
  times: number,
): void {
  start.waitSync(WAIT);
  for (let i = 0; i < times; i++) {
    bounded(semaphore.acquireSync(WAIT), "the semaphore");
    const now = inside.add(1) + 1;
    for (let seen = max.value; now > seen; seen = max.value) {
      if (max.compareExchange(seen, now) === seen) break;
    }
    entries.add(1);
    // Stay a little, so that another process comes in meanwhile.
    sleepSync(0.1);
    inside.sub(1);
    semaphore.release();
  }
}

/**
 * Meets the others at `barrier` for `rounds` rounds: before each wait it
 * sets its bit in `arrived[round]`, after it checks all bits are there
 * (else counts an early pass in `early`), and counts the index the wait
 * returned in `indexes[round * parties + index]`.
 */
export function barrierRounds(
  barrier: Barrier,
  me: number,
  rounds: number,
  arrived: SharedArray<"i32">,
  indexes: SharedArray<"i32">,
  early: Value<"i32">,
): void {
  const parties = barrier.parties;
  const all = (1 << parties) - 1;
  for (let round = 0; round < rounds; round++) {
    Atomics.or(arrived.array, round, 1 << me);
    const index = barrier.waitSync(WAIT);
    if (Atomics.load(arrived.array, round) !== all) early.add(1);
    Atomics.add(indexes.array, round * parties + index, 1);
  }
}

/**
 * Puts 1..n into the ring `buffer` (its count, head and tail in `state`)
 * under `condition`, then one 0 per consumer to stop them.
 */
export function conditionProduce(
  condition: Condition,
  buffer: SharedArray<"i32">,
  state: SharedArray<"i32">,
  n: number,
  consumers: number,
): void {
  const put = (item: number) => {
    bounded(condition.acquireSync(WAIT), "the condition's lock");
    try {
      bounded(
        condition.waitForSync(() => state.get(0) < buffer.length, WAIT),
        "room in the buffer",
      );
      const tail = state.get(2);
      buffer.set(tail, item);
      state.set(2, (tail + 1) % buffer.length);
      state.set(0, state.get(0) + 1);
      condition.notifyAll();
    } finally {
      condition.release();
    }
  };
  for (let item = 1; item <= n; item++) put(item);
  for (let i = 0; i < consumers; i++) put(0);
}

/**
 * Takes items from the ring until a 0, counting each in `seen[item]`; adds
 * how many it took and their sum to `results[2 * me]` and the next slot.
 */
export function conditionConsume(
  condition: Condition,
  buffer: SharedArray<"i32">,
  state: SharedArray<"i32">,
  seen: SharedArray<"u8">,
  results: SharedArray<"f64">,
  me: number,
): void {
  let count = 0;
  let sum = 0;
  for (;;) {
    bounded(condition.acquireSync(WAIT), "the condition's lock");
    let item: number;
    try {
      bounded(
        condition.waitForSync(() => state.get(0) > 0, WAIT),
        "an item",
      );
      const head = state.get(1);
      item = buffer.get(head);
      state.set(1, (head + 1) % buffer.length);
      state.set(0, state.get(0) - 1);
      condition.notifyAll();
    } finally {
      condition.release();
    }
    if (item === 0) break;
    Atomics.add(seen.array, item, 1);
    count++;
    sum += item;
  }
  results.set(2 * me, count);
  results.set(2 * me + 1, sum);
}

/** What an item of `producer` numbered `seq` carries: size and bytes known to both ends. */
export function payloadOf(
  producer: number,
  seq: number,
  most: number,
): Uint8Array {
  // A multiplicative hash, so that sizes look random but both ends agree.
  const size = (Math.imul(producer * 100_003 + seq, 2654435761) >>> 0) %
    (most + 1);
  const bytes = new Uint8Array(size);
  for (let j = 0; j < size; j++) {
    bytes[j] = (producer * 131 + seq * 7 + j) & 255;
  }
  return bytes;
}

/** Whether `bytes` is the payload of `producer`'s item `seq`, whole. */
export function isPayloadOf(
  bytes: unknown,
  producer: number,
  seq: number,
  most: number,
): boolean {
  if (!(bytes instanceof Uint8Array)) return false;
  const size = (Math.imul(producer * 100_003 + seq, 2654435761) >>> 0) %
    (most + 1);
  if (bytes.length !== size) return false;
  for (let j = 0; j < size; j++) {
    if (bytes[j] !== ((producer * 131 + seq * 7 + j) & 255)) return false;
  }
  return true;
}

/** An item of the big queue: [producer, seq, payload], or null to stop. */
export type BigItem = [number, number, Uint8Array] | null;

/** Puts `n` items of `producer` with payloads up to `most` bytes. */
export function bigProduce(
  queue: Queue<BigItem>,
  producer: number,
  n: number,
  most: number,
): void {
  for (let seq = 0; seq < n; seq++) {
    queue.putSync([producer, seq, payloadOf(producer, seq, most)], WAIT);
  }
}

/**
 * Takes items until null: claims each (producer, seq) in `by` (a second
 * claim counts in `dups`), writes the order it took them in `at`, and counts
 * a payload that is not whole in `bad`.
 */
export function bigConsume(
  queue: Queue<BigItem>,
  me: number,
  n: number,
  most: number,
  by: SharedArray<"i32">,
  at: SharedArray<"i32">,
  bad: Value<"i32">,
  dups: Value<"i32">,
): void {
  for (let k = 0;; k++) {
    const item = queue.getSync(WAIT);
    if (item === null) break;
    const [producer, seq, payload] = item;
    if (!isPayloadOf(payload, producer, seq, most)) bad.add(1);
    const slot = producer * n + seq;
    if (Atomics.compareExchange(by.array, slot, 0, me + 1) !== 0) dups.add(1);
    at.array[slot] = k;
  }
}

/**
 * Sets `ping` and waits for `pong`, `n` times; `counts` = [pings answered,
 * pongs answered, turns seen out of step].
 */
export function pinger(
  ping: Event,
  pong: Event,
  n: number,
  counts: SharedArray<"i32">,
): void {
  for (let i = 0; i < n; i++) {
    ping.set();
    bounded(pong.waitSync(WAIT), "pong");
    pong.clear();
    // The ponger answered this ping, and only this one.
    if (Atomics.load(counts.array, 1) !== i + 1) {
      Atomics.add(counts.array, 2, 1);
    }
    Atomics.add(counts.array, 0, 1);
  }
}

/** Waits for `ping` and answers with `pong`, `n` times. */
export function ponger(
  ping: Event,
  pong: Event,
  n: number,
  counts: SharedArray<"i32">,
): void {
  for (let i = 0; i < n; i++) {
    bounded(ping.waitSync(WAIT), "ping");
    ping.clear();
    // The pinger has seen every pong before this ping.
    if (Atomics.load(counts.array, 0) !== i) Atomics.add(counts.array, 2, 1);
    Atomics.add(counts.array, 1, 1);
    pong.set();
  }
}

/** Sends `n` numbered messages on `connection`, then closes it. */
export function sendAndClose(
  connection: Connection<{ i: number; text: string }>,
  n: number,
): void {
  for (let i = 0; i < n; i++) connection.send({ i, text: `message ${i}` });
  connection.close();
}

/** Puts [seq, payload] into `queue` for ever, setting `started` once. */
export function putForever(
  queue: Queue<[number, Uint8Array]>,
  started: Event,
  most: number,
): void {
  for (let seq = 0;; seq++) {
    queue.putSync([seq, payloadOf(0, seq, most)], WAIT);
    if (seq === 0) started.set();
  }
}

/**
 * Puts `n` items of producer 1, waits for `refilled`, then takes `n` items
 * of producer 2 and counts in `ok` those that are whole and in order.
 */
export function putThenTake(
  queue: Queue<[number, Uint8Array]>,
  refilled: Event,
  n: number,
  most: number,
  ok: Value<"i32">,
): void {
  for (let seq = 0; seq < n; seq++) {
    queue.putSync([seq, payloadOf(1, seq, most)], WAIT);
  }
  bounded(refilled.waitSync(WAIT), "the refill");
  for (let seq = 0; seq < n; seq++) {
    const [k, payload] = queue.getSync(WAIT);
    if (k === seq && isPayloadOf(payload, 2, seq, most)) ok.add(1);
  }
}

// The tutorial's communication-process.py, process-pipe.py and the queue of
// queue_thread.py, across processes; sleeps shortened, proportions kept.
// Python's logging writes `%(processName)s >> message` on stderr.

/** logging.debug, as the tutorial configures it. */
function debug(message: string): void {
  console.error(`${currentProcess().name} >> ${message}`);
}

/** Python's repr of {"x": n}. */
export function reprOf(d: { x: number }): string {
  return `{'x': ${d.x}}`;
}

/** worker_thread_1: under the lock, sleeps, adds 10 to its copy of d. */
export function workerThread1(d: { x: number }, lock: Lock): void {
  using _ = lock.holdSync(WAIT);
  sleepSync(20);
  d.x += 10;
  debug(reprOf(d));
}

/** worker_thread_2: under the lock, sleeps longer, adds 20 to its copy. */
export function workerThread2(d: { x: number }, lock: Lock): void {
  using _ = lock.holdSync(WAIT);
  sleepSync(50);
  d.x += 20;
  debug(reprOf(d));
}

/** process-pipe.py's user_input: sends ["test"], sleeps, closes. */
export function userInputPipe(conn: Connection<string[]>): void {
  conn.send(["test"]);
  sleepSync(50);
  conn.close();
}

/** queue_thread.py's worker_1: logs each item until None. */
export function queueWorker(q: Queue<number | null>): void {
  debug("start");
  for (;;) {
    const item = q.getSync(WAIT);
    if (item === null) break;
    debug(String(item));
    q.taskDone();
  }
  debug("end");
}
