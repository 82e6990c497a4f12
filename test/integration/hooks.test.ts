import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../worker/core/crypto";
import type { SnsEnvelope } from "../../worker/core/webhooks";
import { makeCertificate, mailgunBlock, sendgridHeaders, signSns, svixHeaders } from "../webhook-signers";
import { admin, call, json, type Admin } from "./helpers";

// The private half of SENDGRID_WEBHOOK_PUBLIC_KEY in test/vitest.workers.config.ts (a test-only key).
const SENDGRID_PRIVATE_KEY =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQ7Dqc5cLNED7ASV+zuZYqJgRWCKie0uAzaKVP9mzYU6hRANCAARai/oC7oFqkS/8mEU5nbsPjUjEcUV2+3QdvoRC6C1UMpicuKLYSIOWWJ/haGlM+CmCd682AoKlxzJBhXyM0/Bd";
const POSTMARK_AUTH = `Basic ${btoa(env.POSTMARK_WEBHOOK_TOKEN!)}`;

let a: Admin;
let seq = 0;

beforeAll(async () => {
  a = await admin();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A contact and one sent message to it, with a provider message id. */
async function sent(local: string, opts: { status?: string } = {}) {
  const email = `${local}.${++seq}@example.com`;
  const res = await a.fetch("/api/contacts", { method: "POST", json: { email } });
  expect(res.status).toBe(201);
  const contactId = (await json(res)).id as number;
  const id = `msg_${local}_${seq}`;
  const providerId = `prov-${crypto.randomUUID()}`;
  await env.DB.prepare(
    `INSERT INTO messages (id, idempotency_key, contact_id, to_email, kind, status, provider, provider_message_id, queued_at, sent_at)
     VALUES (?, ?, ?, ?, 'marketing', ?, 'test', ?, ?, ?)`,
  )
    .bind(id, `test:${id}`, contactId, email, opts.status ?? "sent", providerId, Date.now() - 60_000, Date.now() - 30_000)
    .run();
  return { email, contactId, id, providerId };
}

async function state(email: string, messageId?: string) {
  const [contact, message, suppression, events] = await env.DB.batch([
    env.DB.prepare("SELECT id, status, soft_bounces AS softBounces FROM contacts WHERE email = ?").bind(email),
    env.DB.prepare("SELECT status, delivered_at AS deliveredAt, bounced_at AS bouncedAt, complained_at AS complainedAt FROM messages WHERE id = ?").bind(messageId ?? ""),
    env.DB.prepare("SELECT reason, detail, email FROM suppressions WHERE email_hash = ?").bind(await sha256Hex(email)),
    env.DB.prepare(
      "SELECT e.name, e.properties, e.email_id AS emailId, e.type, e.source FROM events e JOIN contacts c ON c.id = e.contact_id WHERE c.email = ? AND e.type = 'email' ORDER BY e.occurred_at, e.id",
    ).bind(email),
  ]);
  return {
    contact: contact!.results[0] as { id: number; status: string; softBounces: number } | undefined,
    message: message!.results[0] as { status: string; deliveredAt: number | null; bouncedAt: number | null; complainedAt: number | null } | undefined,
    suppression: suppression!.results[0] as { reason: string; detail: string; email: string } | undefined,
    events: (events!.results as { name: string; properties: string; emailId: string | null; type: string; source: string }[]).map((e) => ({ ...e, properties: JSON.parse(e.properties) })),
  };
}

const post = (provider: string, body: string, headers: Record<string, string> = {}) =>
  call(`/hooks/${provider}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

async function resend(event: unknown, id?: string) {
  const body = JSON.stringify(event);
  return post("resend", body, await svixHeaders(env.RESEND_WEBHOOK_SECRET!, body, id));
}
async function sendgrid(events: unknown[]) {
  const body = JSON.stringify(events);
  return post("sendgrid", body, await sendgridHeaders(SENDGRID_PRIVATE_KEY, body));
}
async function mailgun(eventData: Record<string, unknown>, block?: Awaited<ReturnType<typeof mailgunBlock>>) {
  return post("mailgun", JSON.stringify({ signature: block ?? (await mailgunBlock(env.MAILGUN_WEBHOOK_SIGNING_KEY!)), "event-data": eventData }));
}
const postmark = (record: unknown, auth = POSTMARK_AUTH) => post("postmark", JSON.stringify(record), { authorization: auth });

const resendBounce = (m: { email: string; providerId: string }, type = "Permanent") => ({
  type: "email.bounced",
  created_at: new Date().toISOString(),
  data: { email_id: m.providerId, to: [m.email], subject: "Hi", bounce: { type, subType: "General", message: "mailbox does not exist" } },
});
const pmBounce = (email: string, id: number, type = "SoftBounce", metadata: Record<string, string> = {}) => ({
  RecordType: "Bounce", ID: id, Type: type, MessageID: crypto.randomUUID(), Email: email, BouncedAt: new Date().toISOString(), Details: "mailbox full", Metadata: metadata,
});
const pmDelivery = (email: string, ternId: string) => ({ RecordType: "Delivery", MessageID: crypto.randomUUID(), Recipient: email, DeliveredAt: new Date().toISOString(), Metadata: { tern_message_id: ternId } });

describe("bounces and complaints", () => {
  it("a hard bounce suppresses the address, marks the message and contact, records an event; a replay changes nothing", async () => {
    const m = await sent("hard");
    const event = resendBounce(m);
    const res = await resend(event, "msg_svix_hard");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, received: 1, applied: 1, duplicates: 0, ignored: 0 });
    const s = await state(m.email, m.id);
    expect(s.contact!.status).toBe("bounced");
    expect(s.message).toMatchObject({ status: "bounced", bouncedAt: expect.any(Number) });
    expect(s.suppression).toMatchObject({ reason: "hard_bounce", email: m.email });
    expect(s.suppression!.detail).toContain("mailbox does not exist");
    expect(s.events).toEqual([
      { name: "Email Bounced", type: "email", source: "email", emailId: m.id, properties: expect.objectContaining({ type: "hard", provider: "resend", providerMessageId: m.providerId }) },
    ]);

    const again = await resend(event, "msg_svix_hard");
    expect(await json(again)).toMatchObject({ applied: 0, duplicates: 1 });
    expect(await state(m.email, m.id)).toEqual(s);
  });

  it("a complaint (SendGrid, matched by the tern_message_id custom arg) suppresses and marks as complained", async () => {
    const m = await sent("complaint");
    const ts = Math.floor(Date.now() / 1000);
    const res = await sendgrid([
      { email: m.email, timestamp: ts - 5, event: "delivered", sg_event_id: `d-${m.id}`, sg_message_id: "other.filter1", tern_message_id: m.id },
      { email: m.email, timestamp: ts, event: "spamreport", sg_event_id: `s-${m.id}`, sg_message_id: "other.filter1", tern_message_id: m.id },
      { email: m.email, timestamp: ts, event: "open", sg_event_id: `o-${m.id}` },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ received: 2, applied: 2, ignored: 1 });
    const s = await state(m.email, m.id);
    expect(s.contact!.status).toBe("complained");
    expect(s.message).toMatchObject({ status: "complained", deliveredAt: (ts - 5) * 1000, complainedAt: ts * 1000 });
    expect(s.suppression!.reason).toBe("complaint");
    expect(s.events.map((e) => [e.name, e.emailId])).toEqual([["Email Delivered", m.id], ["Email Complained", m.id]]);
  });

  it("soft bounces suppress after the limit in a row; a delivery in between resets the count", async () => {
    const m = await sent("soft");
    const bounce = async (id: number) => expect((await postmark(pmBounce(m.email, id))).status).toBe(200);
    await bounce(1001);
    await bounce(1002);
    expect((await postmark(pmDelivery(m.email, m.id))).status).toBe(200);
    expect((await state(m.email)).contact).toMatchObject({ status: "active", softBounces: 0 });
    await bounce(1003);
    await bounce(1004);
    let s = await state(m.email, m.id);
    expect(s.contact).toMatchObject({ status: "active", softBounces: 2 });
    expect(s.suppression).toBeUndefined();
    await bounce(1004); // a redelivered event counts once
    expect((await state(m.email)).contact!.softBounces).toBe(2);
    await bounce(1005);
    s = await state(m.email, m.id);
    expect(s.contact).toMatchObject({ status: "bounced", softBounces: 3 });
    expect(s.suppression).toMatchObject({ reason: "soft_bounce" });
    expect(s.suppression!.detail).toMatch(/^3 soft bounces in a row/);
    expect(s.events.filter((e) => e.name === "Email Bounced").map((e) => e.properties.type)).toEqual(["soft", "soft", "soft", "soft", "soft"]);
  });

  it("three soft bounces in one batch, and Mailgun's repeated temporary failures of one message count once", async () => {
    const m = await sent("batch");
    const base = Date.now() - 10_000;
    const res = await postmark([0, 1, 2].map((i) => ({ ...pmBounce(m.email, 2000 + i), BouncedAt: new Date(base + i).toISOString() })));
    expect(await json(res)).toMatchObject({ received: 3, applied: 3 });
    expect((await state(m.email)).suppression?.reason).toBe("soft_bounce");

    const n = await sent("mgtemp");
    const temp = (i: number) => ({ event: "failed", id: `t${i}-${n.id}`, timestamp: Date.now() / 1000, severity: "temporary", reason: "generic", recipient: n.email, "user-variables": { tern_message_id: n.id } });
    for (const i of [1, 2, 3]) expect((await mailgun(temp(i))).status).toBe(200);
    const s = await state(n.email, n.id);
    expect(s.contact).toMatchObject({ status: "active", softBounces: 1 });
    expect(s.message!.status).toBe("bounced");
    expect(s.suppression).toBeUndefined();
  });

  it("a Mailgun token is good once: replaying it with other event data changes nothing", async () => {
    const m = await sent("mgreplay");
    const block = await mailgunBlock(env.MAILGUN_WEBHOOK_SIGNING_KEY!);
    const delivered = { event: "delivered", id: `d-${m.id}`, timestamp: Date.now() / 1000, recipient: m.email, message: { headers: { "message-id": m.providerId } } };
    expect(await json(await mailgun(delivered, block))).toMatchObject({ applied: 1 });
    expect((await state(m.email, m.id)).message!.status).toBe("delivered");
    const forged = { ...delivered, event: "failed", id: "forged", severity: "permanent", reason: "bounce" };
    const res = await mailgun(forged, block);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ applied: 0 });
    const s = await state(m.email, m.id);
    expect(s.suppression).toBeUndefined();
    expect(s.message!.status).toBe("delivered");
  });

  it("a delivery only moves a sent message to delivered; a bounce of an unknown address still suppresses it", async () => {
    const m = await sent("queued", { status: "queued" });
    await resend({ type: "email.delivered", created_at: new Date().toISOString(), data: { email_id: m.providerId, to: [m.email] } });
    expect((await state(m.email, m.id)).message).toMatchObject({ status: "queued", deliveredAt: null });

    const stranger = `stranger.${++seq}@example.net`;
    const res = await resend(resendBounce({ email: stranger, providerId: "unknown-id" }));
    expect(await json(res)).toMatchObject({ applied: 1 });
    expect((await state(stranger)).suppression?.reason).toBe("hard_bounce");
  });
});

describe("refused requests change nothing", () => {
  it("bad or missing signatures and credentials are 401", async () => {
    const m = await sent("badsig");
    const event = JSON.stringify(resendBounce(m));
    const headers = await svixHeaders(env.RESEND_WEBHOOK_SECRET!, event);
    const cases: [string, Promise<Response>][] = [
      ["resend tampered", post("resend", event.replace("Permanent", "Transient"), headers)],
      ["resend other secret", post("resend", event, await svixHeaders("whsec_b3RoZXItc2VjcmV0LTAxMjM0NTY3ODk=", event))],
      ["resend stale", post("resend", event, await svixHeaders(env.RESEND_WEBHOOK_SECRET!, event, "msg_old", Math.floor(Date.now() / 1000) - 600))],
      ["resend no headers", post("resend", event)],
      ["sendgrid tampered", (async () => {
        const body = JSON.stringify([{ email: m.email, event: "bounce", type: "bounce", timestamp: 1 }]);
        return post("sendgrid", body.replace("bounce\"", "bounce \""), await sendgridHeaders(SENDGRID_PRIVATE_KEY, body));
      })()],
      ["sendgrid unsigned", post("sendgrid", JSON.stringify([{ email: m.email, event: "bounce" }]))],
      ["mailgun wrong key", mailgun({ event: "failed", severity: "permanent", recipient: m.email }, await mailgunBlock("wrong-key"))],
      ["postmark wrong password", postmark(pmBounce(m.email, 3001, "HardBounce"), `Basic ${btoa("postmark:nope")}`)],
      ["postmark anonymous", post("postmark", JSON.stringify(pmBounce(m.email, 3002, "HardBounce")))],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(401);
      expect((await json(res)).error.code, what).toBe("unauthorized");
    }
    const s = await state(m.email, m.id);
    expect(s.contact!.status).toBe("active");
    expect(s.message!.status).toBe("sent");
    expect(s.suppression).toBeUndefined();
    expect(s.events).toEqual([]);
  });

  it("hostile bodies are 4xx JSON errors, never 500", async () => {
    const signedResend = async (body: string) => post("resend", body, await svixHeaders(env.RESEND_WEBHOOK_SECRET!, body));
    const cases: [string, Promise<Response>, number][] = [
      ["malformed JSON", signedResend("{not json"), 400],
      ["wrong types", signedResend(JSON.stringify({ type: "email.bounced", data: { to: 5, bounce: "x" } })), 400],
      ["injection in an address", signedResend(JSON.stringify(resendBounce({ email: "x'); DROP TABLE contacts;--@example.com\r\nBcc: y", providerId: "p" }))), 400],
      ["array for resend", signedResend("[]"), 400],
      ["invalid UTF-8", post("postmark", "\xff\xfe{", { authorization: POSTMARK_AUTH }), 400],
      ["empty postmark", post("postmark", "", { authorization: POSTMARK_AUTH }), 400],
      ["postmark wrong types", postmark({ RecordType: "Bounce", ID: 1, Type: "HardBounce", Email: ["a@example.com"] }), 400],
      ["sendgrid object", (async () => {
        const body = JSON.stringify({ event: "bounce" });
        return post("sendgrid", body, await sendgridHeaders(SENDGRID_PRIVATE_KEY, body));
      })(), 400],
      ["mailgun without signature", post("mailgun", JSON.stringify({ "event-data": { event: "failed" } })), 400],
      ["ses not SNS", post("ses", JSON.stringify({ hello: "world" })), 400],
      ["huge", post("postmark", JSON.stringify({ RecordType: "Bounce", pad: "x".repeat(1024 * 1024) }), { authorization: POSTMARK_AUTH }), 413],
      ["unknown provider", post("sparkpost", "{}"), 404],
      ["GET", call("/hooks/resend"), 405],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect((await json(res)).error.code, what).toEqual(expect.any(String));
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM contacts").first<{ n: number }>())!.n).toBeGreaterThan(0);
  });
});

describe("SES through SNS", () => {
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:tern-ses"; // SES_WEBHOOK_TOPIC_ARN in test/vitest.workers.config.ts
  const CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
  const SUBSCRIBE_URL = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`;
  let cert: Awaited<ReturnType<typeof makeCertificate>>;
  let requested: string[];

  beforeAll(async () => {
    cert = await makeCertificate({ notBefore: new Date(Date.now() - 86400_000), notAfter: new Date(Date.now() + 86400_000) });
  });

  // The Worker's outbound fetch: SNS certificates and subscription confirmations, answered here.
  function fakeAws() {
    requested = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      requested.push(url);
      if (url === CERT_URL) return new Response(cert.pem);
      if (url === SUBSCRIBE_URL) return new Response("<ConfirmSubscriptionResponse/>");
      return new Response("not found", { status: 404 });
    });
  }

  const envelope = (type: SnsEnvelope["Type"], message: unknown, extra: Partial<SnsEnvelope> = {}): Omit<SnsEnvelope, "Signature"> => ({
    Type: type,
    MessageId: crypto.randomUUID(),
    TopicArn: TOPIC,
    Message: typeof message === "string" ? message : JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: "1",
    SigningCertURL: CERT_URL,
    ...extra,
  });
  const sns = async (m: Omit<SnsEnvelope, "Signature">, tamper?: (s: SnsEnvelope) => SnsEnvelope) => {
    const signed = await signSns(m, cert.pkcs8);
    return post("ses", JSON.stringify(tamper ? tamper(signed) : signed), { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": m.Type });
  };

  it("confirms a subscription by fetching SubscribeURL, only for an SNS URL", async () => {
    fakeAws();
    const confirm = envelope("SubscriptionConfirmation", "You have chosen to subscribe to the topic.", { SubscribeURL: SUBSCRIBE_URL, Token: "2336412f37" });
    const res = await sns(confirm);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ note: "subscription confirmed" });
    expect(requested).toContain(SUBSCRIBE_URL);

    requested = [];
    const evil = await sns({ ...confirm, SubscribeURL: "https://attacker.example/?Action=ConfirmSubscription" });
    expect(evil.status).toBe(401);
    expect(requested.filter((u) => !u.startsWith(CERT_URL))).toEqual([]);
  });

  it("applies a signed bounce notification, fetching the certificate once", async () => {
    fakeAws();
    const m = await sent("ses");
    const message = {
      notificationType: "Bounce",
      bounce: { bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: m.email, status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }], timestamp: new Date().toISOString() },
      mail: { messageId: "ses-id-1", headers: [{ name: "X-Tern-Message-Id", value: m.id }] },
    };
    const res = await sns(envelope("Notification", message, { SignatureVersion: "2", Subject: "Amazon SES Email Event Notification" }));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ applied: 1 });
    const s = await state(m.email, m.id);
    expect(s.suppression?.reason).toBe("hard_bounce");
    expect(s.message?.status).toBe("bounced");
    expect(s.contact?.status).toBe("bounced");
    const complaint = { notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: m.email }], complaintFeedbackType: "abuse" }, mail: { messageId: "ses-id-1" } };
    await sns(envelope("Notification", complaint));
    expect((await state(m.email)).suppression?.reason).toBe("complaint");
    expect(requested.filter((u) => u === CERT_URL).length).toBeLessThanOrEqual(1);
  });

  it("refuses forged signatures, foreign topics and certificate URLs off AWS, without fetching them", async () => {
    fakeAws();
    const m = await sent("sesforged");
    const message = { notificationType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: m.email }] }, mail: { messageId: "x" } };
    const forged = await sns(envelope("Notification", message), (s) => ({ ...s, Message: s.Message.replace("Permanent", "Transient") }));
    expect(forged.status).toBe(401);
    const foreign = await sns(envelope("Notification", message, { TopicArn: "arn:aws:sns:us-east-1:999999999999:someone-else" }));
    expect(foreign.status).toBe(403);
    requested = [];
    for (const url of ["http://sns.us-east-1.amazonaws.com/cert.pem", "https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem", "https://attacker.example/cert.pem"]) {
      const res = await sns(envelope("Notification", message, { SigningCertURL: url }));
      expect(res.status, url).toBe(401);
    }
    expect(requested).toEqual([]);
    expect((await state(m.email)).suppression).toBeUndefined();
  });
});

