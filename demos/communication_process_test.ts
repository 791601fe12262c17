import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo communication_process: each process changes its own copy, the parent's dict stays; each item produced is consumed exactly once", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./communication_process.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-ffi"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  deepStrictEqual(lines.slice(0, 3), [
    "Process-1 >> {'x': 10}",
    "Process-2 >> {'x': 20}",
    "MainProcess >> {'x': 0}",
  ]);
  const produced: number[] = [];
  const consumed: number[] = [];
  const queueLines = lines.slice(3, -4);
  for (const line of queueLines) {
    const seen = /^Process-(\d) >> (produced|consumed) (\d+)$/.exec(line);
    if (seen === null) throw new Error(`unexpected line: ${line}`);
    const [, who, what, item] = seen;
    if (what === "produced") {
      strictEqual(who, "3", line);
      produced.push(Number(item));
    } else {
      match(who!, /^[45]$/, line);
      // Logged before the put: the consumer's line comes after.
      strictEqual(produced.includes(Number(item)), true, line);
      consumed.push(Number(item));
    }
  }
  const all = Array.from({ length: 10 }, (_, i) => i);
  deepStrictEqual(produced, all);
  deepStrictEqual(consumed.sort((a, b) => a - b), all);
  for (const [i, name] of ["Process-3", "Process-4", "Process-5"].entries()) {
    match(
      lines.at(-4 + i)!,
      new RegExp(
        `^MainProcess >> <Process name='${name}' pid=\\d+ parent=\\d+ stopped exitcode=0>$`,
      ),
    );
  }
  match(
    lines.at(-1)!,
    /^MainProcess >> 10 items through the Queue in \d+ ms; 0 left$/,
  );
});
