// ThreadPool side by side with the pools it replaces, in one run under
// Deno: the same tasks (bench/_pool_tasks.ts), the same number of workers.
//
//   deno bench --allow-read --allow-env --allow-sys=cpus bench/pool_bench.ts
//
// (--allow-env and --allow-sys=cpus for the peers from npm, piscina 5.3.2
// and poolifier-web-worker 0.5.15: both read environment variables, and
// poolifier asks os.cpus() at load.) For a table of figures and ratios over
// several runs: `deno run --allow-run=deno bench/_pool_report.ts`.
//
// Contenders (bench/_pool_contenders.ts), each with WORKERS workers, one
// call per task:
// - ThreadPool: node:worker_threads Workers fed through shared-memory
//   queues; `submit(name, arg)` per task.
// - piscina: node:worker_threads Workers, postMessage plus an Atomics
//   wake-up; `run(arg, { name })`. The baseline of the pool groups, so that
//   deno bench prints how many times faster than piscina each one is.
// - poolifier-web-worker: a FixedThreadPool of Web Workers;
//   `execute(arg, name)`.
// - raw Web Workers and raw node:worker_threads Workers with postMessage,
//   tasks dealt round robin: the floor of a pool built on messages.
// - ThreadPool.map, chunked (where it says so): many calls per task, to
//   show what batching buys. Not one call per task like the others.
//
// Groups:
// - "tiny tasks": one iteration runs TINY_N `noop(i)` tasks, all submitted
//   at once, and awaits them all; tasks/s = TINY_N ÷ time/iter.
// - "sequential latency": one iteration runs ROUNDS `noop(i)` tasks one at
//   a time, each submitted when the previous one's result has arrived; µs
//   per round trip = time/iter ÷ ROUNDS.
// - "CPU-bound S ms task": one iteration runs countFor(S) `work(n)` tasks,
//   n calibrated at load so that one takes S ms on the main thread, all
//   submitted at once; the baseline runs them one after the other on the
//   main thread, so deno bench prints each pool's speed-up over sequential.
//   The smallest S at which a pool is still faster than the main thread
//   alone is the crossover: below it, the pool does not pay.
//
// Each case gets a fresh pool, started and warmed up outside the measured
// time (b.start()/b.end()), and closed when the next case starts; the last
// one is closed by the "unload" event, so that `deno bench` exits by itself.
// Every iteration checks its results, and fails if it has not finished
// within 30 s (a lost wake-up; a loop that never yields to the event loop
// is not caught, since the guard is a timer). The whole run takes about
// 2.5 minutes.
//
// Noise: the machine here has two cores, so two workers plus the main
// thread share them, and results swing with its load. Its single-thread
// speed also changes in phases of a few seconds (the same `work` call
// takes 40 ms in one phase, 55-60 ms in the next, in a plain `deno run`
// too), so a sequential baseline measured in a slow phase can make a pool
// look more than twice as fast on two workers. Run it several times and
// compare medians (bench/_pool_report.ts also reports the best iterations).
//
// Peers under Deno 2.9.6: piscina 5.3.2 (`import { Piscina }`; the default
// export has no construct signature in its types) and poolifier-web-worker
// 0.5.15 both run the same task module unchanged; neither needs a flag
// beyond those above.

import {
  type Contender,
  type Kind,
  piscina,
  poolifier,
  rawNodeWorkers,
  rawWebWorkers,
  type TaskName,
  threadPool,
  threadPoolMap,
} from "./_pool_contenders.ts";
import {
  countFor,
  cpuGroup,
  LATENCY_GROUP,
  ROUNDS,
  SEQUENTIAL,
  SIZES,
  TINY_GROUP,
  TINY_N,
  WORKERS,
} from "./_pool_plan.ts";
import { work } from "./_pool_tasks.ts";
import { bench } from "./_select.ts";
import { withinStallTime } from "./_shared.ts";

// ---------------------------------------------------------------------------
// One pool at a time: each case starts its own, which ends the previous one.

let current: { key: string; contender: Contender } | undefined;

/** Ends the pool of the previous case, if any. */
async function closeCurrent(): Promise<void> {
  if (current === undefined) return;
  const { contender } = current;
  current = undefined;
  await withinStallTime(`Closing ${contender.name}`, contender.close());
}

/** The pool of the case `key`, started and warmed up on first use. */
async function contenderFor(key: string, kind: Kind): Promise<Contender> {
  if (current?.key === key) return current.contender;
  await closeCurrent();
  const contender = kind.start(WORKERS);
  await withinStallTime(`Warming up ${contender.name}`, warmUp(contender));
  current = { key, contender };
  return contender;
}

/**
 * Starts every worker and compiles the tasks in each: a burst of tiny
 * tasks (all workers busy), some one at a time, and some CPU-bound ones.
 */
