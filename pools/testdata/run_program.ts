// Runs the programs of pools/testdata in `deno run` subprocesses, for the
// tests of how a program that uses pools, threads and processes ends.

/** What a finished subprocess left behind. */
export interface ProgramOutput {
  /** Its exit code. */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/**
 * The longest a program may run (a bound, not a timing): one that does not
 * end by then is killed, and its exit code says so.
 */
export const PROGRAM_BOUND_MS = 20_000;

/**
 * Runs `program.ts SCENARIO` with `options.flags` and `--allow-read` (unless
 * `read` is false), killing it after the bound.
 */
export async function runProgram(
  scenario: string,
  options: { flags?: string[]; read?: boolean } = {},
): Promise<ProgramOutput> {
  return await runScript(new URL("./program.ts", import.meta.url), [scenario], [
    ...(options.flags ?? []),
    ...(options.read === false ? [] : ["--allow-read"]),
  ]);
}

/**
 * Runs `script` with `args` and `flags` (by default `--allow-read
 * --allow-run`), killed after `bound` ms (by default the bound), its stdin
 * empty.
 */
export async function runScript(
  script: URL,
  args: string[],
  flags: string[] = ["--allow-read", "--allow-run"],
  bound: number = PROGRAM_BOUND_MS,
): Promise<ProgramOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, script.pathname, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    signal: AbortSignal.timeout(bound),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
