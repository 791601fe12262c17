// The keeper of a Process (`process.ts`): a worker thread that starts the
// child, hands it its setup, and waits for it to end, then writes its pid
// and exit code into shared words. Because a thread of its own waits for
// the child, `joinSync` can block the program's thread on those words; and
// a non-daemon Process keeps the program alive by keeping its keeper ref'd.

import { workerData } from "node:worker_threads";
import { exitCodeOf } from "./_children.ts";
import {
  type KeeperData,
  PROCESS_CODE,
  PROCESS_DONE,
  PROCESS_PID,
} from "./_process_setup.ts";

const { info, command, setup, daemon } = workerData as KeeperData;

function publish(index: number, value: number): void {
  Atomics.store(info, index, value);
  Atomics.notify(info, index);
}

try {
  const child = new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  publish(PROCESS_PID, child.pid);
  const writer = child.stdin.getWriter();
  try {
    await writer.write(setup);
    // A daemon's stdin stays open: it ends when this program does, and
    // the child takes that as its parent gone.
    if (!daemon) await writer.close();
  } catch {
    // It died at once: its status says how.
  }
  publish(PROCESS_CODE, exitCodeOf(await child.status));
} catch (error) {
  console.error(`Cannot start Process: ${(error as Error).message}`);
  publish(PROCESS_PID, -1);
  publish(PROCESS_CODE, 1);
}
publish(PROCESS_DONE, 1);
