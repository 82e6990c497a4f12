/**
 * Amazon SES, API v2 SendEmail (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
 * POST https://email.{region}.amazonaws.com/v2/email/outbound-emails with Content.Raw.Data = base64 of our MIME,
 * so List-Unsubscribe and the other headers are delivered exactly as built. Signed with AWS Signature Version 4
 * (service "ses") on Web Crypto. The answer's MessageId is the provider id; the message id also travels as an
 * EmailTag for SES event publishing. 429 TooManyRequestsException ("Maximum sending rate exceeded") is retried.
 */
import type { ProviderContext } from "./index";
import { apiUrl, base64Utf8, permanent, providerFetch, type Provider, type TimeoutOption } from "./types";

export const ses = ({ settings, env, timeoutMs }: ProviderContext & TimeoutOption): Provider => ({
  name: "ses",
  async send(email) {
    if (!env.SES_ACCESS_KEY_ID) return permanent("SES_ACCESS_KEY_ID is not set (wrangler secret put SES_ACCESS_KEY_ID)");
    if (!env.SES_SECRET_ACCESS_KEY) return permanent("SES_SECRET_ACCESS_KEY is not set (wrangler secret put SES_SECRET_ACCESS_KEY)");
    const region = settings.sesRegion;
    if (!region) return permanent("the SES region is not set (Settings → Sending → SES region, e.g. eu-west-1)");
    const url = apiUrl(settings.apiBaseUrl, `https://email.${region}.amazonaws.com`, "/v2/email/outbound-emails");
    const body = JSON.stringify({
      FromEmailAddress: email.from.email,
      Destination: { ToAddresses: [email.to.email] },
      Content: { Raw: { Data: base64Utf8(email.raw) } },
      // tag values allow only letters, digits, _ - . @ (SES MessageTag)
      ...(/^[\w.@-]{1,256}$/.test(email.messageId) ? { EmailTags: [{ Name: "tern_message_id", Value: email.messageId }] } : {}),
    });
    const headers = await signV4(
      { method: "POST", url, headers: { "content-type": "application/json" }, body },
      { accessKeyId: env.SES_ACCESS_KEY_ID, secretAccessKey: env.SES_SECRET_ACCESS_KEY },
      { region, service: "ses" },
      new Date(),
    );
    return providerFetch(url, { method: "POST", headers, body }, { timeoutMs, idFrom: (b) => b?.MessageId });
  },
});

export interface SignableRequest {
  method: string;
  url: string;
  /** headers to send and sign (host and x-amz-date are added) */
  headers: Record<string, string>;
  body: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * AWS Signature Version 4 for a request with its headers in place: returns the headers to send, with
 * x-amz-date and Authorization (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 *
 * @example
 * const headers = await signV4({ method: "POST", url, headers: { "content-type": "application/json" }, body }, creds, { region: "eu-west-1", service: "ses" }, new Date());
 */
export async function signV4(
  req: SignableRequest,
  creds: AwsCredentials,
  scope: { region: string; service: string },
  now: Date,
): Promise<Record<string, string>> {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, ""); // 20150830T123600Z
  const date = amzDate.slice(0, 8);
  const url = new URL(req.url);
  const headers: Record<string, string> = { ...lowerKeys(req.headers), host: url.host, "x-amz-date": amzDate };
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, " ")}\n`).join(""),
    signedHeaders,
    await sha256Hex(req.body),
  ].join("\n");
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, credentialScope, await sha256Hex(canonicalRequest)].join("\n");
  const key = await signingKey(creds.secretAccessKey, date, scope.region, scope.service);
  const signature = hex(await hmac(key, stringToSign));
  const { host: _host, ...toSend } = headers; // fetch sets Host itself
  return {
    ...toSend,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export async function signingKey(secret: string, date: string, region: string, service: string): Promise<ArrayBuffer> {
  let key: ArrayBuffer | Uint8Array = new TextEncoder().encode(`AWS4${secret}`);
  for (const part of [date, region, service, "aws4_request"]) key = await hmac(key, part);
  return key as ArrayBuffer;
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Each path segment encoded once (the URL parser already percent-encoded it; decode first so it is not doubled). */
const canonicalPath = (path: string) => path.split("/").map((seg) => uriEncode(safeDecode(seg))).join("/") || "/";

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" the URL parser let through
  }
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const lowerKeys = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, new TextEncoder().encode(data));
}

const sha256Hex = async (data: string) => hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(data)));

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** For tests of the canonical forms against AWS's published suite. */
export const __internals = { canonicalPath, canonicalQuery };
