// Run by manager_test.ts with --allow-ffi and an unscoped --allow-net: the
// Sync methods of proxies, which block their thread on a socket of their
// own. Prints one line per check, which the test compares.

import { proxyFor } from "../proxies.ts";
import {
  type DictProxy,
  Manager,
  ManagerConnectionError,
  Process,
} from "../../mod.ts";

const tasks = new URL("./manager_tasks.ts", import.meta.url);
const say = (...parts: unknown[]) => console.log(parts.join(" "));
const raises = (f: () => unknown) => {
  try {
    f();
    return "no error";
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

const manager = await Manager.start();
say("address", manager.address.transport);

// The containers, from this thread (the server is a process of its own).
const d = await manager.dict<string, number>([["a", 1]]);
d.setSync("b", 2);
d.updateSync({ c: 3 });
say("dict", JSON.stringify([...d.toMapSync()]), d.sizeSync(), d.hasSync("c"));
say("dict pop", d.popSync("c"), d.popSync("c", -1), d.addSync("a", 10));
say("dict missing", raises(() => d.popSync("nothing")));
const l = await manager.list([1, 2, 3]);
l.appendSync(4);
l.reverseSync();
say("list", JSON.stringify(l.toArraySync()), l.lengthSync(), l.atSync(-1));
const n = await manager.Namespace({ y: 1 });
n.setSync("z", 2);
say("namespace", JSON.stringify(n.toObjectSync()));
// What the async methods see, and a nested proxy.
say("async sees", await d.get("b"), JSON.stringify(await l.toArray()));
d.setSync("inner", await manager.list(["x"]) as never);
say(
  "nested",
  JSON.stringify((d.getSync("inner") as never as typeof l).toArraySync()),
);

// The tutorial's process-manager.py, the children on Sync methods.
const tl = await manager.list([[1, 2, 3]]);
const td = await manager.dict<string, number>([["x", 10]]);
const tn = await manager.Namespace({ y: 3.14 });
for (let i = 0; i < 3; i++) {
  const p = new Process({
    module: tasks,
    target: "userInputSync",
    args: [tl, td, tn],
  });
  p.start();
  await p.join();
}
say(
  "tutorial",
  JSON.stringify(tl.toArraySync()),
  td.getSync("x"),
  (tn.getSync("y") as number).toFixed(2),
);

// 4 processes x 2,000 increments under a Manager Lock, on Sync methods.
const [lock, value] = [await manager.Lock(), await manager.Value("i", 0)];
const counters = [0, 1, 2, 3].map(() =>
  new Process({ module: tasks, target: "countSync", args: [lock, value, 2000] })
);
for (const p of counters) p.start();
for (const p of counters) await p.join();
say("increments", value.getSync(), counters.map((p) => p.exitCode).join(","));

// A wait with a timeout: the lock is held by this thread's async
// connection, another client to the Manager.
await lock.acquire();
say("timeout", lock.acquireSync({ timeout: 50 }));
await lock.release();
say("acquired", lock.acquireSync({ timeout: 1000 }), lock.lockedSync());
lock.releaseSync();

// Over TCP too.
await using tcp = await Manager.start({ address: { hostname: "127.0.0.1" } });
const t = await tcp.dict<string, number>();
t.setSync("k", 7);
say("tcp", t.getSync("k"));

// A Manager this thread serves would never answer a blocking call.
await using here = await Manager.start({ serveInProcess: true });
const h = await here.dict();
say("served here", raises(() => h.getSync("k")));

// A wrong key: refused by the blocking handshake too.
const forged = proxyFor({
  address: manager.address,
  authkey: new TextEncoder().encode("wrong"),
  maxFrameBytes: 1024,
  id: 1,
  kind: "dict",
});
say("wrong key", raises(() => forged.getSync("a")));
await manager.share("d", d);
await using right = await Manager.connect({
  address: manager.address,
  authkey: manager.authkey,
});
const shared = await right.get("d") as DictProxy<string, number>;
say("shared", shared.getSync("b"));

// The server killed: a Sync call throws, it does not hang.
Deno.kill(manager.pid!, "SIGKILL");
await new Promise((resolve) => setTimeout(resolve, 200));
const gone = raises(() => d.getSync("a"));
say("server gone", gone.startsWith(new ManagerConnectionError("").name));
