// Task module for pools/process_pool_test.ts: the thread pool's tasks, and
// those that only mean something in a process of its own.

import { currentProcess, currentThread } from "../current.ts";

export * from "./tasks.ts";

/** The process the task runs in. */
export function pid(): number {
  return Deno.pid;
}

/** Sleeps `ms`, then returns the pid: a task that the test can kill. */
export async function pidAfter(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Deno.pid;
}

/** Computes forever: only killing its process stops it. */
export function spinForever(): never {
  for (;;) {
    // Busy, and never looks at a signal.
  }
}

/** Writes `text` to stdout and `error` to stderr, as a task's output. */
export function print(text: string, error: string): number {
  console.log(text);
  console.error(error);
  return text.length;
}

/** Reads a file: fails where the process may not read. */
export function readText(path: string): string {
  return Deno.readTextFileSync(path);
}

/** Whether the task sees the process's stdin as ended (it is the pool's). */
export function stdinEnded(): boolean {
  return Deno.stdin.readSync(new Uint8Array(8)) === null;
}

/** Ends the process with 7 if it is named `expected`, else 1. */
export function exitIfNamed(expected: string): never {
  Deno.exit(currentProcess().name === expected ? 7 : 1);
}

/** The names of the process and thread the task runs in. */
export function names(): [process: string, thread: string] {
  return [currentProcess().name, currentThread().name];
}

/** Writes a file: fails where the process may not write. */
export function writeText(path: string, text: string): void {
  Deno.writeTextFileSync(path, text);
}

let marks = 0;

/** Counts a run in this process. */
export function mark(): void {
  marks++;
}

/** How many times `mark` ran in this process. */
export function marked(): number {
  return marks;
}

/** An initializer that takes `ms` to finish: the process is not ready until then. */
export async function slowInit(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
