/**
 * Conversion attribution: each Order Completed is credited to the last email the person clicked within the
 * click window, else the last one they opened within the open window (people only, not machines). Runs over
 * new orders in id order from a watermark, so late or retried runs never credit an order twice.
 */
import type { Settings } from "../core/settings";
import { insertRows } from "./db";

const DAY = 86_400_000;
const BATCH = 500;

export async function attributeOrders(d1: D1Database, settings: Settings): Promise<number> {
  const mark = await d1.prepare("SELECT value FROM settings WHERE key = 'attribution_watermark'").first<{ value: string }>();
  const since = mark ? Number(JSON.parse(mark.value)) : 0;
  const clickMs = settings.attribution.clickDays * DAY;
  const openMs = settings.attribution.openDays * DAY;
  const rows = await d1
    .prepare(
      `SELECT o.id, o.contact_id AS contactId, o.occurred_at AS occurredAt, coalesce(o.value, 0) AS value,
         (SELECT e.email_id || ' ' || e.name FROM events e
           WHERE e.contact_id = o.contact_id AND e.flag = 'human' AND e.email_id IS NOT NULL
             AND ((e.name = 'Email Clicked' AND e.occurred_at BETWEEN o.occurred_at - ?1 AND o.occurred_at)
               OR (e.name = 'Email Opened' AND e.occurred_at BETWEEN o.occurred_at - ?2 AND o.occurred_at))
           ORDER BY e.name = 'Email Clicked' DESC, e.occurred_at DESC LIMIT 1) AS touch
       FROM events o WHERE o.name = 'Order Completed' AND o.id > ?3 ORDER BY o.id LIMIT ${BATCH}`,
    )
    .bind(clickMs, openMs, since)
    .all<{ id: number; contactId: number; occurredAt: number; value: number; touch: string | null }>();
  if (!rows.results.length) return 0;
  const credited = rows.results.filter((r) => r.touch);
  const values = credited.map((r) => {
    const [emailId, ...name] = r.touch!.split(" ");
    return [r.id, r.contactId, emailId, name.join(" ") === "Email Clicked" ? "click" : "open", r.value, r.occurredAt];
  });
  const last = rows.results[rows.results.length - 1]!.id;
  await d1.batch([
    ...insertRows(d1, "INSERT OR IGNORE INTO attributions (event_id, contact_id, email_id, touch, value, occurred_at)", 6, values),
    // campaign, flow, node and variant come from the message that earned the credit
    d1.prepare(
      `UPDATE attributions SET campaign_id = m.campaign_id, flow_id = m.flow_id, flow_node_id = m.flow_node_id, variant = m.variant
       FROM messages m WHERE m.id = attributions.email_id AND attributions.event_id > ? AND attributions.event_id <= ?`,
    ).bind(since, last),
    d1.prepare(
      "INSERT INTO settings (key, value, updated_at) VALUES ('attribution_watermark', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ).bind(JSON.stringify(last), Date.now()),
  ]);
  return credited.length;
}
