// The worker's command line: a bad or missing flag is a message and the
// usage, with exit code 2, not a stack trace; --help prints the usage.

import { ok, strictEqual } from "node:assert/strict";

const WORKER = new URL("./worker.ts", import.meta.url);

async function runWorkerCommand(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-net=127.0.0.1",
      WORKER.href,
      ...args,
    ],
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("worker command: --help prints the usage", async () => {
  const { code, stdout } = await runWorkerCommand("--help");
  strictEqual(code, 0);
  ok(stdout.startsWith("usage: "), stdout);
});

Deno.test("worker command: a missing, unknown or bad flag is a message, the usage and exit code 2", async () => {
  for (
    const [args, message] of [
      [[], /'redis' must be a redis:\/\/ or rediss:\/\/ URL/],
      [["--nope", "1"], /Unknown flag "--nope"/],
      [["--redis"], /--redis needs a value/],
      [
        [
          "--redis",
          "redis://127.0.0.1:1",
          "--module",
          "./x.ts",
          "--concurrency",
          "0",
        ],
        /'concurrency' must be a positive integer/,
      ],
    ] as const
  ) {
    const { code, stderr } = await runWorkerCommand(...args);
    strictEqual(code, 2, stderr);
    ok(message.test(stderr), stderr);
    ok(stderr.includes("usage: "), stderr);
    ok(!stderr.includes("    at "), `a stack trace: ${stderr}`);
  }
});
