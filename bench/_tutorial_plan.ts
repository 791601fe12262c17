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

/** The tutorial's COUNT: its loop runs to 10,000,000. */
export const COUNT = 10_000_000;

/** Files (and tasks) of the tutorial's pairs: it runs each workload twice. */
export const PAIR = 2;

/** Worker counts of the speed-up chart. */
export const WORKER_COUNTS: readonly number[] = [1, 2, 4, 8];

/** Tasks per iteration of the speed-up group: one per worker at most. */
export const SCALING_TASKS = 8;

/** Workers of the crossover's pools. */
export const CROSSOVER_WORKERS = 2;

/** Pages of the scrape (the tutorial's 9 URLs). */
export const PAGES = 9;

/** Workers of the scrape's pools: one per page. */
export const SCRAPE_WORKERS = PAGES;

/** The sizes of one run, which its results keep (and the report reads). */
export interface Plan {
  /** Smaller workloads and fewer sizes, for a report in a few minutes. */
  quick: boolean;
  /** The tutorial writes "leedonggyu " x COUNT (110 MB) per file. */
  textRepeat: number;
  /** The size of that text, in MB. */
  textMb: number;
  /** One task of the scaled loop takes about this long (ms) where it runs. */
  scaledMs: number;
  /** ms of work per task of the speed-up group. */
  scalingMs: number;
  /** Task sizes of the crossover, in ms: 10 µs to 100 ms. */
  crossoverSizes: number[];
  /** ms of work in all per iteration of a crossover group. */
  crossoverTotalMs: number;
  /** The latency of each page of the local site, ms. */
  latencyMs: number;
}

/** The plan of a full run, or of a quick one; `latencyMs` as given. */
export function planFor(quick: boolean, latencyMs?: number): Plan {
  const textRepeat = quick ? 1_000_000 : COUNT;
  return {
    quick,
    textRepeat,
    textMb: "leedonggyu ".length * textRepeat / 1e6,
    scaledMs: quick ? 50 : 500,
    scalingMs: quick ? 20 : 100,
    crossoverSizes: quick ? [0.01, 0.1, 1, 10] : [0.01, 0.1, 1, 10, 100],
    crossoverTotalMs: quick ? 40 : 200,
    // About what the tutorial's pages took: 5.04 s for 9.
    latencyMs: latencyMs ?? (quick ? 100 : 500),
  };
}

/**
 * This run's plan: `BENCH_QUICK=1` for a quick one (`deno task bench:report
 * --quick`), `BENCH_SCRAPE_LATENCY_MS` for the scrape's latency.
 */
export const PLAN: Plan = planFor(
  env("BENCH_QUICK") === "1",
  env("BENCH_SCRAPE_LATENCY_MS") === undefined
    ? undefined
    : Number(env("BENCH_SCRAPE_LATENCY_MS")),
);

/**
 * Tasks per iteration of a crossover group: enough for `crossoverTotalMs`
 * of work in all, and at least 4, so that a small size measures a stream.
 */
export function crossoverCount(size: number, plan: Plan = PLAN): number {
  return Math.max(4, Math.round(plan.crossoverTotalMs / size));
}

// ---------------------------------------------------------------------------
// Groups.

/** The names of the groups of a plan. */
export function groupsOf(plan: Plan): {
  io: string;
  cpuTutorial: string;
  cpuScaled: string;
  scaling: string;
  scrape: string;
} {
  return {
    io: `IO-bound: write a ${plan.textMb} MB string to a file, ${PAIR} files`,
    cpuTutorial: `CPU-bound: the tutorial's loop to ${
      COUNT.toLocaleString("en")
    }, ${PAIR} times`,
    cpuScaled:
      `CPU-bound: the loop scaled to ~${plan.scaledMs} ms a task, ${PAIR} times`,
    scaling:
      `CPU-bound: ${SCALING_TASKS} tasks of ~${plan.scalingMs} ms, by workers`,
    scrape: `scrape: ${PAGES} pages of ${plan.latencyMs} ms each`,
  };
}

/** This run's groups. */
export const GROUPS: ReturnType<typeof groupsOf> = groupsOf(PLAN);

/** The group of a crossover task size. */
export function crossoverGroup(size: number, plan: Plan = PLAN): string {
  return `crossover: ${size} ms tasks x ${
    crossoverCount(size, plan).toLocaleString("en")
  }`;
}

/** A crossover group's task size (ms) and count; undefined for another. */
export function parseCrossoverGroup(
  group: string,
): { size: number; count: number } | undefined {
  const match = /^crossover: ([\d.]+) ms tasks x ([\d,]+)$/.exec(group);
  return match === null
    ? undefined
    : { size: Number(match[1]), count: Number(match[2]!.replaceAll(",", "")) };
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
