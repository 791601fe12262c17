import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo process_pipe: the parent receives ['test'] before the child ends, then EOFError once it closed; exit code 0", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./process_pipe.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-ffi"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  strictEqual(lines.length, 6, stdout);
  // The child's lines, in its order (they interleave with the parent's).
  deepStrictEqual(lines.filter((line) => line.startsWith("Process-1 >> ")), [
    "Process-1 >> sent ['test']; closing in 500 ms",
    "Process-1 >> closed",
  ]);
  const parent = lines.filter((line) => line.startsWith("MainProcess >> "));
  strictEqual(parent.length, 4, stdout);
  strictEqual(parent[0], "MainProcess >> child_process >> ['test']");
  match(
    parent[1]!,
    /^MainProcess >> received after \d+ ms; the child still runs: (true|false)$/,
  );
  match(parent[2]!, /^MainProcess >> then recv: EOFError, after \d+ ms$/);
  match(
    parent[3]!,
    /^MainProcess >> <Process name='Process-1' pid=\d+ parent=\d+ stopped exitcode=0>$/,
  );
});
