/**
 * Python's `multi-thread/event_thread.py`: t1 and t2 wait for an
 * {@linkcode Event}; t3 works, then sets it. So t3 runs first, and t1 and
 * t2 start only once it has finished, together (an event, unlike a
 * condition, lets every waiter go at once and holds nothing).
 *
 * On Deno each thread is a Worker (no GIL). An event stays set, so a waiter
 * whose Worker starts late still goes. Sleeps are a tenth of the
 * original's.
 *
 * Run it with `deno task demo event_thread`.
 *
 * @module
 */
import { Event, Thread } from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_1` and `worker_2`: wait for the event, then work for `ms`. */
export function waiter(origin: number, e: Event, ms: number): void {
  e.waitSync();
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
}

/** `worker_3`: works for `ms`, then sets the event. */
export function setter(origin: number, e: Event, ms: number): void {
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
  e.set();
}

/**
 * Starts t1 and t2, which wait, and t3, which sets the event; joins all.
 *
 * @param ms How long t1 and t3 work (default 300, for 3 s); t2 works 5/3
 * of it.
 */
export async function eventThread(ms = 300): Promise<void> {
  const origin = Date.now();
  const e = new Event();
  const here = import.meta.url;
  const threads = [
    new Thread({
      target: { module: here, name: "waiter" },
      args: [origin, e, ms],
    }),
    new Thread({
      target: { module: here, name: "waiter" },
      args: [origin, e, Math.round(ms * 5 / 3)],
    }),
    new Thread({
      target: { module: here, name: "setter" },
      args: [origin, e, ms],
    }),
  ];
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
}

if (import.meta.main) await eventThread();
