import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo process_value_array: both processes change the shared Value and Array, and the parent sees both changes", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./process_value_array.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-ffi"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  strictEqual(lines.length, 8, stdout);
  // What each process saw when it started: the other's changes.
  deepStrictEqual([lines[0], lines[1], lines[3], lines[4]], [
    "Process-1 >> 3.140000104904175",
    "Process-1 >> [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]",
    "Process-2 >> 4.140000343322754",
    "Process-2 >> [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]",
  ]);
  for (const [at, name] of [[2, "Process-1"], [5, "Process-2"]] as const) {
    match(
      lines[at]!,
      new RegExp(
        `^MainProcess >> <Process name='${name}' pid=\\d+ parent=\\d+ stopped exitcode=0>$`,
      ),
    );
  }
  deepStrictEqual(lines.slice(6), [
    "MainProcess >> 5.140000343322754",
    "MainProcess >> [0, 4, 8, 12, 16, 20, 24, 28, 32, 36]",
  ]);
});
