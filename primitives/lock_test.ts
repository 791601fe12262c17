import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { Lock } from "./lock.ts";
import { startWorkers } from "../testing/workers.ts";

Deno.test("Lock: a counter guarded across 4 Workers ends exact", async () => {
  const lock = new Lock();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  await using workers = startWorkers(4);
  const iterations = 20_000;
  const done = await Promise.all(
    workers.map((w) =>
      w.run(
        (_p, lock, counter: Int32Array, n: number) => {
          for (let i = 0; i < n; i++) {
            lock.acquireSync();
            // A plain read-modify-write: only the lock makes it safe.
            counter[0] = counter[0]! + 1;
            lock.release();
          }
          return n;
        },
        lock.handle,
        counter,
        iterations,
      )
    ),
  );
  deepStrictEqual(done, [iterations, iterations, iterations, iterations]);
  strictEqual(counter[0], 4 * iterations);
  strictEqual(lock.locked, false);
});
