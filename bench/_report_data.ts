// The results of a report run (bench/report.ts) and the figures read from
// them: what the charts (bench/_report_charts.ts) and the README's tables
// (bench/_report_readme.ts) draw, so that both always say the same. Pure
// functions of the JSON that the run wrote.

import { LATENCY_GROUP, ROUNDS } from "./_pool_plan.ts";
import {
  CROSSOVER_WORKERS,
  groupsOf,
  isPython,
  PAGES,
  PAIR,
  parseCase,
  parseCrossoverGroup,
  type Plan,
  pooled,
  SCRAPE_WORKERS,
  V,
  WORKER_COUNTS,
} from "./_tutorial_plan.ts";

/** What `deno bench --json` prints (the fields used here). */
export interface BenchJson {
  /** The CPU, as Deno names it. */
  cpu?: string;
  benches: {
    group: string | null;
    name: string;
    results: ({ ok: { avg: number; min: number; n: number } } | {
      failed: { message?: string } | string;
    })[];
  }[];
}

/** One case of one run: its mean and best ns per iteration, or its error. */
export type Case =
  & { file: string; group: string; name: string }
  & ({ avg: number; min: number; n: number } | { failed: string });

/** The machine a run was measured on. */
export interface Machine {
  cpu: string;
  cores: number;
  os: string;
  deno: string;
  /** Python's version, or undefined if python3 could not be run. */
  python?: string;
  /** When the run started (ISO 8601). */
  date: string;
}

/** Everything a report run wrote (bench/results/tutorial.json). */
export interface Results {
  machine: Machine;
  plan: Plan;
  /** The libraries of Python's scrape, as seed_bench.py --info says. */
  pythonScrape?: string;
  /** What went wrong on the way (a bench file failed, no python3...). */
  notes: string[];
  cases: Case[];
}

/** The group of the per-task overhead in bench/process_bench.ts. */
export const PROCESS_ROUND_TRIP_GROUP = "1,000 tasks one at a time";
const PROCESS_ROUNDS = 1_000;

/** The cases of `deno bench --json` output, under the name `file`. */
export function casesOf(file: string, json: BenchJson): Case[] {
  return json.benches.flatMap((bench): Case[] => {
    const result = bench.results[0];
    if (result === undefined) return [];
    const base = { file, group: bench.group ?? "", name: bench.name };
    if ("ok" in result) {
      const { avg, min, n } = result.ok;
      return [{ ...base, avg, min, n }];
    }
    const failed = typeof result.failed === "string"
      ? result.failed
      : result.failed.message ?? "failed";
    return [{ ...base, failed }];
  });
}

/** A case's mean ns per iteration, undefined if it is missing or failed. */
export function nsOf(
  results: Results,
  group: string,
  name: string,
): number | undefined {
  const found = results.cases.find((c) => c.group === group && c.name === name);
  return found !== undefined && "avg" in found ? found.avg : undefined;
}

/** The machine in one line, as every chart and table says it. */
export function machineLine({ machine }: Results): string {
  const python = machine.python ? `Python ${machine.python}` : "no Python";
  return `${machine.cpu}, ${machine.cores} cores, ${machine.os}; Deno ${machine.deno}, ${python}; ${
    machine.date.slice(0, 10)
  }`;
}

// ---------------------------------------------------------------------------
// The tutorial's four pictures.

/** One bar of a tutorial picture. */
export interface Bar {
  /** Which workload (the tutorial's loop, or the scaled one, or the write). */
  workload: string;
  runtime: "Deno" | "Python";
  /** "sequential", or how it ran in parallel. */
  how: string;
  seconds: number;
}

/** One of the tutorial's pictures: which pool, on which kind of work. */
export interface Picture {
  key: "threads_io" | "threads_cpu" | "processes_io" | "processes_cpu";
  title: string;
  bars: Bar[];
}