describe("/api/suppressions", () => {
  it("refuses anonymous requests", async () => {
    expect((await call("/api/suppressions")).status).toBe(401);
    expect((await call("/api/suppressions", { method: "POST", body: JSON.stringify({ email: "x@example.com" }) })).status).toBe(401);
    expect((await call(`/api/suppressions/${"0".repeat(64)}`, { method: "DELETE" })).status).toBe(401);
  });

  it("adds, lists, searches, pages and removes; removing a bounce reactivates the contact", async () => {
    const m = await sent("admin");
    await resend(resendBounce(m));
    const added = await a.fetch("/api/suppressions", { method: "POST", json: { email: `Manual.${seq}@Example.org` } });
    expect(added.status).toBe(201);
    const item = await json(added);
    expect(item).toMatchObject({ email: `manual.${seq}@example.org`, reason: "manual", detail: "added by owner@example.com", emailHash: await sha256Hex(`manual.${seq}@example.org`) });
    expect((await a.fetch("/api/suppressions", { method: "POST", json: { email: `manual.${seq}@example.org` } })).status).toBe(200);
    expect((await a.fetch("/api/suppressions", { method: "POST", json: { email: "not an address" } })).status).toBe(400);
    expect((await a.fetch("/api/suppressions", { method: "POST", json: { email: "a@example.com", reason: "erased" } })).status).toBe(400);

    const found = await json(await a.fetch(`/api/suppressions?q=${encodeURIComponent(m.email.slice(0, 8))}`));
    expect(found.items.map((i: any) => i.email)).toContain(m.email);
    expect(found.items.find((i: any) => i.email === m.email)).toMatchObject({ reason: "hard_bounce", contactId: m.contactId, contactStatus: "bounced" });
    const manual = await json(await a.fetch("/api/suppressions?reason=manual"));
    expect(manual.items.every((i: any) => i.reason === "manual")).toBe(true);
    expect((await a.fetch("/api/suppressions?reason=bogus")).status).toBe(400);
    expect((await a.fetch("/api/suppressions?cursor=1;DROP")).status).toBe(400);

    for (let i = 0; i < 5; i++) await a.fetch("/api/suppressions", { method: "POST", json: { email: `page${i}.${seq}@example.org`, reason: "complaint" } });
    const first = await json(await a.fetch(`/api/suppressions?q=.${seq}@example.org&limit=2`));
    expect(first.items).toHaveLength(2);
    const seen = new Set(first.items.map((i: any) => i.emailHash));
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await json(await a.fetch(`/api/suppressions?q=.${seq}@example.org&limit=2&cursor=${cursor}`));
      for (const i of page.items) {
        expect(seen.has(i.emailHash)).toBe(false);
        seen.add(i.emailHash);
      }
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(first.total);

    const hash = await sha256Hex(m.email);
    const removed = await a.fetch(`/api/suppressions/${hash}`, { method: "DELETE" });
    expect(await json(removed)).toEqual({ removed: true, contactReactivated: true });
    expect((await state(m.email)).contact).toMatchObject({ status: "active", softBounces: 0 });
    expect((await a.fetch(`/api/suppressions/${hash}`, { method: "DELETE" })).status).toBe(404);
    expect((await a.fetch("/api/suppressions/not-a-hash", { method: "DELETE" })).status).toBe(404);
  });

  it("erased addresses stay suppressed and are found by their full address", async () => {
    const m = await sent("erase");
    expect((await a.fetch(`/api/contacts/${m.contactId}`, { method: "DELETE" })).status).toBeLessThan(300);
    const list = await json(await a.fetch(`/api/suppressions?q=${encodeURIComponent(m.email)}`));
    expect(list.items).toEqual([expect.objectContaining({ reason: "erased", email: null })]);
    const res = await a.fetch(`/api/suppressions/${await sha256Hex(m.email)}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    // A later bounce for the erased address neither resurrects the address nor changes the entry.
    await resend(resendBounce(m));
    expect((await state(m.email)).suppression).toMatchObject({ reason: "erased", email: null });
  });
});
