import { ok, strictEqual } from "node:assert/strict";
import { lockThread } from "./lock_thread.ts";

Deno.test("demo lock_thread: the locked total is exact, the unlocked one never more", async () => {
  const { expected, withoutLock, withLock } = await lockThread({
    workers: 2,
    increments: 20_000,
  });
  strictEqual(expected, 40_000);
  strictEqual(withLock, expected);
  ok(withoutLock <= expected && withoutLock > 0);
});
