import { strictEqual } from "node:assert/strict";
import { liveThread } from "./live_thread.ts";

Deno.test("demo live_thread: enumerateThreads() lists the main thread and the started ones; all others are joined", async () => {
  const { listed, after } = await liveThread(3, 50);
  strictEqual(listed.length, 4);
  strictEqual(listed[0], "MainThread");
  strictEqual(new Set(listed).size, 4);
  strictEqual(after, 1);
});
