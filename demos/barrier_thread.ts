/**
 * Python's `multi-thread/barrier_thread.py`: three threads wait at a
 * {@linkcode Barrier} of two. The first two to arrive pass it together
 * (`wait()` gives each its number, 0 or 1) and work; the third waits for a
 * partner that never comes. Python's program hangs there for good; here the
 * main thread ends it cleanly with `abort()`, and the third thread's wait
 * throws a `BrokenBarrierError`.
 *
 * On Deno each thread is a Worker (no GIL). The passing threads work once
 * (Python's loop forever), for a tenth of the original's sleep.
 *
 * Run it with `deno task demo barrier_thread`.
 *
 * @module
 */
import {
  activeThreadCount,
  Barrier,
  BrokenBarrierError,
  Semaphore,
  Thread,
} from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_thread_N`: waits at the barrier, then works for `ms`. */
export function worker(
  origin: number,
  barrier: Barrier,
  passed: Semaphore,
  ms: number,
): void {
  let r: number;
  try {
    r = barrier.waitSync();
  } catch (error) {
    if (!(error instanceof BrokenBarrierError)) throw error;
    log(origin, `${error.name}: no partner came, and the barrier was aborted`);
    return;
  }
  log(origin, `num=${r}`);
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
  passed.release();
}

/**
 * Starts three threads at a barrier of two; once two have passed and the
 * third waits, aborts the barrier and joins all.
 *
 * @param ms How long a passing thread works (default 200, for 2 s).
 */
export async function barrierThread(ms = 200): Promise<void> {
  const origin = Date.now();
  const barrier = new Barrier(2);
  const passed = new Semaphore(0);
  const threads = [1, 2, 3].map(() =>
    new Thread({
      target: { module: import.meta.url, name: "worker" },
      args: [origin, barrier, passed, ms],
    })
  );
  for (const thread of threads) thread.start();
  log(origin, `active count: ${activeThreadCount()}`);
  await passed.acquire();
  await passed.acquire();
  // The third thread may still be starting: let it reach the barrier.
  while (barrier.nWaiting < 1) await new Promise((r) => setTimeout(r, 10));
  log(origin, `${barrier.nWaiting} thread waits at the barrier: abort()`);
  barrier.abort();
  for (const thread of threads) await thread.join();
  log(origin, `active count: ${activeThreadCount()}`);
}

if (import.meta.main) await barrierThread();
