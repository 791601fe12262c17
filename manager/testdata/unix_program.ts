// Run by manager_test.ts with an unscoped --allow-net, which makes the
// default address an abstract Unix socket: the tutorial's process-manager.py
// through processes that inherit their permissions and one whose
// permissions were narrowed, then a client that connects by the address.
// Prints what the test checks, the socket's name last.

import { Manager, Process } from "../../mod.ts";

const tasks = new URL("./manager_tasks.ts", import.meta.url);
const manager = await Manager.start();
const { address } = manager;
const l = await manager.list([[1, 2, 3]]);
const d = await manager.dict<string, number>([["x", 10]]);
const n = await manager.Namespace({ y: 3.14 });
for (const permissions of ["inherit", { read: true }, "inherit"] as const) {
  const p = new Process({
    module: tasks,
    target: "userInput",
    args: [l, d, n],
    permissions,
  });
  p.start();
  await p.join();
  console.log(`exit ${p.exitCode}`);
}
console.log(JSON.stringify(await l.toArray()), await d.get("x"));
console.log(((await n.get("y")) as number).toFixed(2));
await using client = await Manager.connect({
  address,
  authkey: manager.authkey,
});
await manager.share("d", d);
console.log(await (await client.get("d") as typeof d).get("x"));
console.log(address.transport);
if (address.transport === "unix") console.log(JSON.stringify(address.path));
await manager.shutdown();
