/**
 * POST /hooks/:provider — delivery, bounce and complaint webhooks from SES (via SNS), Postmark, Resend, SendGrid and
 * Mailgun. Each request is authenticated the provider's way before anything in it is believed; then its events are
 * applied to messages, contacts and the suppression list.
 *
 * Answers: 200 `{ ok, received, applied, duplicates, ignored }`; 401 unauthenticated or not configured; 400 malformed;
 * 404 unknown provider; 413 over 1 MB.
 */
import { Hono, type Context } from "hono";
import {
  isSnsUrl, mailgunSignature, parseCertificate, parseMailgun, parsePostmark, parseResend, parseSendGrid, parseSesNotification, pemToDer,
  snsEnvelopeSchema, verifyBasicAuth, verifyMailgun, verifySendGrid, verifySns, verifySvix, WebhookError, webhookProviders,
  type Certificate, type Parsed, type WebhookProvider,
} from "../core/webhooks";
import type { AppEnv, Env } from "../env";
import { applyOutcomes, type ApplyOptions } from "../store/suppressions";
import { readBody } from "./body";
import { badRequest, HttpError, notFound } from "./errors";

/** Until env.ts names it: the SNS topic(s) SES publishes to, comma-separated; other topics are refused. */
type HookContext = Context<AppEnv>;

const BODY_LIMIT = 1024 * 1024;

interface Handled extends Parsed {
  nonce?: ApplyOptions["nonce"];
  /** SNS subscription confirmed (or an SNS message needing no action) */
  note?: string;
}

type Handler = (c: HookContext, body: Uint8Array, now: number) => Promise<Handled>;

export const hooks = new Hono<AppEnv>();

hooks.post("/:provider", async (c) => {
  const provider = c.req.param("provider") as WebhookProvider;
  if (!webhookProviders.includes(provider)) throw notFound("No webhook for this provider (use ses, postmark, resend, sendgrid or mailgun)");
  const body = await readBody(c.req.raw, BODY_LIMIT);
  const now = Date.now();
  let handled: Handled;
  try {
    handled = await handlers[provider](c, body, now);
  } catch (err) {
    if (err instanceof WebhookError) throw err.reason === "signature" ? unauthorized(err.message) : badRequest(err.message);
    throw err;
  }
  const result = handled.outcomes.length || handled.nonce ? await applyOutcomes(c.env.DB, handled.outcomes, { now, nonce: handled.nonce }) : null;
  return c.json({
    ok: true,
    received: handled.outcomes.length,
    applied: result?.applied ?? 0,
    duplicates: result?.duplicates ?? 0,
    ignored: handled.ignored,
    ...(handled.note ? { note: handled.note } : {}),
  });
});

hooks.all("/:provider", () => {
  throw new HttpError(405, "method_not_allowed", "Webhooks are POST requests", undefined, { allow: "POST" });
});

const unauthorized = (message: string) => new HttpError(401, "unauthorized", message);
const notConfigured = (secret: string, provider: string) =>
  new HttpError(401, "not_configured", `${provider} webhooks are off until ${secret} is set (wrangler secret put ${secret})`);

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
function json(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    throw badRequest("The request body is not valid UTF-8 JSON");
  }
}

