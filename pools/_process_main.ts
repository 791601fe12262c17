// The entry of a Process's child (`deno run` of this file, started by
// `_process_keeper.ts`): read the setup from stdin, run the target once,
// and end with 0, or with 1 after printing the error, as Python's
// `Process.run` does. A daemon's stdin stays open while its parent lives:
// its end means the parent is gone, and the child ends too.

import { setProcessName } from "./current.ts";
import { decodeMessage, MessageReader } from "./_process_wire.ts";
import type { ProcessMainSetup } from "./_process_setup.ts";
import { TaskTable } from "./_task_table.ts";

const input = new MessageReader();
let body = input.next();
while (body === undefined) {
  if (!input.fill((into) => Deno.stdin.readSync(into))) Deno.exit(1);
  body = input.next();
}
const setup = decodeMessage(body) as ProcessMainSetup;
setProcessName(setup.name);

if (setup.daemon) {
  (async () => {
    const buffer = new Uint8Array(64);
    while (await Deno.stdin.read(buffer) !== null) {
      // Nothing more is sent: wait for the end.
    }
    Deno.exit(1);
  })();
}

try {
  const tasks = await TaskTable.load(setup.module);
  await tasks.run(setup.target, setup.args);
} catch (error) {
  console.error(`Process ${setup.name}:`, error);
  Deno.exit(1);
}
Deno.exit(0);
