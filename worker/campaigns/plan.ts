/**
 * Campaign planning without I/O: the audience as one segment definition, A/B test buckets, when a local-time
 * send is due in a time zone, the throttle's allowance, and the choice of a winner. Time is a parameter.
 *
 * @example
 * const def = audienceDefinition({ segments: [3], topics: ["news"], excludeSegments: [9] }, "news");
 * const due = localDueAt("2026-12-01", "09:00", "Pacific/Auckland"); // 2026-11-30T20:00:00Z
 */
import { randomBucket, type Group, type Leaf } from "../core/segment";
import type { AbTest, Audience, Metric, VariantFigures } from "./model";

export const HOUR = 3_600_000;

// ---- audience ------------------------------------------------------------------------------------------

/**
 * ANY of the segments or topics, ALL of the exclusions, and consent to the campaign's topic, as one group that
 * compileSegment turns into a single WHERE clause. A resend has no segments or topics: its recipients come
 * from the parent's messages (see the store), and any listed here narrow them further.
 */
export function audienceDefinition(a: Audience, consentTopic: string | null): Group {
  const any: Leaf[] = [
    ...a.segments.map((segmentId): Leaf => ({ type: "segment", segmentId, member: true })),
    ...a.topics.map((topic): Leaf => ({ type: "topic", topic, subscribed: true })),
  ];
  const conditions: (Group | Leaf)[] = [];
  if (any.length || !a.nonOpenersOf) conditions.push({ type: "group", match: "any", conditions: any });
  for (const segmentId of a.excludeSegments) conditions.push({ type: "segment", segmentId, member: false });
  if (consentTopic) conditions.push({ type: "topic", topic: consentTopic, subscribed: true });
  return { type: "group", match: "all", conditions };
}

// ---- A/B buckets ---------------------------------------------------------------------------------------

/**
 * The bucket seed of a campaign. Scattered rather than the bare id: the bucket hash is linear in the seed, so
 * consecutive seeds would put mostly the same people in every campaign's test group.
 */
export const abSeed = (campaignId: number) => (campaignId * 7919) % 1_000_003;

/** 1% buckets per variant: the test share split evenly (a remainder of buckets goes to the winner). */
export const bucketWidth = (ab: Pick<AbTest, "testShare" | "variants">) => Math.floor(ab.testShare / ab.variants.length);

/** The variant a contact gets in the test, or null when it is not in the test group. */
export function testVariant(contactId: number, seed: number, width: number, keys: readonly string[]): string | null {
  const b = randomBucket(contactId, seed);
  const i = Math.floor(b / width);
  return i < keys.length ? keys[i]! : null;
}

/** The test group (or everyone outside it) as a segment condition over the same buckets. */
export function testGroupCondition(seed: number, width: number, variants: number, inTest: boolean): Group | Leaf {
  const last = width * variants - 1;
  if (inTest) return { type: "random", from: 0, to: last, seed };
  return last >= 99 ? { type: "group", match: "any", conditions: [] } : { type: "random", from: last + 1, to: 99, seed };
}

// ---- winner --------------------------------------------------------------------------------------------

/** The metric's value for one variant: human open or click rate, or attributed revenue per recipient. */
export function metricValue(metric: Metric, f: Omit<VariantFigures, "value">): number {
  if (f.recipients <= 0) return 0;
  const n = metric === "opens" ? f.opens : metric === "clicks" ? f.clicks : f.revenue;
  return n / f.recipients;
}

/** The best variant by the metric; a tie goes to the variant listed first. */
export function pickWinner(metric: Metric, keys: readonly string[], figures: Omit<VariantFigures, "value">[]): { variant: string; figures: VariantFigures[] } {
  const byKey = new Map(figures.map((f) => [f.variant, f]));
  const all = keys.map((k): VariantFigures => {
    const f = byKey.get(k) ?? { variant: k, recipients: 0, opens: 0, clicks: 0, conversions: 0, revenue: 0 };
    return { ...f, value: metricValue(metric, f) };
  });
  let best = all[0]!;
  for (const f of all) if (f.value > best.value + 1e-12) best = f;
  return { variant: best.variant, figures: all };
}

// ---- local time ----------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms (throws RangeError for an unknown zone). */
export function zoneOffset(zone: string, at: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    if (formatters.size > 500) formatters.clear();
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the wall clock in `zone` shows `date` `time`: the first of two in a fall-back overlap, and in a
 * spring-forward gap (a 02:30 that never happens) the instant it would have been without the jump (03:30).
 */
export function localDueAt(date: string, time: string, zone: string): number {
  const naive = Date.parse(`${date}T${time}:00Z`);
  // The offsets a day either side cover every transition a zone can make around this date.
  const candidates = [zoneOffset(zone, naive - 86_400_000), zoneOffset(zone, naive + 86_400_000)].map((o) => naive - o);
  const valid = candidates.filter((t) => t + zoneOffset(zone, t) === naive);
  return valid.length ? Math.min(...valid) : Math.max(...candidates);
}

/** The last moment a local time can arrive anywhere on Earth (UTC−12). */
export const lastLocalDue = (date: string, time: string) => Date.parse(`${date}T${time}:00Z`) + 12 * HOUR;

// ---- throttle ------------------------------------------------------------------------------------------

const SLOT = 5 * 60_000;
const SLOTS = HOUR / SLOT;

/**
 * How many recipients may be enqueued now under `maxPerHour`, and when to look again if none. The hour-long
 * windows start when the send does, and within a window the allowance grows in 5-minute steps, so the send is
 * spread over the hour instead of leaving in one burst at its start.
 */
export function throttleAllowance(maxPerHour: number, used: { from: number; count: number } | undefined, now: number): { allow: number; from: number; count: number; retryAt: number } {
  let from = used?.from ?? now;
  let count = used?.count ?? 0;
  if (now >= from + HOUR) {
    from += Math.floor((now - from) / HOUR) * HOUR;
    count = 0;
  }
  const slot = Math.floor((now - from) / SLOT) + 1;
  const paced = Math.min(maxPerHour, Math.ceil((maxPerHour * slot) / SLOTS));
  const allow = Math.max(0, paced - count);
  const retryAt = allow > 0 ? now : paced >= maxPerHour ? from + HOUR : from + slot * SLOT;
  return { allow, from, count, retryAt };
}
