// A program that pools/process_test.ts runs as a subprocess: it starts a
// Process that sleeps for `ms` (a daemon if asked), prints its pid, and
// ends without joining it. A non-daemon keeps the program alive until it
// ends; a daemon is killed.

import { Process } from "../mod.ts";

const [kind, ms] = [Deno.args[0], Number(Deno.args[1])];
const child = new Process({
  target: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  args: [ms],
  daemon: kind === "daemon",
});
child.start();
console.log(child.pid);
if (kind === "throw") throw new Error("the program failed");
