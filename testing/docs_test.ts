// The rendered docs match the code: what `deno doc` prints for the public
// API shows every documented member and the real signatures (a get/set
// pair, or a parameter with a default, used to render wrongly or not at
// all).

import { ok } from "node:assert/strict";

async function rendered(file: string): Promise<string> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", new URL(file, import.meta.url).pathname],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  ok(success, `deno doc ${file} failed`);
  return new TextDecoder().decode(stdout);
}

Deno.test("docs: deno doc shows Thread's name and daemon, and Value's value", async () => {
  const thread = await rendered("../pools/thread.ts");
  ok(/^ {2}name: string$/m.test(thread), "Thread.name is missing");
  ok(/^ {2}daemon: boolean$/m.test(thread), "Thread.daemon is missing");
  const shared = await rendered("../primitives/value.ts");
  ok(/^ {2}value: ElementOf<T>$/m.test(shared), "Value.value is missing");
});

Deno.test("docs: deno doc shows optional constructor arguments as optional", async () => {
  const queue = await rendered("../primitives/queue.ts");
  ok(
    queue.includes("constructor(maxsize?: number, options?: QueueOptions)"),
    "Queue's constructor",
  );
  const semaphore = await rendered("../primitives/semaphore.ts");
  ok(semaphore.includes("constructor(value?: number)"), "Semaphore's");
  const errors = await rendered("../primitives/errors.ts");
  // Six of the errors have a default message.
  ok(
    errors.split("constructor(message?: string)").length - 1 === 6,
    "the errors' default messages",
  );
});
