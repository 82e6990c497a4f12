/**
 * Messages: one row per send. Creating them is idempotent (a unique idempotency key per flow run + node or
 * campaign + contact), and the send consumer claims a row before calling the provider, so a queue message
 * delivered twice never sends twice.
 */
import { chunk, insertRows, MAX_PARAMS, runBatch } from "./db";
import { randomToken } from "./random";

export interface SendRequest {
  idempotencyKey: string;
  contactId: number | null;
  templateId: number;
  kind: "marketing" | "transactional";
  topicId?: number | null;
  campaignId?: number | null;
  flowId?: number | null;
  flowNodeId?: string | null;
  variant?: string | null;
  /** the triggering event's properties, or a transactional payload, readable as `event` in templates */
  data?: Record<string, unknown> | null;
  /** overrides the contact's address (test sends); required when there is no contact */
  toEmail?: string | null;
  trackOpens?: boolean;
  trackClicks?: boolean;
}

/** Time-ordered, unguessable message ids: `m_` + base36 milliseconds + 12 random url-safe characters. */
export const newMessageId = (now: number) => `m_${now.toString(36)}${randomToken(9)}`;

const COLUMNS = [
  "id", "idempotency_key", "contact_id", "to_email", "kind", "template_id", "campaign_id", "flow_id", "flow_node_id", "variant",
  "topic_id", "status", "data", "track_opens", "track_clicks", "queued_at",
] as const;

/**
 * Inserts the messages that do not exist yet and returns the ids of all requested messages still waiting to
 * be sent (new ones, and ones an earlier, interrupted call created but may not have enqueued).
 */
export async function createMessages(d1: D1Database, requests: SendRequest[], now: number): Promise<{ id: string; key: string; kind: SendRequest["kind"] }[]> {
  if (!requests.length) return [];
  const rows = requests.map((r) => [
    newMessageId(now), r.idempotencyKey, r.contactId, r.toEmail ?? null, r.kind, r.templateId, r.campaignId ?? null, r.flowId ?? null,
    r.flowNodeId ?? null, r.variant ?? null, r.topicId ?? null, "queued", r.data ? JSON.stringify(r.data) : null,
    r.trackOpens === false ? 0 : 1, r.trackClicks === false ? 0 : 1, now,
  ]);
  const keys = requests.map((r) => r.idempotencyKey);
  const selects = chunk(keys, MAX_PARAMS).map((part) =>
    d1.prepare(`SELECT id, idempotency_key AS key, kind FROM messages WHERE status = 'queued' AND idempotency_key IN (${part.map(() => "?").join(",")})`).bind(...part),
  );
  const results = await runBatch(d1, [
    ...insertRows(d1, `INSERT OR IGNORE INTO messages (${COLUMNS.join(", ")})`, COLUMNS.length, rows),
    ...selects,
  ]);
  return results.slice(results.length - selects.length).flatMap((r) => r.results as { id: string; key: string; kind: SendRequest["kind"] }[]);
}

/** Everything the consumer needs about a batch of messages, in one round trip. */
export interface MessageForSend {
  id: string;
  status: string;
  kind: "marketing" | "transactional";
  claimedAt: number | null;
  attempts: number;
  contactId: number | null;
  toEmail: string | null;
  templateId: number;
  topicId: number | null;
  topicKey: string | null;
  topicName: string | null;
  campaignId: number | null;
  campaignName: string | null;
  campaignStatus: string | null;
  /** the campaign's A/B test and sender/subject overrides (JSON), applied by worker/campaigns/content.ts */
  campaignAbTest: string | null;
  campaignSender: string | null;
  flowId: number | null;
  flowName: string | null;
  flowNodeId: string | null;
  variant: string | null;
  data: string | null;
  trackOpens: number;
  trackClicks: number;
  // the contact, as it is now
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  country: string | null;
  birthday: string | null;
  properties: string | null;
  contactStatus: string | null;
  externalId: string | null;
  /** the contact's subscription to the message's topic */
  topicStatus: string | null;
  /** marketing emails sent to the contact within the frequency window */
  recentMarketing: number;
  /** when the contact last got a marketing email */
  lastMarketingAt: number | null;
  /** the contact's own preferences */
  emailFrequency: "all" | "weekly" | "monthly" | null;
  pausedUntil: number | null;
}

