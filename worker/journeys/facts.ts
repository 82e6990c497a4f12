/** What a journey needs to know about its contact to take a step, read from D1 in one round trip. */
import { jsonObject } from "../core/json";
import type { ContactFacts } from "../core/segment";

export interface JourneyFacts {
  exists: boolean;
  facts: ContactFacts;
  timezone: string;
  /** human engagement of the emails runs sent, by idempotency key */
  engagement: Record<string, { opened: boolean; clicked: boolean }>;
}

const DAY = 86_400_000;

/**
 * `since`: the earliest run entry the step may ask about (events before it are read for up to a year, which is
 * what segment conditions over "last N days" need in practice).
 */
export async function loadFacts(d1: D1Database, contactId: number, since: number, sentKeys: string[]): Promise<JourneyFacts> {
  const from = Math.min(since, Date.now() - 365 * DAY);
  const keys = sentKeys.slice(-90);
  const [contact, events, subs, messages, engagement, settings, flows] = await d1.batch([
    d1.prepare(
      `SELECT id, email, first_name, last_name, phone, timezone, locale, country, birthday, status, source, external_id, created_at, order_count,
              revenue, first_order_at, last_order_at, last_opened_at, last_clicked_at, rfm_r, rfm_f, rfm_m, properties FROM contacts WHERE id = ?`,
    ).bind(contactId),
    d1.prepare("SELECT name, occurred_at AS occurredAt, properties FROM events WHERE contact_id = ? AND occurred_at >= ? ORDER BY occurred_at DESC LIMIT 2000").bind(contactId, from),
    d1.prepare("SELECT t.key, s.status FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.contact_id = ?").bind(contactId),
    d1.prepare("SELECT sent_at AS sentAt FROM messages WHERE contact_id = ? AND sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 500").bind(contactId),
    keys.length
      ? d1.prepare(`SELECT idempotency_key AS k, opened_at AS o, clicked_at AS c FROM messages WHERE idempotency_key IN (${keys.map(() => "?").join(",")})`).bind(...keys)
      : d1.prepare("SELECT NULL AS k WHERE 0"),
    d1.prepare("SELECT value FROM settings WHERE key = 'store'"),
    d1.prepare("SELECT flow_id AS flowId, node_id AS nodeId, status FROM flow_runs WHERE contact_id = ?").bind(contactId),
  ]);
  const row = contact!.results[0] as (Record<string, unknown> & { id: number; properties: string; timezone: string | null }) | undefined;
  const storeTz = (jsonObject((settings!.results[0] as { value: string } | undefined)?.value).timezone as string | undefined) ?? "UTC";
  return {
    exists: !!row,
    timezone: row?.timezone || storeTz,
    facts: {
      contact: row ? { ...row, properties: jsonObject(row.properties) } : { id: contactId, properties: {} },
      events: (events!.results as { name: string; occurredAt: number; properties: string }[]).map((e) => ({ ...e, properties: jsonObject(e.properties) })),
      subscriptions: Object.fromEntries((subs!.results as { key: string; status: string }[]).map((s) => [s.key, s.status])),
      messages: messages!.results as { sentAt: number | null }[],
      flows: flows!.results as { flowId: number; nodeId: string | null; status: string }[],
    },
    engagement: Object.fromEntries((engagement!.results as { k: string; o: number | null; c: number | null }[]).map((r) => [r.k, { opened: r.o !== null, clicked: r.c !== null }])),
  };
}
