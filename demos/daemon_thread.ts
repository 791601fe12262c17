/**
 * Python's `multi-thread/deamon_thread.py`: a daemon thread does not keep
 * the program alive. Run twice here: first the daemon is joined, so the
 * program waits for it; then it is not, and the program ends while the
 * daemon is still in its 5 s job, which never says "end".
 *
 * On Deno each thread is a Worker (no GIL); a daemon's Worker does not hold
 * the event loop open, and dies with the program. Sleeps are a tenth of the
 * original's, but for the daemon left behind.
 *
 * Run it with `deno task demo daemon_thread`.
 *
 * @module
 */
import { Thread } from "../mod.ts";
import { log, sleep } from "./_log.ts";

const HERE = import.meta.url;

/** `worker_1`, `worker_2` and `worker_3`: work for `ms`. */
export function work(origin: number, ms: number): void {
  log(origin, `start (a ${ms / 1000} s job)`);
  sleep(ms);
  log(origin, "end");
}

/** How the demo runs. */
export interface DaemonThreadOptions {
  /** Whether the main thread joins the daemon too. */
  joinDaemon: boolean;
  /** The daemon's job (default 500 ms). */
  daemonMs?: number;
  /** The other two threads' job (default 200 ms). */
  ms?: number;
  /** The demo's start, for the log (default now). */
  origin?: number;
}

/**
 * Starts a daemon thread and two others, joins the daemon (if
 * `joinDaemon`) and the first other one, and prints "-----processing-----".
 *
 * @returns The three threads: the daemon first.
 */
export async function daemonThread(
  options: DaemonThreadOptions,
): Promise<Thread[]> {
  const { joinDaemon, daemonMs = 500, ms = 200, origin = Date.now() } = options;
  const t1 = new Thread({
    target: { module: HERE, name: "work" },
    args: [origin, daemonMs],
    daemon: true,
  });
  const t2 = new Thread({
    target: { module: HERE, name: "work" },
    args: [origin, ms],
  });
  const t3 = new Thread({
    target: { module: HERE, name: "work" },
    args: [origin, ms],
  });
  log(
    origin,
    `${t1.name} is a daemon, ${joinDaemon ? "joined" : "not joined"}`,
  );
  t1.start();
  t2.start();
  t3.start();
  if (joinDaemon) await t1.join();
  await t2.join();
  console.log("-----processing-----");
  return [t1, t2, t3];
}

if (import.meta.main) {
  const origin = Date.now();
  await daemonThread({ joinDaemon: true, origin });
  await daemonThread({ joinDaemon: false, daemonMs: 5000, origin });
  globalThis.addEventListener("unload", () => {
    log(origin, "the program ends: it waited for the non-daemon threads only");
  });
}
