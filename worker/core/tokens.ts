/**
 * HMAC-SHA256 signed, compact, URL-safe tokens for links in emails. The payload is readable (base64url JSON),
 * the signature (128 bits, truncated HMAC) covers the token kind, so a click token can never serve as an
 * unsubscribe token, and a click token carries its destination, so /c/ needs no database read.
 *
 * @example
 * const key = await tokenKey(env.TERN_SECRET);
 * const token = await signToken(key, { k: "c", m: messageId, u: "https://shop.example/" });
 * const payload = await verifyToken(key, token, "c", now); // null when tampered, foreign or expired
 */
import { base64url, constantTimeEqual, fromBase64url } from "./crypto";

export type TokenKind =
  | "o" // open pixel
  | "c" // click
  | "u" // unsubscribe
  | "p" // preference center
  | "v" // view in browser
  | "f" // form double opt-in confirmation
  | "e"; // erasure request confirmation

export interface TokenPayload {
  k: TokenKind;
  /** message id (o, c, u, v) */
  m?: string;
  /** contact id (u, p, f) */
  c?: number;
  /** destination URL (c) */
  u?: string;
  /** link index within the message (c), for per-link reports */
  l?: number;
  /** topic id or other small scope (u, f) */
  t?: number;
  /** expiry, ms since epoch */
  x?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAC_BYTES = 16;
const MAX_TOKEN_LENGTH = 4096;
const keys = new Map<string, Promise<CryptoKey>>();

/** Imports (and caches per isolate) the HMAC key for a secret. */
export function tokenKey(secret: string): Promise<CryptoKey> {
  if (secret.length < 16) throw new Error("TERN_SECRET must be at least 16 characters");
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(key: CryptoKey, body: string): Promise<string> {
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`tern1.${body}`)));
  return base64url(sig.slice(0, MAC_BYTES));
}

export async function signToken(key: CryptoKey, payload: TokenPayload): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(payload)));
  return `${body}.${await mac(key, body)}`;
}

/** Returns the payload when the token is intact, of the expected kind and not expired; otherwise null. */
export async function verifyToken(key: CryptoKey, token: string, kind: TokenKind, now: number): Promise<TokenPayload | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return null;
  const body = token.slice(0, dot);
  if (!constantTimeEqual(await mac(key, body), token.slice(dot + 1))) return null;
  const bytes = fromBase64url(body);
  if (!bytes) return null;
  let payload: TokenPayload;
  try {
    payload = JSON.parse(decoder.decode(bytes)) as TokenPayload;
  } catch {
    return null;
  }
  if (!payload || typeof payload !== "object" || payload.k !== kind) return null;
  if (payload.x !== undefined && payload.x < now) return null;
  return payload;
}
