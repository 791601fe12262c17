/**
 * Python's `multi-thread/queue_thread.py`: the main thread puts 100,000
 * items in a {@linkcode Queue}; three threads take them until each gets a
 * `null` (Python's `None`), marking each one done. `await q.join()` waits
 * until every item is done; each item goes to exactly one thread, and no
 * lock is needed: the queue holds its own.
 *
 * On Deno each thread is a Worker (no GIL), and the items travel through
 * shared memory; as a Worker takes some milliseconds to start, the threads
 * wait for each other at a {@linkcode Barrier} before they take items. Each
 * logs a count instead of each of its items.
 *
 * Run it with `deno task demo queue_thread`.
 *
 * @module
 */
import { Barrier, currentThread, Queue, Thread } from "../mod.ts";
import { log } from "./_log.ts";

/** What one consumer took. */
export interface Taken {
  /** The thread's name. */
  name: string;
  /** How many items it took. */
  count: number;
  /** Their sum. */
  sum: number;
}

/** `worker_1`: takes items until `null`, and reports what it took. */
export function worker1(
  origin: number,
  q: Queue<number | null>,
  report: Queue<Taken>,
  go: Barrier,
): void {
  go.waitSync(); // so that a thread that starts first does not take all
  log(origin, "start");
  let count = 0;
  let sum = 0;
  while (true) {
    const item = q.getSync();
    if (item === null) break;
    count++;
    sum += item;
    q.taskDone();
  }
  report.putSync({ name: currentThread().name, count, sum });
  log(origin, `end (took ${count.toLocaleString("en")} items)`);
}

/**
 * Puts `items` numbers in a queue for `consumers` threads, and returns
 * what each took.
 *
 * @param items How many items (default 100,000, as in Python).
 * @param consumers How many threads (default 3).
 */
export async function queueThread(
  items = 100_000,
  consumers = 3,
): Promise<Taken[]> {
  const origin = Date.now();
  const q = new Queue<number | null>();
  const report = new Queue<Taken>();
  const go = new Barrier(consumers);
  for (let i = 0; i < items; i++) q.putSync(i);
  const ts = Array.from({ length: consumers }, () =>
    new Thread({
      target: { module: import.meta.url, name: "worker1" },
      args: [origin, q, report, go],
    }));
  for (const t of ts) t.start();
  log(origin, "tasks are not done!!");
  await q.join();
  log(origin, "tasks are done");
  for (let i = 0; i < ts.length; i++) q.putSync(null);
  for (const t of ts) await t.join();
  return ts.map(() => report.getNowait());
}

if (import.meta.main) {
  const taken = await queueThread();
  const total = taken.reduce((n, t) => n + t.count, 0);
  console.log(
    `${
      taken.map((t) => `${t.name}: ${t.count.toLocaleString("en")}`).join(", ")
    }; ${total.toLocaleString("en")} in all, each item once`,
  );
}
