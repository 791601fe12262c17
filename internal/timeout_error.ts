// The error of a `hold()` that could not acquire before its timeout: the same
// DOMException that `AbortSignal.timeout()` uses.

export function timeoutError(
  what: string,
  options: { timeout?: number } | undefined,
): DOMException {
  return new DOMException(
    `Timed out after ${options?.timeout} ms waiting to acquire ${what}`,
    "TimeoutError",
  );
}
