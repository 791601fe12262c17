// The Manager across real processes and threads: the tutorial's
// process-manager.py, locked increments from 4 processes, a client killed
// holding a lock, the server killed under its clients, wrong keys and
// garbage on the socket, and bad input.

import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  AbandonedLockError,
  AuthenticationError,
  type DictProxy,
  ListProxy,
  type LockProxy,
  Manager,
  ManagerConnectionError,
  Process,
  ProcessPool,
  Thread,
  ThreadPool,
  type ValueProxy,
} from "../mod.ts";
import type * as Tasks from "./testdata/manager_tasks.ts";
import { count } from "./testdata/manager_tasks.ts";
import { runScript } from "../pools/testdata/run_program.ts";

const tasks = new URL("./testdata/manager_tasks.ts", import.meta.url);

Deno.test("Manager: the tutorial's process-manager.py, a list, a dict and a Namespace changed by three processes in turn", async () => {
  await using manager = await Manager.start();
  ok(manager.pid !== undefined, "the server runs in a process of its own");
  const l = await manager.list();
  const d = await manager.dict<string, number>();
  const n = await manager.Namespace();
  await l.append([1, 2, 3]);
  await d.set("x", 10);
  await n.set("y", 3.14);
  for (let i = 0; i < 3; i++) {
    const p = new Process({
      module: tasks,
      target: "userInput",
      args: [l, d, n],
    });
    p.start();
    await p.join();
    strictEqual(p.exitCode, 0);
  }
  deepStrictEqual(await l.toArray(), [[1, 2, 3]]);
  deepStrictEqual(await d.toMap(), new Map([["x", 13]]));
  strictEqual(((await n.get("y")) as number).toFixed(2), "6.14");
});

Deno.test("Manager: 4 processes x 5,000 increments of a Manager Value under a Manager Lock end exact", async () => {
  await using manager = await Manager.start();
  const [lock, value] = [await manager.Lock(), await manager.Value("i", 0)];
  const processes = [0, 1, 2, 3].map(() =>
    new Process({ module: tasks, target: "count", args: [lock, value, 5_000] })
  );
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  deepStrictEqual(processes.map((p) => p.exitCode), [0, 0, 0, 0]);
  strictEqual(await value.get(), 20_000);
});

Deno.test("Manager: proxies given to ProcessPool tasks arrive connected, when its processes may reach the Manager", async () => {
  await using manager = await Manager.start();
  const [lock, value] = [await manager.Lock(), await manager.Value("i", 0)];
  await using pool = new ProcessPool<typeof Tasks>(tasks, {
    maxWorkers: 2,
    permissions: { read: true, net: ["127.0.0.1"] },
  });
  const counted = await Promise.all(
    [0, 1].map(() => pool.submit("count", lock, value, 200)),
  );
  deepStrictEqual(counted, [200, 200]);
  strictEqual(await value.get(), 400);
});

Deno.test("Manager: proxies passed to a Thread and to ThreadPool tasks arrive connected", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const [lock, value] = [await manager.Lock(), await manager.Value("i", 0)];
  await using pool = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 2 });
  await Promise.all([0, 1].map(() => pool.submit("count", lock, value, 200)));
  const thread = new Thread({ target: count, args: [lock, value, 100] });
  thread.start();
  await thread.join();
  strictEqual(await value.get(), 500);
});

