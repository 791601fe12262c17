/**
 * Python's `multi-process/communication-process.py`: a plain dict and a
 * `multiprocessing.Lock` given to two processes run one after the other.
 * Each process changes its own copy of the dict (arguments are copied into
 * a process), so the parent's stays `{'x': 0}`: processes share only what
 * lives in shared memory, such as the Lock. Then the classic way for
 * processes to communicate, a `Queue` that they share: a producer process
 * puts numbers, two consumer processes take them, each number once.
 *
 * On Deno, the Lock and the Queue live in memory that the processes share
 * (this needs `--allow-ffi`); a process start costs about 100 ms; the
 * sleeps are 2 s and 5 s in Python, 100 and 250 ms here.
 *
 * Run it with
 * `deno run --allow-read --allow-run --allow-ffi demos/communication_process.ts`.
 *
 * @module
 */
import { Lock, Process, Queue } from "../mod.ts";
import { debug, processRepr, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/** The settings of this demo; the tests may make them small. */
export interface CommunicationProcessOptions {
  /** The first worker's sleep, in ms; the second sleeps 2.5× it. */
  sleepMs?: number;
  /** How many items the producer puts (default 10). */
  items?: number;
}

/**
 * Runs both parts, logging as it goes.
 *
 * @returns The parent's dict at the end, and the exit codes of the
 * producer and consumers.
 */
export async function communicationProcess(
  options: CommunicationProcessOptions = {},
): Promise<{ d: { x: number }; exitCodes: (number | null)[] }> {
  const { sleepMs = 100, items = 10 } = options;

  // worker_thread_1 -> worker_thread_2, each on its own copy of d.
  const d = { x: 0 };
  const lock = new Lock();
  for (
    const [worker, ms] of [["addTen", sleepMs], [
      "addTwenty",
      sleepMs * 2.5,
    ]] as const
  ) {
    const t = new Process({
      module: tasks,
      target: worker,
      args: [d, lock, ms],
    });
    t.start();
    await t.join();
  }
  debug(d);

  // A producer and two consumers on one Queue (of at most 3 items).
  const start = performance.now();
  const q = new Queue<number | null>(3);
  const consumers = 2;
  const processes = [
    new Process({
      module: tasks,
      target: "produce",
      args: [q, items, consumers],
    }),
    ...Array.from(
      { length: consumers },
      () => new Process({ module: tasks, target: "consume", args: [q, 20] }),
    ),
  ];
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  for (const p of processes) debug(processRepr(p));
  debug(
    `${items} items through the Queue in ${since(start)}; ${q.qsize()} left`,
  );
  return { d, exitCodes: processes.map((p) => p.exitCode) };
}

if (import.meta.main) await communicationProcess();
