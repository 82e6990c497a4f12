/**
 * Saved segments: counts and previews through the compiled SQL, prebuilt segments, daily size snapshots,
 * and the daily RFM scoring they rely on.
 */
import { desc, eq, gte } from "drizzle-orm";
import { assertNoCycle, compileSegment, parseSegment, type Group, type SegmentContext } from "../core/segment";
import { db } from "./db";
import { segments, segmentSnapshots } from "./schema";
import { getSettings } from "./settings";

export type SegmentRow = typeof segments.$inferSelect;

/** Only people we can identify count: anonymous visitors are never in an audience. */
export const IDENTIFIED = "(c.email IS NOT NULL OR c.external_id IS NOT NULL)";

/** The context segments compile in: now, lifecycle thresholds, and every saved definition by id. */
export async function segmentContext(d1: D1Database, now: number): Promise<SegmentContext> {
  const [settings, rows] = await Promise.all([getSettings(d1), db(d1).select({ id: segments.id, definition: segments.definition }).from(segments).all()]);
  const defs = new Map(rows.map((r) => [r.id, r.definition as unknown as Group]));
  return { now, lapsedDays: settings.lifecycle.lapsedDays, churnedDays: settings.lifecycle.churnedDays, segment: (id) => defs.get(id) };
}

export async function countSegment(d1: D1Database, def: Group, ctx: SegmentContext): Promise<number> {
  const { sql, params } = compileSegment(def, ctx);
  const row = await d1.prepare(`SELECT count(*) AS n FROM contacts c WHERE ${IDENTIFIED} AND ${sql}`).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

export async function previewSegment(d1: D1Database, def: Group, ctx: SegmentContext, limit = 20) {
  const { sql, params } = compileSegment(def, ctx);
  const rows = await d1
    .prepare(
      `SELECT c.id, c.email, c.first_name AS firstName, c.last_name AS lastName, c.status, c.order_count AS orderCount, c.revenue, c.created_at AS createdAt
       FROM contacts c WHERE ${IDENTIFIED} AND ${sql} ORDER BY c.id DESC LIMIT ${Math.max(1, Math.min(200, Math.floor(limit)))}`,
    )
    .bind(...params)
    .all();
  return rows.results;
}

/** Saved segments with their last 30 daily sizes (for sparklines), in one round trip. */
export async function listSegments(d1: D1Database, now: number) {
  const since = new Date(now - 30 * 86_400_000).toISOString().slice(0, 10);
  const [rows, snaps] = await db(d1).batch([
    db(d1).select().from(segments).orderBy(desc(segments.updatedAt)),
    db(d1).select().from(segmentSnapshots).where(gte(segmentSnapshots.day, since)).orderBy(segmentSnapshots.day),
  ]);
  const history = new Map<number, { day: string; size: number }[]>();
  for (const s of snaps) history.set(s.segmentId, [...(history.get(s.segmentId) ?? []), { day: s.day, size: s.size }]);
  return rows.map((r) => ({ ...r, history: history.get(r.id) ?? [] }));
}

/** Stores a fresh count on the segment row (lists show it without counting again). */
export async function recordSize(d1: D1Database, id: number, size: number, now: number): Promise<void> {
  await db(d1).update(segments).set({ size, countedAt: now }).where(eq(segments.id, id)).run();
}

/** What the builder can suggest: event names seen lately, their property names, and custom contact properties. */
export async function suggestions(d1: D1Database) {
  const [events, eventProps, contactProps] = await d1.batch([
    d1.prepare("SELECT name, count(*) AS n FROM (SELECT name FROM events ORDER BY id DESC LIMIT 20000) GROUP BY name ORDER BY n DESC LIMIT 200"),
    d1.prepare(
      `SELECT e.name, j.key, count(*) AS n FROM (SELECT name, properties FROM events ORDER BY id DESC LIMIT 5000) e, json_each(e.properties) j
       GROUP BY 1, 2 ORDER BY n DESC LIMIT 1000`,
    ),
    d1.prepare("SELECT j.key, count(*) AS n FROM (SELECT properties FROM contacts ORDER BY id DESC LIMIT 5000) c, json_each(c.properties) j GROUP BY 1 ORDER BY n DESC LIMIT 200"),
  ]);
  const props: Record<string, string[]> = {};
  for (const r of eventProps!.results as { name: string; key: string }[]) (props[r.name] ??= []).push(r.key);
  return {
    events: (events!.results as { name: string; n: number }[]).map((r) => ({ name: r.name, count: r.n })),
    eventProperties: props,
    contactProperties: (contactProps!.results as { key: string }[]).map((r) => r.key),
  };
}
export const getSegment = async (d1: D1Database, id: number) => (await db(d1).select().from(segments).where(eq(segments.id, id)).get()) ?? null;

/** Validates a definition for saving under `id` (null when new): shape, references, no cycles, compiles. */
export function checkDefinition(input: unknown, id: number | null, ctx: SegmentContext): Group {
  const def = parseSegment(input);
  assertNoCycle(id, def, ctx.segment);
  compileSegment(def, ctx); // e.g. too many values for one query
  return def;
}

export async function createSegment(d1: D1Database, input: { name: string; description: string; definition: Group; prebuilt?: string | null }, now: number) {
  return db(d1)
    .insert(segments)
    .values({ ...input, definition: input.definition as unknown as Record<string, unknown>, createdAt: now, updatedAt: now })
    .returning()
    .get();
}

export async function updateSegment(d1: D1Database, id: number, patch: { name?: string; description?: string; definition?: Group }, now: number) {
  const { definition, ...rest } = patch;
  return (
    (await db(d1)
      .update(segments)
      .set({ ...rest, ...(definition ? { definition: definition as unknown as Record<string, unknown> } : {}), updatedAt: now })
      .where(eq(segments.id, id))
      .returning()
      .get()) ?? null
  );
}

/** Segments, campaigns still to send and flows whose definitions use segment `id` (they would break without it). */
export async function segmentUsers(d1: D1Database, id: number): Promise<string[]> {
  const [segs, campaigns, flows] = await d1.batch([
    d1.prepare("SELECT name FROM segments WHERE id != ?1 AND EXISTS (SELECT 1 FROM json_tree(definition) WHERE key = 'segmentId' AND value = ?1)").bind(id),
    d1.prepare(
      `SELECT name FROM campaigns WHERE status IN ('draft', 'scheduled', 'testing', 'sending', 'paused')
         AND EXISTS (SELECT 1 FROM json_tree(audience) WHERE path IN ('$.segments', '$.excludeSegments') AND type = 'integer' AND value = ?1)`,
    ).bind(id),
    d1.prepare(
      `SELECT f.name FROM flows f WHERE f.status != 'archived' AND (
         EXISTS (SELECT 1 FROM json_tree(f.draft) WHERE key = 'segmentId' AND value = ?1)
         OR EXISTS (SELECT 1 FROM flow_versions v, json_tree(v.definition) j WHERE v.flow_id = f.id AND v.version = f.live_version AND j.key = 'segmentId' AND j.value = ?1))`,
    ).bind(id),
  ]);
  const names = (r: D1Result | undefined, kind: string) => (r!.results as { name: string }[]).map((x) => `${kind} "${x.name}"`);
  return [...names(segs, "segment"), ...names(campaigns, "campaign"), ...names(flows, "flow")];
}

export async function deleteSegment(d1: D1Database, id: number): Promise<boolean> {
  const [, deleted] = await d1.batch([
    d1.prepare("DELETE FROM segment_snapshots WHERE segment_id = ?").bind(id),
    d1.prepare("DELETE FROM segments WHERE id = ? RETURNING id").bind(id),
  ]);
  return (deleted?.results.length ?? 0) > 0;
}

export async function sizeHistory(d1: D1Database, id: number, days = 90) {
  return db(d1)
    .select({ day: segmentSnapshots.day, size: segmentSnapshots.size })
    .from(segmentSnapshots)
    .where(eq(segmentSnapshots.segmentId, id))
    .orderBy(desc(segmentSnapshots.day))
    .limit(days)
    .all()
    .then((rows) => rows.reverse());
}

// ---- prebuilt -------------------------------------------------------------------------------------------

const group = (match: "all" | "any", ...conditions: unknown[]) => ({ type: "group", match, conditions });

/** The segments every store starts with; they are ordinary segments afterwards (editable, deletable). */
export const PREBUILT: { key: string; name: string; description: string; definition: unknown }[] = [
  {
    key: "new_subscribers",
    name: "New subscribers",
    description: "Subscribed to a topic and joined in the last 7 days",
    definition: group("all", { type: "topic", topic: "*" }, { type: "property", field: "created_at", op: "within_last_days", days: 7 }),
  },
  {
    key: "engaged_30",
    name: "Engaged (30 days)",
    description: "Opened or clicked an email in the last 30 days (people, not machines)",
    definition: group("any", { type: "engagement", action: "opened", days: 30 }, { type: "engagement", action: "clicked", days: 30 }),
  },
  {
    key: "unengaged_90",
    name: "Unengaged (90 days)",
    description: "No open or click in 90 days, on the list for longer than that",
    definition: group(
      "all",
      { type: "engagement", action: "opened", days: 90, negate: true },
      { type: "engagement", action: "clicked", days: 90, negate: true },
      { type: "property", field: "created_at", op: "more_than_days_ago", days: 90 },
    ),
  },
  { key: "customers", name: "Customers", description: "Ordered at least once", definition: group("all", { type: "property", field: "order_count", op: "gte", value: 1 }) },
  { key: "repeat_customers", name: "Repeat customers", description: "Ordered two or more times", definition: group("all", { type: "property", field: "order_count", op: "gte", value: 2 }) },
  { key: "high_value", name: "High value", description: "The top 20% of customers by revenue (RFM monetary score 5)", definition: group("all", { type: "rfm", m: [5, 5] }) },
  { key: "at_risk", name: "At risk", description: "Frequent buyers who have not ordered lately (RFM: recency 1–2, frequency 3–5)", definition: group("all", { type: "rfm", cell: "at_risk" }) },
  {
    key: "cart_abandoners_7",
    name: "Cart abandoners (7 days)",
    description: "Added to cart or started checkout in the last 7 days without ordering",
    definition: group(
      "all",
      group("any", { type: "event", name: "Checkout Started", window: { kind: "last_days", days: 7 } }, { type: "event", name: "Product Added", window: { kind: "last_days", days: 7 } }),
      { type: "event", name: "Order Completed", window: { kind: "last_days", days: 7 }, count: { op: "at_most", value: 0 } },
    ),
  },
  { key: "birthday_this_month", name: "Birthday this month", description: "Birthday falls in the current month", definition: group("all", { type: "property", field: "birthday", op: "month_is", month: 0 }) },
];

/** Adds the prebuilt segments the store does not have yet (once per key; deleting one is respected). */
export async function installPrebuilt(d1: D1Database, now: number): Promise<void> {
  const done = await d1.prepare("SELECT value FROM settings WHERE key = 'prebuilt_segments'").first<{ value: string }>();
  const installed = new Set<string>(done ? (JSON.parse(done.value) as string[]) : []);
  const missing = PREBUILT.filter((p) => !installed.has(p.key));
  if (!missing.length) return;
  const statements = missing.map((p) =>
    d1
      .prepare("INSERT INTO segments (name, description, definition, prebuilt, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(p.name, p.description, JSON.stringify(parseSegment(p.definition)), p.key, now, now),
  );
  statements.push(
    d1
      .prepare("INSERT INTO settings (key, value, updated_at) VALUES ('prebuilt_segments', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
      .bind(JSON.stringify([...installed, ...missing.map((p) => p.key)]), now),
  );
  await d1.batch(statements);
}

// ---- daily jobs ---------------------------------------------------------------------------------------

/**
 * RFM quintiles among customers: recency (last order), frequency (orders) and monetary (revenue) each scored
 * 1–5 by percent rank, so ties share a score (most one-time buyers get F = 1).
 */
export async function scoreRfm(d1: D1Database): Promise<void> {
  const score = (col: string) => `min(5, CAST(percent_rank() OVER (ORDER BY ${col}) * 5 AS INTEGER) + 1)`;
  await d1.batch([
    d1.prepare(
      `UPDATE contacts SET rfm_r = q.r, rfm_f = q.f, rfm_m = q.m
       FROM (SELECT id, ${score("last_order_at")} AS r, ${score("order_count")} AS f, ${score("revenue")} AS m FROM contacts WHERE order_count > 0) AS q
       WHERE contacts.id = q.id`,
    ),
    d1.prepare("UPDATE contacts SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL WHERE order_count = 0 AND rfm_r IS NOT NULL"),
  ]);
}

/** Counts every saved segment and records today's size. */
export async function snapshotSegments(d1: D1Database, now: number): Promise<void> {
  const ctx = await segmentContext(d1, now);
  const day = new Date(now).toISOString().slice(0, 10);
  const rows = await db(d1).select({ id: segments.id, definition: segments.definition }).from(segments).all();
  const writes: D1PreparedStatement[] = [];
  for (const row of rows) {
    let size: number;
    try {
      size = await countSegment(d1, row.definition as unknown as Group, ctx);
    } catch (err) {
      console.error("segment snapshot failed", row.id, err);
      continue;
    }
    writes.push(
      d1.prepare("UPDATE segments SET size = ?, counted_at = ? WHERE id = ?").bind(size, now, row.id),
      d1.prepare("INSERT INTO segment_snapshots (segment_id, day, size) VALUES (?, ?, ?) ON CONFLICT (segment_id, day) DO UPDATE SET size = excluded.size").bind(row.id, day, size),
    );
  }
  if (writes.length) await d1.batch(writes);
}
