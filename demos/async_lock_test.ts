import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { asyncLock } from "./async_lock.ts";

Deno.test("demo async_lock: every task starts at once, then holds the lock alone, in the order it asked", async () => {
  const n = 6;
  const { lines, mostInside } = await asyncLock({
    tasks: n,
    sleepMs: 1,
    log: () => {},
  });
  strictEqual(mostInside, 1);
  const name = (i: number) => i % 2 === 0 ? "worker_1" : "worker_2";
  deepStrictEqual(
    lines.slice(0, n),
    Array.from({ length: n }, (_, i) => `${name(i)} start >>  ${i}`),
  );
  const rest = lines.slice(n, -1);
  strictEqual(rest.length, 2 * n);
  const acquired = rest.filter((line) => line.includes(" acquired lock "));
  deepStrictEqual(
    acquired,
    Array.from({ length: n }, (_, i) => `${name(i)} acquired lock (task ${i})`),
  );
  for (let i = 0; i < n; i++) {
    const end = rest.indexOf(`${name(i)} end (task ${i})`);
    ok(end > rest.indexOf(acquired[i]!), `task ${i} ended before it acquired`);
  }
  match(
    lines.at(-1)!,
    /^6 tasks holding the lock 1 ms each, one at a time, took \d+ ms$/,
  );
});
