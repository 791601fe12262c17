// Runs the pool benchmark (bench/pool_bench.ts) several times and prints
// its figures as Markdown tables: the median over the runs of each case's
// mean time per iteration, turned into tasks/s, µs per round trip and
// speed-ups, the ratios of ThreadPool to each peer, the crossover and the
// issue's targets.
//
//   deno run --allow-run=deno bench/_pool_report.ts [--runs=3] [deno bench flags]
//
// Any other argument goes to `deno bench` (e.g. --no-lock). Or, to report
// on runs saved with `deno bench --json ... > run1.json`:
//
//   deno run --allow-read bench/_pool_report.ts run1.json run2.json ...

import {
  countFor,
  LATENCY_GROUP,
  ROUNDS,
  SEQUENTIAL,
  sizeOfGroup,
  SIZES,
  TINY_GROUP,
  TINY_N,
} from "./_pool_plan.ts";

/** What `deno bench --json` prints (the fields used here). */
interface BenchJson {
  benches: {
    group: string | null;
    name: string;
    results: ({ ok: { avg: number; min: number; n: number } } | {
      failed: unknown;
    })[];
  }[];
}

/** group → case → ns per iteration (mean, and best), for one run. */
type Run = Map<string, Map<string, { avg: number; min: number }>>;

const FLAGS = ["--allow-read", "--allow-env", "--allow-sys=cpus"];
const BENCH = new URL("./pool_bench.ts", import.meta.url);

