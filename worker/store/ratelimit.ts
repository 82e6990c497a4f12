/** Fixed-window counters in D1, for limits that must hold across isolates (logins, public forms). */

export interface Limit {
  /** what is counted, e.g. `login:ip:203.0.113.9` */
  key: string;
  max: number;
  windowSeconds: number;
}

export interface LimitState {
  allowed: boolean;
  count: number;
  retryAfter: number;
}

// A window is identified by its start, in seconds since the epoch.
const windowOf = (limit: Limit, now: number) => Math.floor(now / 1000 / limit.windowSeconds) * limit.windowSeconds;

/** Counts one hit and says whether it is within the limit. */
export async function hit(d1: D1Database, limit: Limit, now: number): Promise<LimitState> {
  const window = windowOf(limit, now);
  const row = await d1
    .prepare("INSERT INTO rate_limits (key, window, count) VALUES (?, ?, 1) ON CONFLICT (key, window) DO UPDATE SET count = count + 1 RETURNING count")
    .bind(limit.key, window)
    .first<{ count: number }>();
  return state(limit, row?.count ?? 1, window, now);
}

/** Reads the counters of several limits without counting; the first exhausted one is returned. */
export async function check(d1: D1Database, limits: Limit[], now: number): Promise<LimitState> {
  const rows = await d1.batch<{ count: number }>(
    limits.map((l) => d1.prepare("SELECT count FROM rate_limits WHERE key = ? AND window = ?").bind(l.key, windowOf(l, now))),
  );
  for (const [i, limit] of limits.entries()) {
    const s = state(limit, rows[i]!.results[0]?.count ?? 0, windowOf(limit, now), now, true);
    if (!s.allowed) return s;
  }
  return { allowed: true, count: 0, retryAfter: 0 };
}

function state(limit: Limit, count: number, window: number, now: number, before = false): LimitState {
  const allowed = before ? count < limit.max : count <= limit.max;
  return { allowed, count, retryAfter: allowed ? 0 : Math.max(1, Math.ceil(window + limit.windowSeconds - now / 1000)) };
}

/** Drops windows that started more than a day ago (run by the cron trigger); no limit spans longer. */
export async function purge(d1: D1Database, now: number): Promise<void> {
  await d1.prepare("DELETE FROM rate_limits WHERE window < ?").bind(Math.floor(now / 1000) - 86400).run();
}
