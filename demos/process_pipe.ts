/**
 * Python's `multi-process/process-pipe.py`: a child process sends
 * `['test']` on a `Pipe`, sleeps, then closes its end. The parent receives
 * the message as soon as it is sent, while the child still runs (Python's
 * commented-out `p.join()` before the `recv` would make it wait for the
 * child's end); once the child has closed its end, a further `recv` throws
 * `EOFError`.
 *
 * On Deno the Pipe lives in memory that the processes share (this needs
 * `--allow-ffi`), and a process start costs about 100 ms; the child sleeps
 * 5 s in Python, 500 ms here.
 *
 * Run it with
 * `deno run --allow-read --allow-run --allow-ffi demos/process_pipe.ts`.
 *
 * @module
 */
import { Pipe, Process } from "../mod.ts";
import { debug, processRepr, pyRepr, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);
const WAIT = { timeout: 10_000 };

/** The settings of this demo; the tests may make them small. */
export interface ProcessPipeOptions {
  /** What the child sleeps between send and close, in ms (default 500). */
  sleepMs?: number;
}

/**
 * Runs the child and receives its message, logging as it goes.
 *
 * @returns The message, and the child's exit code.
 */
export async function processPipe(
  options: ProcessPipeOptions = {},
): Promise<{ message: string[]; exitCode: number | null }> {
  const { sleepMs = 500 } = options;
  const [parentConn, childConn] = Pipe<string[]>();
  const p = new Process({
    module: tasks,
    target: "sendAndClose",
    args: [parentConn, sleepMs],
  });
  const start = performance.now();
  p.start();
  // p.join() here would wait for the child's end.
  const message = await childConn.recv(WAIT);
  debug(`child_process >> ${pyRepr(message)}`);
  debug(`received after ${since(start)}; the child still runs: ${p.isAlive}`);
  const end = await childConn.recv(WAIT).catch((error) => error.name);
  debug(`then recv: ${end}, after ${since(start)}`);
  await p.join();
  debug(processRepr(p));
  return { message, exitCode: p.exitCode };
}

if (import.meta.main) await processPipe();
