// The report's charts (bench/report.ts): Vega-Lite specs built from the
// figures of bench/_report_data.ts, compiled by vega-lite and rendered to
// SVG by vega, headless (no browser, no canvas: vega estimates text widths).
// Every chart says what it measures and on what machine.

import * as vegaLite from "npm:vega-lite@6.5.0";
import * as vega from "npm:vega@6.4.0";
import {
  crossoverPoints,
  idealSpeedups,
  machineLine,
  overheads,
  pictures,
  type Results,
  scrapeLaps,
  scrapeLimits,
  speedups,
} from "./_report_data.ts";
import { SCALING_TASKS } from "./_tutorial_plan.ts";

/** A Vega-Lite spec (the subset built here is not typed further). */
// deno-lint-ignore no-explicit-any
export type Spec = Record<string, any>;

/** One chart: its file name (without .svg), and its spec. */
export interface Chart {
  name: string;
  spec: Spec;
}

const RUNTIME_COLORS = {
  domain: ["Deno", "Python"],
  range: ["#2f6fb0", "#e08a1e"],
};

/** The title block: what the chart measures, then the machine. */
function title(
  results: Results,
  text: string,
  lines: string[],
  rows: number,
): Spec {
  const empty = rows === 0
    ? ["No results for this chart: see the notes of the report."]
    : [];
  return {
    text,
    subtitle: [...lines, ...empty, machineLine(results)],
    anchor: "start",
    subtitleColor: "#444",
  };
}

const CONFIG = {
  background: "white",
  font: "sans-serif",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
};

/** The tutorial's four pictures, one chart each. */
export function pictureCharts(results: Results): Chart[] {
  return pictures(results).map((picture) => ({
    name: picture.key,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title(results, picture.title, [
        "Seconds for the tutorial's pair of tasks (lower is better); each pool warm, each side in the same run.",
        "Each panel has its own scale.",
      ], picture.bars.length),
      data: {
        values: picture.bars.map((bar) => ({
          ...bar,
          label: `${bar.runtime} ${bar.how}`,
          text: seconds(bar.seconds),
        })),
      },
      facet: {
        column: {
          field: "workload",
          type: "nominal",
          title: null,
          sort: [...new Set(picture.bars.map((bar) => bar.workload))],
        },
      },
      spec: {
        width: 240,
        height: 220,
        encoding: {
          x: {
            field: "label",
            type: "nominal",
            sort: null,
            title: null,
            axis: { labelAngle: -40, labelLimit: 400 },
          },
          y: { field: "seconds", type: "quantitative", title: "seconds" },
        },
        layer: [
          {
            mark: "bar",
            encoding: {
              color: {
                field: "runtime",
                type: "nominal",
                scale: RUNTIME_COLORS,
                title: "runtime",
              },
            },
          },
          {
            mark: { type: "text", dy: -6, fontSize: 10 },
            encoding: { text: { field: "text" } },
          },
        ],
      },
      resolve: { scale: { y: "independent" } },
      config: CONFIG,
    },
  }));
}

/** Speed-up against workers, with the ideal lines. */
export function speedupChart(results: Results): Chart {
  const measured = speedups(results);
  // Its own field, so that its legend does not merge with the measured one.
  const ideal = idealSpeedups(results).map(({ series, ...point }) => ({
    ...point,
    ideal: series,
  }));
  return {
    name: "speedup_by_workers",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title(results, "Speed-up against the number of workers", [
        `${SCALING_TASKS} CPU-bound tasks of ~${results.plan.scalingMs} ms (the tutorial's loop, calibrated on each side), over the same tasks one after the other.`,
        "Higher is better; no pool beats the number of cores.",
      ], measured.length),
      width: 520,
      height: 300,
      encoding: {
        x: {
          field: "x",
          type: "quantitative",
          scale: { type: "log", base: 2 },
          axis: { values: [1, 2, 4, 8], format: "d" },
          title: "workers",
        },
        y: { field: "speedup", type: "quantitative", title: "speed-up (x)" },
      },
      layer: [
        {
          data: { values: ideal },
          mark: { type: "line", color: "#999" },
          encoding: {
            strokeDash: {
              field: "ideal",
              type: "nominal",
              scale: { range: [[4, 4], [1, 3]] },
              legend: null,
            },
          },
        },
        {
          data: { values: ideal.filter((p) => p.x === 8) },
          mark: { type: "text", align: "right", dx: -6, dy: -8, color: "#666" },
          encoding: { text: { field: "ideal" } },
        },
        {
          data: { values: measured },
          mark: { type: "line", point: true },
          encoding: {
            color: { field: "series", type: "nominal", title: "measured" },
          },
        },
      ],
      config: CONFIG,
    },
  };
}

