import { ok, strictEqual } from "node:assert/strict";
import {
  BrokenPoolError,
  CancelledError,
  InvalidStateError,
  WorkerCrashedError,
} from "./errors.ts";

const CLASSES = [
  CancelledError,
  InvalidStateError,
  WorkerCrashedError,
  BrokenPoolError,
] as const;

Deno.test("pool errors: each is an Error named after its class, with a default message", () => {
  for (const ErrorClass of CLASSES) {
    const error = new ErrorClass();
    ok(error instanceof Error, ErrorClass.name);
    ok(error instanceof ErrorClass, ErrorClass.name);
    strictEqual(error.name, ErrorClass.name);
    ok(error.message.length > 0, ErrorClass.name);
    ok(!error.message.endsWith("."), ErrorClass.name);
    ok(error.stack?.includes(ErrorClass.name), ErrorClass.name);
  }
});

Deno.test("pool errors: each takes a message and a cause", () => {
  const cause = new Error("the cause");
  for (const ErrorClass of CLASSES) {
    const error = new ErrorClass("what happened", { cause });
    strictEqual(error.message, "what happened", ErrorClass.name);
    strictEqual(error.cause, cause, ErrorClass.name);
  }
});

Deno.test("WorkerCrashedError: keeps the exit code and names it in the default message", () => {
  const error = new WorkerCrashedError(undefined, { exitCode: 137 });
  strictEqual(error.exitCode, 137);
  ok(error.message.includes("exit code 137"), error.message);

  const zero = new WorkerCrashedError(undefined, { exitCode: 0 });
  strictEqual(zero.exitCode, 0);
  ok(zero.message.includes("exit code 0"), zero.message);
});

Deno.test("WorkerCrashedError: without an exit code, has none", () => {
  const error = new WorkerCrashedError();
  strictEqual(error.exitCode, undefined);
  ok(!error.message.includes("exit code"), error.message);
  const custom = new WorkerCrashedError("worker 2 closed itself", {
    exitCode: 1,
  });
  strictEqual(custom.message, "worker 2 closed itself");
  strictEqual(custom.exitCode, 1);
});
