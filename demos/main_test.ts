import { ok, strictEqual } from "node:assert/strict";
import { DEMOS } from "./main.ts";
import { runScript } from "../pools/testdata/run_program.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const FLAGS = ["--allow-read", "--allow-run"];

Deno.test("demo runner: --list names every demo, and every demo of this tree has its file", async () => {
  const { code, stdout } = await runScript(MAIN, ["--list"], FLAGS);
  strictEqual(code, 0);
  const names = stdout.trimEnd().split("\n").map((line) => line.split(" ")[0]);
  strictEqual(names.join(), Object.keys(DEMOS).join());
  strictEqual(names.length, 21);
  for (const [name, { python }] of Object.entries(DEMOS)) {
    ok(/^(multi-thread|multi-process|async-sync)\/[\w-]+\.py$/.test(python));
    if (python.startsWith("multi-thread/")) {
      await Deno.stat(new URL(`./${name}.ts`, import.meta.url));
    }
  }
});

Deno.test("demo runner: an unknown name fails with exit code 2 and lists the demos", async () => {
  const { code, stdout, stderr } = await runScript(
    MAIN,
    ["event_thread", "no_such_demo"],
    FLAGS,
  );
  strictEqual(code, 2);
  strictEqual(stdout, ""); // nothing ran
  ok(stderr.includes('Unknown demo "no_such_demo"'), stderr);
  ok(stderr.includes("semaphore_thread"), stderr);
});

Deno.test("demo runner: one name runs that demo alone", async () => {
  const { code, stdout, stderr } = await runScript(
    MAIN,
    ["barrier_thread"],
    FLAGS,
  );
  strictEqual(code, 0, stderr);
  ok(stdout.includes("== barrier_thread: "), stdout);
  ok(stdout.includes("BrokenBarrierError"), stdout);
  ok(stdout.includes("== barrier_thread done"), stdout);
  strictEqual(stdout.match(/^== \w+: /gm)?.length, 1, stdout);
});
