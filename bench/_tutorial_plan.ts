// What the tutorial's benchmarks measure (bench/io_bound_bench.ts,
// bench/cpu_bound_bench.ts, bench/scrape_bench.ts), shared with the report
// that draws them (bench/report.ts): sizes, group and case names, and the
// options the report passes through the environment.
//
// The tutorial is zkfmapf123/parallelization (example/example_2.py for the
// scrape, example/example_3.py for the IO- and CPU-bound pair).

/** The value of an environment variable, if this program may read it. */
function env(name: string): string | undefined {
  const { state } = Deno.permissions.querySync({ name: "env", variable: name });
  return state === "granted" ? Deno.env.get(name) : undefined;
}

/**
 * `BENCH_QUICK=1`: smaller workloads and fewer iterations, for a report in
 * a few minutes (`deno task bench:report --quick`). Figures of a quick run
 * show the shapes, not the tutorial's sizes.
 */
export const QUICK: boolean = env("BENCH_QUICK") === "1";

/** The tutorial's COUNT: its loop runs to 10,000,000. */
export const COUNT = 10_000_000;

/** The tutorial writes "leedonggyu " x COUNT (110 MB) per file. */
export const TEXT_REPEAT: number = QUICK ? 1_000_000 : COUNT;

/** The size of the tutorial's text, in MB. */
export const TEXT_MB: number = "leedonggyu ".length * TEXT_REPEAT / 1e6;

/** Files (and tasks) of the tutorial's pairs: it runs each workload twice. */
export const PAIR = 2;

/** One task of the scaled loop takes about this long (ms) where it runs. */
export const SCALED_MS: number = QUICK ? 50 : 500;

/** Worker counts of the speed-up chart. */
export const WORKER_COUNTS: readonly number[] = [1, 2, 4, 8];

/** Tasks per iteration of the speed-up group: one per worker at most. */
export const SCALING_TASKS = 8;

/** ms of work per task of the speed-up group. */
export const SCALING_MS: number = QUICK ? 20 : 100;

/** Task sizes of the crossover, in ms: 10 µs to 100 ms. */
export const CROSSOVER_SIZES: readonly number[] = QUICK
  ? [0.01, 0.1, 1, 10]
  : [0.01, 0.1, 1, 10, 100];

/** Workers of the crossover's pools. */
export const CROSSOVER_WORKERS = 2;

/**
 * Tasks per iteration of a crossover group: enough for TOTAL ms of work in
 * all, and at least 4, so that a small size measures a stream of tasks.
 */
export function crossoverCount(size: number): number {
  return Math.max(4, Math.round((QUICK ? 40 : 200) / size));
}

/** Pages of the scrape (the tutorial's 9 URLs). */
export const PAGES = 9;

/**
 * The latency of each page of the local site, ms (`BENCH_SCRAPE_LATENCY_MS`;
 * default 500, about what the tutorial's pages took: 5.04 s for 9).
 */
export const LATENCY_MS: number = Number(
  env("BENCH_SCRAPE_LATENCY_MS") ?? (QUICK ? 100 : 500),
);

/** Workers of the scrape's pools: one per page, as the tutorial's had. */
export const SCRAPE_WORKERS = PAGES;

// ---------------------------------------------------------------------------
// Groups.

export const IO_GROUP =
  `IO-bound: write a ${TEXT_MB} MB string to a file, ${PAIR} files`;
export const CPU_TUTORIAL_GROUP = `CPU-bound: the tutorial's loop to ${
  COUNT.toLocaleString("en")
}, ${PAIR} times`;
export const CPU_SCALED_GROUP =
  `CPU-bound: the loop scaled to ~${SCALED_MS} ms a task, ${PAIR} times`;
export const SCALING_GROUP =
  `CPU-bound: ${SCALING_TASKS} tasks of ~${SCALING_MS} ms, by workers`;
export const SCRAPE_GROUP = `scrape: ${PAGES} pages of ${LATENCY_MS} ms each`;

/** The group of a crossover task size. */
export function crossoverGroup(size: number): string {
  return `crossover: ${size} ms tasks x ${
    crossoverCount(size).toLocaleString("en")
  }`;
}

/** The size (ms) of a crossover group, or undefined for another group. */
export function sizeOfCrossoverGroup(group: string): number | undefined {
  const match = /^crossover: ([\d.]+) ms tasks/.exec(group);
  return match === null ? undefined : Number(match[1]);
}

// ---------------------------------------------------------------------------
// Cases: a variant, and a worker count where it has workers.

/** The variants, as the case names spell them. */
export const V = {
  sequential: "Deno sequential",
  promiseAll: "Deno Promise.all",
  threadPool: "Deno ThreadPool",
  processPool: "Deno ProcessPool",
  pySequential: "Python sequential",
  pyThreads: "Python ThreadPoolExecutor",
  pyProcesses: "Python ProcessPoolExecutor",
} as const;

/** A variant's name. */
export type Variant = typeof V[keyof typeof V];

/** The case name of a variant with `workers` workers. */
export function pooled(variant: Variant, workers: number): string {
  return `${variant}(${workers})`;
}

/** A case name read back: its variant, and its workers if it has some. */
export function parseCase(
  name: string,
): { variant: string; workers?: number } {
  const match = /^(.*)\((\d+)\)$/.exec(name);
  return match === null
    ? { variant: name }
    : { variant: match[1]!, workers: Number(match[2]) };
}

/** Whether a variant runs in Python. */
export function isPython(variant: string): boolean {
  return variant.startsWith("Python");
}
