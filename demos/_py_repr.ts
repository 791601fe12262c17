// How the process demos print what they log: as Python's `repr` and
// `logging` would, so that their output reads like the tutorial's.

import type { Process } from "../mod.ts";
import { currentProcess } from "../mod.ts";

/**
 * Python's `repr` of a JavaScript value: `None`, `True`, `'text'`,
 * `[1, 2]`, `{'x': 0}` (a Map or a plain object).
 */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (value instanceof Map) {
    const items = [...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
    return `{${items.join(", ")}}`;
  }
  if (typeof value === "object") {
    const items = Object.entries(value).map(([k, v]) =>
      `${pyRepr(k)}: ${pyRepr(v)}`
    );
    return `{${items.join(", ")}}`;
  }
  return String(value);
}

/** The names Python gives the exit codes of the usual signals. */
const SIGNALS: Record<number, string> = {
  [-2]: "-SIGINT",
  [-9]: "-SIGKILL",
  [-15]: "-SIGTERM",
};

/**
 * Python's `repr` of a `multiprocessing.Process`, as seen by its parent:
 * `<Process name='Process-1' pid=42 parent=41 stopped exitcode=0 daemon>`.
 */
export function processRepr(p: Process): string {
  const info = ["Process", `name='${p.name}'`];
  if (p.pid !== undefined) info.push(`pid=${p.pid}`);
  info.push(`parent=${Deno.pid}`);
  const code = p.exitCode;
  if (p.pid === undefined) info.push("initial");
  else if (code === null) info.push("started");
  else info.push("stopped", `exitcode=${SIGNALS[code] ?? code}`);
  if (p.daemon) info.push("daemon");
  return `<${info.join(" ")}>`;
}

/**
 * Python's `logging.debug(message)` with the tutorial's format,
 * `%(processName)s >> %(message)s`. It writes to stdout (Python's logging
 * writes to stderr), so that its lines keep their order with the prints of
 * every process, which share this stream.
 */
export function debug(message: unknown): void {
  const text = typeof message === "string" ? message : pyRepr(message);
  console.log(`${currentProcess().name} >> ${text}`);
}

/** Milliseconds since `start`, rounded, for the demos' timings. */
export function since(start: number): string {
  return `${Math.round(performance.now() - start)} ms`;
}
