/**
 * Email provider webhooks: each provider's payload parsed into one list of outcomes — delivered, hard bounce, soft
 * bounce, complaint — that the store applies. Authentication lives in ./webhook-signatures (re-exported here).
 * Pure: time comes in as `now`.
 */
import { z } from "zod";
import { normalizeEmail } from "./contact";
import { malformed, type MailgunSignature, type SnsEnvelope } from "./webhook-signatures";

export * from "./webhook-signatures";

export const webhookProviders = ["ses", "postmark", "resend", "sendgrid", "mailgun"] as const;
export type WebhookProvider = (typeof webhookProviders)[number];

export type OutcomeKind = "delivered" | "hard_bounce" | "soft_bounce" | "complaint";

export interface Outcome {
  kind: OutcomeKind;
  /** the recipient, lower-cased */
  email: string;
  /** the provider's id for the message (SES messageId, Postmark MessageID, Resend email_id, ...) */
  providerMessageId?: string;
  /** Tern's message id, when the provider echoes it (X-Tern-Message-Id header, custom args, metadata) */
  ternMessageId?: string;
  /** when the provider says it happened, ms since the epoch */
  at: number;
  /** the provider's explanation (bounce type, diagnostic code), at most 500 characters */
  detail: string;
  /** stable id of this provider event, so a redelivered webhook is applied once */
  eventId: string;
}

export interface Parsed {
  outcomes: Outcome[];
  /** events understood but irrelevant here (opens, clicks, deferrals, ...) */
  ignored: number;
}

const text = (max: number) => z.string().max(max);

const header = z.looseObject({ name: text(200), value: text(2000) });
const sesEventSchema = z.looseObject({
  eventType: text(50).optional(),
  notificationType: text(50).optional(),
  mail: z
    .looseObject({
      messageId: text(300).optional(),
      headers: z.array(header).max(500).optional(),
      tags: z.record(z.string(), z.array(z.string())).optional(),
      commonHeaders: z.looseObject({ messageId: text(1000).optional() }).optional(),
    })
    .optional(),
  bounce: z
    .looseObject({
      bounceType: text(50),
      bounceSubType: text(100).optional(),
      bouncedRecipients: z.array(z.looseObject({ emailAddress: text(400), diagnosticCode: text(2000).optional(), status: text(50).optional() })).max(1000),
      timestamp: text(50).optional(),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: text(400) })).max(1000),
      complaintFeedbackType: text(100).optional(),
      timestamp: text(50).optional(),
    })
    .optional(),
  delivery: z.looseObject({ recipients: z.array(text(400)).max(1000), timestamp: text(50).optional() }).optional(),
});

