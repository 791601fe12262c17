// For the demo tests: runs a demo as `deno task demo NAME` does, in a
// `deno run` of its own, and returns its exit code and output lines.

import { DEMOS } from "./main.ts";
import { runScript } from "../pools/testdata/run_program.ts";

/** A finished demo: its exit code, its stdout lines and its stderr. */
export interface DemoRun {
  code: number;
  lines: string[];
  stderr: string;
}

/** Runs demo `name` with the flags the runner gives it. */
export async function runDemo(name: string): Promise<DemoRun> {
  const { flags } = DEMOS[name]!;
  const { code, stdout, stderr } = await runScript(
    new URL(`./${name}.ts`, import.meta.url),
    [],
    flags,
  );
  return { code, lines: stdout.trimEnd().split("\n"), stderr };
}

/**
 * The index of the one line that ends with `text`.
 *
 * @throws {Error} If none does, or more than one.
 */
export function lineOf(lines: string[], text: string): number {
  const found = lines.flatMap((line, i) => line.endsWith(text) ? [i] : []);
  if (found.length !== 1) {
    throw new Error(
      `${found.length} lines end with ${JSON.stringify(text)}:\n${
        lines.join("\n")
      }`,
    );
  }
  return found[0]!;
}
