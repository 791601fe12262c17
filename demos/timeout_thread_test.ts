import { ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo timeout_thread: the Timer runs worker_1 with its kwargs, the cancelled one never does", async () => {
  const { code, lines, stderr } = await runDemo("timeout_thread");
  strictEqual(code, 0, stderr);
  const start = lineOf(lines, "Thread-1 : start");
  ok(
    lineOf(lines, "MainThread : Thread-1 will run worker_1 in 300 ms") < start,
  );
  strictEqual(lineOf(lines, "{ y: 100 }"), start + 1);
  ok(lineOf(lines, "Thread-1 : end") > start);
  ok(
    !lines.some((line) => line.includes("Thread-2 : start")),
    lines.join("\n"),
  );
  ok(!lines.some((line) => line.includes("y: 200")), lines.join("\n"));
});
