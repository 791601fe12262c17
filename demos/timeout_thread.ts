/**
 * Python's `multi-thread/timeout_thread.py`: `threading.Timer(3, worker_1,
 * kwargs={"y": 100})` runs `worker_1` in a thread of its own, 3 s after
 * `start()`. Here {@linkcode Timer} does (Python's kwargs become an object
 * among the arguments), and a second Timer, cancelled before its time,
 * never runs its target.
 *
 * On Deno a Timer is a Thread, so a Worker (no GIL) whose start the
 * interval includes. Times are a tenth of the original's.
 *
 * Run it with `deno task demo timeout_thread`.
 *
 * @module
 */
import { Timer } from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_1(**kwargs)`: prints its keyword arguments, works for `ms`. */
export function worker1(
  origin: number,
  ms: number,
  kwargs: Record<string, unknown>,
): void {
  log(origin, "start");
  console.log(kwargs);
  sleep(ms);
  log(origin, "end");
}

/**
 * Starts a Timer that fires after `interval` ms, and another that is
 * cancelled before it fires; waits for both to end.
 *
 * @param interval The Timer's interval (default 300, for the original's 3 s).
 * @param ms How long `worker_1` works (default 500, for 5 s).
 */
export async function timeoutThread(interval = 300, ms = 500): Promise<void> {
  const origin = Date.now();
  const target = { module: import.meta.url, name: "worker1" };
  const timer = new Timer(interval, target, {
    args: [origin, ms, { y: 100 }],
  });
  const cancelled = new Timer(interval, target, {
    args: [origin, ms, { y: 200 }],
  });
  log(origin, `${timer.name} will run worker_1 in ${interval} ms`);
  timer.start();
  cancelled.start();
  cancelled.cancel();
  log(origin, `${cancelled.name} cancelled`);
  await cancelled.join();
  await timer.join();
  log(origin, `${timer.name} done; ${cancelled.name} never ran its target`);
}

if (import.meta.main) await timeoutThread();
