// Test helpers for what must not be kept alive: Python's test_free_reference
// cases. They need `--v8-flags=--expose-gc` (the test task passes it).

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Whether the object behind `ref` can be, and has been, collected. The
 * caller must hold no reference to it (a `WeakRef`'s target also lives to
 * the end of the job that made or read it, hence the turns of the loop).
 */
export async function isCollected(ref: WeakRef<object>): Promise<boolean> {
  if (gc === undefined) {
    throw new Error("Run the tests with --v8-flags=--expose-gc");
  }
  for (let turn = 0; turn < 5; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/**
 * Takes the next value of `iterator` and returns only a weak reference to
 * it (`undefined` at the end), so that the caller keeps nothing.
 */
export async function nextWeakly<T extends object>(
  iterator: AsyncIterator<T>,
  onValue: (value: T) => void = () => {},
): Promise<WeakRef<T> | undefined> {
  const result = await iterator.next();
  if (result.done) return undefined;
  onValue(result.value);
  return new WeakRef(result.value);
}
