/**
 * Webhook authentication on Web Crypto: Svix (Resend), Mailgun's HMAC, SendGrid's ECDSA, HTTP Basic (Postmark) and
 * Amazon SNS's RSA signatures with the few lines of DER needed to read a certificate. Pure: `now` comes in.
 */
import { z } from "zod";
import { constantTimeEqual } from "./crypto";

/** `signature`: the request is not provably from the provider (401); `malformed`: it is not what they send (400). */
export class WebhookError extends Error {
  constructor(
    readonly reason: "signature" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

const signatureError = (message: string) => new WebhookError("signature", message);
export const malformed = (message: string) => new WebhookError("malformed", message);

// ---------------------------------------------------------------------------------------------------------------
// Bytes

const encoder = new TextEncoder();
const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;
const hexRe = /^(?:[0-9a-fA-F]{2})+$/;

export function fromBase64(text: string): Uint8Array | null {
  const clean = text.trim();
  if (!base64Re.test(clean) || clean.length % 4 === 1) return null;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function fromHex(text: string): Uint8Array | null {
  if (!hexRe.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

async function hmacVerify(key: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  // subtle.verify compares in constant time.
  return crypto.subtle.verify("HMAC", k, signature, data);
}

/** Rejects timestamps (seconds) older than `maxAge` or more than five minutes in the future (clock skew). */
function checkFreshness(timestampSeconds: number, now: number, maxAgeSeconds: number): void {
  const age = now / 1000 - timestampSeconds;
  if (age > maxAgeSeconds) throw signatureError("The signature timestamp is too old");
  if (age < -300) throw signatureError("The signature timestamp is in the future");
}

const digitsRe = /^\d{1,12}$/;

// ---------------------------------------------------------------------------------------------------------------
// Signatures

export interface SvixHeaders {
  id: string | null;
  timestamp: string | null;
  /** space-separated list of `v1,<base64>` entries (several while a secret is being rotated) */
  signature: string | null;
}

/**
 * Resend signs with Svix: base64 HMAC-SHA256 of `${svix-id}.${svix-timestamp}.${raw body}`, keyed by the base64
 * part of the `whsec_…` secret; timestamps more than five minutes away from now are refused, as Svix's libraries do.
 */
export async function verifySvix(secret: string, headers: SvixHeaders, body: Uint8Array, now: number): Promise<void> {
  const key = fromBase64(secret.trim().replace(/^whsec_/, ""));
  if (!key?.length) throw signatureError("The webhook secret is not a whsec_… value");
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) throw signatureError("Missing svix-id, svix-timestamp or svix-signature header");
  if (!digitsRe.test(timestamp) || id.length > 200) throw signatureError("Malformed svix headers");
  const age = Math.abs(now / 1000 - Number(timestamp));
  if (age > 300) throw signatureError("The signature timestamp is more than five minutes away from now");
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), body);
  for (const entry of signature.split(" ").slice(0, 10)) {
    const [version, value] = entry.split(",", 2);
    const bytes = version === "v1" && value ? fromBase64(value) : null;
    if (bytes && bytes.length === 32 && (await hmacVerify(key, bytes, signed))) return;
  }
  throw signatureError("No svix signature matches");
}

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/**
 * Mailgun: hex HMAC-SHA256 of timestamp + token, keyed by the webhook signing key. The event data itself is not
 * signed, so the caller must also refuse a token it has seen before (replay with other data).
 */
export async function verifyMailgun(signingKey: string, sig: MailgunSignature, now: number, maxAgeSeconds = 12 * 3600): Promise<void> {
  if (!digitsRe.test(sig.timestamp) || !sig.token || sig.token.length > 200) throw signatureError("Malformed Mailgun signature block");
  checkFreshness(Number(sig.timestamp), now, maxAgeSeconds);
  const bytes = fromHex(sig.signature);
  const ok = bytes?.length === 32 && (await hmacVerify(encoder.encode(signingKey), bytes, encoder.encode(sig.timestamp + sig.token)));
  if (!ok) throw signatureError("The Mailgun signature does not match");
}

/**
 * SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 over timestamp + raw body, the signature base64 DER in
 * X-Twilio-Email-Event-Webhook-Signature, the public key base64 DER SubjectPublicKeyInfo from the SendGrid console.
 */
export async function verifySendGrid(
  publicKey: string,
  headers: { signature: string | null; timestamp: string | null },
  body: Uint8Array,
  now: number,
  maxAgeSeconds = 24 * 3600,
): Promise<void> {
  const spki = fromBase64(publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, ""));
  if (!spki) throw signatureError("SENDGRID_WEBHOOK_PUBLIC_KEY is not base64");
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) throw signatureError("Missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp header");
  if (!digitsRe.test(timestamp)) throw signatureError("Malformed signature timestamp");
  checkFreshness(Number(timestamp), now, maxAgeSeconds);
  const der = fromBase64(signature);
  const raw = der && (der.length === 64 ? der : ecdsaDerToRaw(der, 32));
  if (!raw) throw signatureError("Malformed ECDSA signature");
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    throw signatureError("SENDGRID_WEBHOOK_PUBLIC_KEY is not a P-256 public key");
  }
  const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, concat(encoder.encode(timestamp), body));
  if (!ok) throw signatureError("The SendGrid signature does not match");
}

