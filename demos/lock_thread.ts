/**
 * Python's `multi-thread/lock_thread.py`: threads add to a shared value
 * under a {@linkcode Lock}. Here they race twice: first without a lock, and
 * increments are lost (each is a read, some work, then a write, and another
 * thread's writes in between are overwritten); then holding the lock around
 * each increment, and the total is exact.
 *
 * On Deno each thread is a Worker, and with no GIL they really run at once:
 * a {@linkcode Barrier} lets them all go together, once every Worker has
 * started (which takes some milliseconds each).
 *
 * Run it with `deno task demo lock_thread`.
 *
 * @module
 */
import { Barrier, Lock, Thread, Value } from "../mod.ts";
import { log } from "./_log.ts";

/** The counts this demo uses; the tests make them small. */
export interface LockThreadOptions {
  /** How many threads increment the counter (default 2, as in Python). */
  workers?: number;
  /** How many increments each thread makes (default 20,000). */
  increments?: number;
  /** The work between an increment's read and its write (default 200). */
  gap?: number;
}

/** What one run found: the totals without and with the lock. */
export interface LockThreadResult {
  /** The total each run should reach: workers × increments. */
  expected: number;
  /** The total reached without a lock (less: lost updates). */
  withoutLock: number;
  /** The total reached with the lock (always `expected`). */
  withLock: number;
}

let sink = 0;

/** `d["x"] += 1`, slowly: a read, `gap` steps of work, a write. */
function increment(counter: Value<"i32">, gap: number): void {
  const seen = counter.value;
  let work = seen;
  for (let i = 0; i < gap; i++) work = (work * 31 + i) | 0;
  sink ^= work; // so that the work is not optimized away
  counter.value = seen + 1;
}

/** `worker_thread`: waits for the others, then increments, locked or not. */
export function add(
  origin: number,
  counter: Value<"i32">,
  go: Barrier,
  increments: number,
  gap: number,
  lock: Lock | null,
): void {
  go.waitSync();
  log(origin, "start");
  for (let i = 0; i < increments; i++) {
    if (lock === null) increment(counter, gap);
    else {
      using _ = lock.holdSync();
      increment(counter, gap);
    }
  }
  log(origin, `end, the counter reads ${counter.value.toLocaleString("en")}`);
}

async function race(
  origin: number,
  workers: number,
  increments: number,
  gap: number,
  lock: Lock | null,
): Promise<number> {
  const counter = new Value("i32", 0);
  const go = new Barrier(workers);
  const threads = Array.from({ length: workers }, () =>
    new Thread({
      target: { module: import.meta.url, name: "add" },
      args: [origin, counter, go, increments, gap, lock],
    }));
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.join();
  return counter.value;
}

/**
 * Runs the race twice, without and with a lock, and returns both totals.
 *
 * @param options How many threads, how many increments each, and the work
 * in each increment.
 * @returns The expected total and the two totals reached.
 */
export async function lockThread(
  options: LockThreadOptions = {},
): Promise<LockThreadResult> {
  const { workers = 2, increments = 20_000, gap = 200 } = options;
  const origin = Date.now();
  log(
    origin,
    `${workers} threads add 1, ${
      increments.toLocaleString("en")
    } times each, with no lock`,
  );
  const withoutLock = await race(origin, workers, increments, gap, null);
  log(origin, `${workers} threads do it again, each increment under a Lock`);
  const withLock = await race(origin, workers, increments, gap, new Lock());
  return { expected: workers * increments, withoutLock, withLock };
}

if (import.meta.main) {
  const { expected, withoutLock, withLock } = await lockThread();
  const count = (n: number) => n.toLocaleString("en");
  console.log(`Expected total:  ${count(expected)}`);
  console.log(
    `Without a lock:  ${count(withoutLock)} (${
      count(expected - withoutLock)
    } increments lost)`,
  );
  console.log(
    `With a Lock:     ${count(withLock)} (${
      count(expected - withLock)
    } increments lost)`,
  );
}
