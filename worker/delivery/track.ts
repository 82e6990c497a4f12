/**
 * The TRACK queue consumer: classifies open and click hits (person or machine) and records them as events,
 * first-open/first-click times on the message and last engagement on the contact, in two D1 round trips.
 */
import { classifyClick, classifyOpen } from "../core/engagement";
import type { Env } from "../env";
import { forwardToJourneys } from "../journeys/forward";
import { ingestMessages } from "../store/ingest";
import { chunk, insertRows, MAX_PARAMS, runBatch } from "../store/db";
import type { ContactEvent } from "../store/events";

/** One hit on /o/ or /c/, as queued by the tracking endpoints. */
export interface TrackHit {
  t: "o" | "c";
  /** random id of the hit, so a redelivered queue message records nothing twice */
  h: string;
  m: string;
  at: number;
  ua: string;
  ip: string;
  method: string;
  u?: string;
  l?: number;
}

interface MessageRow {
  id: string;
  contactId: number | null;
  sentAt: number | null;
  campaignId: number | null;
  flowId: number | null;
  flowNodeId: string | null;
  variant: string | null;
}

const isHit = (b: unknown): b is TrackHit => {
  const h = b as TrackHit;
  return !!h && (h.t === "o" || h.t === "c") && typeof h.m === "string" && typeof h.h === "string" && typeof h.at === "number";
};

export async function handleTrackBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await demoOrders(batch, env);
  // The endpoints pack hits as `{ hits: [...] }`; a bare hit is accepted too.
  const hits = batch.messages
    .flatMap((m) => (Array.isArray((m.body as { hits?: unknown })?.hits) ? (m.body as { hits: unknown[] }).hits : [m.body]))
    .filter(isHit)
    .sort((a, b) => a.at - b.at);
  if (!hits.length) return batch.ackAll();
  const ids = [...new Set(hits.map((h) => h.m))];
  const earliest = hits[0]!.at - 60_000;

  const reads = await runBatch(env.DB, [
    ...chunk(ids, MAX_PARAMS).map((part) =>
      env.DB.prepare(
        `SELECT id, contact_id AS contactId, sent_at AS sentAt, campaign_id AS campaignId, flow_id AS flowId, flow_node_id AS flowNodeId, variant
         FROM messages WHERE id IN (${part.map(() => "?").join(",")})`,
      ).bind(...part),
    ),
    // recent clicks on the same emails, to spot a scanner opening every link at once
    ...chunk(ids, MAX_PARAMS - 1).map((part) =>
      env.DB.prepare(
        `SELECT email_id AS m, occurred_at AS at, json_extract(properties, '$.link') AS link FROM events
         WHERE name = 'Email Clicked' AND occurred_at >= ? AND email_id IN (${part.map(() => "?").join(",")})`,
      ).bind(earliest, ...part),
    ),
  ]);
  const messageReads = Math.ceil(ids.length / MAX_PARAMS);
  const messages = new Map<string, MessageRow>();
  for (const r of reads.slice(0, messageReads)) for (const row of r.results as MessageRow[]) messages.set(row.id, row);
  const earlier = new Map<string, { at: number; link: number }[]>();
  for (const r of reads.slice(messageReads)) {
    for (const row of r.results as { m: string; at: number; link: number }[]) earlier.set(row.m, [...(earlier.get(row.m) ?? []), { at: row.at, link: Number(row.link) }]);
  }

  const now = Date.now();
  const events: unknown[][] = [];
  const human: ContactEvent[] = [];
  // First times per email and last times per contact, so each row is written once per batch.
  const firstOpen = new Map<string, number>();
  const firstMachineOpen = new Map<string, number>();
  const firstClick = new Map<string, number>();
  const lastOpen = new Map<number, number>();
  const lastClick = new Map<number, number>();
  const keep = <K,>(map: Map<K, number>, key: K, at: number, pick: (a: number, b: number) => number) => map.set(key, map.has(key) ? pick(map.get(key)!, at) : at);
  for (const hit of hits) {
    const m = messages.get(hit.m);
    if (!m || m.contactId === null) continue; // unknown or erased: nothing to attribute
    const base = { userAgent: hit.ua, ip: hit.ip, at: hit.at, sentAt: m.sentAt };
    const context = { message_id: m.id, campaign_id: m.campaignId, flow_id: m.flowId, node_id: m.flowNodeId, variant: m.variant };
    if (hit.t === "o") {
      const flag = classifyOpen(base);
      events.push(row(m.contactId, "Email Opened", { ...context, machine: flag === "machine" }, hit, now, flag));
      if (flag === "human") {
        keep(firstOpen, m.id, hit.at, Math.min);
        keep(lastOpen, m.contactId, hit.at, Math.max);
        human.push({ contactId: m.contactId, name: "Email Opened", properties: context, occurredAt: hit.at });
      } else keep(firstMachineOpen, m.id, hit.at, Math.min);
    } else {
      const link = hit.l ?? 0;
      const flag = classifyClick({ ...base, method: hit.method, link, earlier: earlier.get(m.id) ?? [] });
      earlier.set(m.id, [...(earlier.get(m.id) ?? []), { at: hit.at, link }]);
      events.push(row(m.contactId, "Email Clicked", { ...context, url: hit.u, link, bot: flag === "bot" }, hit, now, flag));
      if (flag === "human") {
        // A click proves the email was opened, whether or not its images loaded.
        keep(firstClick, m.id, hit.at, Math.min);
        keep(firstOpen, m.id, hit.at, Math.min);
        keep(lastClick, m.contactId, hit.at, Math.max);
        keep(lastOpen, m.contactId, hit.at, Math.max);
        human.push({ contactId: m.contactId, name: "Email Clicked", properties: { ...context, url: hit.u }, occurredAt: hit.at });
      }
    }
  }
  const writes: D1PreparedStatement[] = [];
  for (const [id, at] of firstOpen) writes.push(env.DB.prepare("UPDATE messages SET opened_at = min(coalesce(opened_at, ?1), ?1) WHERE id = ?2").bind(at, id));
  for (const [id, at] of firstMachineOpen) writes.push(env.DB.prepare("UPDATE messages SET machine_opened_at = min(coalesce(machine_opened_at, ?1), ?1) WHERE id = ?2").bind(at, id));
  for (const [id, at] of firstClick) writes.push(env.DB.prepare("UPDATE messages SET clicked_at = min(coalesce(clicked_at, ?1), ?1) WHERE id = ?2").bind(at, id));
  for (const [id, at] of lastOpen) writes.push(env.DB.prepare("UPDATE contacts SET last_opened_at = max(coalesce(last_opened_at, 0), ?) WHERE id = ?").bind(at, id));
  for (const [id, at] of lastClick) writes.push(env.DB.prepare("UPDATE contacts SET last_clicked_at = max(coalesce(last_clicked_at, 0), ?) WHERE id = ?").bind(at, id));
  await runBatch(env.DB, [
    ...insertRows(env.DB, "INSERT OR IGNORE INTO events (contact_id, type, name, properties, occurred_at, received_at, source, message_id, email_id, flag)", 10, events),
    ...writes,
  ]);
  await forwardToJourneys(env, human, now); // flows may wait for a click
  batch.ackAll();
}

