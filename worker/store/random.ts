/** Random ids and secrets for the store layer (core/ stays deterministic and takes these as parameters). */
import { base64url } from "../core/crypto";

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** A URL-safe secret with `bytes` bytes of entropy, optionally prefixed (`wk_…`, `tern_…`). */
export function randomToken(bytes = 32, prefix = ""): string {
  return prefix + base64url(randomBytes(bytes));
}