/** SES notifications (notificationType) and event publishing (eventType) share this shape. */
export function parseSesNotification(m: SnsEnvelope, now: number): Parsed {
  let message: unknown;
  try {
    message = JSON.parse(m.Message);
  } catch {
    // e.g. "Successfully validated SNS topic for Amazon SES event publishing."
    return { outcomes: [], ignored: 1 };
  }
  const ev = strictParse(sesEventSchema, message, "SES notification");
  const type = ev.eventType ?? ev.notificationType;
  const mail = ev.mail ?? {};
  const common = {
    providerMessageId: mail.messageId,
    ternMessageId: headerValue(mail.headers, "x-tern-message-id") ?? mail.tags?.tern_message_id?.[0] ?? ternIdFromMessageId(mail.commonHeaders?.messageId),
  };
  const at = (iso?: string) => parseTime(iso ?? m.Timestamp, now);
  const id = (email: string) => `ses:${m.MessageId}:${email}`;
  const outcomes: Outcome[] = [];
  if (type === "Bounce" && ev.bounce) {
    const b = ev.bounce;
    // Permanent: the address is bad. Transient and Undetermined: try again, count towards the soft limit.
    const kind: OutcomeKind = b.bounceType === "Permanent" ? "hard_bounce" : "soft_bounce";
    for (const r of b.bouncedRecipients) {
      const email = recipient(r.emailAddress);
      const detail = [`${b.bounceType}/${b.bounceSubType ?? ""}`, r.status, r.diagnosticCode].filter(Boolean).join(" ");
      outcomes.push({ kind, email, ...common, at: at(b.timestamp), detail: clip(detail), eventId: id(email) });
    }
  } else if (type === "Complaint" && ev.complaint) {
    const c = ev.complaint;
    // A feedback report that says "not-spam" is the opposite of a complaint.
    if (c.complaintFeedbackType === "not-spam") return { outcomes: [], ignored: 1 };
    for (const r of c.complainedRecipients) {
      const email = recipient(r.emailAddress);
      outcomes.push({ kind: "complaint", email, ...common, at: at(c.timestamp), detail: clip(c.complaintFeedbackType ?? "complaint"), eventId: id(email) });
    }
  } else if (type === "Delivery" && ev.delivery) {
    for (const r of ev.delivery.recipients) {
      const email = recipient(r);
      outcomes.push({ kind: "delivered", email, ...common, at: at(ev.delivery.timestamp), detail: "", eventId: id(email) });
    }
  } else if (type === "Bounce" || type === "Complaint" || type === "Delivery") {
    throw malformed(`SES ${type} notification without its ${type.toLowerCase()} object`);
  } else {
    return { outcomes: [], ignored: 1 };
  }
  return { outcomes, ignored: 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// Postmark

const metadata = z.record(z.string(), z.unknown()).optional();
const postmarkRecordSchema = z.looseObject({ RecordType: text(50) });
const postmarkEventSchema = z.looseObject({
  RecordType: text(50),
  ID: z.union([z.number(), text(100)]).optional(),
  Type: text(100).optional(),
  MessageID: text(200).optional(),
  Email: text(400).optional(),
  Recipient: text(400).optional(),
  BouncedAt: text(50).optional(),
  DeliveredAt: text(50).optional(),
  Details: text(5000).nullish(),
  Description: text(5000).nullish(),
  Metadata: metadata,
});

const postmarkHard = new Set(["HardBounce", "BadEmailAddress", "ManuallyDeactivated"]);
const postmarkSoft = new Set(["SoftBounce", "Transient", "DnsError", "Blocked", "SpamNotification", "DMARCPolicy", "Undeliverable"]);

/** Bounce (Type says hard or soft), SpamComplaint and Delivery records; one per request, or an array. */
export function parsePostmark(body: unknown, now: number): Parsed {
  const records = Array.isArray(body) ? body : [body];
  if (records.length > 5000) throw malformed("Too many Postmark records");
  const outcomes: Outcome[] = [];
  let ignored = 0;
  for (const raw of records) {
    const { RecordType } = strictParse(postmarkRecordSchema, raw, "Postmark record");
    if (RecordType !== "Bounce" && RecordType !== "SpamComplaint" && RecordType !== "Delivery") {
      ignored++;
      continue;
    }
    const r = strictParse(postmarkEventSchema, raw, `Postmark ${RecordType}`);
    const kind: OutcomeKind | null =
      RecordType === "Delivery" ? "delivered" : RecordType === "SpamComplaint" || r.Type === "SpamComplaint" ? "complaint" : postmarkHard.has(r.Type ?? "") ? "hard_bounce" : postmarkSoft.has(r.Type ?? "") ? "soft_bounce" : null;
    if (!kind) {
      ignored++; // auto-responders, subscribe/unsubscribe notices, address changes, ...
      continue;
    }
    const email = recipient(RecordType === "Delivery" ? r.Recipient : r.Email);
    outcomes.push({
      kind,
      email,
      providerMessageId: r.MessageID,
      ternMessageId: stringOf(r.Metadata?.tern_message_id),
      at: parseTime(r.DeliveredAt ?? r.BouncedAt, now),
      detail: clip([r.Type, r.Description, r.Details].filter(Boolean).join(": ")),
      eventId: r.ID !== undefined ? `postmark:${RecordType}:${r.ID}` : `postmark:${RecordType}:${r.MessageID ?? ""}:${email}`,
    });
  }
  return { outcomes, ignored };
}

// ---------------------------------------------------------------------------------------------------------------
// Resend

const resendTypeSchema = z.looseObject({ type: text(100) });
const resendEventSchema = z.looseObject({
  type: text(100),
  created_at: text(50).optional(),
  data: z.looseObject({
    email_id: text(200).optional(),
    to: z.union([z.array(text(400)).min(1).max(100), text(400)]),
    bounce: z.looseObject({ type: text(100).optional(), subType: text(100).optional(), message: text(2000).optional() }).optional(),
    suppressed: z.looseObject({ type: text(100).optional(), message: text(2000).optional() }).optional(),
    tags: z.union([z.record(z.string(), z.unknown()), z.array(z.looseObject({ name: z.string(), value: z.unknown() }))]).optional(),
    headers: z.array(header).max(500).optional(),
  }),
});

export function parseResend(body: unknown, svixId: string, now: number): Parsed {
  const { type } = strictParse(resendTypeSchema, body, "Resend event");
  if (!["email.delivered", "email.bounced", "email.complained", "email.suppressed"].includes(type)) return { outcomes: [], ignored: 1 };
  const ev = strictParse(resendEventSchema, body, `Resend ${type}`);
  const d = ev.data;
  const tags = Array.isArray(d.tags) ? Object.fromEntries(d.tags.map((t) => [t.name, t.value])) : d.tags;
  let kind: OutcomeKind;
  let detail = "";
  if (type === "email.delivered") kind = "delivered";
  else if (type === "email.complained") kind = "complaint";
  else if (type === "email.bounced") {
    // Resend reports SES's bounce classification: Permanent, Transient or Undetermined.
    kind = !d.bounce?.type || d.bounce.type === "Permanent" ? "hard_bounce" : "soft_bounce";
    detail = [d.bounce?.type && `${d.bounce.type}/${d.bounce.subType ?? ""}`, d.bounce?.message].filter(Boolean).join(" ");
  } else {
    // email.suppressed: Resend refused to send because the address bounced or complained before.
    kind = /complain/i.test(d.suppressed?.type ?? "") ? "complaint" : "hard_bounce";
    detail = `suppressed by Resend: ${d.suppressed?.message ?? d.suppressed?.type ?? ""}`;
  }
  return {
    outcomes: [
      {
        kind,
        email: recipient(Array.isArray(d.to) ? d.to[0] : d.to),
        providerMessageId: d.email_id,
        ternMessageId: headerValue(d.headers, "x-tern-message-id") ?? stringOf(tags?.tern_message_id),
        at: parseTime(ev.created_at, now),
        detail: clip(detail),
        eventId: `resend:${svixId}`,
      },
    ],
    ignored: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// SendGrid

const sendgridTypeSchema = z.looseObject({ event: text(100) });
const sendgridEventSchema = z.looseObject({
  event: text(100),
  email: text(400),
  timestamp: z.number().int().nonnegative().optional(),
  sg_event_id: text(200).optional(),
  sg_message_id: text(300).optional(),
  type: text(100).optional(),
  reason: text(5000).optional(),
  status: text(50).optional(),
  tern_message_id: text(200).optional(),
});

/** A JSON array of events; custom_args (our tern_message_id) appear as top-level keys of each event. */
export function parseSendGrid(body: unknown, now: number): Parsed {
  if (!Array.isArray(body)) throw malformed("A SendGrid event webhook body is a JSON array");
  if (body.length > 10_000) throw malformed("Too many SendGrid events");
  const outcomes: Outcome[] = [];
  let ignored = 0;
  body.forEach((raw, i) => {
    const { event } = strictParse(sendgridTypeSchema, raw, `SendGrid event ${i}`);
    if (!["delivered", "bounce", "dropped", "spamreport"].includes(event)) {
      ignored++;
      return;
    }
    const e = strictParse(sendgridEventSchema, raw, `SendGrid ${event} event ${i}`);
    const kind = sendgridKind(e);
    if (!kind) {
      ignored++;
      return;
    }
    const email = recipient(e.email);
    outcomes.push({
      kind,
      email,
      // sg_message_id is the X-Message-Id of the send response followed by ".filter…" routing suffixes.
      providerMessageId: e.sg_message_id?.split(".")[0] || undefined,
      ternMessageId: e.tern_message_id,
      at: e.timestamp !== undefined ? e.timestamp * 1000 : now,
      detail: clip([e.type, e.status, e.reason].filter(Boolean).join(" ")),
      eventId: `sendgrid:${e.sg_event_id ?? `${event}:${e.sg_message_id ?? ""}:${email}:${e.timestamp ?? ""}`}`,
    });
  });
  return { outcomes, ignored };
}

function sendgridKind(e: z.infer<typeof sendgridEventSchema>): OutcomeKind | null {
  switch (e.event) {
    case "delivered":
      return "delivered";
    case "spamreport":
      return "complaint";
    case "bounce":
      // "blocked" is the receiving server refusing this message (content, reputation), not the address.
      return e.type === "blocked" ? "soft_bounce" : "hard_bounce";
    case "dropped": {
      // Dropped: SendGrid did not even try, because of its own suppression lists.
      const reason = e.reason ?? "";
      if (/bounced address/i.test(reason) || /^invalid$/i.test(reason.trim())) return "hard_bounce";
      if (/spam reporting address/i.test(reason)) return "complaint";
      return null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mailgun

const mailgunSchema = z.looseObject({
  signature: z.looseObject({
    timestamp: z.union([text(20), z.number().int().nonnegative()]).transform(String),
    token: text(200),
    signature: text(200),
  }),
  "event-data": z.looseObject({ event: text(100) }),
});
const mailgunEventSchema = z.looseObject({
  event: text(100),
  id: text(200).optional(),
  timestamp: z.number().nonnegative().optional(),
  recipient: text(400),
  severity: text(50).optional(),
  reason: text(100).optional(),
  message: z.looseObject({ headers: z.looseObject({ "message-id": text(1000).optional() }).optional() }).optional(),
  "user-variables": z.record(z.string(), z.unknown()).optional(),
  "delivery-status": z
    .looseObject({ message: text(5000).nullish(), description: text(5000).nullish(), code: z.union([z.number(), text(20)]).nullish() })
    .optional(),
});

/** The signature block of a Mailgun webhook, checked before anything else of the body is trusted. */
export function mailgunSignature(body: unknown): MailgunSignature {
  return strictParse(mailgunSchema, body, "Mailgun webhook").signature;
}

export function parseMailgun(body: unknown, now: number): Parsed {
  const raw = strictParse(mailgunSchema, body, "Mailgun webhook")["event-data"];
  if (!["delivered", "failed", "complained"].includes(raw.event)) return { outcomes: [], ignored: 1 };
  const e = strictParse(mailgunEventSchema, raw, `Mailgun ${raw.event} event`);
  const kind = mailgunKind(e);
  if (!kind) return { outcomes: [], ignored: 1 };
  const messageId = e.message?.headers?.["message-id"]?.replace(/^<|>$/g, "");
  const status = e["delivery-status"];
  return {
    outcomes: [
      {
        kind,
        email: recipient(e.recipient),
        providerMessageId: messageId,
        ternMessageId: stringOf(e["user-variables"]?.tern_message_id) ?? ternIdFromMessageId(messageId),
        at: e.timestamp !== undefined ? Math.round(e.timestamp * 1000) : now,
        detail: clip([e.severity, e.reason, status?.code, status?.description || status?.message].filter((v) => v !== undefined && v !== null && v !== "").join(" ")),
        eventId: `mailgun:${e.id ?? ""}:${e.timestamp ?? ""}:${e.recipient}`,
      },
    ],
    ignored: 0,
  };
}

function mailgunKind(e: z.infer<typeof mailgunEventSchema>): OutcomeKind | null {
  if (e.event === "delivered") return "delivered";
  if (e.event === "complained") return "complaint";
  // failed: Mailgun keeps retrying "temporary" failures; "permanent" ones will not be retried.
  if (e.severity === "temporary") return "soft_bounce";
  if (e.reason === "suppress-complaint") return "complaint";
  if (e.reason === "suppress-unsubscribe") return null;
  // "old": retries ran out for a temporary problem (full mailbox, greylisting) — the address is not proven bad.
  if (e.reason === "old") return "soft_bounce";
  return "hard_bounce";
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function strictParse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.map((p) => String(p).slice(0, 50)).join(".");
    throw malformed(`${what} is not valid${path ? ` at ${path}` : ""}: ${issue?.message ?? "unexpected shape"}`);
  }
  return r.data;
}

/** A recipient as providers write it ("a@b.c" or "Name <a@b.c>"), lower-cased; anything else is malformed. */
function recipient(value: string | undefined): string {
  const raw = value?.trim() ?? "";
  const email = normalizeEmail(/<([^<>]+)>\s*$/.exec(raw)?.[1] ?? raw);
  if (!email) throw malformed("An event has no valid recipient address");
  return email;
}

function headerValue(headers: { name: string; value: string }[] | undefined, name: string): string | undefined {
  return headers?.find((h) => h.name.toLowerCase() === name)?.value.trim() || undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : undefined;
}

/** Our Message-ID is `<ternMessageId@host>`: when a provider keeps it, it names the message too. */
function ternIdFromMessageId(value: string | undefined): string | undefined {
  const m = /^<?([^<>@\s]{1,100})@[^<>@\s]+>?$/.exec(value?.trim() ?? "");
  return m?.[1];
}

function parseTime(value: string | undefined, fallback: number): number {
  const t = value ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

const clip = (s: string) => (s.length > 500 ? `${s.slice(0, 499)}…` : s);
