/**
 * Python's `multi-thread/semaphore_thread.py`: four threads each work while
 * holding a {@linkcode Semaphore} of 2, so two work at a time: the other
 * two start only as the first ones end.
 *
 * On Deno each thread is a Worker (no GIL). Each thread also counts itself
 * in and out on a shared {@linkcode Value}, to show that no more than two
 * were ever inside. Sleeps are a tenth of the original's.
 *
 * Run it with `deno task demo semaphore_thread`.
 *
 * @module
 */
import { Semaphore, Thread, Value } from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_N`: works for `ms` while it holds the semaphore. */
export function worker(
  origin: number,
  semaphore: Semaphore,
  inside: Value<"i32">,
  most: Value<"i32">,
  ms: number,
): void {
  using _ = semaphore.holdSync();
  const now = inside.add(1) + 1;
  // Keep the highest count seen (a compare-exchange loop: no lock needed).
  for (let seen = most.value; now > seen; seen = most.value) {
    if (most.compareExchange(seen, now) === seen) break;
  }
  log(origin, `start (${now} inside)`);
  sleep(ms);
  log(origin, "end");
  inside.sub(1);
}

/**
 * Starts `threads` threads on a semaphore of `n`; joins them.
 *
 * @param n The semaphore's value (default 2).
 * @param threads How many threads (default 4).
 * @param ms How long each works (default 500, for 5 s).
 * @returns The most threads that were inside at once.
 */
export async function semaphoreThread(
  n = 2,
  threads = 4,
  ms = 500,
): Promise<number> {
  const origin = Date.now();
  const semaphore = new Semaphore(n);
  const inside = new Value("i32", 0);
  const most = new Value("i32", 0);
  const ts = Array.from({ length: threads }, () =>
    new Thread({
      target: { module: import.meta.url, name: "worker" },
      args: [origin, semaphore, inside, most, ms],
    }));
  for (const t of ts) t.start();
  for (const t of ts) await t.join();
  log(origin, `at most ${most.value} threads were inside at once`);
  return most.value;
}

if (import.meta.main) await semaphoreThread();
