// How a thread that blocks learns that a child process has ended (Process's
// `joinSync`): while this thread blocks, Deno cannot collect the child's
// status, so an ended child stays a zombie, and Linux shows a zombie's state
// and its wait status in /proc/<pid>/stat (field 3 and field 52, since Linux
// 3.5). Deno lets a program read /proc/<pid> only with --allow-all
// (measured: --allow-read=/proc is refused), so without it the file is read
// by `cat`, which costs a process start (about a millisecond) per look.

import { quote } from "../internal/options.ts";

/**
 * The exit code of child `pid` if it has ended (0-255, or minus the signal
 * that killed it), `null` if it has ended and its status was already
 * collected, or undefined while it runs.
 *
 * @throws {Error} Off Linux.
 * @throws {Deno.errors.NotCapable} If it may neither read /proc nor run `cat`.
 */
export function exitCodeOfZombie(pid: number): number | null | undefined {
  if (Deno.build.os !== "linux") {
    throw new Error(
      `Cannot join a Process synchronously on ${
        quote(Deno.build.os)
      }: joinSync needs Linux's /proc; use join()`,
    );
  }
  const stat = readStat(`/proc/${pid}/stat`);
  if (stat === undefined) return null;
  // The name in parentheses may hold spaces: the fields start after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] !== "Z") return undefined;
  const status = Number(fields[49]);
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : -signal;
}

/** Whether this program may read /proc/<pid> itself (with --allow-all). */
let readsProc = true;

/** The text of a stat file, or undefined if it is gone. */
function readStat(path: string): string | undefined {
  if (readsProc) {
    try {
      return Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
      readsProc = false;
    }
  }
  let output: Deno.CommandOutput;
  try {
    output = new Deno.Command("cat", {
      args: [path],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
  } catch (error) {
    throw new Deno.errors.NotCapable(
      `Cannot join a Process synchronously: joinSync reads ${path} with cat, which needs --allow-run=cat or --allow-all (or use join()): ${
        (error as Error).message
      }`,
    );
  }
  return output.success ? new TextDecoder().decode(output.stdout) : undefined;
}
