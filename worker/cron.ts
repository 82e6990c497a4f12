/** The cron trigger (every minute): housekeeping, attribution, and the once-a-day jobs. */
import { checkCampaigns } from "./campaigns/fanout";
import { sweepOrphans } from "./delivery/sweep";
import type { Env } from "./env";
import { runFlowTriggers } from "./journeys/triggers";
import { attributeOrders } from "./store/attribution";
import { purgeSessions } from "./store/auth";
import { purge as purgeRateLimits } from "./store/ratelimit";
import { scoreRfm, snapshotSegments } from "./store/segments";
import { getSettings } from "./store/settings";

export async function runCron(env: Env, now: number): Promise<void> {
  const settings = await getSettings(env.DB);
  await Promise.all([
    purgeSessions(env.DB, now),
    purgeRateLimits(env.DB, now),
    attributeOrders(env.DB, settings),
    runFlowTriggers(env, now),
    sweepOrphans(env, now),
  ]);
  await checkCampaigns(env, now); // after attribution: an A/B test decided by revenue sees the latest orders
  await daily(env, now);
}

/** RFM scores, then segment sizes (segments use the scores): once per UTC day, claimed atomically. */
async function daily(env: Env, now: number): Promise<void> {
  const day = new Date(now).toISOString().slice(0, 10);
  const claimed = await env.DB.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES ('daily_jobs', ?1, ?2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at WHERE settings.value != excluded.value
     RETURNING key`,
  )
    .bind(JSON.stringify(day), now)
    .first();
  if (!claimed) return;
  await scoreRfm(env.DB);
  await snapshotSegments(env.DB, now);
}
