// The Manager against Python's multiprocessing.Manager, in the same run:
// dict set + get round trips made by child processes, timed from "go" to
// the last one done (process starts are not timed, on either side).
//
//   deno bench --allow-read --allow-run --allow-net --allow-ffi bench/manager_bench.ts
//
// One client: the latency of a call (the figure / 4,000 calls). Four
// clients: calls per second on one dict (16,000 calls). Our Manager runs on
// its default address (an abstract Unix socket, given the unscoped
// --allow-net) and on loopback TCP, with the async methods, and with the
// Sync ones (--allow-ffi), which block as Python's proxies do; Python's on
// its default, a Unix socket.
// And the floor under all: 4,000 round trips of 32 bytes between two
// processes with no Manager at all, over TCP and over a Unix socket.

import { Manager, Process } from "../mod.ts";
import { PythonChild } from "./_python.ts";

const python = new PythonChild(new URL("./python/manager.py", import.meta.url));
const tasks = new URL("./_manager_tasks.ts", import.meta.url);
// Not `await using`: the module ends before the benches run. Its server
// process ends with this program.
const managers = {
  unix: await Manager.start(),
  tcp: await Manager.start({ address: { hostname: "127.0.0.1" } }),
};
if (
  managers.unix.address.transport !== "unix" ||
  Deno.permissions.querySync({ name: "ffi" }).state !== "granted"
) {
  throw new Error(
    "bench/manager_bench.ts needs an unscoped --allow-net and --allow-ffi",
  );
}

const PAIRS = { 1: 2_000, 4: 2_000 } as const;

function expected(clients: number, pairs: number): number {
  return clients * (pairs * (pairs - 1)) / 2;
}

function check(what: string, total: number, clients: number, pairs: number) {
  if (total !== expected(clients, pairs)) {
    throw new Error(
      `${what}: read back ${total}, expected ${expected(clients, pairs)}`,
    );
  }
}

async function deno(
  b: Deno.BenchContext,
  manager: Manager,
  clients: 1 | 4,
  sync = false,
): Promise<void> {
  const pairs = PAIRS[clients];
  const d = await manager.dict<string, number>();
  const [go, done] = [await manager.Event(), await manager.Queue<number>()];
  const processes = Array.from({ length: clients }, (_, c) =>
    new Process({
      module: tasks,
      target: "setGet",
      args: [d, `k${c}`, pairs, go, done, sync],
    }));
  for (const p of processes) p.start();
  for (const _ of processes) await done.get();
  b.start();
  await go.set();
  let total = 0;
  for (const _ of processes) total += await done.get();
  b.end();
  for (const p of processes) await p.join();
  check("deno", total, clients, pairs);
}

async function py(b: Deno.BenchContext, clients: 1 | 4): Promise<void> {
  const pairs = PAIRS[clients];
  const ready = await python.ask(`setget ${clients} ${pairs}`);
  if (ready !== "ready") throw new Error(`python3: ${ready}`);
  b.start();
  const answer = await python.ask("go");
  b.end();
  const [total] = answer.split(" ");
  check("python3", Number(total), clients, pairs);
}

const TRIPS = 4_000;

async function denoEcho(
  b: Deno.BenchContext,
  transport: "tcp" | "unix",
): Promise<void> {
  const path = `\0parallel-bench-echo-${Deno.pid}`;
  using listener = transport === "unix"
    ? Deno.listen({ transport, path })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const child = new Process({
    module: tasks,
    target: "echo",
    args: [
      transport === "unix" ? path : (listener.addr as Deno.NetAddr).port,
    ],
    permissions: { read: true, net: true, ffi: true },
  });
  child.start();
  using conn = await listener.accept();
  if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  const message = new Uint8Array(32);
  const buffer = new Uint8Array(1024);
  b.start();
  for (let i = 0; i < TRIPS; i++) {
    await conn.write(message);
    for (let got = 0; got < message.length;) {
      const read = await conn.read(buffer);
      if (read === null) throw new Error("the echo process went away");
      got += read;
    }
  }
  b.end();
  conn.closeWrite();
  await child.join();
}

const floor =
  `the floor: ${TRIPS} round trips of 32 bytes between two processes`;
Deno.bench(
  "Deno TCP",
  { group: floor, baseline: true, n: 10, warmup: 2 },
  async (b) => await denoEcho(b, "tcp"),
);
Deno.bench(
  "Deno Unix socket (abstract)",
  { group: floor, n: 10, warmup: 2 },
  async (b) => await denoEcho(b, "unix"),
);
for (const family of ["tcp", "unix"]) {
  Deno.bench(
    `Python socket (${family})`,
    { group: floor, n: 10, warmup: 2 },
    async (b) => {
      const ready = await python.ask(`echo ${family} ${TRIPS}`);
      if (ready !== "ready") throw new Error(`python3: ${ready}`);
      b.start();
      const answer = await python.ask("trips");
      b.end();
      if (Number(answer.split(" ")[0]) !== TRIPS) {
        throw new Error(`python3: ${answer}`);
      }
    },
  );
}

for (const clients of [1, 4] as const) {
  const group = `${clients} client process${clients > 1 ? "es" : ""} x ${
    PAIRS[clients]
  } dict set + get`;
  for (const transport of ["unix", "tcp"] as const) {
    Deno.bench(
      `Manager (${transport === "unix" ? "Unix socket, the default" : "TCP"})`,
      { group, baseline: transport === "unix", n: 10, warmup: 2 },
      // An async function, not an arrow returning a promise: Deno.bench
      // looks at the function's kind to decide whether to await it.
      async (b) => await deno(b, managers[transport], clients),
    );
  }
  Deno.bench(
    "Manager, Sync methods (Unix socket)",
    { group, n: 10, warmup: 2 },
    async (b) => await deno(b, managers.unix, clients, true),
  );
  Deno.bench(
    "Python multiprocessing.Manager",
    { group, n: 10, warmup: 2 },
    async (b) => await py(b, clients),
  );
}
