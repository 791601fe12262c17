// The tutorial's CPU-bound pair (example/example_3.py), and what it leaves
// out: its loop (`i = i + 1 - 2 + 3 - 4 + 5` to 10,000,000) twice,
// sequential, on one event loop (Promise.all), on a ThreadPool and a
// ProcessPool of 2; and, in the same run, Python sequential, on a
// ThreadPoolExecutor(2) and a ProcessPoolExecutor(2)
// (bench/python/seed_bench.py).
//
//   deno bench --allow-read --allow-run bench/cpu_bound_bench.ts
//
// Groups:
// - the tutorial's loop as it is: Deno's JIT against CPython, so this
//   compares the two languages' speed more than their pools (the tutorial
//   measured 0.53 s sequential, 0.35 s on a process pool it started in the
//   measured time; the pools here are warm).
// - the loop scaled so that one task takes ~SCALED_MS where it runs (each
//   side calibrates its own limit), so that a pool's speed-up shows.
// - the speed-up by workers: SCALING_TASKS tasks of ~SCALING_MS over 1, 2,
//   4 and 8 workers, against the same tasks one after the other.
// - the crossover: tasks of 10 µs to 100 ms on 2 workers, one call per task,
//   against the same tasks on the calling thread. Below it, a pool does
//   not pay.
//
// BENCH_QUICK=1 shrinks the scaled and scaling tasks and the crossover.

import {
  askPython,
  benchCase,
  check,
  closePool,
  poolOf,
} from "./_tutorial_cases.ts";
import {
  COUNT,
  CROSSOVER_WORKERS,
  crossoverCount,
  crossoverGroup,
  GROUPS,
  PAIR,
  PLAN,
  pooled,
  SCALING_TASKS,
  V,
  WORKER_COUNTS,
} from "./_tutorial_plan.ts";
import { countLoop } from "./_tutorial_tasks.ts";

/** What countLoop(limit) returns, without running it: the loop adds 3. */
const result = (limit: number) => Math.ceil(limit / 3) * 3;

/** The loop's limit per ms of work on this thread (best of 5). */
function calibrate(): number {
  for (let i = 0; i < 3; i++) countLoop(COUNT / 10);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    countLoop(COUNT);
    best = Math.min(best, performance.now() - start);
  }
  return COUNT / best;
}

const DENO_PER_MS = calibrate();
/** Python's limit per ms, NaN if Python cannot say (its cases then fail). */
const PYTHON_PER_MS = await askPython("calibrate 1000").then(
  (limit) => limit / 1000,
  () => NaN,
);
const limitOf = (perMs: number, ms: number) =>
  Math.max(1, Math.round(perMs * ms));

/**
 * The cases of one group: `tasks` runs of the loop to `deno` (or, in
 * Python, to `python`), sequential (the baseline), on one event loop if
 * `promiseAll`, and on each pool of `workers` workers.
 */
function cases(group: string, plan: {
  tasks: number;
  deno: number;
  python: number;
  workers: readonly number[];
  promiseAll?: boolean;
  pythonThreads?: boolean;
  denoRuns: { n: number; warmup: number };
  pythonRuns: { n: number; warmup: number };
}): void {
  const { tasks, deno, python, workers } = plan;
  const expected = tasks * result(deno);
  const pyExpected = tasks * result(python);
  benchCase(
    group,
    V.sequential,
    { baseline: true, ...plan.denoRuns },
    async (b) => {
      await closePool();
      b.start();
      let total = 0;
      for (let i = 0; i < tasks; i++) total += countLoop(deno);
      b.end();
      check(V.sequential, total, expected);
    },
  );
  if (plan.promiseAll) {
    benchCase(group, V.promiseAll, plan.denoRuns, async () => {
      const done = await Promise.all(
        Array.from(
          { length: tasks },
          () => Promise.resolve().then(() => countLoop(deno)),
        ),
      );
      check(V.promiseAll, done.reduce((a, b) => a + b, 0), expected);
    });
  }
  for (
    const [kind, variant] of [["thread", V.threadPool], [
      "process",
      V.processPool,
    ]] as const
  ) {
    for (const n of workers) {
      benchCase(group, pooled(variant, n), plan.denoRuns, async (b) => {
        const pool = await poolOf(kind, n);
        b.start();
        const done = await pool.map("countLoop", Array(tasks).fill(deno), {
          chunksize: 1,
        });
        b.end();
        check(variant, done.reduce((a, b) => a + b, 0), expected);
      });
    }
  }
  benchCase(group, V.pySequential, plan.pythonRuns, async (b) => {
    await closePool();
    b.start();
    check(
      V.pySequential,
      await askPython(`cpu seq ${tasks} ${python} 1`),
      pyExpected,
    );
    b.end();
  });
  const modes = plan.pythonThreads === false
    ? [["processes", V.pyProcesses]] as const
    : [["threads", V.pyThreads], ["processes", V.pyProcesses]] as const;
  for (const [mode, variant] of modes) {
    for (const n of workers) {
      benchCase(group, pooled(variant, n), plan.pythonRuns, async () => {
        check(
          variant,
          await askPython(`cpu ${mode} ${tasks} ${python} ${n}`),
          pyExpected,
        );
      });
    }
  }
}

cases(GROUPS.cpuTutorial, {
  tasks: PAIR,
  deno: COUNT,
  python: COUNT,
  workers: [PAIR],
  promiseAll: true,
  denoRuns: { n: 10, warmup: 2 },
  pythonRuns: { n: 3, warmup: 1 },
});

cases(GROUPS.cpuScaled, {
  tasks: PAIR,
  deno: limitOf(DENO_PER_MS, PLAN.scaledMs),
  python: limitOf(PYTHON_PER_MS, PLAN.scaledMs),
  workers: [PAIR],
  promiseAll: true,
  denoRuns: { n: 3, warmup: 1 },
  pythonRuns: { n: 3, warmup: 1 },
});

cases(GROUPS.scaling, {
  tasks: SCALING_TASKS,
  deno: limitOf(DENO_PER_MS, PLAN.scalingMs),
  python: limitOf(PYTHON_PER_MS, PLAN.scalingMs),
  workers: WORKER_COUNTS,
  denoRuns: { n: 3, warmup: 1 },
  pythonRuns: { n: 2, warmup: 1 },
});

for (const size of PLAN.crossoverSizes) {
  cases(crossoverGroup(size), {
    tasks: crossoverCount(size),
    deno: limitOf(DENO_PER_MS, size),
    python: limitOf(PYTHON_PER_MS, size),
    workers: [CROSSOVER_WORKERS],
    pythonThreads: false,
    denoRuns: { n: 5, warmup: 2 },
    pythonRuns: { n: 3, warmup: 1 },
  });
}
