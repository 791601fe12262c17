import { ok } from "node:assert/strict";
import { semaphoreThread } from "./semaphore_thread.ts";

Deno.test("demo semaphore_thread: a Semaphore of 2 never lets more than 2 threads in", async () => {
  const most = await semaphoreThread(2, 4, 50);
  ok(most >= 1 && most <= 2, `at most ${most} inside`);
});