export async function loadForSend(d1: D1Database, ids: string[], frequencySince: number): Promise<MessageForSend[]> {
  const out: MessageForSend[] = [];
  const statements = chunk(ids, MAX_PARAMS - 1).map((part) =>
    d1
      .prepare(
        `SELECT m.id, m.status, m.kind, m.claimed_at AS claimedAt, m.attempts, m.contact_id AS contactId, m.to_email AS toEmail,
                m.template_id AS templateId, m.topic_id AS topicId, t.key AS topicKey, t.name AS topicName,
                m.campaign_id AS campaignId, cp.name AS campaignName, cp.status AS campaignStatus, cp.ab_test AS campaignAbTest, cp.sender AS campaignSender,
                m.flow_id AS flowId, f.name AS flowName, m.flow_node_id AS flowNodeId, m.variant, m.data,
                m.track_opens AS trackOpens, m.track_clicks AS trackClicks,
                c.email, c.first_name AS firstName, c.last_name AS lastName, c.phone, c.timezone, c.locale, c.country, c.birthday,
                c.properties, c.status AS contactStatus, c.external_id AS externalId, c.email_frequency AS emailFrequency, c.paused_until AS pausedUntil,
                s.status AS topicStatus,
                (SELECT count(*) FROM messages r WHERE r.contact_id = m.contact_id AND r.kind = 'marketing'
                   AND r.status IN ('sent', 'delivered') AND r.sent_at >= ?) AS recentMarketing,
                (SELECT max(r.sent_at) FROM messages r WHERE r.contact_id = m.contact_id AND r.kind = 'marketing' AND r.sent_at IS NOT NULL) AS lastMarketingAt
         FROM messages m
         LEFT JOIN contacts c ON c.id = m.contact_id
         LEFT JOIN subscriptions s ON s.contact_id = m.contact_id AND s.topic_id = m.topic_id
         LEFT JOIN topics t ON t.id = m.topic_id
         LEFT JOIN campaigns cp ON cp.id = m.campaign_id
         LEFT JOIN flows f ON f.id = m.flow_id
         WHERE m.id IN (${part.map(() => "?").join(",")})`,
      )
      .bind(frequencySince, ...part),
  );
  for (const r of await runBatch(d1, statements)) out.push(...(r.results as MessageForSend[]));
  return out;
}

/** A claim older than this is from a consumer that died mid-send; the message may be taken over. */
export const STALE_CLAIM_MS = 10 * 60_000;

/** Claims messages for sending; returns the ids this consumer now owns. */
export async function claim(d1: D1Database, ids: string[], now: number): Promise<Set<string>> {
  const results = await runBatch(
    d1,
    ids.map((id) =>
      d1
        .prepare(
          `UPDATE messages SET status = 'sending', claimed_at = ?, attempts = attempts + 1
           WHERE id = ? AND (status = 'queued' OR (status = 'sending' AND claimed_at < ?)) RETURNING id`,
        )
        .bind(now, id, now - STALE_CLAIM_MS),
    ),
  );
  return new Set(results.flatMap((r) => (r.results as { id: string }[]).map((row) => row.id)));
}

export type Outcome =
  | { id: string; status: "sent"; provider: string; providerMessageId: string | null; subject: string; toEmail: string; contactId: number | null; at: number }
  | { id: string; status: "failed" | "suppressed" | "cancelled"; error: string }
  | { id: string; status: "queued"; error: string };

/** Writes the outcomes of a batch, and an "Email Sent" event per sent message, in one round trip. */
export async function recordOutcomes(d1: D1Database, outcomes: Outcome[], now: number): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  const sentEvents: unknown[][] = [];
  const sent: unknown[][] = [];
  for (const o of outcomes) {
    if (o.status === "sent") {
      sent.push([o.id, o.provider, o.providerMessageId, o.subject, o.toEmail, o.at]);
      if (o.contactId !== null) {
        sentEvents.push([o.contactId, "email", "Email Sent", JSON.stringify({ message_id: o.id, subject: o.subject }), o.at, now, "email", o.id, o.id]);
      }
    } else {
      statements.push(d1.prepare("UPDATE messages SET status = ?, error = ? WHERE id = ?").bind(o.status, o.error.slice(0, 500), o.id));
    }
  }
  // Every sent message of the batch in one statement: its values travel as one JSON array (one bound parameter).
  if (sent.length) {
    statements.push(
      d1
        .prepare(
          `UPDATE messages SET status = 'sent', provider = s.value ->> 1, provider_message_id = s.value ->> 2, subject = s.value ->> 3,
             to_email = s.value ->> 4, sent_at = s.value ->> 5, error = NULL
           FROM json_each(?) AS s WHERE messages.id = s.value ->> 0`,
        )
        .bind(JSON.stringify(sent)),
    );
  }
  statements.push(
    ...insertRows(d1, "INSERT OR IGNORE INTO events (contact_id, type, name, properties, occurred_at, received_at, source, message_id, email_id)", 9, sentEvents),
  );
  await runBatch(d1, statements);
}