Deno.test("Manager: a client killed with SIGKILL while it holds a Manager Lock gives it back, and the next acquirer gets AbandonedLockError once", async () => {
  await using manager = await Manager.start();
  const [lock, held] = [await manager.Lock(), await manager.Value("b", false)];
  const p = new Process({
    module: tasks,
    target: "holdForever",
    args: [lock, held],
  });
  p.start();
  for (let i = 0; i < 400 && !await held.get(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  strictEqual(await held.get(), true);
  strictEqual(await lock.acquire({ timeout: 0 }), false);
  p.kill();
  await p.join();
  await rejects(lock.acquire({ timeout: 10_000 }), AbandonedLockError);
  strictEqual(await lock.acquire({ timeout: 10_000 }), true);
  await lock.release();
});

Deno.test("Manager: the server killed under its clients: their calls, waiting or not, reject with ManagerConnectionError and nothing hangs", async () => {
  const manager = await Manager.start();
  const [lock, queue] = [await manager.Lock(), await manager.Queue()];
  await lock.acquire();
  const waiting = [queue.get(), lock.acquire()];
  await new Promise((resolve) => setTimeout(resolve, 50));
  Deno.kill(manager.pid!, "SIGKILL");
  for (const call of waiting) await rejects(call, ManagerConnectionError);
  await rejects(queue.qsize(), ManagerConnectionError);
  await manager.shutdown();
});

Deno.test("Manager: a wrong key is refused before anything is served, and the server goes on serving the others", async () => {
  await using manager = await Manager.start({
    serveInProcess: true,
    authkey: "right",
  });
  await manager.share("d", await manager.dict([["a", 1]]));
  await rejects(
    Manager.connect({ address: manager.address, authkey: "wrong" }),
    AuthenticationError,
  );
  await using client = await Manager.connect({
    address: manager.address,
    authkey: "right",
  });
  strictEqual(await (await client.get("d") as DictProxy).get("a"), 1);
});

async function rawConnection(manager: Manager, bytes: Uint8Array) {
  const { address } = manager;
  const conn = address.transport === "unix"
    ? await Deno.connect(address)
    : await Deno.connect(address);
  await conn.write(bytes).catch(() => {});
  await conn.closeWrite().catch(() => {});
  // The server closes this connection: reads end, with or without bytes
  // of its challenge first.
  const buffer = new Uint8Array(1024);
  for (;;) {
    const read = await conn.read(buffer).catch(() => null);
    if (read === null) break;
  }
  conn.close();
}

Deno.test("Manager: garbage bytes, an oversized length and a cut frame close that connection only", async () => {
  await using manager = await Manager.start({
    serveInProcess: true,
    maxFrameBytes: 4096,
  });
  const d = await manager.dict<string, unknown>([["a", 1]]);
  await rawConnection(manager, crypto.getRandomValues(new Uint8Array(300)));
  await rawConnection(manager, new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]));
  await rawConnection(manager, new Uint8Array([0, 0, 0, 100, 1, 2, 3]));
  strictEqual(await d.get("a"), 1);
  // A call past the limit is refused before it is sent.
  await rejects(d.set("big", "x".repeat(10_000)), {
    name: "RangeError",
    message: /the limit is 4096/,
  });
  strictEqual(await d.get("a"), 1);
});

