import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

/** Whether `pid` runs (reading /proc here directly needs --allow-all). */
function isAlive(pid: number): boolean {
  const { success, stdout } = new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
    stderr: "null",
  }).outputSync();
  return success && !/\) Z /.test(new TextDecoder().decode(stdout));
}

Deno.test("demo process_manager: three processes change the Manager's list, dict and Namespace in turn; the server ends with the program", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./process_manager.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-net=127.0.0.1"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  strictEqual(lines.length, 11, stdout);
  const server = /^MainProcess >> the Manager's server runs as pid (\d+)$/
    .exec(lines[0]!);
  if (server === null) throw new Error(`no server pid: ${lines[0]}`);
  const after = [
    'l = [3, 2, 1], d["x"] = 11, n.y = 4.140000000000001',
    'l = [1, 2, 3], d["x"] = 12, n.y = 5.140000000000001',
    'l = [3, 2, 1], d["x"] = 13, n.y = 6.140000000000001',
  ];
  for (let i = 0; i < 3; i++) {
    match(
      lines[1 + 2 * i]!,
      new RegExp(
        `^MainProcess >> <Process name='Process-${
          i + 1
        }' pid=\\d+ parent=\\d+ stopped exitcode=0>$`,
      ),
    );
    strictEqual(lines[2 + 2 * i], `MainProcess >> ${after[i]}`);
  }
  // Reversed three times is reversed once; x and y each got 3.0 more.
  deepStrictEqual(lines.slice(7, 10), [
    "MainProcess >> [3, 2, 1]",
    "MainProcess >> {'x': 13}",
    "MainProcess >> Namespace(y=6.140000000000001)",
  ]);
  match(lines[10]!, /^MainProcess >> done in \d+ ms$/);
  // A bound, not a timing: the server ends when the program disposes it.
  const deadline = Date.now() + 5_000;
  while (isAlive(Number(server[1])) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  strictEqual(isAlive(Number(server[1])), false, "the server outlived it");
});
