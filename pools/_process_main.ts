// The entry of a Process's child (`deno run` of this file, started by
// `process.ts`): read the setup from its arguments, run the target once,
// and end with 0, or with 1 after printing the error, as Python's
// `Process.run` does. A daemon's stdin stays open while its parent lives:
// its end means the parent is gone, and the child ends too.

import { setProcessName } from "./_process_name.ts";
import {
  decodeMessage,
  MessageReader,
  type ProcessMainSetup,
} from "./_process_wire.ts";
import { TaskTable } from "./_task_table.ts";
import {
  adoptHeap,
  adoptIdent,
  needsV8,
} from "../primitives/_codec_internals.ts";
import { revived } from "./_wire.ts";

const input = new MessageReader();
input.push(
  (Uint8Array as unknown as { fromBase64(text: string): Uint8Array })
    .fromBase64(Deno.args.join("")),
);
const body = input.next()!;
// node:v8, only if what it runs needs it (_process_worker.ts says why).
if (needsV8(body[0]!)) await import("../primitives/_codec_clone.ts");
const setup = decodeMessage(body) as ProcessMainSetup;
setProcessName(setup.name);

if (
  setup.daemon &&
  Deno.permissions.querySync({ name: "run" }).state === "granted"
) {
  new Worker(new URL("./_orphan_watch.ts", import.meta.url), {
    type: "module",
  });
} else if (setup.daemon) {
  // Only while the main thread is free to notice.
  (async () => {
    const buffer = new Uint8Array(64);
    while (await Deno.stdin.read(buffer) !== null) {
      // Nothing more is sent: wait for the end.
    }
    Deno.exit(1);
  })();
}

try {
  // Before anything takes a thread id: ids come from the heap's counter.
  if (setup.heap !== undefined) adoptHeap(setup.heap);
  if (setup.ident !== undefined) adoptIdent(setup.ident);
  const args = await revived(setup.args);
  const tasks = await TaskTable.load(setup.module);
  await tasks.run(setup.target, args);
} catch (error) {
  console.error(`Process ${setup.name}:`, error);
  Deno.exit(1);
}
Deno.exit(0);