async function runOnce(extra: string[]): Promise<Run> {
  const { code, stdout } = await new Deno.Command("deno", {
    args: ["bench", ...FLAGS, ...extra, "--json", BENCH.pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) console.error(`deno bench exited with code ${code}`);
  return parse(new TextDecoder().decode(stdout));
}

function parse(text: string): Run {
  const json = JSON.parse(text) as BenchJson;
  const run: Run = new Map();
  for (const bench of json.benches) {
    const group = bench.group ?? "";
    if (!run.has(group)) run.set(group, new Map());
    const result = bench.results[0];
    if (result !== undefined && "ok" in result) {
      run.get(group)!.set(bench.name, result.ok);
    }
  }
  return run;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median over the runs of a case's mean ns per iteration (or of its
 * best iteration's), NaN if it failed.
 */
function ns(
  runs: Run[],
  group: string,
  name: string,
  which: "avg" | "min" = "avg",
): number {
  const values = runs.map((run) => run.get(group)?.get(name)?.[which])
    .filter((value): value is number => value !== undefined);
  return values.length === 0 ? NaN : median(values);
}

function fixed(value: number, digits = 2): string {
  return Number.isNaN(value) ? "failed" : value.toFixed(digits);
}

function whole(value: number): string {
  return Number.isNaN(value)
    ? "failed"
    : Math.round(value).toLocaleString("en");
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** Case names of a group, in the order of the first run that has it. */
function names(runs: Run[], group: string): string[] {
  for (const run of runs) {
    const cases = run.get(group);
    if (cases !== undefined) return [...cases.keys()];
  }
  return [];
}

/**
 * The task size (ms) at which the speed-up crosses 1, interpolated on log
 * scales between the two sizes around it; `undefined` if it never does.
 */
function crossover(points: [size: number, speedup: number][]): string {
  // Big to small: the first size at which the pool stops paying.
  for (let i = 1; i < points.length; i++) {
    const [big, up] = points[i - 1]!;
    const [small, down] = points[i]!;
    if (up >= 1 && down < 1) {
      const t = Math.log(up) / (Math.log(up) - Math.log(down));
      const size = Math.exp(
        Math.log(big) + t * (Math.log(small) - Math.log(big)),
      );
      return `~${size.toPrecision(2)} ms (between ${small} and ${big} ms)`;
    }
  }
  const last = points.at(-1);
  if (last !== undefined && last[1] >= 1) {
    return `below ${last[0]} ms (still ${last[1].toFixed(2)}x there)`;
  }
  const first = points[0];
  if (first !== undefined && first[1] < 1) return `above ${first[0]} ms`;
  return "n/a";
}

// ---------------------------------------------------------------------------

let count = 3;
const extra: string[] = [];
const saved: string[] = [];
for (const arg of Deno.args) {
  const match = /^--runs=(\d+)$/.exec(arg);
  if (match !== null) count = Number(match[1]);
  else if (arg.endsWith(".json")) saved.push(arg);
  else extra.push(arg);
}

const runs: Run[] = [];
if (saved.length > 0) {
  for (const path of saved) runs.push(parse(await Deno.readTextFile(path)));
  count = runs.length;
} else {
  for (let i = 0; i < count; i++) {
    console.error(`Run ${i + 1} of ${count}...`);
    runs.push(await runOnce(extra));
  }
}

const out: string[] = [];
out.push(
  `Median over ${count} runs of each case's mean time per iteration ("best iteration": median over the runs of the fastest one).`,
  "",
);

// Tiny tasks.
{
  const tp = ns(runs, TINY_GROUP, "ThreadPool");
  const rows = names(runs, TINY_GROUP).map((name) => {
    const time = ns(runs, TINY_GROUP, name);
    const perRun = runs.map((run) => {
      const each = run.get(TINY_GROUP)?.get(name)?.avg;
      return each === undefined ? "failed" : whole(TINY_N / (each / 1e9));
    });
    const best = ns(runs, TINY_GROUP, name, "min");
    return [
      name,
      fixed(time / 1e6, 1),
      whole(TINY_N / (time / 1e9)),
      perRun.join(", "),
      whole(TINY_N / (best / 1e9)),
      fixed(ns(runs, TINY_GROUP, "piscina") / time),
      fixed(time / tp),
    ];
  });
  out.push(
    `### ${TINY_GROUP}`,
    "",
    table([
      "contender",
      "ms/iter",
      "tasks/s",
      "tasks/s per run",
      "best iteration, tasks/s",
      "x piscina",
      "ThreadPool is x faster",
    ], rows),
    "",
  );
}

// Sequential latency.
{
  const tp = ns(runs, LATENCY_GROUP, "ThreadPool");
  const rows = names(runs, LATENCY_GROUP).map((name) => {
    const time = ns(runs, LATENCY_GROUP, name);
    const perRun = runs.map((run) => {
      const each = run.get(LATENCY_GROUP)?.get(name)?.avg;
      return each === undefined ? "failed" : fixed(each / ROUNDS / 1e3, 1);
    });
    const best = ns(runs, LATENCY_GROUP, name, "min");
    return [
      name,
      fixed(time / ROUNDS / 1e3, 1),
      perRun.join(", "),
      fixed(best / ROUNDS / 1e3, 1),
      fixed(ns(runs, LATENCY_GROUP, "piscina") / time),
      fixed(time / tp),
    ];
  });
  out.push(
    `### ${LATENCY_GROUP}`,
    "",
    table([
      "contender",
      "µs per round trip",
      "per run",
      "best iteration, µs",
      "x piscina",
      "ThreadPool is x faster",
    ], rows),
    "",
  );
}

// CPU-bound: speed-up over sequential, per size and contender.
{
  const groups = [...new Set(runs.flatMap((run) => [...run.keys()]))]
    .filter((group) => sizeOfGroup(group) !== undefined)
    .sort((a, b) => sizeOfGroup(b)! - sizeOfGroup(a)!);
  const contenders = names(runs, groups[0] ?? "")
    .filter((name) => name !== SEQUENTIAL);
  const speedups = new Map<string, [number, number][]>();
  const bestSpeedups = new Map<string, [number, number][]>();
  const rowsOf = (which: "avg" | "min", into: typeof speedups) =>
    groups.map((group) => {
      const size = sizeOfGroup(group)!;
      const sequential = ns(runs, group, SEQUENTIAL, which);
      return [
        `${size} ms x ${countFor(size)}`,
        fixed(sequential / 1e6, 1),
        fixed(sequential / countFor(size) / 1e3, 1),
        ...contenders.map((name) => {
          const speedup = sequential / ns(runs, group, name, which);
          if (!Number.isNaN(speedup)) {
            if (!into.has(name)) into.set(name, []);
            into.get(name)!.push([size, speedup]);
          }
          return fixed(speedup);
        }),
      ];
    });
  const header = (what: string) => [
    "task x count",
    `sequential ms, ${what}`,
    "µs per task",
    ...contenders,
  ];
  const crossovers = (from: typeof speedups) =>
    contenders.map((name) => `- ${name}: ${crossover(from.get(name) ?? [])}`);
  out.push(
    "### CPU-bound tasks: speed-up over sequential on the main thread",
    "",
    "From the mean times (what deno bench's summary prints):",
    "",
    table(header("mean"), rowsOf("avg", speedups)),
    "",
    "From the best iteration of each case (less sensitive to slow phases of the machine):",
    "",
    table(header("best"), rowsOf("min", bestSpeedups)),
    "",
    "Crossover (the task size below which the pool is slower than the main thread alone), from the mean times:",
    "",
    ...crossovers(speedups),
    "",
    "From the best iterations:",
    "",
    ...crossovers(bestSpeedups),
    "",
  );

  // The targets.
  const tinyRatio = ns(runs, TINY_GROUP, "piscina") /
    ns(runs, TINY_GROUP, "ThreadPool");
  const vsPoolifier = ns(runs, TINY_GROUP, "poolifier-web-worker") /
    ns(runs, TINY_GROUP, "ThreadPool");
  const latency = ns(runs, LATENCY_GROUP, "ThreadPool") / ROUNDS / 1e3;
  const big = speedups.get("ThreadPool")?.filter(([size]) => size >= 5) ?? [];
  out.push(
    "### Targets",
    "",
    table(["target", "measured", "met"], [
      [
        "tiny-task throughput >= 10x piscina",
        `${fixed(tinyRatio)}x`,
        tinyRatio >= 10 ? "yes" : "no",
      ],
      [
        "tiny-task throughput ahead of poolifier-web-worker",
        `${fixed(vsPoolifier)}x`,
        vsPoolifier > 1 ? "yes" : "no",
      ],
      [
        "sequential round trip < 10 µs",
        `${fixed(latency, 1)} µs`,
        latency < 10 ? "yes" : "no",
      ],
      ...big.map(([size, speedup]) => [
        `speed-up >= 1.8x, ${size} ms tasks, 2 workers`,
        `${fixed(speedup)}x`,
        speedup >= 1.8 ? "yes" : "no",
      ]),
    ]),
    "",
    `Sizes: ${SIZES.join(", ")} ms.`,
  );
}

console.log(out.join("\n"));
