/**
 * Re-enqueues sends whose queue job was lost (a local dev reload, an outage between writing the row and the
 * queue call): messages still queued and never attempted after 15 minutes, and claims abandoned mid-send. The
 * consumer's checks and claim make a duplicate job harmless. Quiet-hour holds and paused campaigns are left alone.
 */
import type { Env } from "../env";
import { chunk } from "../store/db";

const STALE_MS = 15 * 60_000;
const QUIET_HOLD_MS = 13 * 3600_000; // longer than any quiet-hours delay (at most 12 h)

export async function sweepOrphans(env: Env, now: number): Promise<number> {
  const rows = await env.DB.prepare(
    `SELECT m.id, m.kind FROM messages m LEFT JOIN campaigns c ON c.id = m.campaign_id
     WHERE ((m.status = 'queued' AND m.attempts = 0 AND m.queued_at < ?1
              AND (m.error IS NULL OR m.error NOT LIKE 'held for quiet hours%' OR m.queued_at < ?2))
         OR (m.status = 'sending' AND m.claimed_at < ?3))
       AND (c.status IS NULL OR c.status NOT IN ('paused', 'cancelled'))
     LIMIT 500`,
  )
    .bind(now - STALE_MS, now - QUIET_HOLD_MS, now - 10 * 60_000)
    .all<{ id: string; kind: string }>();
  const tx = rows.results.filter((r) => r.kind === "transactional");
  const bulk = rows.results.filter((r) => r.kind !== "transactional");
  for (const part of chunk(tx, 100)) await env.SEND_TX.sendBatch(part.map((r) => ({ body: { id: r.id } })));
  for (const part of chunk(bulk, 100)) await env.SEND.sendBatch(part.map((r) => ({ body: { id: r.id } })));
  return rows.results.length;
}