function row(contactId: number, name: string, props: Record<string, unknown>, hit: TrackHit, now: number, flag: string): unknown[] {
  return [contactId, "email", name, JSON.stringify(props), hit.at, now, "email", `${hit.t}:${hit.h}`, hit.m, flag];
}

/** Orders the demo's simulated recipients place (see demo-recipients.ts), ingested like a storefront's. */
async function demoOrders(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const orders = batch.messages
    .map((m) => (m.body as { demoOrder?: { contactId: number; messageId: string; value: number } })?.demoOrder)
    .filter((o): o is { contactId: number; messageId: string; value: number } => !!o && typeof o.contactId === "number");
  if (!orders.length) return;
  const now = Date.now();
  const rows = await env.DB.prepare(`SELECT id, external_id AS userId, email FROM contacts WHERE id IN (${orders.map(() => "?").join(",")})`)
    .bind(...orders.map((o) => o.contactId))
    .all<{ id: number; userId: string | null; email: string | null }>();
  const byId = new Map(rows.results.map((r) => [r.id, r]));
  const messages = orders.flatMap((o) => {
    const c = byId.get(o.contactId);
    if (!c || (!c.userId && !c.email)) return [];
    return [{
      type: "track" as const, name: "Order Completed", userId: c.userId, anonymousId: c.userId ? null : `demo-${c.id}`, previousId: null, email: c.email, fields: {},
      traits: {}, properties: { order_id: `demo-${o.messageId}`, revenue: o.value, currency: "USD" }, context: null, occurredAt: now, messageId: `demo-order-${o.messageId}`,
      value: o.value, products: [],
    }];
  });
  await ingestMessages(env.DB, "demo", messages, now);
}
