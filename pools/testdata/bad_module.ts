// A task module that fails to load: a pool on it is broken.

/** Never reached: the module throws first. */
export function add(a: number, b: number): number {
  return a + b;
}

throw new Error("bad_module.ts fails to load on purpose");