/** The tutorial's four pictures, re-measured: Deno next to Python in each. */
export function pictures(results: Results): Picture[] {
  const groups = groupsOf(results.plan);
  const io = [[groups.io, `write ${results.plan.textMb} MB, x${PAIR}`]];
  const cpu = [
    [groups.cpuTutorial, "tutorial's loop, x2"],
    [groups.cpuScaled, `loop of ~${results.plan.scaledMs} ms, x2`],
  ];
  const bars = (
    workloads: string[][],
    deno: string[],
    python: string,
  ): Bar[] =>
    workloads.flatMap(([group, workload]) =>
      [
        [V.sequential, "sequential"],
        ...deno.map((variant) => [variant, shortName(variant)]),
        [V.pySequential, "sequential"],
        [python, shortName(python)],
      ].flatMap(([name, how]) => {
        const ns = nsOf(results, group!, name!);
        return ns === undefined ? [] : [{
          workload: workload!,
          runtime: isPython(name!) ? "Python" as const : "Deno" as const,
          how: how!,
          seconds: ns / 1e9,
        }];
      })
    );
  return [
    {
      key: "threads_io",
      title: "Threads on IO-bound work",
      bars: bars(
        io,
        [V.promiseAll, pooled(V.threadPool, PAIR)],
        pooled(V.pyThreads, PAIR),
      ),
    },
    {
      key: "threads_cpu",
      title: "Threads on CPU-bound work",
      bars: bars(
        cpu,
        [V.promiseAll, pooled(V.threadPool, PAIR)],
        pooled(V.pyThreads, PAIR),
      ),
    },
    {
      key: "processes_io",
      title: "Processes on IO-bound work",
      bars: bars(
        io,
        [pooled(V.processPool, PAIR)],
        pooled(V.pyProcesses, PAIR),
      ),
    },
    {
      key: "processes_cpu",
      title: "Processes on CPU-bound work",
      bars: bars(
        cpu,
        [pooled(V.processPool, PAIR)],
        pooled(V.pyProcesses, PAIR),
      ),
    },
  ];
}

/** "Deno ThreadPool(2)" → "ThreadPool(2)"; "Python X(2)" → "X(2)". */
export function shortName(name: string): string {
  return name.replace(/^(Deno|Python) /, "");
}

// ---------------------------------------------------------------------------
// Speed-up by workers, and the crossover.

/** A speed-up over the same runtime's sequential run. */
export interface Point {
  series: string;
  x: number;
  speedup: number;
}

/** The sequential baseline of a case's runtime. */
function baselineOf(name: string): string {
  return isPython(name) ? V.pySequential : V.sequential;
}

/** The speed-up of each pool over its runtime's sequential run, by workers. */
export function speedups(results: Results): Point[] {
  const group = groupsOf(results.plan).scaling;
  return results.cases.flatMap((c) => {
    if (c.group !== group || !("avg" in c)) return [];
    const { variant, workers } = parseCase(c.name);
    const base = nsOf(results, group, baselineOf(c.name));
    if (workers === undefined || base === undefined) return [];
    return [{ series: variant, x: workers, speedup: base / c.avg }];
  });
}

/** The ideal speed-up: one per worker, and at most one per core. */
export function idealSpeedups(results: Results): Point[] {
  return WORKER_COUNTS.flatMap((workers) => [
    { series: "ideal (n workers)", x: workers, speedup: workers },
    {
      series: `ideal on ${results.machine.cores} cores`,
      x: workers,
      speedup: Math.min(workers, results.machine.cores),
    },
  ]);
}

/**
 * Speed-up against task size on CROSSOVER_WORKERS workers. The size is
 * what one task took when run sequentially (µs): the calibration aims at
 * the group's nominal size, but small tasks do not run at a big loop's
 * speed.
 */
export function crossoverPoints(results: Results): Point[] {
  return results.cases.flatMap((c) => {
    const parsed = parseCrossoverGroup(c.group);
    if (parsed === undefined || !("avg" in c)) return [];
    const { variant, workers } = parseCase(c.name);
    const base = nsOf(results, c.group, baselineOf(c.name));
    if (workers !== CROSSOVER_WORKERS || base === undefined) return [];
    return [{
      series: variant,
      x: base / parsed.count / 1e3,
      speedup: base / c.avg,
    }];
  });
}

