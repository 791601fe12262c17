// The workers of the tutorial's programs (`multi-process/multi-process.py`
// and `multi-process/concurrent.py`), for pools/testdata/tutorial.ts. Each
// logs as Python's `logging` with `%(processName)s >> %(message)s` or
// `%(threadName)s >> %(message)s` does: to stderr.

import { currentProcess, currentThread } from "../current.ts";

function log(who: string, message: unknown): void {
  console.error(`${who} >> ${message}`);
}

/** `worker_thread_1`: logs, prints its number, sleeps, logs. */
export async function workerThread1(num: number, ms: number): Promise<void> {
  log(currentProcess().name, "start");
  console.log(num);
  await new Promise((resolve) => setTimeout(resolve, ms));
  log(currentProcess().name, "end");
}

/** `worker_thread_2`: logs, prints its number, logs. */
export function workerThread2(num: number): void {
  log(currentProcess().name, "start");
  console.log(num);
  log(currentProcess().name, "end");
}

/** concurrent.py's `worker_thread_fn`: logs a product in its thread. */
export function workerThreadFn(a: number, b: number): number {
  log(currentThread().name, "start");
  const r = a * b;
  log(currentThread().name, r);
  log(currentThread().name, "end");
  return r;
}
