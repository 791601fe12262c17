import { ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo condition_thread: t3 works first, then t1 and t2 one at a time", async () => {
  const { code, lines, stderr } = await runDemo("condition_thread");
  strictEqual(code, 0, stderr);
  const at = (text: string) => lineOf(lines, text);
  const notified = at("Thread-3 : end");
  ok(at("Thread-3 : start") < notified);
  ok(notified < at("Thread-1 : start"), lines.join("\n"));
  ok(notified < at("Thread-2 : start"), lines.join("\n"));
  // Each holds the condition while it works: no overlap.
  ok(
    at("Thread-1 : end") < at("Thread-2 : start") ||
      at("Thread-2 : end") < at("Thread-1 : start"),
    lines.join("\n"),
  );
});
