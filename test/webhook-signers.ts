/**
 * Test doubles for email providers' webhook signing, on Web Crypto (runs in Node and in workerd): Svix, Mailgun,
 * SendGrid ECDSA, and Amazon SNS with an X.509 certificate assembled here in DER.
 */
import { snsStringToSign, type SnsEnvelope } from "../worker/core/webhooks";

const enc = new TextEncoder();

export const b64 = (bytes: ArrayBuffer | Uint8Array) => {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
};
export const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function hmac(key: Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** svix-* headers for `body`, signed with a `whsec_…` secret. */
export async function svixHeaders(secret: string, body: string, id = `msg_${crypto.randomUUID()}`, timestamp = Math.floor(Date.now() / 1000)) {
  const key = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const signature = b64(await hmac(key, `${id}.${timestamp}.${body}`));
  return { "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": `v1,${signature}` };
}

/** Mailgun's signature block: hex HMAC-SHA256 of timestamp + token. */
export async function mailgunBlock(signingKey: string, token = crypto.randomUUID().replace(/-/g, "") + "abcdefghijklmnopqr", timestamp = Math.floor(Date.now() / 1000)) {
  return { timestamp: String(timestamp), token, signature: hex(await hmac(enc.encode(signingKey), `${timestamp}${token}`)) };
}

/** A raw (r || s) ECDSA P-256 signature as the DER SEQUENCE SendGrid sends. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

/** SendGrid's signature headers for `body`, signed with a PKCS#8 (base64) P-256 private key. */
export async function sendgridHeaders(pkcs8Base64: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const pkcs8 = Uint8Array.from(atob(pkcs8Base64), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(`${timestamp}${body}`)));
  return { "x-twilio-email-event-webhook-signature": b64(rawToDer(raw)), "x-twilio-email-event-webhook-timestamp": String(timestamp) };
}

// --- DER, just enough to write a certificate

export const der = (tag: number, ...parts: (Uint8Array | number[])[]) => {
  const body = parts.flatMap((p) => [...p]);
  const len = body.length < 128 ? [body.length] : body.length < 256 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return new Uint8Array([tag, ...len, ...body]);
};
export const seq = (...p: Uint8Array[]) => der(0x30, ...p);
const oid = (bytes: number[]) => der(0x06, bytes);
const name = (cn: string) => seq(der(0x31, seq(oid([0x55, 0x04, 0x03]), der(0x0c, [...enc.encode(cn)]))));
const utcTime = (d: Date) => der(0x17, [...enc.encode(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z")]);
const genTime = (d: Date) => der(0x18, [...enc.encode(d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z")]);

/** A self-signed RSA certificate (PEM) like the ones SNS publishes, with its private key for signing messages. */
export async function makeCertificate(opts: { notBefore: Date; notAfter: Date; generalized?: boolean }) {
  const keys = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", keys.publicKey)) as ArrayBuffer);
  const sha256WithRsa = seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), der(0x05));
  const time = opts.generalized ? genTime : utcTime;
  const tbs = seq(der(0xa0, der(0x02, [2])), der(0x02, [0x01, 0x23]), sha256WithRsa, name("Test SNS CA"), seq(time(opts.notBefore), time(opts.notAfter)), name("sns.amazonaws.com"), spki);
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, tbs));
  const cert = seq(tbs, sha256WithRsa, der(0x03, [0], signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${b64(cert).replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", keys.privateKey)) as ArrayBuffer;
  return { pem, spki, pkcs8 };
}

/** Signs an SNS message as SNS does: SignatureVersion 1 with SHA1withRSA, 2 with SHA256withRSA. */
export async function signSns(m: Omit<SnsEnvelope, "Signature">, pkcs8: ArrayBuffer): Promise<SnsEnvelope> {
  const hash = m.SignatureVersion === "1" ? "SHA-1" : "SHA-256";
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["sign"]);
  const unsigned = { ...m, Signature: "" } as SnsEnvelope;
  const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, enc.encode(snsStringToSign(unsigned)));
  return { ...unsigned, Signature: b64(sig) };
}
