/**
 * Python's `multi-process/process-manager.py`: a `Manager` serves a list,
 * a dict and a Namespace from a server process; three processes in turn
 * each reverse the list, add 1.0 to `d["x"]` and to `n.y` through their
 * proxies, and the parent prints the changed objects. A Manager holds
 * Python-like objects any process (or machine) reaches, at the price of a
 * round trip per call, where a `Value` or `Array` is plain shared memory.
 *
 * On Deno a proxy's every call is a promise (`await l.reverse()`), the
 * server is a `deno run` child reached over TCP on 127.0.0.1 (this needs
 * `--allow-net=127.0.0.1`), and a process start costs about 100 ms. Python
 * prints the objects after the Manager is gone; here they are read before.
 * Python's `l.append([1, 2, 3])` makes a list of one item, which reversing
 * leaves as it is; here `extend` makes three, so that each reversal shows.
 * Python prints `{'x': 13.0}`: JavaScript has one type of number.
 *
 * Run it with `deno run --allow-read --allow-run --allow-net=127.0.0.1
 * demos/process_manager.ts`.
 *
 * @module
 */
import { Manager, Process } from "../mod.ts";
import { debug, processRepr, pyRepr, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/** What the parent read from the Manager at the end. */
export interface ProcessManagerResult {
  /** The list. */
  l: unknown[];
  /** The dict's entries. */
  d: Map<string, number>;
  /** The Namespace's attributes. */
  n: Record<string, unknown>;
}

/**
 * Starts a Manager and runs the three processes in turn on its objects.
 *
 * @returns What the list, the dict and the Namespace hold at the end.
 */
export async function processManager(): Promise<ProcessManagerResult> {
  const start = performance.now();
  await using manager = await Manager.start();
  debug(`the Manager's server runs as pid ${manager.pid}`);
  const l = await manager.list();
  const d = await manager.dict<string, number>();
  const n = await manager.Namespace();

  await l.extend([1, 2, 3]);
  await d.set("x", 10);
  await n.set("y", 3.14);

  for (let i = 0; i < 3; i++) {
    const p = new Process({
      module: tasks,
      target: "changeManaged",
      args: [l, d, n],
    });
    p.start();
    await p.join();
    debug(processRepr(p));
    debug(
      `l = ${pyRepr(await l.toArray())}, d["x"] = ${await d.get(
        "x",
      )}, n.y = ${await n.get("y")}`,
    );
  }
  const result = {
    l: await l.toArray(),
    d: await d.toMap(),
    n: await n.toObject(),
  };
  debug(pyRepr(result.l));
  debug(pyRepr(result.d));
  const attributes = Object.entries(result.n).map(([k, v]) =>
    `${k}=${pyRepr(v)}`
  );
  debug(`Namespace(${attributes.join(", ")})`);
  debug(`done in ${since(start)}`);
  return result;
}

if (import.meta.main) await processManager();
