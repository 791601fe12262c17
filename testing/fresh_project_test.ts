// The README's first steps, as a new user takes them: a fresh project
// (testdata/fresh_project) that maps \`@parallel/parallel\` to a clone in its
// deno.json, and runs a Thread, a pool task and a Lock shared with a Web
// Worker, with \`--allow-read\` only.

import { deepStrictEqual, strictEqual } from "node:assert/strict";

Deno.test("README: a fresh project that maps the package to a clone runs a Thread, a pool task and a shared Lock", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--no-lock", "main.ts"],
    cwd: new URL("./testdata/fresh_project/", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  strictEqual(output.code, 0, decoder.decode(output.stderr));
  deepStrictEqual(decoder.decode(output.stdout).trim().split("\n"), [
    "thread 1",
    "pool 42",
    "worker true",
  ]);
});
