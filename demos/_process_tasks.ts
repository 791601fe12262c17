// The functions the process demos run in their child processes: each
// Process and ProcessPool of a demo loads this module by its URL and calls
// one of its exports, as Python's children call their `target`. Each logs
// as the tutorial's `logging` does, with the name of its process.

import type {
  Connection,
  Event,
  Lock,
  Queue,
  SharedArray,
  Value,
} from "../mod.ts";
import type { DictProxy, ListProxy, NamespaceProxy } from "../mod.ts";
import { debug } from "./_py_repr.ts";

/** The longest a task waits for another process: a bound against hangs. */
const WAIT = { timeout: 10_000 };

/** Sleeps `ms` milliseconds (Python's `time.sleep`, shortened). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** multi-process.py's `worker_thread_1`: logs, prints, sleeps, logs. */
export async function workerThread1(num: number, ms: number): Promise<number> {
  debug("start");
  console.log(num);
  await sleep(ms);
  debug("end");
  return num;
}

/** multi-process.py's `worker_thread_2`: the same, with no sleep. */
export function workerThread2(num: number): void {
  debug("start");
  console.log(num);
  debug("end");
}

/**
 * multi-process-pool-map.py's `worker_thread_1` for `imap`, given one
 * `[num, ms, gate]` item: it ends only once `gate` is set, if it has one.
 */
export async function gatedWorker(
  [num, ms, gate]: [number, number, Event | null],
): Promise<number> {
  debug(`start ${num}`);
  await sleep(ms);
  if (gate !== null && !await gate.wait(WAIT)) {
    throw new Error("timed out waiting for the parent's first result");
  }
  debug(`end ${num}`);
  return num;
}

/** communication-process.py's `worker_thread_1`: +10 to its copy of d. */
export async function addTen(d: { x: number }, lock: Lock, ms: number) {
  await using _ = await lock.hold(WAIT);
  await sleep(ms);
  d.x += 10;
  debug(d);
}

/** communication-process.py's `worker_thread_2`: +20 to its copy of d. */
export async function addTwenty(d: { x: number }, lock: Lock, ms: number) {
  await using _ = await lock.hold(WAIT);
  await sleep(ms);
  d.x += 20;
  debug(d);
}

/** Puts 0 .. n-1 into `q`, then one `null` per consumer to stop them. */
export async function produce(
  q: Queue<number | null>,
  n: number,
  consumers: number,
): Promise<void> {
  for (let item = 0; item < n; item++) {
    // Logged first, so that its line comes before the consumer's.
    debug(`produced ${item}`);
    await q.put(item, WAIT);
  }
  for (let i = 0; i < consumers; i++) await q.put(null, WAIT);
}

/** Takes items from `q` until `null`, logging each, with a little work. */
export async function consume(
  q: Queue<number | null>,
  ms: number,
): Promise<void> {
  for (;;) {
    const item = await q.get(WAIT);
    if (item === null) break;
    debug(`consumed ${item}`);
    await sleep(ms);
  }
}

/** process-pipe.py's `user_input`: sends ["test"], sleeps, closes. */
export async function sendAndClose(
  conn: Connection<string[]>,
  ms: number,
): Promise<void> {
  conn.send(["test"]);
  debug(`sent ['test']; closing in ${ms} ms`);
  await sleep(ms);
  conn.close();
  debug("closed");
}

/** process-value_array.py's `user_input`: num + 1.0, each element × 2. */
export function changeShared(num: Value<"f32">, arr: SharedArray<"i32">) {
  debug(num.value);
  num.value += 1.0;
  debug(arr.toArray());
  for (let i = 0; i < arr.length; i++) arr.set(i, arr.get(i) * 2);
}

/** process-manager.py's `user_input`: reverse, d["x"] + 1.0, n.y + 1.0. */
export async function changeManaged(
  l: ListProxy,
  d: DictProxy<string, number>,
  n: NamespaceProxy,
): Promise<void> {
  await l.reverse();
  await d.set("x", (await d.get("x"))! + 1.0);
  await n.set("y", (await n.get("y") as number) + 1.0);
}

/** concurrent.py's `worker_thread_fn`: logs and returns a * b. */
export function multiply(a: number, b: number): number {
  debug("start");
  const r = a * b;
  debug(r);
  debug("end");
  return r;
}
