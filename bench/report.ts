// The report of the tutorial's benchmarks: runs them (and the pool and
// process benches' overhead groups) with `deno bench --json`, Python side by
// side in each, writes the raw results to bench/results/tutorial.json, draws
// bench/charts/*.svg from them and writes the README's section between its
// markers, so that the charts and the tables always say the same.
//
//   deno task bench:report [--quick] [--latency=MS] [--from=FILE] [--no-readme]
//
// --quick runs smaller workloads (a few minutes); --latency sets the
// scrape's latency per page (default 500 ms, 100 with --quick); --from
// redraws the charts and the README from saved results without measuring.

import { LATENCY_GROUP } from "./_pool_plan.ts";
import { allCharts, renderSvg } from "./_report_charts.ts";
import {
  notesOf,
  PROCESS_ROUND_TRIP_GROUP,
  type Results,
} from "./_report_data.ts";
import { readmeSection, splice } from "./_report_readme.ts";
import {
  type BenchRun,
  pythonInfo,
  runBench,
  thisMachine,
} from "./_report_run.ts";
import { planFor } from "./_tutorial_plan.ts";

const ROOT = new URL("../", import.meta.url);
const RESULTS = new URL("bench/results/tutorial.json", ROOT);
const CHARTS = new URL("bench/charts/", ROOT);
const README = new URL("README.md", ROOT);

const say = (line: string) => console.error(line);

async function measure(quick: boolean, latency?: number): Promise<Results> {
  const plan = planFor(quick, latency);
  const python = await pythonInfo(
    new URL("bench/python/seed_bench.py", ROOT).pathname,
  );
  const notes = "note" in python ? [python.note] : [];
  const env: Record<string, string> = {
    BENCH_QUICK: quick ? "1" : "0",
    BENCH_SCRAPE_LATENCY_MS: String(plan.latencyMs),
  };
  const base = ["--allow-read", "--allow-run", "--allow-env"];
  const runs: BenchRun[] = [
    {
      file: "io_bound_bench.ts",
      flags: [...base, "--allow-write=bench/.scratch"],
      env,
    },
    { file: "cpu_bound_bench.ts", flags: base, env },
    {
      file: "scrape_bench.ts",
      flags: [...base, "--allow-net=127.0.0.1"],
      env,
    },
    {
      file: "pool_bench.ts",
      flags: [...base, "--allow-sys=cpus"],
      env: { BENCH_GROUPS: LATENCY_GROUP },
    },
    {
      file: "process_bench.ts",
      flags: base,
      env: { BENCH_GROUPS: PROCESS_ROUND_TRIP_GROUP },
    },
  ];
  const machine = thisMachine(python);
  const cases = [];
  for (const [i, run] of runs.entries()) {
    say(`[${i + 1}/${runs.length}] ${run.file}`);
    const outcome = await runBench(ROOT, run, say);
    cases.push(...outcome.cases);
    if (machine.cpu === "unknown CPU" && outcome.cpu) machine.cpu = outcome.cpu;
    if (outcome.note !== undefined) {
      notes.push(outcome.note);
      say(`  note: ${outcome.note}`);
    }
  }
  return {
    machine,
    plan,
    ...("scrape" in python ? { pythonScrape: python.scrape } : {}),
    notes,
    cases,
  };
}

async function draw(results: Results, readme: boolean): Promise<void> {
  await Deno.mkdir(CHARTS, { recursive: true });
  for (const chart of allCharts(results)) {
    say(`drawing bench/charts/${chart.name}.svg`);
    await Deno.writeTextFile(
      new URL(`${chart.name}.svg`, CHARTS),
      await renderSvg(chart.spec),
    );
  }
  if (readme) {
    say("writing the README's section");
    const text = await Deno.readTextFile(README);
    await Deno.writeTextFile(README, splice(text, readmeSection(results)));
    // Its tables aligned as `deno task check` wants them.
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", README.pathname],
    }).output();
  }
}

const args = new Set(Deno.args);
const from = Deno.args.find((arg) => arg.startsWith("--from="));
const latency = Deno.args.find((arg) => arg.startsWith("--latency="));
let results: Results;
if (from !== undefined) {
  results = JSON.parse(await Deno.readTextFile(from.slice("--from=".length)));
} else {
  const started = performance.now();
  results = await measure(
    args.has("--quick"),
    latency === undefined ? undefined : Number(latency.slice(10)),
  );
  await Deno.mkdir(new URL(".", RESULTS), { recursive: true });
  await Deno.writeTextFile(RESULTS, JSON.stringify(results, null, 1) + "\n");
  say(
    `wrote bench/results/tutorial.json (${
      Math.round((performance.now() - started) / 1e3)
    } s of measuring)`,
  );
}
await draw(results, !args.has("--no-readme"));
for (const note of notesOf(results)) say(`note: ${note}`);
