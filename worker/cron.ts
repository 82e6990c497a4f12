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

/** Runs every job even when one fails; failures are logged with the job's name and reported together. */
export async function runCron(env: Env, now: number): Promise<void> {
  const settings = await getSettings(env.DB);
  const failures: string[] = [];
  const job = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      console.error(`cron job ${name} failed`, err);
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await Promise.all([
    job("sessions", () => purgeSessions(env.DB, now)),
    job("rate limits", () => purgeRateLimits(env.DB, now)),
    job("attribution", () => attributeOrders(env.DB, settings)),
    job("flow triggers", () => runFlowTriggers(env, now)),
    job("send sweep", () => sweepOrphans(env, now)),
  ]);
  await job("campaigns", () => checkCampaigns(env, now)); // after attribution: an A/B test by revenue sees the latest orders
  await job("daily", () => daily(env, now));
  if (failures.length) throw new Error(`cron: ${failures.join("; ")}`);
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
