// How the report (bench/report.ts) runs what it draws: the machine it is
// on, Python's version and scrape libraries, and each bench file under
// `deno bench --json`, with its progress shown as it goes.

import {
  type BenchJson,
  type Case,
  casesOf,
  type Machine,
} from "./_report_data.ts";

/** What python3 says of itself, or why it could not. */
export type PythonInfo = { version: string; scrape: string } | {
  note: string;
};

/** Asks `script --info` of `python` (python3 by default). */
export async function pythonInfo(
  script: string,
  python = "python3",
): Promise<PythonInfo> {
  try {
    const { code, stdout, stderr } = await new Deno.Command(python, {
      args: [script, "--info"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      return {
        note: `${python} ${script} --info failed (exit code ${code}): ${
          new TextDecoder().decode(stderr).trim().split("\n").at(-1)
        }`,
      };
    }
    return JSON.parse(new TextDecoder().decode(stdout));
  } catch (error) {
    return {
      note: error instanceof Deno.errors.NotFound
        ? `${python} was not found: the Python cases are missing (install Python 3 to measure them)`
        : `${python} could not be run: ${error}`,
    };
  }
}

/**
 * The CPU's model name, from /proc/cpuinfo where there is one (Deno reads
 * /proc only with --allow-all; `deno bench` says it too).
 */
export function cpuModel(cpuinfo?: string): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo ?? "");
  return match?.[1]?.trim() ?? "unknown CPU";
}

/** This machine. */
export function thisMachine(python: PythonInfo): Machine {
  let cpuinfo: string | undefined;
  try {
    cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    // Not Linux, or not allowed.
  }
  return {
    cpu: cpuModel(cpuinfo),
    cores: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    ...("version" in python ? { python: python.version } : {}),
    date: new Date().toISOString(),
  };
}

/** One bench file to run: its flags and its environment. */
export interface BenchRun {
  file: string;
  flags: string[];
  env?: Record<string, string>;
}

/** What a run gave: its cases, and a note if it went wrong. */
export interface RunOutcome {
  cases: Case[];
  note?: string;
  /** The CPU, as `deno bench` names it (it reads what Deno may not). */
  cpu?: string;
}

/** Shows progress: a line at a time, and a heartbeat while silent. */
export type Say = (line: string) => void;

const HEARTBEAT_MS = 4_000;

/**
 * Runs `deno bench --json` on one file in `root`, passing each line it
 * writes to stderr on to `say` (the tutorial's benches say each case as it
 * starts), and saying how long it has run whenever it is silent for
 * HEARTBEAT_MS. A file whose run fails still gives the cases it measured,
 * with a note; one that prints no JSON gives a note alone.
 */
export async function runBench(
  root: URL,
  run: BenchRun,
  say: Say,
): Promise<RunOutcome> {
  const started = performance.now();
  let last = "starting";
  let lastSaid = performance.now();
  const heartbeat = setInterval(() => {
    if (performance.now() - lastSaid < HEARTBEAT_MS) return;
    lastSaid = performance.now();
    say(
      `  … ${run.file}: ${
        Math.round((performance.now() - started) / 1e3)
      } s (last: ${last})`,
    );
  }, 1_000);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["bench", "--json", ...run.flags, `bench/${run.file}`],
      cwd: root.pathname,
      env: { NO_COLOR: "1", ...run.env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new Response(child.stdout).text();
    const tail: string[] = [];
    for await (const line of lines(child.stderr)) {
      if (line.trim() === "") continue;
      last = line.trim();
      tail.push(last);
      if (tail.length > 5) tail.shift();
      lastSaid = performance.now();
      say(`  ${last}`);
    }
    const { code } = await child.status;
    return outcome(run.file, code, await stdout, tail);
  } finally {
    clearInterval(heartbeat);
  }
}

/** A run's cases and note, from its exit code, stdout and last stderr lines. */
export function outcome(
  file: string,
  code: number,
  stdout: string,
  tail: string[],
): RunOutcome {
  let json: BenchJson | undefined;
  try {
    json = JSON.parse(stdout);
  } catch {
    // No JSON: the file did not load (a peer from npm missing, a syntax
    // error...).
  }
  if (json === undefined || !Array.isArray(json.benches)) {
    return {
      cases: [],
      note: `${file} did not run (exit code ${code}); its charts lack it: ${
        tail.join(" / ") || "no output"
      }`,
    };
  }
  const cases = casesOf(file, json);
  const cpu = json.cpu === undefined ? {} : { cpu: json.cpu };
  return code === 0 ? { cases, ...cpu } : {
    cases,
    ...cpu,
    note: `${file} exited with code ${code}: some of its cases failed (below).`,
  };
}

async function* lines(stream: ReadableStream<Uint8Array>) {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
  if (buffered) yield buffered;
}
