// Run by manager_test.ts with --allow-ffi and an unscoped --allow-net: the
// Sync methods of proxies, which block their thread on a socket of their
// own. Prints one line per check, which the test compares.

import { proxyFor } from "../proxies.ts";
import {
  type DictProxy,
  Manager,
  ManagerConnectionError,
  Process,
  Thread,
  ThreadPool,
} from "../../mod.ts";
import type * as Tasks from "./manager_tasks.ts";

const tasks = new URL("./manager_tasks.ts", import.meta.url);
const say = (...parts: unknown[]) => console.log(parts.join(" "));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outcome = (promise: Promise<unknown>) =>
  promise.then(String, (error) => (error as Error).name);
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
d.setSync("last", 9);
say("dict popItem", JSON.stringify(d.popItemSync()));
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

// waitForSync: the predicate (on Sync methods) is true at once, then
// false until the timeout.
const cond = await manager.Condition();
cond.acquireSync();
say(
  "waitFor",
  cond.waitForSync(() => value.getSync() === 8000),
  cond.waitForSync(() => value.getSync() === 0, { timeout: 30 }),
);
cond.releaseSync();

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

// A worker thread's blocking connection ends with the thread (Deno would
// keep it open until the process ends): a lock taken with acquireSync is
// given back when the worker ends by itself, when its pool terminates it
// while it holds one, and when a Thread's code returns; a worker terminated
// while it waits for a lock is not given it.
const taken = await manager.Lock();
{
  await using pool = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 1 });
  say("worker took", await pool.submit("acquireSync", taken));
}
// As a dead thread's lock: the next acquirer is told once, and it is free.
say("worker ended", await outcome(taken.acquire({ timeout: 5000 })));
// Each task says it has begun (a task stopped before that is dropped, not
// terminated), and is stopped once it holds the lock, or waits for it.
const begun = await manager.Event();
{
  await using pool = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 1 });
  const stop = new AbortController();
  const forever = pool.apply("acquireSyncForever", [taken, begun], {
    signal: stop.signal,
  });
  while (!await taken.locked()) await delay(10);
  stop.abort();
  say("worker stuck", await outcome(forever));
}
say("worker terminated", await outcome(taken.acquire({ timeout: 5000 })));
await taken.acquire();
await begun.clear();
{
  await using pool = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 1 });
  const stop = new AbortController();
  const waiting = pool.apply("acquireSyncForever", [taken, begun], {
    signal: stop.signal,
  });
  await begun.wait();
  await delay(100); // long enough to be waiting in acquireSync, usually
  stop.abort();
  say("worker waiting", await outcome(waiting));
}
await taken.release();
say("worker never got it", await outcome(taken.acquire({ timeout: 5000 })));
await taken.release();
const thread = new Thread({
  target: { module: tasks, name: "acquireSync" },
  args: [taken],
});
thread.start();
await thread.join();
say("thread ended", await outcome(taken.acquire({ timeout: 5000 })));

// The server killed: a Sync call throws, it does not hang.
Deno.kill(manager.pid!, "SIGKILL");
await new Promise((resolve) => setTimeout(resolve, 200));
const gone = raises(() => d.getSync("a"));
say("server gone", gone.startsWith(new ManagerConnectionError("").name));
