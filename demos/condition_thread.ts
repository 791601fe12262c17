/**
 * Python's `multi-thread/condition_thread.py`: two threads wait on a
 * {@linkcode Condition}; a third works while it holds the condition, then
 * calls `notifyAll()`. So the order is t3, then t1 and t2 one after the
 * other, as each holds the condition while it works (in the order they get
 * it back: t2 may come first).
 *
 * On Deno each thread is a Worker (no GIL) whose start takes some
 * milliseconds, in no fixed order; a notify that comes before a wait is
 * lost, so t3 first waits until both waiters are waiting (they say so, on a
 * {@linkcode Semaphore}, while they hold the condition). Sleeps are a tenth
 * of the original's.
 *
 * Run it with `deno task demo condition_thread`.
 *
 * @module
 */
import { Condition, Semaphore, Thread } from "../mod.ts";
import { log, sleep } from "./_log.ts";

/** `worker_1` and `worker_2`: wait to be notified, then work for `ms`. */
export function waiter(
  origin: number,
  c: Condition,
  waiting: Semaphore,
  ms: number,
): void {
  using _ = c.holdSync();
  waiting.release();
  c.waitSync();
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
}

/** `worker_3`: works for `ms` holding the condition, then notifies all. */
export function notifier(
  origin: number,
  c: Condition,
  waiting: Semaphore,
  ms: number,
  waiters: number,
): void {
  for (let i = 0; i < waiters; i++) waiting.acquireSync();
  using _ = c.holdSync();
  log(origin, "start");
  sleep(ms);
  log(origin, "end");
  c.notifyAll();
}

/**
 * Starts t1 and t2, which wait, and t3, which notifies them; joins all.
 *
 * @param ms How long t1 and t3 work (default 300, for 3 s); t2 works 5/3
 * of it.
 */
export async function conditionThread(ms = 300): Promise<void> {
  const origin = Date.now();
  const c = new Condition();
  const waiting = new Semaphore(0);
  const here = import.meta.url;
  const t1 = new Thread({
    target: { module: here, name: "waiter" },
    args: [origin, c, waiting, ms],
  });
  const t2 = new Thread({
    target: { module: here, name: "waiter" },
    args: [origin, c, waiting, Math.round(ms * 5 / 3)],
  });
  const t3 = new Thread({
    target: { module: here, name: "notifier" },
    args: [origin, c, waiting, ms, 2],
  });
  for (const t of [t1, t2, t3]) t.start();
  for (const t of [t1, t2, t3]) await t.join();
}

if (import.meta.main) await conditionThread();
