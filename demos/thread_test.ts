import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo thread: the main thread is done first, and the program waits for its threads", async () => {
  const { code, lines, stderr } = await runDemo("thread");
  strictEqual(code, 0, stderr);
  const processing = lineOf(lines, "-----processing-----");
  // The last thread started begins after start() returned, and works
  // 500 ms: the main thread has printed by then.
  ok(processing < lineOf(lines, "Thread-2 : end"), lines.join("\n"));
  for (const name of ["rename worker1", "Thread-1", "Thread-2"]) {
    ok(lineOf(lines, `${name} : start`) < lineOf(lines, `${name} : end`));
  }
  deepStrictEqual(
    [lineOf(lines, "Thread-1 : 100"), lineOf(lines, "Thread-1 : 200")].map(
      (i) => i > lineOf(lines, "Thread-1 : start"),
    ),
    [true, true],
  );
  strictEqual(
    lineOf(lines, "MainThread : the program ends, after its threads"),
    lines.length - 1,
  );
});
