// The README's section on the tutorial's benchmarks, written by the report
// (bench/report.ts) from the same results as its charts: each chart, what
// it teaches with this run's figures in the sentences, and the tables.

import {
  crossoverOf,
  crossoverPoints,
  machineLine,
  notesOf,
  nsOf,
  overheads,
  type Results,
  scrapeLaps,
  speedups,
} from "./_report_data.ts";
import { seconds } from "./_report_charts.ts";
import {
  groupsOf,
  PAIR,
  pooled,
  SCALING_TASKS,
  V,
  WORKER_COUNTS,
} from "./_tutorial_plan.ts";

/** The markers between which the section is written. */
export const START = "<!-- bench:report:start -->";
export const END = "<!-- bench:report:end -->";

/** "3.2x", or "n/a" when a side is missing. */
export function times(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "n/a" : `${(a / b).toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

const time = (ns: number | undefined) =>
  ns === undefined ? "n/a" : seconds(ns / 1e9);
const half = (ns: number | undefined) =>
  ns === undefined ? undefined : ns / PAIR;

/** Two significant digits, written out ("140", "4,900"). */
function round(value: number): string {
  return Number(value.toPrecision(2)).toLocaleString("en");
}

/** The pairs of the tutorial's workloads, Deno next to Python. */
function pairTable(results: Results): string {
  const groups = groupsOf(results.plan);
  const rows = [
    [groups.io, `write ${results.plan.textMb} MB, ${PAIR} files`],
    [groups.cpuTutorial, "the tutorial's loop, twice"],
    [
      groups.cpuScaled,
      `the loop scaled to ~${results.plan.scaledMs} ms, twice`,
    ],
  ].map(([group, what]) => {
    const ns = (name: string) => nsOf(results, group!, name);
    const deno = ns(V.sequential);
    const python = ns(V.pySequential);
    return [
      what!,
      time(deno),
      `${time(ns(V.promiseAll))} (${times(deno, ns(V.promiseAll))})`,
      `${time(ns(pooled(V.threadPool, PAIR)))} (${
        times(deno, ns(pooled(V.threadPool, PAIR)))
      })`,
      `${time(ns(pooled(V.processPool, PAIR)))} (${
        times(deno, ns(pooled(V.processPool, PAIR)))
      })`,
      time(python),
      `${time(ns(pooled(V.pyThreads, PAIR)))} (${
        times(python, ns(pooled(V.pyThreads, PAIR)))
      })`,
      `${time(ns(pooled(V.pyProcesses, PAIR)))} (${
        times(python, ns(pooled(V.pyProcesses, PAIR)))
      })`,
      times(python, deno),
    ];
  });
  return table([
    "workload",
    "Deno sequential",
    "Promise.all",
    "ThreadPool(2)",
    "ProcessPool(2)",
    "Python sequential",
    "ThreadPoolExecutor(2)",
    "ProcessPoolExecutor(2)",
    "Deno's speed over Python's, sequential",
  ], rows);
}

function speedupTable(results: Results): string {
  const points = speedups(results);
  const series = [...new Set(points.map((p) => p.series))];
  return table(
    ["workers", ...series],
    WORKER_COUNTS.map((workers) => [
      String(workers),
      ...series.map((name) => {
        const point = points.find((p) => p.series === name && p.x === workers);
        return point === undefined ? "n/a" : `${point.speedup.toFixed(2)}x`;
      }),
    ]),
  );
}

/** The crossover of a series in words. */
export function crossoverText(results: Results, series: string): string {
  const found = crossoverOf(crossoverPoints(results), series);
  if (found === undefined) return "n/a";
  if ("at" in found) return `about ${round(found.at)} µs of work`;
  if ("below" in found) return `below ${round(found.below)} µs`;
  return `above ${round(found.above)} µs (it never paid)`;
}

/** The section, between its markers. */
export function readmeSection(results: Results): string {
  const groups = groupsOf(results.plan);
  const ns = (group: string, name: string) => nsOf(results, group, name);
  const io = (name: string) => ns(groups.io, name);
  const tutorial = (name: string) => ns(groups.cpuTutorial, name);
  const scaled = (name: string) => ns(groups.cpuScaled, name);
  const tp = pooled(V.threadPool, PAIR);
  const pp = pooled(V.processPool, PAIR);
  const pyT = pooled(V.pyThreads, PAIR);
  const pyP = pooled(V.pyProcesses, PAIR);
  const cores = results.machine.cores;
  const speed = speedups(results);
  const at = (series: string, workers: number) => {
    const point = speed.find((p) => p.series === series && p.x === workers);
    return point === undefined ? "n/a" : `${point.speedup.toFixed(2)}x`;
  };
  const laps = scrapeLaps(results);
  const lap = (variant: string) => laps.find((l) => l.variant === variant);
  const ofLimit = (variant: string) => {
    const found = lap(variant);
    return found === undefined ? "n/a" : `${found.ofLimit.toFixed(2)}x`;
  };
  const over = overheads(results);
  const us = (contender: string) => {
    const found = over.find((o) => o.contender === contender);
    return found === undefined
      ? "n/a"
      : `${found.microseconds.toPrecision(3)} µs`;
  };
  const notes = notesOf(results);
  const lines = [
    START,
    "",
    "### The tutorial's benchmarks, re-measured",
    "",
    `Written by \`deno task bench:report\` from \`bench/results/tutorial.json\` (${
      machineLine(results)
    }). Every Deno figure has its Python counterpart measured in the same run; the pools are warm (the tutorial started its pools in the measured time).`,
    "",
    "![Threads on IO-bound work](bench/charts/threads_io.svg)",
    "",
    `Writing the tutorial's text to ${PAIR} files: Python takes ${
      time(io(V.pySequential))
    } one after another and ${time(io(pyT))} on two threads (a speed-up of ${
      times(io(V.pySequential), io(pyT))
    }; the tutorial saw 0.10 s and 0.11 s). A write releases the GIL, so threads may overlap, but the disk and the memory copy set the pace, not the interpreter. In Deno, \`Promise.all\` runs both writes off the main thread, on one event loop (${
      times(io(V.sequential), io(V.promiseAll))
    }), and a ThreadPool gives ${
      times(io(V.sequential), io(tp))
    }. Deno's sequential write is ${
      times(io(V.pySequential), io(V.sequential))
    } Python's speed: it encodes the string to UTF-8 on every write, where CPython writes its ASCII string as it is.`,
    "",
    "![Threads on CPU-bound work](bench/charts/threads_cpu.svg)",
    "",
    `The tutorial's loop takes ${
      time(tutorial(V.sequential))
    } twice in Deno and ${time(tutorial(V.pySequential))} in CPython: ${
      times(tutorial(V.pySequential), tutorial(V.sequential))
    } as fast, which is V8's JIT against an interpreter, not a pool. Python's threads do not speed it up (${
      times(scaled(V.pySequential), scaled(pyT))
    } on the scaled loop: one thread holds the GIL at a time), nor does \`Promise.all\` on one event loop (${
      times(scaled(V.sequential), scaled(V.promiseAll))
    }); a ThreadPool's Workers have no GIL and run in parallel (${
      times(scaled(V.sequential), scaled(tp))
    }).`,
    "",
    "![Processes on IO-bound work](bench/charts/processes_io.svg)",
    "",
    `Processes on the same writes: ${
      times(io(V.sequential), io(pp))
    } for ProcessPool, ${
      times(io(V.pySequential), io(pyP))
    } for ProcessPoolExecutor. On IO-bound work a process competes with a thread rather than beats it: each costs a start and a copy of what it is sent, and the device is shared all the same.`,
    "",
    "![Processes on CPU-bound work](bench/charts/processes_cpu.svg)",
    "",
    `This is where Python needs processes: ${
      times(scaled(V.pySequential), scaled(pyP))
    } on two (the tutorial: 0.53 s to 0.35 s). On the tutorial's loop as it is, about ${
      time(half(tutorial(V.sequential)))
    } a task in Deno, the pools give ${
      times(tutorial(V.sequential), tutorial(pp))
    } (ProcessPool) and ${
      times(tutorial(V.sequential), tutorial(tp))
    } (ThreadPool): a task this small is close to the cost of sending it. Scaled to ~${results.plan.scaledMs} ms a task, ProcessPool gives ${
      times(scaled(V.sequential), scaled(pp))
    } and ThreadPool ${
      times(scaled(V.sequential), scaled(tp))
    }: in Deno a thread does what a process does in Python, and costs less.`,
    "",
    "![Speed-up against the number of workers](bench/charts/speedup_by_workers.svg)",
    "",
    `${SCALING_TASKS} tasks of ~${results.plan.scalingMs} ms: the ideal on this machine stops at ${cores}x, its number of cores, however many workers a pool has (ThreadPool: ${
      at("Deno ThreadPool", cores)
    } on ${cores}, ${at("Deno ThreadPool", 8)} on 8; ProcessPoolExecutor: ${
      at("Python ProcessPoolExecutor", cores)
    } on ${cores}); Python's threads stay near 1x (${
      at("Python ThreadPoolExecutor", cores)
    } on ${cores}). Past the cores, more workers only take turns.`,
    "",
    speedupTable(results),
    "",
    "![Per-task overhead of a pool](bench/charts/overhead_per_task.svg)",
    "",
    `What a task costs beyond its work, one at a time: ThreadPool ${
      us("ThreadPool")
    }, piscina ${us("piscina")}, poolifier-web-worker ${
      us("poolifier-web-worker")
    }, raw postMessage ${us("raw Web Workers, postMessage")}; ProcessPool ${
      us("ProcessPool")
    }, Python's ThreadPoolExecutor ${
      us("Python ThreadPoolExecutor(2)")
    } and ProcessPoolExecutor ${
      us("Python ProcessPoolExecutor(2)")
    }. A task must be worth more than this to be worth sending.`,
    "",
    table(
      ["contender", "µs per task, submit to result"],
      over.toSorted((a, b) => a.microseconds - b.microseconds)
        .map((o) => [o.contender, o.microseconds.toPrecision(3)]),
    ),
    "",
    "![The crossover](bench/charts/crossover.svg)",
    "",
    `The smallest task that pays on 2 workers: ThreadPool ${
      crossoverText(results, "Deno ThreadPool")
    }, ProcessPool ${
      crossoverText(results, "Deno ProcessPool")
    }, Python's ProcessPoolExecutor ${
      crossoverText(results, "Python ProcessPoolExecutor")
    }. Below it, run the work where it is, or batch it (\`pool.map\` chunks items).`,
    "",
    "![The scraping race](bench/charts/scrape_race.svg)",
    "",
    `9 pages of ${results.plan.latencyMs} ms (the tutorial: 5.04 s one after another, 0.62 s on a ThreadPoolExecutor, from real servers): one after another takes 9 latencies (${
      ofLimit(V.sequential)
    } the limit in Deno, ${
      ofLimit(V.pySequential)
    } in Python); \`Promise.all\` on one event loop gets to ${
      ofLimit(V.promiseAll)
    } the physical limit of one latency, with no thread at all, where Python needs a ThreadPoolExecutor (${
      ofLimit(pooled(V.pyThreads, 9))
    }). Pools get there too (ThreadPool ${
      ofLimit(pooled(V.threadPool, 9))
    }, ProcessPool ${
      ofLimit(pooled(V.processPool, 9))
    }) but add nothing: waiting is not work.`,
    "",
    table(
      ["variant", "seconds", "x the limit (one latency)"],
      laps.map((l) => [
        l.variant,
        l.seconds.toFixed(3),
        l.ofLimit.toFixed(2),
      ]),
    ),
    "",
    "The tutorial's pairs, side by side (in brackets: the speed-up over the same side's sequential run):",
    "",
    pairTable(results),
    "",
    ...(notes.length === 0
      ? []
      : ["Notes of this run:", "", ...notes.map((note) => `- ${note}`), ""]),
    END,
  ];
  return lines.join("\n");
}

/**
 * `readme` with its section replaced by `section` (markers included), or
 * with `section` added before `## Layout` (or at the end) if it has none.
 */
export function splice(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) {
    return readme.slice(0, start) + section + readme.slice(end + END.length);
  }
  const layout = readme.indexOf("\n## Layout");
  return layout < 0
    ? `${readme.trimEnd()}\n\n${section}\n`
    : `${readme.slice(0, layout)}\n${section}\n${readme.slice(layout)}`;
}
