import { ok, strictEqual } from "node:assert/strict";
import { lockThread } from "./lock_thread.ts";

Deno.test("demo lock_thread: the unlocked threads lose increments, the locked ones never do", async () => {
  const { expected, withoutLock, withLock } = await lockThread();
  strictEqual(expected, 40_000);
  strictEqual(withLock, expected);
  ok(
    withoutLock < expected && withoutLock > 0,
    `without a lock: ${withoutLock} of ${expected}`,
  );
});
