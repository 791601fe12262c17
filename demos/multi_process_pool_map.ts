/**
 * Python's `multi-process/multi-process-pool-map.py`: a pool of 5
 * processes given `[100, 200, 300]` with `map`, which returns every result
 * at once and in order, then rounds of `imap`, which hands out each result
 * as soon as it and those before it are done. To show that `imap` is lazy,
 * the task for 300 ends only once this program has received the result
 * for 100 (through an `Event` that the processes share): had `imap` waited
 * for all three, it would wait forever.
 *
 * On Deno the pool's processes are `deno run` children started on demand
 * (about 100 ms each); Python's tasks sleep 3 s, these 30, 20 and 10 ms,
 * so that later items finish first. Python's items are `[100, 100, 100]`.
 *
 * Run it with
 * `deno run --allow-read --allow-run --allow-ffi demos/multi_process_pool_map.ts`
 * (`--allow-ffi` puts the Event in memory that processes share).
 *
 * @module
 */
import { Event, ProcessPool } from "../mod.ts";
import type * as Tasks from "./_process_tasks.ts";
import { debug, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);
const NUMS = [100, 200, 300];

/** The settings of this demo; the tests may make them small. */
export interface MultiProcessPoolMapOptions {
  /** How many rounds of `imap` (default 10, as Python's). */
  rounds?: number;
  /** The sleep of the last item, in ms; the others sleep 2× and 3× it. */
  sleepMs?: number;
}

/**
 * Runs `map` once and `imap` for some rounds on a pool of 5 processes.
 *
 * @returns What `map` returned, and what each `imap` round gave.
 */
export async function multiProcessPoolMap(
  options: MultiProcessPoolMapOptions = {},
): Promise<{ map: number[]; imap: number[][] }> {
  const { rounds = 10, sleepMs = 10 } = options;
  const ms = (i: number) => (NUMS.length - i) * sleepMs;
  await using p = new ProcessPool<typeof Tasks>(tasks, { maxWorkers: 5 });

  let start = performance.now();
  const map = await p.map(
    "gatedWorker",
    NUMS.map((num, i): [number, number, null] => [num, ms(i), null]),
  );
  debug(`map: executed... ${map.length}, after ${since(start)}`);
  debug(map);

  const imap: number[][] = [];
  for (let round = 0; round < rounds; round++) {
    start = performance.now();
    const gate = new Event();
    const items = NUMS.map((num, i): [number, number, Event | null] => [
      num,
      ms(i),
      i === NUMS.length - 1 ? gate : null,
    ]);
    const got: number[] = [];
    for await (const result of p.imap("gatedWorker", items)) {
      debug(`imap: ${result}, after ${since(start)}`);
      got.push(result);
      gate.set(); // the last task may end now
    }
    imap.push(got);
  }
  return { map, imap };
}

if (import.meta.main) await multiProcessPoolMap();
