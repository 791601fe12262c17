// The Manager's server process (`Manager.start`): its setup comes on stdin
// as one line of JSON (so the key is never on a command line), it answers
// with the address it listens on, and it ends when stdin does: when the
// Manager shuts down, and when the program that started it ends in any
// way, SIGKILL included.

import type { Address } from "./_address.ts";
import { ManagerServer } from "./_server.ts";

interface Setup {
  readonly address: Address;
  readonly authkey: number[];
  readonly maxFrameBytes: number;
}

const reader = Deno.stdin.readable.getReader();
const decoder = new TextDecoder();
let text = "";
while (!text.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) Deno.exit(1);
  text += decoder.decode(value, { stream: true });
}
const setup = JSON.parse(text.slice(0, text.indexOf("\n"))) as Setup;
const server = new ManagerServer({
  authkey: new Uint8Array(setup.authkey),
  maxFrameBytes: setup.maxFrameBytes,
});
const address = server.listen(setup.address);
await Deno.stdout.write(
  new TextEncoder().encode(JSON.stringify(address) + "\n"),
);
server.closed.then(() => Deno.exit(0));
// Until stdin ends.
while (!(await reader.read()).done);
server.close();
Deno.exit(0);
