// Bytes joined for one write: the frames of a Manager's connection, the
// messages to a child process, a challenge's parts.

/** The bytes of `parts`, one after another (the only part itself if one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
