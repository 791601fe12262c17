// Proving the key, in both directions, before anything is served: the
// challenge and response of Python's multiprocessing.connection
// (`deliver_challenge` / `answer_challenge`), with HMAC-SHA256 from Web
// Crypto (and, for a thread that blocks, from _sha256.ts). The key itself
// never travels.

import { frameOf, type FrameReader, type FrameWriter } from "./_frame.ts";
import { concatBytes } from "../internal/bytes.ts";
import { hmacSha256 } from "./_sha256.ts";

const CHALLENGE = new TextEncoder().encode("#CHALLENGE#{sha256}");
const WELCOME = new TextEncoder().encode("#WELCOME#");
const FAILURE = new TextEncoder().encode("#FAILURE#");
const MESSAGE_BYTES = 40;

/** Python's `multiprocessing.AuthenticationError`: a wrong key. */
export class AuthenticationError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   */
  constructor(message: string) {
    super(message);
    this.name = "AuthenticationError";
  }
}

async function hmac(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      cryptoKey,
      message as Uint8Array<ArrayBuffer>,
    ),
  );
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length &&
    prefix.every((byte, i) => bytes[i] === byte);
}

/** Compares in a time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Challenges the peer to prove `key`.
 *
 * @throws {AuthenticationError} If it does not (the peer is told so).
 */
export async function deliverChallenge(
  reader: FrameReader,
  writer: FrameWriter,
  key: Uint8Array,
): Promise<void> {
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  await writer.write(frameOf(concatBytes([CHALLENGE, message])));
  const answer = await reader.next();
  const expected = await hmac(key, message);
  if (answer === null || !sameBytes(answer, expected)) {
    await writer.write(frameOf(FAILURE)).catch(() => {});
    throw new AuthenticationError("The peer did not prove the Manager's key");
  }
  await writer.write(frameOf(WELCOME));
}

/**
 * Answers the peer's challenge with `key`.
 *
 * @throws {AuthenticationError} If the peer refuses it.
 */
export async function answerChallenge(
  reader: FrameReader,
  writer: FrameWriter,
  key: Uint8Array,
): Promise<void> {
  const challenge = await reader.next();
  if (challenge === null || !startsWith(challenge, CHALLENGE)) {
    throw new AuthenticationError("The peer sent no challenge");
  }
  await writer.write(
    frameOf(await hmac(key, challenge.subarray(CHALLENGE.length))),
  );
  const verdict = await reader.next();
  if (verdict === null || !sameBytes(verdict, WELCOME)) {
    throw new AuthenticationError(
      "The Manager refused the key ('authkey' is wrong)",
    );
  }
}

/** A connection that blocks its thread, for the handshake of Sync calls. */
export interface BlockingFrames {
  /** Sends a frame (`frameOf`'s shape). */
  send(frame: Uint8Array): void;
  /** The next frame's payload (valid until the next call), null at the end. */
  next(): Uint8Array | null;
}

/**
 * A client's handshake, blocking: `answerChallenge`, then
 * `deliverChallenge`, with the same frames (and HMAC-SHA256 that needs no
 * await).
 *
 * @throws {AuthenticationError} If either side's key is wrong.
 */
export function proveKeySync(frames: BlockingFrames, key: Uint8Array): void {
  const challenge = frames.next();
  if (challenge === null || !startsWith(challenge, CHALLENGE)) {
    throw new AuthenticationError("The peer sent no challenge");
  }
  frames.send(
    frameOf(hmacSha256(key, challenge.subarray(CHALLENGE.length))),
  );
  const verdict = frames.next();
  if (verdict === null || !sameBytes(verdict, WELCOME)) {
    throw new AuthenticationError(
      "The Manager refused the key ('authkey' is wrong)",
    );
  }
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  frames.send(frameOf(concatBytes([CHALLENGE, message])));
  const answer = frames.next();
  if (answer === null || !sameBytes(answer, hmacSha256(key, message))) {
    try {
      frames.send(frameOf(FAILURE));
    } catch { /* the peer is gone already */ }
    throw new AuthenticationError("The peer did not prove the Manager's key");
  }
  frames.send(frameOf(WELCOME));
}
