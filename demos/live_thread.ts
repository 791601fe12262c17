/**
 * Python's `multi-thread/live_thread.py`: five daemon threads start; the
 * main thread goes through `threading.enumerate()` (here
 * {@linkcode enumerateThreads}), prints the entry that is the current
 * thread, and joins every other one.
 *
 * On Deno each thread is a Worker (no GIL), and a `Thread` object belongs
 * to the thread that made it: the list holds the threads this one started,
 * after the main thread. A Worker takes long enough to start that a thread
 * could end its job before the last one has started, so each works only
 * once the main thread has listed them. Sleeps are a tenth of the
 * original's.
 *
 * Run it with `deno task demo live_thread`.
 *
 * @module
 */
import {
  activeThreadCount,
  currentThread,
  enumerateThreads,
  Event,
  Thread,
} from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_1`: works for `ms`, once the main thread has listed it. */
export function worker1(origin: number, listed: Event, ms: number): void {
  log(origin, "start");
  listed.waitSync();
  sleep(ms);
  log(origin, "end");
}

/** What the main thread saw. */
export interface LiveThreadResult {
  /** The names `enumerateThreads()` listed, the main thread first. */
  listed: string[];
  /** `activeThreadCount()` once every other thread was joined. */
  after: number;
}

/**
 * Starts `count` daemon threads, then joins every live thread but the
 * current one.
 *
 * @param count How many threads (default 5).
 * @param ms How long each works (default 500, for the original's 5 s).
 */
export async function liveThread(
  count = 5,
  ms = 500,
): Promise<LiveThreadResult> {
  const origin = Date.now();
  const listed = new Event();
  for (let i = 0; i < count; i++) {
    const t = new Thread({
      target: { module: import.meta.url, name: "worker1" },
      args: [origin, listed, ms],
      daemon: true,
    });
    t.start();
  }
  const live = enumerateThreads();
  listed.set();
  log(origin, `enumerateThreads(): ${live.map((t) => t.name).join(", ")}`);
  log(origin, `active count: ${activeThreadCount()}`);
  for (const thread of live) {
    if (thread === currentThread()) {
      log(origin, `${thread.name} is the current thread: not joined`);
      continue;
    }
    await (thread as Thread).join();
    log(origin, `joined ${thread.name}`);
  }
  const after = activeThreadCount();
  log(origin, `active count: ${after}`);
  return { listed: live.map((thread) => thread.name), after };
}

if (import.meta.main) await liveThread();
