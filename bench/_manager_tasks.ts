// The child side of bench/manager_bench.ts: calls on a Manager's dict,
// timed by the parent from "go" to the last "done".

import type { DictProxy, EventProxy, QueueProxy } from "../mod.ts";

/**
 * Says it is ready, waits for `go`, makes `pairs` set + get round trips on
 * its own key (with the Sync methods, which block this thread, if `sync`),
 * and says it is done with the sum it read back.
 */
export async function setGet(
  d: DictProxy<string, number>,
  key: string,
  pairs: number,
  go: EventProxy,
  done: QueueProxy<number>,
  sync = false,
): Promise<void> {
  if (sync) d.setSync(key, 0); // connected, warm
  else await d.set(key, 0);
  await done.put(-1);
  await go.wait();
  let sum = 0;
  for (let i = 0; i < pairs; i++) {
    if (sync) {
      d.setSync(key, i);
      sum += d.getSync(key)!;
    } else {
      await d.set(key, i);
      sum += (await d.get(key))!;
    }
  }
  await done.put(sum);
}

/**
 * Echoes what it reads on one connection, to `to` (a TCP port on 127.0.0.1,
 * or an abstract Unix socket's path), until the peer closes it: the floor
 * under every Manager call (a round trip between two processes), as
 * bench/manager_bench.ts measures it.
 */
export async function echo(to: number | string): Promise<void> {
  const conn = typeof to === "string"
    ? await Deno.connect({ transport: "unix", path: to })
    : await Deno.connect({ hostname: "127.0.0.1", port: to });
  if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  const buffer = new Uint8Array(1024);
  for (let read; (read = await conn.read(buffer)) !== null;) {
    for (let at = 0; at < read;) {
      at += await conn.write(buffer.subarray(at, read));
    }
  }
  conn.close();
}
