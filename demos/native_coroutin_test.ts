import { deepStrictEqual, match } from "node:assert/strict";
import { nativeCoroutin } from "./native_coroutin.ts";

Deno.test("demo native_coroutin: every worker starts before any ends, all gathered", async () => {
  const { lines } = await nativeCoroutin({
    workers: 4,
    sleepMs: 5,
    log: () => {},
  });
  deepStrictEqual(lines.slice(0, 4), [
    "start 0",
    "start 1",
    "start 2",
    "start 3",
  ]);
  // Equal sleeps started in order end in order.
  deepStrictEqual(lines.slice(4, 8), ["end 0", "end 1", "end 2", "end 3"]);
  match(lines[8]!, /^4 workers sleeping 5 ms each took \d+ ms together$/);
  deepStrictEqual(lines.length, 9);
});