Deno.test("Manager: a program on another loopback address connects with Manager.connect and sees what was shared", async () => {
  await using manager = await Manager.start({
    address: { hostname: "127.0.0.2" },
    authkey: "key",
  });
  const jobs = await manager.dict<string, number>([["done", 0]]);
  await manager.share("jobs", jobs);
  const program = `
    import { Manager } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
    await using client = await Manager.connect({
      address: ${JSON.stringify(manager.address)},
      authkey: "key",
    });
    const jobs = await client.get("jobs");
    await jobs.add("done", 41);
    console.log(await jobs.get("done"));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", program],
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(code, 0, new TextDecoder().decode(stderr));
  strictEqual(new TextDecoder().decode(stdout), "41\n");
  strictEqual(await jobs.get("done"), 41);
});

Deno.test("Manager: with the whole net permission, the default address is an abstract Unix socket that processes reach and that is gone when the program ends", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./testdata/unix_program.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-net"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  deepStrictEqual(lines.slice(0, -1), [
    "exit 0",
    "exit 0",
    "exit 0",
    "[[1,2,3]] 13",
    "6.14",
    "13",
    "unix",
  ]);
  const path = JSON.parse(lines.at(-1)!) as string;
  ok(path.startsWith("\0parallel-manager-"), path);
  // Abstract sockets show in /proc/net/unix as "@name" (which Deno lets a
  // program read only with --allow-all; cat may).
  const sockets = new TextDecoder().decode(
    (await new Deno.Command("cat", { args: ["/proc/net/unix"] }).output())
      .stdout,
  );
  ok(sockets.includes("Path"), "cat read /proc/net/unix");
  strictEqual(sockets.includes(`@${path.slice(1)}`), false);
});

Deno.test("Manager: the Sync methods of proxies block their thread on a socket of their own, in this thread and in processes, and say what went wrong", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./testdata/sync_program.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-net", "--allow-ffi"],
  );
  strictEqual(code, 0, stderr);
  deepStrictEqual(stdout.trimEnd().split("\n"), [
    "address unix",
    'dict [["a",1],["b",2],["c",3]] 3 true',
    "dict pop 3 -1 11",
    'dict missing RangeError: dict.pop(): no key "nothing"',
    'dict popItem ["last",9]',
    "list [4,3,2,1] 4 1",
    'namespace {"y":1,"z":2}',
    "async sees 2 [4,3,2,1]",
    'nested ["x"]',
    "tutorial [[1,2,3]] 13 6.14",
    "increments 8000 0,0,0,0",
    "timeout false",
    "acquired true true",
    "waitFor true false",
    "tcp 7",
    "served here RangeError: dict.getSync(): this thread serves that Manager (serveInProcess), so a Sync call would block the very thread that must answer it; use the async methods here",
    "wrong key AuthenticationError: The Manager refused the key ('authkey' is wrong)",
    "shared 2",
    "worker took true",
    "worker ended AbandonedLockError",
    "worker stuck AbortError",
    "worker terminated AbandonedLockError",
    "worker waiting AbortError",
    "worker never got it true",
    "thread ended AbandonedLockError",
    "server gone true",
  ]);
});

Deno.test("Manager: without --allow-ffi, a Sync method is a TypeError that names the flag", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const d = await manager.dict([["a", 1]]);
  throws(() => d.getSync("a"), {
    name: "TypeError",
    message:
      /dict\.getSync\(\): .*--allow-ffi .*the async methods need nothing more/,
  });
  strictEqual(await d.get("a"), 1);
});

Deno.test("Manager: every proxy type's methods", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const d = await manager.dict<string, number>({ a: 1 });
  await d.update([["b", 2]]);
  strictEqual(await d.setDefault("c", 3), 3);
  strictEqual(await d.setDefault("c", 4), 3);
  deepStrictEqual(await d.keys(), ["a", "b", "c"]);
  deepStrictEqual(await d.values(), [1, 2, 3]);
  strictEqual(await d.size(), 3);
  strictEqual(await d.pop("a"), 1);
  strictEqual(await d.pop("a", 0), 0);
  await rejects(d.pop("a"), RangeError);
  strictEqual(await d.has("b"), true);
  strictEqual(await d.delete("b"), true);
  strictEqual(await d.get("zz"), undefined);
  strictEqual(await d.get("zz", 7), 7);
  await d.clear();
  strictEqual(await d.size(), 0);

  const l = await manager.list([3, 1, 2]);
  strictEqual(await l.push(5, 4), 5);
  await l.sort();
  deepStrictEqual(await l.toArray(), [1, 2, 3, 4, 5]);
  strictEqual(await l.at(-1), 5);
  await l.set(0, 10);
  strictEqual(await l.pop(), 5);
  strictEqual(await l.pop(0), 10);
  await l.insert(0, 0);
  await l.extend([2]);
  strictEqual(await l.count(2), 2);
  strictEqual(await l.indexOf(3), 2);
  await l.remove(2);
  deepStrictEqual(await l.slice(1), [3, 4, 2]);
  strictEqual(await l.length(), 4);
  await rejects(l.at(10), RangeError);

  const n = await manager.Namespace({ y: 1 });
  strictEqual(await n.add("y", 1), 2);
  strictEqual(await n.has("z"), false);
  await rejects(n.get("z"), RangeError);
  deepStrictEqual(await n.toObject(), { y: 2 });

  const a = await manager.Array("d", [1.5, 2.5]);
  await a.set(1, 3.5);
  strictEqual(await a.get(-1), 3.5);
  strictEqual(await a.length(), 2);

  const r = await manager.RLock();
  strictEqual(await r.acquire(), true);
  strictEqual(await r.acquire(), true); // again, by the same client
  await r.release();
  strictEqual(await r.locked(), true);
  await r.release();
  strictEqual(await r.locked(), false);
  await rejects(r.release(), RangeError);

  const s = await manager.BoundedSemaphore(1);
  strictEqual(await s.tryAcquire(), true);
  strictEqual(await s.acquire({ timeout: 10 }), false);
  await s.release();
  await rejects(s.release(), RangeError);

  const e = await manager.Event();
  strictEqual(await e.wait({ timeout: 10 }), false);
  const woken = e.wait();
  await e.set();
  strictEqual(await woken, true);
  strictEqual(await e.isSet(), true);
  await e.clear();

  const c = await manager.Condition();
  await rejects(c.notify(), RangeError); // not held
  await c.acquire();
  strictEqual(await c.wait({ timeout: 10 }), false);
  await c.notifyAll();
  await c.release();

  const b = await manager.Barrier(2);
  const [i, j] = await Promise.all([b.wait(), b.wait()]);
  deepStrictEqual([i, j].sort(), [0, 1]);
  strictEqual(await b.parties(), 2);
  await b.abort();
  strictEqual(await b.broken(), true);

  const q = await manager.PriorityQueue<number>(2);
  await q.put(3);
  await q.put(1);
  strictEqual(await q.full(), true);
  await rejects(q.put(2, { timeout: 10 }), { name: "QueueFull" });
  strictEqual(await q.get(), 1);
  strictEqual(await q.getNowait(), 3);
  await rejects(q.getNowait(), { name: "QueueEmpty" });
  await q.taskDone();
  await q.taskDone();
  strictEqual(await q.join({ timeout: 100 }), true);
  await q.shutdown();
  await rejects(q.put(1), { name: "QueueShutDown" });
});

Deno.test("Manager: a proxy stored in a dict or a list comes back as a proxy of the same object (Python's nested proxies)", async () => {
  await using manager = await Manager.start();
  const inner = await manager.list<number>([1]);
  const outer = await manager.list<unknown>();
  await outer.append(inner); // CPython's test_list_proxy_in_list
  const d = await manager.dict<string, unknown>();
  await d.set("l", inner); // and test_dict_proxy_nested
  await d.set("deep", { in: [inner], plain: 2 });
  const fromList = (await outer.at(0)) as ListProxy<number>;
  ok(fromList instanceof ListProxy);
  await fromList.append(2);
  deepStrictEqual(await inner.slice(), [1, 2]);
  const fromDict = (await d.get("l")) as ListProxy<number>;
  await fromDict.append(3);
  const deep = (await d.get("deep")) as {
    in: ListProxy<number>[];
    plain: number;
  };
  strictEqual(deep.plain, 2);
  deepStrictEqual(await deep.in[0]!.slice(), [1, 2, 3]);
  // Read in another thread, through its own connection.
  const thread = new Thread({
    target: async (d: DictProxy<string, unknown>) => {
      await ((await d.get("l")) as ListProxy<number>).append(4);
    },
    args: [d],
  });
  thread.start();
  await thread.join();
  deepStrictEqual(await inner.slice(), [1, 2, 3, 4]);
  // A proxy of another Manager is refused, not stored as an empty object.
  await using other = await Manager.start({ serveInProcess: true });
  const foreign = await other.list();
  await rejects(d.set("x", foreign), {
    name: "TypeError",
    message: /cannot be stored in another Manager/,
  });
  await rejects(manager.share("foreign", foreign), {
    name: "TypeError",
    message: /a proxy of the Manager at .*, not of this one/,
  });
  // In the first contents of a container too.
  const made = [
    await (await manager.list([inner])).at(0),
    await (await manager.dict([["l", inner]])).get("l"),
    await (await manager.Namespace({ l: inner })).get("l"),
  ] as ListProxy<number>[];
  for (const each of made) ok(each instanceof ListProxy);
  await made[2]!.append(5);
  deepStrictEqual(await made[0]!.slice(), [1, 2, 3, 4, 5]);
  await rejects(manager.list([foreign]), {
    name: "TypeError",
    message: /Manager.list\(\): a proxy of the Manager at/,
  });
});

Deno.test("Manager: a Condition on a Lock or an RLock of the Manager shares that lock (Python's Condition(lock))", async () => {
  await using manager = await Manager.start();
  for (const lock of [await manager.Lock(), await manager.RLock()]) {
    const cond = await manager.Condition(lock);
    await cond.acquire();
    strictEqual(await lock.locked(), true);
    await cond.release();
    strictEqual(await lock.locked(), false);
    // Held through the lock's proxy, it is the condition's: notify works,
    // and a wait gives it up until it is woken.
    await lock.acquire();
    await cond.notify();
    const thread = new Thread({
      target: async (l: LockProxy, c: typeof cond) => {
        await l.acquire();
        await c.notifyAll();
        await l.release();
      },
      args: [lock, cond],
    });
    thread.start();
    strictEqual(await cond.wait({ timeout: 10_000 }), true);
    strictEqual(await lock.locked(), true);
    await lock.release();
    await thread.join();
  }
  await rejects(manager.Condition(await manager.Event() as never), {
    name: "TypeError",
    message: /'lock' must be a Lock or an RLock of a Manager/,
  });
  await rejects(manager.Condition(await manager.Condition() as never), {
    name: "TypeError",
  });
});

Deno.test("Manager: an aborted wait settles, and a lock it took meanwhile is not lost", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.Lock();
  await lock.acquire();
  const controller = new AbortController();
  const waiting = lock.acquire({ signal: controller.signal });
  controller.abort();
  await rejects(waiting, { name: "AbortError" });
  await lock.release();
  strictEqual(await lock.locked(), false);
});

Deno.test("Manager: an object is freed once its only proxy is collected; one sent to a thread, stored in a container or shared lives on", async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  ok(gc !== undefined, "run with --v8-flags=--expose-gc");
  await using manager = await Manager.start();
  const kept = await manager.dict<string, unknown>();
  let stored: ListProxy<number> | undefined = await manager.list([1]);
  await kept.set("l", stored);
  let shared: LockProxy | undefined = await manager.Lock();
  await manager.share("lock", shared);
  let sent: ValueProxy<number> | undefined = await manager.Value("i", 0);
  const thread = new Thread({
    target: async (value: ValueProxy<number>) => await value.set(7),
    args: [sent],
  });
  thread.start();
  await thread.join();
  await (async () => {
    for (let i = 0; i < 100; i++) await (await manager.dict()).set("i", i);
  })();
  stored = shared = sent = undefined;
  let count = await manager.numberOfObjects();
  for (let round = 0; round < 200 && count > 4; round++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    count = await manager.numberOfObjects();
  }
  strictEqual(count, 4);
  // What lives on still works.
  deepStrictEqual(await (await kept.get("l") as ListProxy<number>).slice(), [
    1,
  ]);
  strictEqual(await (await manager.get("lock") as LockProxy).locked(), false);
});

Deno.test("Manager: bad input is a TypeError or a RangeError that quotes it", async () => {
  await rejects(Manager.start({ authkey: 5 as never }), {
    name: "TypeError",
    message: /'authkey' must be a Uint8Array or a string, received 5/,
  });
  await rejects(Manager.start({ address: { port: 70000 } }), {
    name: "RangeError",
    message: /'address.port'.*70000/,
  });
  await rejects(Manager.start({ address: { hostname: "0.0.0.0" } }), {
    name: "RangeError",
    message:
      /"0.0.0.0", beyond this machine, needs an explicit, non-empty 'authkey'/,
  });
  await rejects(Manager.start({ authkey: "" }), RangeError);
  await rejects(Manager.start({ serveInProcess: "yes" as never }), {
    name: "TypeError",
    message: /'serveInProcess' must be a boolean, received "yes"/,
  });
  await rejects(Manager.connect({ address: { port: 1 } }), TypeError);
  await rejects(Manager.connect({ authkey: "k" }), {
    name: "TypeError",
    message: /'address' is needed/,
  });
  await rejects(
    Manager.start({ address: { transport: "unix", path: "/tmp/m.sock" } }),
    { name: "RangeError", message: /abstract namespace.*"\/tmp\/m.sock"/ },
  );
  await rejects(Manager.start({ address: { path: 5 as never } }), {
    name: "TypeError",
    message: /'address.path' must be a string, received 5/,
  });
  await rejects(Manager.start({ address: { path: "\0m", port: 1 } }), {
    name: "TypeError",
    message: /a 'path', not a hostname or a port/,
  });
  await rejects(Manager.start({ address: { transport: "udp" as never } }), {
    name: "TypeError",
    message: /"tcp" or "unix", received "udp"/,
  });
  await rejects(
    Manager.connect({ address: { port: 1 }, authkey: "k" }),
    ManagerConnectionError,
  );
  await using manager = await Manager.start({ serveInProcess: true });
  await rejects(manager.Semaphore(-1), { name: "RangeError", message: /-1/ });
  await rejects(manager.Barrier(0), { name: "RangeError", message: /0/ });
  await rejects(manager.Barrier(2, { timeout: -1 }), {
    name: "RangeError",
    message: /Manager.Barrier\(\): 'timeout' .* received -1/,
  });
  await rejects(manager.Queue("x" as never), {
    name: "TypeError",
    message: /"x"/,
  });
  await rejects(manager.list(5 as never), { name: "TypeError", message: /5/ });
  await rejects((await manager.Queue()).shutdown("now" as never), {
    name: "TypeError",
    message: /'options' must be an object, received "now"/,
  });
  await rejects(manager.dict(null as never), {
    name: "TypeError",
    message: /Manager.dict\(\): 'entries' must be a Map.*received null/,
  });
  await rejects(manager.Namespace(7 as never), {
    name: "TypeError",
    message: /'attributes' must be an object, received 7/,
  });
  const c = await manager.Condition();
  await rejects(c.waitFor(5 as never), {
    name: "TypeError",
    message:
      /Condition.waitFor\(\): 'predicate' must be a function, received 5/,
  });
  const d = await manager.dict();
  await rejects(d.popItem(), {
    name: "RangeError",
    message: /dict.popItem\(\): the dict is empty/,
  });
  await rejects(d.add("k", "x" as never), {
    name: "TypeError",
    message: /dict.add\(\): 'amount' must be a number, received "x"/,
  });
  await d.set("s", "text" as never);
  await rejects(d.add("s", 1), {
    name: "TypeError",
    message: /the value is not a number but "text"/,
  });
  const l = await manager.list([1, 2]);
  await rejects(l.insert("a" as never, 0), {
    name: "TypeError",
    message: /list.insert\(\): 'index' must be an integer, received "a"/,
  });
  await rejects(l.slice(0, 1.5), { name: "TypeError", message: /1.5/ });
  const n = await manager.Namespace();
  await rejects(n.get(5 as never), {
    name: "TypeError",
    message: /Namespace.get\(\): a name must be a string, received 5/,
  });
  await rejects(manager.get(5 as never), {
    name: "TypeError",
    message: /Manager.get\(\): 'name' must be a string, received 5/,
  });
  await rejects(d.update(3 as never), {
    name: "TypeError",
    message: /dict.update\(\): 'entries' must be a Map.*received 3/,
  });
  await rejects(manager.Value(1 as never, 0), {
    name: "TypeError",
    message: /1/,
  });
  await rejects(manager.share("", await manager.Lock()), TypeError);
  await rejects(manager.get("nothing"), {
    name: "RangeError",
    message: /"nothing"/,
  });
  const lock = await manager.Lock();
  await rejects(lock.acquire({ timeout: -1 }), {
    name: "RangeError",
    message: /-1/,
  });
});
