import { ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo event_thread: t1 and t2 start only once t3 has set the event", async () => {
  const { code, lines, stderr } = await runDemo("event_thread");
  strictEqual(code, 0, stderr);
  const set = lineOf(lines, "Thread-3 : end");
  ok(lineOf(lines, "Thread-3 : start") < set);
  for (const name of ["Thread-1", "Thread-2"]) {
    ok(set < lineOf(lines, `${name} : start`), lines.join("\n"));
    ok(lineOf(lines, `${name} : start`) < lineOf(lines, `${name} : end`));
  }
});
