import { strictEqual } from "node:assert/strict";
import { queueThread } from "./queue_thread.ts";

Deno.test("demo queue_thread: each item goes to exactly one of the consumers", async () => {
  const items = 3000;
  const taken = await queueThread(items, 3);
  strictEqual(taken.length, 3);
  strictEqual(new Set(taken.map((t) => t.name)).size, 3);
  strictEqual(taken.reduce((n, t) => n + t.count, 0), items);
  strictEqual(taken.reduce((n, t) => n + t.sum, 0), items * (items - 1) / 2);
});
