/** Events Tern records itself (subscription changes), so segments, timelines and flows see them too. */
import { insertRows } from "./db";

export interface ContactEvent {
  contactId: number;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: number;
}

export async function recordEvents(d1: D1Database, events: ContactEvent[], now: number): Promise<void> {
  if (!events.length) return;
  await d1.batch(
    insertRows(
      d1,
      "INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source)",
      7,
      events.map((e) => [e.contactId, "system", e.name, JSON.stringify(e.properties), e.occurredAt, now, "tern"]),
    ),
  );
}

/** Subscribed/Unsubscribed events for the topics whose status changed between two snapshots. */
export function subscriptionChanges(
  contactId: number,
  before: { key: string; status: string }[],
  after: { key: string; status: string }[],
  source: string,
  at: number,
): ContactEvent[] {
  const was = new Map(before.map((s) => [s.key, s.status]));
  return after.flatMap((s) => {
    if (was.get(s.key) === s.status) return [];
    if (s.status === "subscribed") return [{ contactId, name: "Subscribed", properties: { topic: s.key, source }, occurredAt: at }];
    if (s.status === "unsubscribed" && was.get(s.key) === "subscribed") return [{ contactId, name: "Unsubscribed", properties: { topic: s.key, scope: "topic", source }, occurredAt: at }];
    return [];
  });
}
