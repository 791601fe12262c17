// What `hold()` and `holdSync()` return: a guard for `using`, which releases
// what the call acquired when the block ends, and only that, once. (The
// primitives themselves are not disposable: `using _ = new Lock()` would
// release a lock it never took.)

/** A guard whose disposal calls `release` once; later disposals do nothing. */
export function guard(release: () => void): Disposable & AsyncDisposable {
  let held = true;
  const dispose = () => {
    if (!held) return;
    held = false;
    release();
  };
  return {
    [Symbol.dispose]: dispose,
    [Symbol.asyncDispose]: () => {
      dispose();
      return Promise.resolve();
    },
  };
}