/** Postmark has no signature: the webhook URL carries HTTP Basic credentials, compared here to `user:password`. */
export function verifyBasicAuth(expected: string, authorization: string | null): void {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,400})$/i.exec(authorization?.trim() ?? "");
  const decoded = match ? fromBase64(match[1]!) : null;
  const given = decoded ? new TextDecoder().decode(decoded) : "";
  // A token without a colon is accepted as the user name with an empty password.
  const want = expected.includes(":") ? expected : `${expected}:`;
  if (!given || !constantTimeEqual(given, want)) throw signatureError("Wrong or missing HTTP Basic credentials");
}

// ---------------------------------------------------------------------------------------------------------------
// DER: just enough to read an ECDSA signature and an X.509 certificate's public key and validity.

interface Tlv {
  tag: number;
  start: number;
  end: number;
  headerStart: number;
}

function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new Error("truncated DER");
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let p = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) throw new Error("bad DER length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[p++]!;
  }
  if (p + length > limit) throw new Error("truncated DER");
  return { tag, start: p, end: p + length, headerStart: offset };
}

function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.start; p < parent.end; ) {
    const t = readTlv(der, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** ECDSA signatures travel as DER SEQUENCE { r INTEGER, s INTEGER }; Web Crypto wants r || s, each `size` bytes. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | null {
  try {
    const seq = readTlv(der, 0);
    if (seq.tag !== 0x30 || seq.end !== der.length) return null;
    const ints = childrenOf(der, seq);
    if (ints.length !== 2 || ints.some((t) => t.tag !== 0x02)) return null;
    const out = new Uint8Array(size * 2);
    ints.forEach((t, i) => {
      let bytes = der.subarray(t.start, t.end);
      while (bytes.length > size && bytes[0] === 0) bytes = bytes.subarray(1);
      if (bytes.length > size) throw new Error("integer too long");
      out.set(bytes, i * size + size - bytes.length);
    });
    return out;
  } catch {
    return null;
  }
}

export interface Certificate {
  /** the SubjectPublicKeyInfo, ready for crypto.subtle.importKey("spki", …) */
  spki: Uint8Array;
  notBefore: number;
  notAfter: number;
}

export function pemToDer(pem: string): Uint8Array | null {
  const m = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  return m ? fromBase64(m[1]!.replace(/\s+/g, "")) : null;
}

/** Reads tbsCertificate: [0] version?, serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo. */
export function parseCertificate(der: Uint8Array): Certificate | null {
  try {
    const cert = readTlv(der, 0);
    const tbs = cert.tag === 0x30 ? childrenOf(der, cert)[0] : undefined;
    if (!tbs || tbs.tag !== 0x30) return null;
    const fields = childrenOf(der, tbs);
    const i = fields[0]?.tag === 0xa0 ? 1 : 0;
    const validity = fields[i + 3];
    const spki = fields[i + 5];
    if (validity?.tag !== 0x30 || spki?.tag !== 0x30) return null;
    const [from, to] = childrenOf(der, validity).map((t) => derTime(der, t));
    if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) return null;
    return { spki: der.slice(spki.headerStart, spki.end), notBefore: from, notAfter: to };
  } catch {
    return null;
  }
}

function derTime(der: Uint8Array, t: Tlv): number {
  const text = String.fromCharCode(...der.subarray(t.start, t.end));
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!m) return NaN;
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year >= 50 ? 1900 : 2000; // RFC 5280 4.1.2.5.1
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

// ---------------------------------------------------------------------------------------------------------------
// Amazon SNS (SES notifications)

const snsUrlHostRe = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

/** True for https URLs on an SNS regional host — the only hosts we fetch certificates from or confirm with. */
export function isSnsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" && !url.port && !url.username && !url.password && snsUrlHostRe.test(url.hostname);
}

const text = (max: number) => z.string().max(max);

export const snsEnvelopeSchema = z.object({
  Type: z.enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  MessageId: text(200),
  TopicArn: text(300),
  Message: text(1024 * 1024),
  Timestamp: text(50),
  SignatureVersion: z.enum(["1", "2"]),
  Signature: text(2000),
  SigningCertURL: text(1000),
  Subject: text(1000).nullish(),
  Token: text(2000).optional(),
  SubscribeURL: text(2000).optional(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

/** The canonical "Name\nvalue\n" string SNS signs; the field list depends on the message type. */
export function snsStringToSign(m: SnsEnvelope): string {
  const fields: [string, string | null | undefined][] =
    m.Type === "Notification"
      ? [["Message", m.Message], ["MessageId", m.MessageId], ["Subject", m.Subject], ["Timestamp", m.Timestamp], ["TopicArn", m.TopicArn], ["Type", m.Type]]
      : [["Message", m.Message], ["MessageId", m.MessageId], ["SubscribeURL", m.SubscribeURL], ["Timestamp", m.Timestamp], ["Token", m.Token], ["TopicArn", m.TopicArn], ["Type", m.Type]];
  return fields.filter(([, v]) => typeof v === "string").map(([k, v]) => `${k}\n${v}\n`).join("");
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, both over `snsStringToSign`. */
export async function verifySns(m: SnsEnvelope, cert: Certificate, now: number): Promise<void> {
  if (now < cert.notBefore || now > cert.notAfter) throw signatureError("The SNS signing certificate is not valid now");
  if (m.Type !== "Notification" && (!m.SubscribeURL || !m.Token)) throw signatureError("Confirmation without SubscribeURL or Token");
  const hash = m.SignatureVersion === "1" ? "SHA-1" : "SHA-256";
  const signature = fromBase64(m.Signature);
  if (!signature) throw signatureError("The SNS signature is not base64");
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", cert.spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]);
  } catch {
    throw signatureError("The SNS signing certificate does not hold an RSA key");
  }
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, encoder.encode(snsStringToSign(m))))) {
    throw signatureError("The SNS signature does not match");
  }
}