/**
 * Where a series' speed-up crosses 1, interpolated on log scales between
 * the two sizes around it (µs); undefined if it never does. "below" if it
 * pays at every size, "above" if at none.
 */
export function crossoverOf(
  points: Point[],
  series: string,
): { at: number } | { below: number } | { above: number } | undefined {
  const line = points.filter((p) => p.series === series)
    .toSorted((a, b) => a.x - b.x);
  if (line.length === 0) return undefined;
  for (let i = 1; i < line.length; i++) {
    const small = line[i - 1]!;
    const big = line[i]!;
    if (small.speedup < 1 && big.speedup >= 1) {
      const t = -Math.log(small.speedup) /
        (Math.log(big.speedup) - Math.log(small.speedup));
      return {
        at: Math.exp(
          Math.log(small.x) + t * (Math.log(big.x) - Math.log(small.x)),
        ),
      };
    }
  }
  return line[0]!.speedup >= 1
    ? { below: line[0]!.x }
    : { above: line.at(-1)!.x };
}

// ---------------------------------------------------------------------------
// Per-task overhead, and the scrape.

/** One contender's cost of one task, submit to result, one at a time. */
export interface Overhead {
  contender: string;
  microseconds: number;
}

/**
 * µs per task round trip: ThreadPool and its peers from bench/pool_bench.ts
 * (module tasks, ROUNDS one at a time), ProcessPool and Python's executors
 * from bench/process_bench.ts.
 */
export function overheads(results: Results): Overhead[] {
  const out: Overhead[] = [];
  for (const c of results.cases) {
    if (!("avg" in c)) continue;
    if (c.group === LATENCY_GROUP) {
      out.push({ contender: c.name, microseconds: c.avg / ROUNDS / 1e3 });
    } else if (
      c.group === PROCESS_ROUND_TRIP_GROUP && c.name !== "ThreadPool"
    ) {
      out.push({
        contender: c.name,
        microseconds: c.avg / PROCESS_ROUNDS / 1e3,
      });
    }
  }
  return out;
}

/** One variant of the scrape: its time, and that time over one latency. */
export interface Lap {
  variant: string;
  runtime: "Deno" | "Python";
  seconds: number;
  /** The time over the physical limit, one page's latency. */
  ofLimit: number;
}

/** The scrape's variants, in the order of the bench. */
export function scrapeLaps(results: Results): Lap[] {
  const group = groupsOf(results.plan).scrape;
  const limit = results.plan.latencyMs / 1e3;
  return [
    V.sequential,
    V.promiseAll,
    pooled(V.threadPool, SCRAPE_WORKERS),
    pooled(V.processPool, SCRAPE_WORKERS),
    V.pySequential,
    pooled(V.pyThreads, SCRAPE_WORKERS),
    pooled(V.pyProcesses, SCRAPE_WORKERS),
  ].flatMap((name) => {
    const ns = nsOf(results, group, name);
    return ns === undefined ? [] : [{
      variant: name,
      runtime: isPython(name) ? "Python" as const : "Deno" as const,
      seconds: ns / 1e9,
      ofLimit: ns / 1e9 / limit,
    }];
  });
}

/** The scrape's two limits: all pages at once, and one after another. */
export function scrapeLimits(results: Results): { one: number; all: number } {
  const one = results.plan.latencyMs / 1e3;
  return { one, all: one * PAGES };
}

/**
 * What a reader must know of a run: the notes it wrote, which of Python's
 * scrape libraries ran, that a quick run's sizes are not the tutorial's,
 * and each case that failed.
 */
export function notesOf(results: Results): string[] {
  const notes = [...results.notes];
  if (results.plan.quick) {
    notes.push(
      "A quick run (--quick): smaller workloads than the tutorial's, to show the shapes.",
    );
  }
  if (results.pythonScrape !== undefined) {
    notes.push(`Python's scrape used ${results.pythonScrape}.`);
  }
  for (const c of results.cases) {
    if ("failed" in c) {
      notes.push(
        `${c.file}: "${c.group}" › "${c.name}" failed: ${
          c.failed.split("\n")[0]
        }`,
      );
    }
  }
  return notes;
}
