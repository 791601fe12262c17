import { ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo daemon_thread: a joined daemon is waited for, one not joined does not keep the program alive", async () => {
  const { code, lines, stderr } = await runDemo("daemon_thread");
  strictEqual(code, 0, stderr);
  // First run: the daemon Thread-1 is joined, and ends before the main
  // thread goes on.
  ok(
    lineOf(lines, "Thread-1 : end") <
      lineOf(lines, "Thread-4 is a daemon, not joined"),
  );
  // Second run: the daemon Thread-4 starts its 5 s job and never ends it;
  // the program ends once Thread-5 and Thread-6 have.
  lineOf(lines, "Thread-4 : start (a 5 s job)");
  ok(!lines.some((line) => line.endsWith("Thread-4 : end")), lines.join("\n"));
  ok(lineOf(lines, "Thread-6 : end") < lines.length - 1);
  ok(lines.at(-1)!.includes("the program ends"), lines.join("\n"));
});
