// What the tutorial's benchmarks share: cases that say on stderr when they
// start (deno bench --json keeps console output to itself), one warm pool
// at a time, and the Python side (bench/python/seed_bench.py).

import {
  type ProcessPermissions,
  ProcessPool,
  ThreadPool,
} from "../pools/mod.ts";
import { PythonChild } from "./_python.ts";
import { withinStallTime } from "./_shared.ts";

/** The tasks module of every pool here. */
export type Tasks = typeof import("./_tutorial_tasks.ts");

const TASKS = new URL("./_tutorial_tasks.ts", import.meta.url);

let registered = 0;
const encoder = new TextEncoder();

/**
 * Deno.bench, plus one line on stderr ("[3/14] group › name") the first
 * time the case runs, which the report shows as its progress.
 */
export function benchCase(
  group: string,
  name: string,
  options: { baseline?: boolean; n: number; warmup: number },
  fn: (b: Deno.BenchContext) => Promise<void>,
): void {
  const index = ++registered;
  let announced = false;
  Deno.bench(name, { group, ...options }, async (b) => {
    if (!announced) {
      announced = true;
      Deno.stderr.writeSync(
        encoder.encode(`[${index}/${registered}] ${group} › ${name}\n`),
      );
    }
    await withinStallTime(`${group} › ${name}`, fn(b));
  });
}

/** A pool of either kind, on the tasks module. */
export type Pool = ThreadPool<Tasks> | ProcessPool<Tasks>;

let current: { key: string; pool: Pool } | undefined;

/**
 * The warm pool of this kind and size: the previous one is shut down, and
 * every worker of the new one has run a task, before it is returned. A
 * process gets `permissions` (a process has only the permissions this
 * program has in full, unless they are listed).
 */
export async function poolOf(
  kind: "thread" | "process",
  workers: number,
  permissions: ProcessPermissions = "inherit",
): Promise<Pool> {
  const key = `${kind} ${workers}`;
  if (current?.key === key) return current.pool;
  await closePool();
  const options = { maxWorkers: workers, minWorkers: workers };
  const pool = kind === "thread"
    ? new ThreadPool<Tasks>(TASKS, options)
    : new ProcessPool<Tasks>(TASKS, { ...options, permissions });
  await pool.map("countLoop", Array(workers).fill(1_000), { chunksize: 1 });
  current = { key, pool };
  return pool;
}

/** Shuts the current pool down, if any. */
export async function closePool(): Promise<void> {
  const pool = current?.pool;
  current = undefined;
  await pool?.shutdown();
}

/** The Python side, started on first use. */
let python: PythonChild | undefined;

/**
 * Asks bench/python/seed_bench.py `question` and returns its checksum
 * (the first word of its answer).
 */
export async function askPython(question: string): Promise<number> {
  python ??= new PythonChild(
    new URL("./python/seed_bench.py", import.meta.url),
  );
  const [checksum] = (await python.ask(question)).split(" ");
  return Number(checksum);
}

globalThis.addEventListener("unload", () => {
  void current?.pool.shutdown({ wait: false });
  python?.close();
});

/** Throws unless `actual` is `expected`. */
export function check(what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`${what}: checksum ${actual}, expected ${expected}`);
  }
}
