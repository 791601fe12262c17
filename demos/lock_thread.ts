/**
 * Python's `lock_thread` example: several threads add 1 to a shared counter
 * many times, first with no lock, then holding a {@linkcode Lock} around each
 * increment. Without the lock, `counter[0] += 1` is a read, an add and a
 * write that other Workers interleave with, and increments are lost; with
 * it, the total is exact.
 *
 * Run it with `deno task demo lock_thread`.
 *
 * @module
 */
import { Lock } from "../mod.ts";

/** The counts this demo uses; the tests make them small. */
export interface LockThreadOptions {
  /** How many Workers increment the counter (default 4). */
  workers?: number;
  /** How many increments each Worker makes (default 100,000). */
  increments?: number;
}

/** What one run found: the totals without and with the lock. */
export interface LockThreadResult {
  /** The total each run should reach: workers × increments. */
  expected: number;
  /** The total reached without a lock (usually less: lost updates). */
  withoutLock: number;
  /** The total reached with the lock (always `expected`). */
  withLock: number;
}

async function race(
  workers: number,
  increments: number,
  lock: Lock | undefined,
): Promise<number> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const url = new URL("./_lock_thread_worker.ts", import.meta.url);
  const started = Array.from(
    { length: workers },
    () => new Worker(url, { type: "module" }),
  );
  try {
    await Promise.all(
      started.map((worker) =>
        new Promise<void>((resolve, reject) => {
          worker.onmessage = () => resolve();
          worker.onerror = (event) => {
            event.preventDefault();
            reject(event.error);
          };
          worker.postMessage({ counter, increments, lock: lock?.handle });
        })
      ),
    );
  } finally {
    for (const worker of started) worker.terminate();
  }
  return counter[0]!;
}

/**
 * Runs the race twice, without and with a lock, and returns both totals.
 *
 * @param options How many Workers, and how many increments each.
 * @returns The expected total and the two totals reached.
 */
export async function lockThread(
  options: LockThreadOptions = {},
): Promise<LockThreadResult> {
  const { workers = 4, increments = 100_000 } = options;
  return {
    expected: workers * increments,
    withoutLock: await race(workers, increments, undefined),
    withLock: await race(workers, increments, new Lock()),
  };
}

if (import.meta.main) {
  const { expected, withoutLock, withLock } = await lockThread();
  console.log(`Expected total:       ${expected.toLocaleString("en")}`);
  console.log(
    `Without a lock:       ${withoutLock.toLocaleString("en")} (${
      (expected - withoutLock).toLocaleString("en")
    } increments lost)`,
  );
  console.log(`With a Lock:          ${withLock.toLocaleString("en")}`);
}
