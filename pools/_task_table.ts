// The tasks a pool's worker can run, whatever the worker is (a thread,
// `_worker.ts`, or a process, `_process_worker.ts`): the exports of the
// pool's module, and self-contained functions sent as source, compiled once
// each.

import {
  compileFunction,
  isFunctionTarget,
  SCOPE_HINT,
} from "./_function_source.ts";

type Task = (...args: unknown[]) => unknown;

export class TaskTable {
  readonly #module: Record<string, unknown>;
  readonly #url: string | undefined;
  readonly #functions = new Map<string, Task>();

  private constructor(
    module: Record<string, unknown>,
    url: string | undefined,
  ) {
    this.#module = module;
    this.#url = url;
  }

  /** Imports the pool's module, if it has one. */
  static async load(url: string | undefined): Promise<TaskTable> {
    return new TaskTable(url === undefined ? {} : await import(url), url);
  }

  /** The function a target names. */
  resolve(target: string): Task {
    let fn = this.#functions.get(target);
    if (fn !== undefined) return fn;
    if (Object.hasOwn(this.#module, target)) {
      fn = this.#module[target] as Task;
      if (typeof fn !== "function") {
        throw new TypeError(
          `Cannot run task: export ${JSON.stringify(target)} of ${
            JSON.stringify(this.#url)
          } is not a function`,
        );
      }
    } else if (/^[\w$]+$/.test(target)) {
      throw new TypeError(
        `Cannot run task: ${
          this.#url === undefined
            ? "the pool has no module"
            : `${JSON.stringify(this.#url)} has no export`
        } named ${JSON.stringify(target)}`,
      );
    } else {
      fn = compileFunction(target);
    }
    this.#functions.set(target, fn);
    return fn;
  }

  /** Runs a task; a sync function's result is returned as it is, unawaited. */
  run(target: string, args: unknown[]): unknown {
    return this.resolve(target)(...args);
  }

  /**
   * Runs a chunk: one call per entry of `list`, one after another, with
   * the entry as its argument list, or with `items` as its one argument.
   */
  async runEach(
    target: string,
    list: unknown[],
    items: boolean,
  ): Promise<unknown[]> {
    const fn = this.resolve(target);
    const results = [];
    for (const each of list) {
      const result = items ? fn(each) : fn(...each as unknown[]);
      results.push(result instanceof Promise ? await result : result);
    }
    return results;
  }

  /** Adds the hint of SCOPE_HINT to a function task's ReferenceError. */
  hinted(error: unknown, target: string): unknown {
    if (error instanceof ReferenceError && isFunctionTarget(target)) {
      error.message += SCOPE_HINT;
    }
    return error;
  }

  /** How a message names a task: its export's name, or its function's. */
  nameOf(target: string): string {
    if (/^[\w$]+$/.test(target)) return JSON.stringify(target);
    const name = this.#functions.get(target)?.name;
    return `function ${name || "(anonymous)"}`;
  }
}
