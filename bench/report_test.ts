// The report's code on tiny, made-up results: no benchmark runs here and
// no time is asserted; what is checked is what the charts and the README
// section contain, and that what is missing makes a note, not a crash.

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { LATENCY_GROUP } from "./_pool_plan.ts";
import { allCharts, renderSvg } from "./_report_charts.ts";
import {
  type Case,
  casesOf,
  crossoverOf,
  notesOf,
  PROCESS_ROUND_TRIP_GROUP,
  type Results,
} from "./_report_data.ts";
import { END, readmeSection, splice, START } from "./_report_readme.ts";
import { cpuModel, outcome, pythonInfo } from "./_report_run.ts";
import {
  crossoverGroup,
  groupsOf,
  PAIR,
  planFor,
  pooled,
  SCRAPE_WORKERS,
  V,
  WORKER_COUNTS,
} from "./_tutorial_plan.ts";

const plan = planFor(true);
const groups = groupsOf(plan);

/** A case that took `ms` per iteration. */
function took(file: string, group: string, name: string, ms: number): Case {
  return { file, group, name, avg: ms * 1e6, min: ms * 1e6, n: 3 };
}

/** Made-up results: with or without Python, with or without the peers. */
function fixture(options: { python: boolean; peers: boolean }): Results {
  const cases: Case[] = [];
  const add = (file: string, group: string, name: string, ms: number) => {
    if (options.python || !name.startsWith("Python")) {
      cases.push(took(file, group, name, ms));
    }
  };
  for (const group of [groups.io, groups.cpuTutorial, groups.cpuScaled]) {
    add("f", group, V.sequential, 100);
    add("f", group, V.promiseAll, 90);
    add("f", group, pooled(V.threadPool, PAIR), 55);
    add("f", group, pooled(V.processPool, PAIR), 60);
    add("f", group, V.pySequential, 400);
    add("f", group, pooled(V.pyThreads, PAIR), 410);
    add("f", group, pooled(V.pyProcesses, PAIR), 210);
  }
  add("f", groups.scaling, V.sequential, 160);
  add("f", groups.scaling, V.pySequential, 640);
  for (const n of WORKER_COUNTS) {
    add("f", groups.scaling, pooled(V.threadPool, n), 160 / Math.min(n, 2));
    add("f", groups.scaling, pooled(V.processPool, n), 170 / Math.min(n, 2));
    add("f", groups.scaling, pooled(V.pyThreads, n), 650);
    add("f", groups.scaling, pooled(V.pyProcesses, n), 660 / Math.min(n, 2));
  }
  for (const [i, size] of plan.crossoverSizes.entries()) {
    const group = crossoverGroup(size, plan);
    add("f", group, V.sequential, 40);
    add("f", group, pooled(V.threadPool, 2), [120, 45, 22, 21][i]!);
    add("f", group, V.pySequential, 40);
    add("f", group, pooled(V.pyProcesses, 2), [900, 200, 60, 22][i]!);
  }
  add("f", groups.scrape, V.sequential, 9 * plan.latencyMs + 5);
  add("f", groups.scrape, V.promiseAll, plan.latencyMs + 3);
  add(
    "f",
    groups.scrape,
    pooled(V.threadPool, SCRAPE_WORKERS),
    plan.latencyMs + 9,
  );
  add("f", groups.scrape, V.pySequential, 9 * plan.latencyMs + 30);
  add(
    "f",
    groups.scrape,
    pooled(V.pyThreads, SCRAPE_WORKERS),
    plan.latencyMs + 12,
  );
  add("pool_bench.ts", LATENCY_GROUP, "ThreadPool", 7);
  if (options.peers) {
    add("pool_bench.ts", LATENCY_GROUP, "piscina", 120);
    add("pool_bench.ts", LATENCY_GROUP, "poolifier-web-worker", 110);
  }
  add("process_bench.ts", PROCESS_ROUND_TRIP_GROUP, "ProcessPool", 77);
  add(
    "process_bench.ts",
    PROCESS_ROUND_TRIP_GROUP,
    "Python ProcessPoolExecutor(2)",
    300,
  );
  cases.push({
    file: "scrape_bench.ts",
    group: groups.scrape,
    name: pooled(V.processPool, SCRAPE_WORKERS),
    failed: "NotCapable: Requires net access\n    at somewhere",
  });
  return {
    machine: {
      cpu: "Test CPU 9000",
      cores: 2,
      os: "linux x86_64",
      deno: "2.9.6",
      ...(options.python ? { python: "3.11.7" } : {}),
      date: "2026-01-02T03:04:05.000Z",
    },
    plan,
    ...(options.python
      ? { pythonScrape: "urllib + html.parser (requests or bs4 not installed)" }
      : {}),
    notes: options.peers
      ? []
      : ["pool_bench.ts did not run (exit code 1): piscina"],
    cases,
  };
}

/** The text of an SVG, tags left out and entities decoded. */
function textsOf(svg: string): string {
  return svg.replace(/<[^>]+>/g, "\n")
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(
      /&#x([\da-f]+);/gi,
      (_, code) => String.fromCharCode(parseInt(code, 16)),
    )
    .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}

