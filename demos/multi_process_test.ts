import {
  deepStrictEqual,
  match,
  notStrictEqual,
  strictEqual,
} from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo multi_process: each process starts and ends before the next, with its name, its pid and exit code 0", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./multi_process.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  strictEqual(lines.length, 11, stdout);
  const parent = /parent=(\d+)/.exec(lines[0]!)![1]!;
  match(
    lines[0]!,
    /^MainProcess >> <Process name='Process-1' parent=\d+ initial daemon>, <Process name='unknown_process' parent=\d+ initial>$/,
  );
  const pids: string[] = [];
  for (
    const [at, name, daemon] of [[1, "Process-1", " daemon"], [
      6,
      "unknown_process",
      "",
    ]] as const
  ) {
    const started = new RegExp(
      `^MainProcess >> <Process name='${name}' pid=(\\d+) parent=${parent} started${daemon}>$`,
    ).exec(lines[at]!);
    notStrictEqual(started, null, lines[at]);
    const pid = started![1]!;
    pids.push(pid);
    deepStrictEqual(lines.slice(at + 1, at + 4), [
      `${name} >> start`,
      "10",
      `${name} >> end`,
    ]);
    match(
      lines[at + 4]!,
      new RegExp(
        `^MainProcess >> <Process name='${name}' pid=${pid} parent=${parent} stopped exitcode=0${daemon}>, joined after \\d+ ms$`,
      ),
    );
  }
  notStrictEqual(pids[0], pids[1]);
  notStrictEqual(pids[0], parent);
});
