/**
 * Python's `multi-thread/thread.py`: three threads, one renamed and one
 * given arguments (Python's `args=(100,), kwargs={"y": 200}` become
 * `[100, { y: 200 }]`). The main thread prints "-----processing-----"
 * before they are done and does not join them, and the program still waits
 * for them: they are not daemons.
 *
 * On Deno each thread is a Worker, truly parallel (no GIL), whose start
 * takes some milliseconds; the sleeps are a tenth of the original's.
 *
 * Run it with `deno task demo thread`.
 *
 * @module
 */
import { Thread } from "../mod.ts";
import { log, sleep } from "./_log.ts";

const HERE = import.meta.url;

/** `worker_1`: works for `ms`. */
export function worker1(origin: number, ms: number): void {
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
}

/** `worker_2(x, y)`: prints its arguments, then works for `ms`. */
export function worker2(
  origin: number,
  ms: number,
  x: number,
  { y }: { y: number },
): void {
  log(origin, "start");
  log(origin, x);
  log(origin, y);
  sleep(ms);
  log(origin, "end");
}

/** `worker_3`: works for `ms`. */
export function worker3(origin: number, ms: number): void {
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
}

/**
 * Starts the three threads and returns them, unjoined (the program waits
 * for them anyway).
 *
 * @param ms How long each thread works (default 500, for the original's 5 s).
 */
export function thread(ms = 500): Thread[] {
  const origin = Date.now();
  const threads = [
    new Thread({
      name: "rename worker1",
      target: { module: HERE, name: "worker1" },
      args: [origin, ms],
    }),
    new Thread({
      target: { module: HERE, name: "worker2" },
      args: [origin, ms, 100, { y: 200 }],
    }),
    new Thread({
      target: { module: HERE, name: "worker3" },
      args: [origin, ms],
    }),
  ];
  for (const t of threads) t.start();
  console.log("-----processing-----");
  return threads;
}

if (import.meta.main) {
  const origin = Date.now();
  thread();
  // The program ends when its non-daemon threads have: Deno's `unload`.
  globalThis.addEventListener("unload", () => {
    log(origin, "the program ends, after its threads");
  });
}