Deno.test("every chart renders to SVG with its series and the machine", async () => {
  const results = fixture({ python: true, peers: true });
  const charts = allCharts(results);
  deepStrictEqual(charts.map((chart) => chart.name), [
    "threads_io",
    "threads_cpu",
    "processes_io",
    "processes_cpu",
    "speedup_by_workers",
    "overhead_per_task",
    "crossover",
    "scrape_race",
  ]);
  const expected: Record<string, string[]> = {
    threads_io: [
      "Deno ThreadPool(2)",
      "Deno Promise.all",
      "Python ThreadPoolExecutor(2)",
    ],
    threads_cpu: [
      "Deno ThreadPool(2)",
      "Python sequential",
      "tutorial's loop, x2",
    ],
    processes_io: ["Deno ProcessPool(2)", "Python ProcessPoolExecutor(2)"],
    processes_cpu: ["Deno ProcessPool(2)", "Python ProcessPoolExecutor(2)"],
    speedup_by_workers: [
      "Deno ThreadPool",
      "Python ThreadPoolExecutor",
      "ideal on 2 cores",
      "ideal (n workers)",
    ],
    overhead_per_task: [
      "ThreadPool",
      "piscina",
      "poolifier-web-worker",
      "ProcessPool",
    ],
    crossover: ["Deno ThreadPool", "Python ProcessPoolExecutor"],
    scrape_race: ["Deno Promise.all", "Python sequential", "the limit"],
  };
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    ok(svg.trimEnd().endsWith("</svg>"), chart.name);
    const texts = textsOf(svg);
    for (const label of [...expected[chart.name]!, "Test CPU 9000, 2 cores"]) {
      ok(texts.includes(label), `${chart.name} lacks "${label}"`);
    }
  }
});

Deno.test("without Python and without the peers, charts still render and notes say why", async () => {
  const results = fixture({ python: false, peers: false });
  for (const chart of allCharts(results)) {
    const svg = await renderSvg(chart.spec);
    ok(svg.startsWith("<svg"), chart.name);
    ok(!textsOf(svg).includes("Python sequential"), chart.name);
  }
  const notes = notesOf(results);
  ok(notes.some((note) => note.includes("pool_bench.ts did not run")));
  ok(
    notes.some((note) =>
      note.includes("Deno ProcessPool(9)") && note.includes("NotCapable")
    ),
  );
  const section = readmeSection(results);
  match(section, /no Python/);
  match(section, /pool_bench\.ts did not run/);
  match(section, /piscina n\/a/);
});

Deno.test("the README section has the charts, the figures and the Python libraries", () => {
  const section = readmeSection(fixture({ python: true, peers: true }));
  ok(section.startsWith(START) && section.endsWith(END));
  for (
    const name of [
      "threads_io",
      "threads_cpu",
      "processes_io",
      "processes_cpu",
      "speedup_by_workers",
      "overhead_per_task",
      "crossover",
      "scrape_race",
    ]
  ) {
    ok(section.includes(`(bench/charts/${name}.svg)`), name);
  }
  // 400 ms in Python against 100 ms in Deno, sequential.
  match(section, /\| 4\.00x \|/);
  match(section, /urllib \+ html\.parser/);
  match(section, /A quick run/);
});

Deno.test("splice replaces the section between its markers, or adds it", () => {
  const old = `# x\n\n${START}\nold\n${END}\n\n## Layout\n`;
  strictEqual(
    splice(old, `${START}\nnew\n${END}`),
    `# x\n\n${START}\nnew\n${END}\n\n## Layout\n`,
  );
  strictEqual(splice("# x\n\n## Layout\n", "S"), "# x\n\nS\n\n## Layout\n");
  strictEqual(splice("# x\n", "S"), "# x\n\nS\n");
});

Deno.test("crossoverOf interpolates where the speed-up crosses 1", () => {
  const line = (speedups: number[]) =>
    speedups.map((speedup, i) => ({ series: "s", x: 10 ** i, speedup }));
  const found = crossoverOf(line([0.5, 2]), "s");
  ok(
    found !== undefined && "at" in found &&
      Math.abs(found.at - Math.sqrt(10)) < 1e-9,
  );
  deepStrictEqual(crossoverOf(line([1.5, 2]), "s"), { below: 1 });
  deepStrictEqual(crossoverOf(line([0.1, 0.5]), "s"), { above: 10 });
  strictEqual(crossoverOf(line([]), "s"), undefined);
});

Deno.test("a bench run's output: cases, failures and runs that printed nothing", () => {
  const json = JSON.stringify({
    cpu: "Test CPU",
    benches: [
      { group: "g", name: "a", results: [{ ok: { avg: 5, min: 4, n: 2 } }] },
      { group: null, name: "b", results: [{ failed: { message: "boom" } }] },
    ],
  });
  deepStrictEqual(outcome("x.ts", 0, json, []), {
    cpu: "Test CPU",
    cases: [
      { file: "x.ts", group: "g", name: "a", avg: 5, min: 4, n: 2 },
      { file: "x.ts", group: "", name: "b", failed: "boom" },
    ],
  });
  match(outcome("x.ts", 1, json, []).note!, /exited with code 1/);
  const none = outcome("pool_bench.ts", 1, "", [
    "error: npm package not found",
  ]);
  deepStrictEqual(none.cases, []);
  match(none.note!, /pool_bench\.ts did not run .*npm package not found/);
  deepStrictEqual(
    casesOf("y", { benches: [{ group: "g", name: "c", results: [] }] }),
    [],
  );
});

Deno.test("a missing python3 is a note", async () => {
  const info = await pythonInfo(
    "seed_bench.py",
    "python3-that-is-not-installed",
  );
  ok("note" in info);
  match(info.note, /was not found/);
});

Deno.test("cpuModel reads /proc/cpuinfo's model name", () => {
  strictEqual(
    cpuModel("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n"),
    "AMD EPYC 7B13",
  );
  strictEqual(cpuModel(undefined), "unknown CPU");
});
