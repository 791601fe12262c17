/**
 * Python's `async-sync/native_coroutin.py`: eight `async` workers, each
 * printing "start", sleeping with `await asyncio.sleep(2)` and printing
 * "end", gathered on one event loop. Every worker starts before any ends,
 * and all eight take about one sleep, not eight: an `await` gives the loop
 * to the others, so one thread overlaps their waits.
 *
 * On Deno every program has an event loop already: `asyncio.ensure_future`
 * plus `run_until_complete(asyncio.wait(tasks))` is calling the async
 * functions and `await Promise.all(...)`. The sleep is 2 s in Python,
 * 200 ms here.
 *
 * Run it with `deno run demos/native_coroutin.ts`.
 *
 * @module
 */

/** The settings of this demo; the tests may make them small. */
export interface NativeCoroutinOptions {
  /** How many workers (default 8, as Python's). */
  workers?: number;
  /** What each sleeps, in ms (Python: 2 s; default 200). */
  sleepMs?: number;
  /** Where each line goes (default `console.log`). */
  log?: (line: string) => void;
}

/** `async_worker`: prints start, sleeps without blocking, prints end. */
async function asyncWorker(
  num: number,
  ms: number,
  log: (line: string) => void,
): Promise<void> {
  log(`start ${num}`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  log(`end ${num}`);
}

/**
 * Runs the workers together and says how long they took.
 *
 * @returns The lines printed, and the time taken in ms.
 */
export async function nativeCoroutin(
  options: NativeCoroutinOptions = {},
): Promise<{ lines: string[]; ms: number }> {
  const { workers = 8, sleepMs = 200, log = console.log } = options;
  const lines: string[] = [];
  const print = (line: string) => {
    log(line);
    lines.push(line);
  };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, (_, i) => asyncWorker(i, sleepMs, print)),
  );
  const ms = performance.now() - start;
  print(
    `${workers} workers sleeping ${sleepMs} ms each took ${
      Math.round(ms)
    } ms together`,
  );
  return { lines, ms };
}

if (import.meta.main) await nativeCoroutin();
