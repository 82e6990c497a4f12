/** Send-time rules that need no I/O: quiet hours, retry backoff. */
import { localMinutes } from "./time";

export { localMinutes };

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Seconds to hold a marketing email so it does not arrive in the contact's quiet hours (0: send now). The
 * window may wrap midnight (21:00–08:00). The answer is computed in local minutes, so DST shifts at most the
 * hour of release, never the decision.
 */
export function quietDelaySeconds(at: number, timezone: string, start: string, end: string): number {
  const s = toMinutes(start);
  const e = toMinutes(end);
  if (s === e) return 0;
  const now = localMinutes(at, timezone);
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return 0;
  const minutesLeft = (e - now + 24 * 60) % (24 * 60) || 24 * 60;
  const seconds = new Date(at).getUTCSeconds();
  return Math.max(60, minutesLeft * 60 - seconds);
}

/** Exponential backoff for provider retries: 30 s, 1 min, 2 min … capped at an hour, with jitter from `rand`. */
export function backoffSeconds(attempt: number, rand: number, retryAfter?: number): number {
  if (retryAfter && retryAfter > 0) return Math.min(3600, Math.ceil(retryAfter));
  const base = Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * rand));
}