/** µs per task round trip, per contender, on a log scale. */
export function overheadChart(results: Results): Chart {
  const rows = overheads(results).map((row) => ({
    ...row,
    family: row.contender.startsWith("Python")
      ? "Python"
      : /^(ThreadPool|ProcessPool)/.test(row.contender)
      ? "this module"
      : "peers",
    text: `${row.microseconds.toPrecision(3)} µs`,
  }));
  return {
    name: "overhead_per_task",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title(results, "Per-task overhead of a pool", [
        "µs from submit to result of a no-op task, one task at a time, 2 workers (lower is better).",
        "From bench/pool_bench.ts (threads) and bench/process_bench.ts (processes, Python's executors).",
      ], rows.length),
      width: 460,
      height: { step: 26 },
      data: { values: rows },
      encoding: {
        y: {
          field: "contender",
          type: "nominal",
          sort: { field: "microseconds", op: "min" },
          title: null,
          axis: { labelLimit: 260 },
        },
        x: {
          field: "microseconds",
          type: "quantitative",
          title: "µs per task",
        },
      },
      layer: [
        {
          mark: "bar",
          encoding: {
            color: {
              field: "family",
              type: "nominal",
              scale: {
                domain: ["this module", "peers", "Python"],
                range: ["#2f6fb0", "#8a8a8a", "#e08a1e"],
              },
              title: null,
            },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
          encoding: { text: { field: "text" } },
        },
      ],
      config: CONFIG,
    },
  };
}

/** Speed-up against task size, with the line where a pool stops paying. */
export function crossoverChart(results: Results): Chart {
  const points = crossoverPoints(results);
  return {
    name: "crossover",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title(results, "The crossover: when a pool pays", [
        "Speed-up of 2 workers over the calling thread alone, against the work in one task (the tutorial's loop, one call per task).",
        "Below 1 (the rule), sending a task costs more than running it; log scales.",
      ], points.length),
      width: 520,
      height: 300,
      data: { values: points },
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: {
              field: "x",
              type: "quantitative",
              scale: { type: "log" },
              title: "µs of work per task",
            },
            y: {
              field: "speedup",
              type: "quantitative",
              scale: { type: "log" },
              title: "speed-up (x)",
            },
            color: { field: "series", type: "nominal", title: null },
          },
        },
        {
          data: { values: [{ y: 1 }] },
          mark: { type: "rule", strokeDash: [4, 4], color: "#444" },
          encoding: { y: { field: "y", type: "quantitative" } },
        },
      ],
      config: CONFIG,
    },
  };
}

/** The scrape against its physical limit. */
export function scrapeChart(results: Results): Chart {
  const laps = scrapeLaps(results).map((lap) => ({
    ...lap,
    text: `${seconds(lap.seconds)} (${lap.ofLimit.toFixed(2)}x the limit)`,
  }));
  const { one, all } = scrapeLimits(results);
  return {
    name: "scrape_race",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title(results, "The scraping race", [
        `9 pages from a local server that answers each after ${results.plan.latencyMs} ms; the first <p> of each parsed.`,
        `The physical limit is one page's latency (${
          seconds(one)
        }, the left rule); one after another takes 9 of them (${
          seconds(all)
        }, the right rule).`,
      ], laps.length),
      width: 460,
      height: { step: 26 },
      data: { values: laps },
      layer: [
        {
          mark: "bar",
          encoding: {
            y: {
              field: "variant",
              type: "nominal",
              sort: null,
              title: null,
              axis: { labelLimit: 260 },
            },
            x: {
              field: "seconds",
              type: "quantitative",
              title: "seconds for 9 pages",
            },
            color: {
              field: "runtime",
              type: "nominal",
              scale: RUNTIME_COLORS,
              title: null,
              legend: { orient: "bottom" },
            },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
          encoding: {
            y: { field: "variant", type: "nominal", sort: null },
            x: { field: "seconds", type: "quantitative" },
            text: { field: "text" },
          },
        },
        {
          data: { values: [{ x: one }, { x: all }] },
          mark: { type: "rule", strokeDash: [4, 4], color: "#444" },
          encoding: { x: { field: "x", type: "quantitative" } },
        },
      ],
      config: CONFIG,
    },
  };
}

/** Every chart of the report. */
export function allCharts(results: Results): Chart[] {
  return [
    ...pictureCharts(results),
    speedupChart(results),
    overheadChart(results),
    crossoverChart(results),
    scrapeChart(results),
  ];
}

/** A spec compiled by vega-lite and rendered to SVG by vega. */
export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = vegaLite.compile(spec as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Seconds, or ms below one. */
export function seconds(value: number): string {
  return value >= 1
    ? `${value.toFixed(2)} s`
    : `${(value * 1e3).toPrecision(3)} ms`;
}