const handlers: Record<WebhookProvider, Handler> = {
  async resend(c, body, now) {
    const secret = c.env.RESEND_WEBHOOK_SECRET;
    if (!secret) throw notConfigured("RESEND_WEBHOOK_SECRET", "Resend");
    // Svix sends svix-* headers; the same scheme unbranded ("Standard Webhooks") uses webhook-*.
    const h = (name: string) => c.req.header(`svix-${name}`) ?? c.req.header(`webhook-${name}`) ?? null;
    const headers = { id: h("id"), timestamp: h("timestamp"), signature: h("signature") };
    await verifySvix(secret, headers, body, now);
    return parseResend(json(body), headers.id!, now);
  },

  async sendgrid(c, body, now) {
    const key = c.env.SENDGRID_WEBHOOK_PUBLIC_KEY;
    if (!key) throw notConfigured("SENDGRID_WEBHOOK_PUBLIC_KEY", "SendGrid");
    const headers = {
      signature: c.req.header("x-twilio-email-event-webhook-signature") ?? null,
      timestamp: c.req.header("x-twilio-email-event-webhook-timestamp") ?? null,
    };
    await verifySendGrid(key, headers, body, now);
    return parseSendGrid(json(body), now);
  },

  async mailgun(c, body, now) {
    const key = c.env.MAILGUN_WEBHOOK_SIGNING_KEY;
    if (!key) throw notConfigured("MAILGUN_WEBHOOK_SIGNING_KEY", "Mailgun");
    const payload = json(body);
    const sig = mailgunSignature(payload);
    await verifyMailgun(key, sig, now);
    // Only timestamp + token are signed, so a token is good for one request: a second use is a replay.
    return { ...parseMailgun(payload, now), nonce: { key: `hook-nonce:mailgun:${sig.token}`, window: Number(sig.timestamp) } };
  },

  async postmark(c, body, now) {
    const token = c.env.POSTMARK_WEBHOOK_TOKEN;
    if (!token) throw notConfigured("POSTMARK_WEBHOOK_TOKEN", "Postmark");
    verifyBasicAuth(token, c.req.header("authorization") ?? null);
    return parsePostmark(json(body), now);
  },

  async ses(c, body, now) {
    const allowed = (c.env.SES_WEBHOOK_TOPIC_ARN ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (!allowed.length) throw notConfigured("SES_WEBHOOK_TOPIC_ARN", "SES");
    const parsed = snsEnvelopeSchema.safeParse(json(body));
    if (!parsed.success) throw badRequest("The body is not an Amazon SNS message");
    const m = parsed.data;
    // A valid AWS signature only proves that *some* SNS topic sent this; it must be ours.
    if (!allowed.includes(m.TopicArn)) throw new HttpError(403, "forbidden", "Messages from this SNS topic are not accepted (see SES_WEBHOOK_TOPIC_ARN)");
    if (!isSnsUrl(m.SigningCertURL) || !/\.pem$/.test(new URL(m.SigningCertURL).pathname)) throw unauthorized("SigningCertURL is not an Amazon SNS certificate URL");
    await verifySns(m, await signingCertificate(m.SigningCertURL), now);

    if (m.Type === "SubscriptionConfirmation") {
      if (!isSnsUrl(m.SubscribeURL!)) throw unauthorized("SubscribeURL is not an Amazon SNS URL");
      await snsGet(m.SubscribeURL!);
      return { outcomes: [], ignored: 0, note: "subscription confirmed" };
    }
    if (m.Type === "UnsubscribeConfirmation") return { outcomes: [], ignored: 1, note: "unsubscribe confirmation ignored" };
    return parseSesNotification(m, now);
  },
};

// Signing certificates by URL, per isolate: SNS uses a handful, and they change rarely.
const certificates = new Map<string, Promise<Certificate>>();

function signingCertificate(url: string): Promise<Certificate> {
  let cert = certificates.get(url);
  if (!cert) {
    cert = snsGet(url).then((pem) => {
      const der = pemToDer(pem);
      const parsed = der ? parseCertificate(der) : null;
      if (!parsed) throw new HttpError(502, "bad_certificate", "The SNS signing certificate could not be read");
      return parsed;
    });
    if (certificates.size >= 20) certificates.clear();
    certificates.set(url, cert);
    cert.catch(() => certificates.delete(url));
  }
  return cert;
}

/** GETs an SNS URL (checked by the caller), without following redirects anywhere else. */
async function snsGet(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new HttpError(502, "upstream_error", "Amazon SNS could not be reached");
  }
  const text = await res.text();
  // SNS retries on 5xx, so an AWS hiccup here is retried rather than lost.
  if (!res.ok || text.length > 64 * 1024) throw new HttpError(502, "upstream_error", `Amazon SNS answered ${res.status}`);
  return text;
}