async function warmUp(contender: Contender): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await runAll(contender, "noop", range(2_000));
    for (let i = 0; i < 200; i++) await contender.run("noop", i);
    await runAll(contender, "work", Array(4 * WORKERS).fill(10_000));
  }
}

globalThis.addEventListener("unload", () => {
  // Not awaited: every contender ends its workers at once when idle.
  void current?.contender.close();
  current = undefined;
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Runs `task` once per argument, all at once; the results in order. */
function runAll(
  contender: Contender,
  task: TaskName,
  args: number[],
): Promise<number[]> {
  if (contender.runAll !== undefined) return contender.runAll(task, args);
  return Promise.all(args.map((arg) => contender.run(task, arg)));
}

function check(what: string, ok: boolean): void {
  if (!ok) throw new Error(`${what}: wrong results`);
}

/** A case of a pool group: a fresh pool, then `body` timed. */
function poolCase(
  group: string,
  kind: Kind,
  options: { baseline?: boolean; n: number; warmup: number },
  body: (contender: Contender) => Promise<void>,
): void {
  bench(kind.name, { group, ...options }, async (b) => {
    const contender = await contenderFor(`${group}: ${kind.name}`, kind);
    b.start();
    try {
      await withinStallTime(`${kind.name}, ${group}`, body(contender));
    } catch (error) {
      // A stalled or wrong pool is not used again, nor waited for.
      current = undefined;
      contender.close().catch(() => {});
      throw error;
    }
    b.end();
  });
}

// ---------------------------------------------------------------------------
// Tiny tasks: throughput. piscina takes ~1 s an iteration, the others
// ~30-300 ms.

const TINY_ARGS = range(TINY_N);
const TINY_SUM = (TINY_N * (TINY_N - 1)) / 2;

async function tiny(contender: Contender): Promise<void> {
  const results = await runAll(contender, "noop", TINY_ARGS);
  check(contender.name, results.reduce((a, b) => a + b, 0) === TINY_SUM);
}

const tinyCases = [
  [piscina, { baseline: true, n: 5, warmup: 1 }],
  [threadPool, { n: 20, warmup: 3 }],
  [poolifier, { n: 10, warmup: 2 }],
  [rawWebWorkers, { n: 20, warmup: 3 }],
  [rawNodeWorkers, { n: 20, warmup: 3 }],
  [threadPoolMap, { n: 20, warmup: 3 }],
] as const;

for (const [kind, options] of tinyCases) {
  poolCase(TINY_GROUP, kind, options, tiny);
}

// ---------------------------------------------------------------------------
// Sequential latency: one task at a time. piscina takes ~150 ms an
// iteration.

async function latency(contender: Contender): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) {
    if (await contender.run("noop", i) !== i) check(contender.name, false);
  }
}

const latencyCases = [
  [piscina, { baseline: true, n: 10, warmup: 2 }],
  [threadPool, { n: 30, warmup: 5 }],
  [poolifier, { n: 10, warmup: 2 }],
  [rawWebWorkers, { n: 20, warmup: 3 }],
  [rawNodeWorkers, { n: 20, warmup: 3 }],
] as const;

for (const [kind, options] of latencyCases) {
  poolCase(LATENCY_GROUP, kind, options, latency);
}

// ---------------------------------------------------------------------------
// CPU-bound tasks: speed-up over the main thread alone, and the crossover.

/** Rounds of `work` per millisecond on the main thread (best of 7). */
function calibrate(): number {
  const rounds = 5_000_000;
  for (let i = 0; i < 3; i++) work(rounds / 10);
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    work(rounds);
    best = Math.min(best, performance.now() - start);
  }
  return rounds / best;
}

const ROUNDS_PER_MS = calibrate();

for (const size of SIZES) {
  const group = cpuGroup(size);
  const count = countFor(size);
  const rounds = Math.max(1, Math.round(size * ROUNDS_PER_MS));
  const args = Array<number>(count).fill(rounds);
  const expected = work(rounds);
  // An iteration takes ~200 ms at 5 ms a task, ~40 ms at the others.
  const options = size >= 5 ? { n: 8, warmup: 2 } : { n: 20, warmup: 3 };

  bench(SEQUENTIAL, { group, baseline: true, ...options }, async (b) => {
    await closeCurrent();
    b.start();
    let ok = true;
    for (let i = 0; i < count; i++) ok &&= work(rounds) === expected;
    b.end();
    check(SEQUENTIAL, ok);
  });

  const cases = [threadPool, piscina, poolifier, rawWebWorkers, rawNodeWorkers];
  for (const kind of [...cases, threadPoolMap]) {
    poolCase(group, kind, options, async (contender) => {
      const results = await runAll(contender, "work", args);
      check(contender.name, results.every((result) => result === expected));
    });
  }
}
