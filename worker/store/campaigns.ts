/**
 * Campaigns in D1: drafts, the audience as one SQL query (keyset pages, counts, time zones), progress
 * figures, compare-and-set saves of the fan-out state, and the per-variant report with attributed revenue.
 */
import { and, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import type { Audience, CampaignState, Envelope, Progress, Schedule, Status, VariantFigures } from "../campaigns/model";
import { audienceDefinition, HOUR } from "../campaigns/plan";
import { compileSegment, SegmentError, type Group, type Leaf, type SegmentContext } from "../core/segment";
import { db, MAX_PARAMS } from "./db";
import { messageReport } from "./reports";
import { campaigns, topics } from "./schema";
import { IDENTIFIED } from "./segments";

export type CampaignRow = typeof campaigns.$inferSelect;
type Props = Record<string, unknown>;

export const audienceOf = (c: CampaignRow) => c.audience as unknown as Audience;
export const stateOf = (c: CampaignRow): CampaignState => (c.state as unknown as CampaignState | null) ?? { v: 0, phase: "main", wakeAt: null };
export const envelopeOf = (c: CampaignRow) => (c.sender as unknown as Envelope | null) ?? {};
export const scheduleOf = (c: CampaignRow) => c.schedule as unknown as Schedule | null;

// ---- rows ----------------------------------------------------------------------------------------------

export const getCampaign = async (d1: D1Database, id: number) => (await db(d1).select().from(campaigns).where(eq(campaigns.id, id)).get()) ?? null;

export async function listCampaigns(d1: D1Database, f: { status?: Status; before?: number; limit: number }) {
  const conds: SQL[] = [];
  if (f.status) conds.push(eq(campaigns.status, f.status));
  if (f.before) conds.push(lt(campaigns.id, f.before));
  return db(d1).select().from(campaigns).where(and(...conds)).orderBy(desc(campaigns.id)).limit(f.limit).all();
}

export type CampaignValues = Partial<Pick<CampaignRow, "name" | "templateId" | "topicId" | "maxPerHour" | "parentId">> & {
  audience?: Audience;
  sender?: Envelope;
  schedule?: Schedule | null;
  abTest?: unknown;
};

const asProps = (v: unknown) => v as Props;

function columns(v: CampaignValues) {
  const { audience, sender, schedule, abTest, ...rest } = v;
  return {
    ...rest,
    ...(audience !== undefined ? { audience: asProps(audience) } : {}),
    ...(sender !== undefined ? { sender: asProps(sender) } : {}),
    ...(schedule !== undefined ? { schedule: asProps(schedule) } : {}),
    ...(abTest !== undefined ? { abTest: asProps(abTest) } : {}),
  };
}

export async function createCampaign(d1: D1Database, v: CampaignValues & { name: string; status?: Status; scheduleAt?: number | null; state?: CampaignState }, now: number) {
  const { status, scheduleAt, state, ...rest } = v;
  return db(d1)
    .insert(campaigns)
    .values({
      audience: { segments: [], topics: [], excludeSegments: [] },
      ...columns(rest),
      name: rest.name,
      status: status ?? "draft",
      scheduleAt: scheduleAt ?? null,
      state: state ? asProps(state) : null,
      localTime: rest.schedule?.kind === "local",
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
}

/** Edits a draft; null when it is not (or no longer) a draft. */
export async function updateDraft(d1: D1Database, id: number, v: CampaignValues, now: number) {
  const set = { ...columns(v), ...(v.schedule !== undefined ? { localTime: v.schedule?.kind === "local" } : {}), updatedAt: now };
  return (await db(d1).update(campaigns).set(set).where(and(eq(campaigns.id, id), eq(campaigns.status, "draft"))).returning().get()) ?? null;
}

export async function deleteDraft(d1: D1Database, id: number): Promise<boolean> {
  const rows = await d1.prepare("DELETE FROM campaigns WHERE id = ? AND status = 'draft' RETURNING id").bind(id).all();
  return rows.results.length > 0;
}

/** The topic keys among `keys` that do not exist, and the campaign's topic (null when missing). */
export async function topicFacts(d1: D1Database, keys: string[], topicId: number | null) {
  const [known, topic] = await Promise.all([
    keys.length ? db(d1).select({ key: topics.key }).from(topics).where(inArray(topics.key, keys)).all() : [],
    topicId ? db(d1).select({ id: topics.id, key: topics.key, kind: topics.kind, name: topics.name }).from(topics).where(eq(topics.id, topicId)).get() : undefined,
  ]);
  const found = new Set(known.map((r) => r.key));
  return { unknownKeys: keys.filter((k) => !found.has(k)), topic: topic ?? null };
}

// ---- state ---------------------------------------------------------------------------------------------

export interface StepWrite {
  status?: Status;
  cursor?: number | null;
  enqueued?: number;
  total?: number | null;
  scheduleAt?: number | null;
  startedAt?: number | null;
  finishedAt?: number | null;
}

const COLUMN: Record<keyof StepWrite, string> = {
  status: "status", cursor: "cursor", enqueued: "enqueued", total: "total", scheduleAt: "schedule_at", startedAt: "started_at", finishedAt: "finished_at",
};

/**
 * Saves a step's progress if nobody wrote the campaign since it was read (state.v unchanged): a pause, cancel
 * or a second worker in between makes this a no-op, and the step's page is simply done again later.
 */
export async function saveState(d1: D1Database, c: CampaignRow, state: CampaignState, write: StepWrite, now: number): Promise<boolean> {
  const prev = stateOf(c).v;
  const sets = Object.entries(write).map(([k]) => `${COLUMN[k as keyof StepWrite]} = ?`);
  const values = Object.values(write);
  const row = await d1
    .prepare(`UPDATE campaigns SET ${[...sets, "state = ?", "updated_at = ?"].join(", ")} WHERE id = ? AND coalesce(json_extract(state, '$.v'), 0) = ? RETURNING id`)
    .bind(...values, JSON.stringify({ ...state, v: prev + 1 }), now, c.id, prev)
    .first();
  return !!row;
}

/**
 * A status change from one of `from`, merging `patch` into the state (and bumping its version, so a step in
 * flight does not overwrite it). Returns the updated row, or null when the campaign was in another status.
 */
export async function transition(
  d1: D1Database,
  id: number,
  from: readonly Status[],
  to: Status,
  patch: (c: CampaignRow) => { state?: Partial<CampaignState>; write?: StepWrite; /** start from an empty state */ reset?: boolean },
  now: number,
) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = await getCampaign(d1, id);
    if (!c || !from.includes(c.status)) return null;
    const p = patch(c);
    const state = { ...(p.reset ? {} : stateOf(c)), ...p.state } as CampaignState;
    for (const [k, v] of Object.entries(p.state ?? {})) if (v === undefined) delete (state as unknown as Props)[k];
    const ok = await d1
      .prepare(
        `UPDATE campaigns SET status = ?, state = ?, updated_at = ?${Object.keys(p.write ?? {}).map((k) => `, ${COLUMN[k as keyof StepWrite]} = ?`).join("")}
         WHERE id = ? AND status = ? AND coalesce(json_extract(state, '$.v'), 0) = ? RETURNING id`,
      )
      .bind(to, JSON.stringify({ ...state, v: stateOf(c).v + 1 }), now, ...Object.values(p.write ?? {}), id, c.status, stateOf(c).v)
      .first();
    if (ok) return getCampaign(d1, id);
  }
  throw new Error(`campaign ${id} is changing too fast to update; try again`);
}

/** Queued messages of a cancelled campaign are cancelled (the consumer also refuses any still in the queue). */
export async function cancelQueued(d1: D1Database, id: number): Promise<number> {
  const r = await d1.prepare("UPDATE messages SET status = 'cancelled', error = 'the campaign was cancelled' WHERE campaign_id = ? AND status = 'queued'").bind(id).run();
  return r.meta.changes ?? 0;
}

/** A resend waits for its parent: once the parent has finished, it is due `hours` later. */
export async function wakeResends(d1: D1Database, parentId: number, finishedAt: number): Promise<void> {
  await d1
    .prepare(
      `UPDATE campaigns SET schedule_at = ?1 + json_extract(schedule, '$.hours') * ${HOUR},
         state = json_set(state, '$.wakeAt', ?1 + json_extract(schedule, '$.hours') * ${HOUR}, '$.v', coalesce(json_extract(state, '$.v'), 0) + 1)
       WHERE parent_id = ?2 AND status = 'scheduled' AND json_extract(schedule, '$.kind') = 'after_parent'`,
    )
    .bind(finishedAt, parentId)
    .run();
}

/**
 * Campaigns whose next step is due and that nothing touched for `grace` ms: their queue job was lost (or a
 * start or wait is longer than a queue delay can be), so the cron starts a new one.
 */
export async function dueCampaigns(d1: D1Database, now: number, grace: number): Promise<number[]> {
  const rows = await d1
    .prepare(
      `SELECT id FROM campaigns
       WHERE status IN ('scheduled', 'testing', 'sending') AND json_extract(state, '$.wakeAt') <= ?1 AND updated_at <= ?1 - ?2
       ORDER BY id LIMIT 50`,
    )
    .bind(now, grace)
    .all<{ id: number }>();
  return rows.results.map((r) => r.id);
}

/** Makes a new queue chain the campaign's owner (older jobs stop when they see another token). */
export async function claimChain(d1: D1Database, id: number, token: string, now: number): Promise<void> {
  await d1
    .prepare("UPDATE campaigns SET state = json_set(coalesce(state, '{}'), '$.job', ?, '$.v', coalesce(json_extract(state, '$.v'), 0) + 1), updated_at = ? WHERE id = ?")
    .bind(token, now, id)
    .run();
}

// ---- audience ------------------------------------------------------------------------------------------

export interface AudienceQuery {
  sql: string;
  params: unknown[];
}

export interface AudienceOptions {
  /** an extra condition: the A/B test group or everyone outside it */
  extra?: Group | Leaf;
  /** only contacts in these time zones (contacts without one count as in `fallback`) */
  zones?: { list: string[]; fallback: string };
}

/** The consent topic's key (the campaign is sent under it), or null. */
export async function consentTopicKey(d1: D1Database, topicId: number | null): Promise<string | null> {
  if (!topicId) return null;
  return (await d1.prepare("SELECT key FROM topics WHERE id = ?").bind(topicId).first<{ key: string }>())?.key ?? "\u0000missing";
}

/**
 * The campaign's recipients as one WHERE clause over `contacts c`: identified, active, with an email, in the
 * audience, consenting to the campaign's topic (and, for a resend, sent the parent without opening or clicking).
 */
export function audienceWhere(audience: Audience, consentTopic: string | null, ctx: SegmentContext, opts: AudienceOptions = {}): AudienceQuery {
  const def = audienceDefinition(audience, consentTopic);
  if (opts.extra) def.conditions.push(opts.extra);
  const { sql, params } = compileSegment(def, ctx);
  const p = (v: unknown) => (params.push(v), `?${params.length}`);
  const parts = [IDENTIFIED, "c.email IS NOT NULL", "c.status = 'active'", sql];
  if (audience.nonOpenersOf) {
    parts.push(
      `c.id IN (SELECT m.contact_id FROM messages m WHERE m.campaign_id = ${p(audience.nonOpenersOf)} AND m.sent_at IS NOT NULL AND m.opened_at IS NULL AND m.clicked_at IS NULL)`,
    );
  }
  if (opts.zones) parts.push(`coalesce(nullif(c.timezone, ''), ${p(opts.zones.fallback)}) IN (SELECT value FROM json_each(${p(JSON.stringify(opts.zones.list))}))`);
  if (params.length > MAX_PARAMS - 1) throw new SegmentError("the audience uses too many values for one query; simplify its segments");
  return { sql: parts.join(" AND "), params };
}

export async function countAudience(d1: D1Database, q: AudienceQuery): Promise<number> {
  return (await d1.prepare(`SELECT count(*) AS n FROM contacts c WHERE ${q.sql}`).bind(...q.params).first<{ n: number }>())?.n ?? 0;
}

/** The next page of recipients after `cursor`, by contact id (keyset: no OFFSET, however deep the send). */
export async function audiencePage(d1: D1Database, q: AudienceQuery, cursor: number, limit: number): Promise<number[]> {
  const n = q.params.length + 1;
  const rows = await d1
    .prepare(`SELECT c.id FROM contacts c WHERE ${q.sql} AND c.id > ?${n} ORDER BY c.id LIMIT ${Math.max(1, Math.floor(limit))}`)
    .bind(...q.params, cursor)
    .all<{ id: number }>();
  return rows.results.map((r) => r.id);
}

/** The time zones the recipients are in (the store's for contacts without one). */
export async function audienceZones(d1: D1Database, q: AudienceQuery, fallback: string): Promise<string[]> {
  const n = q.params.length + 1;
  const rows = await d1
    .prepare(`SELECT DISTINCT coalesce(nullif(c.timezone, ''), ?${n}) AS tz FROM contacts c WHERE ${q.sql}`)
    .bind(...q.params, fallback)
    .all<{ tz: string }>();
  return rows.results.map((r) => r.tz);
}

/** A page of the campaign's queued messages after a rowid, for re-enqueueing on resume. */
export async function queuedPage(d1: D1Database, campaignId: number, afterRowid: number, limit: number): Promise<{ rowid: number; id: string }[]> {
  const rows = await d1
    .prepare("SELECT rowid, id FROM messages WHERE campaign_id = ? AND status = 'queued' AND rowid > ? ORDER BY rowid LIMIT ?")
    .bind(campaignId, afterRowid, limit)
    .all<{ rowid: number; id: string }>();
  return rows.results;
}

// ---- figures -------------------------------------------------------------------------------------------

const EMPTY: Progress = { queued: 0, sending: 0, sent: 0, delivered: 0, bounced: 0, complained: 0, failed: 0, suppressed: 0, cancelled: 0 };

/** Message counts by status for campaigns (one covering-index read). "sent" counts every message that left. */
export async function progressOf(d1: D1Database, ids: number[]): Promise<Map<number, Progress>> {
  const out = new Map<number, Progress>(ids.map((id) => [id, { ...EMPTY }]));
  if (!ids.length) return out;
  const rows = await d1
    .prepare(`SELECT campaign_id AS id, status, count(*) AS n FROM messages WHERE campaign_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2`)
    .bind(JSON.stringify(ids))
    .all<{ id: number; status: keyof Progress; n: number }>();
  for (const r of rows.results) {
    const p = out.get(r.id)!;
    if (r.status in p) p[r.status] += r.n;
    if (r.status === "delivered" || r.status === "bounced" || r.status === "complained") p.sent += r.n;
  }
  return out;
}

/**
 * A campaign's messages the send consumer has not looked at yet: queued and never deferred. Quiet-hour holds
 * and retries carry an error note and are not counted, so they never stall the fan-out behind them.
 */
export async function queueBacklog(d1: D1Database, campaignId: number): Promise<number> {
  const row = await d1.prepare("SELECT count(*) AS n FROM messages WHERE campaign_id = ? AND status = 'queued' AND error IS NULL").bind(campaignId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Per variant: recipients (sent, less bounces), human opens and clicks, attributed orders and revenue. */
export async function variantFigures(d1: D1Database, campaignId: number): Promise<Omit<VariantFigures, "value">[]> {
  const [messages, revenue] = await d1.batch([
    d1
      .prepare(
        `SELECT coalesce(variant, '') AS variant, count(sent_at) - count(bounced_at) AS recipients, count(opened_at) AS opens, count(clicked_at) AS clicks
         FROM messages WHERE campaign_id = ? GROUP BY 1`,
      )
      .bind(campaignId),
    d1.prepare("SELECT coalesce(variant, '') AS variant, count(*) AS conversions, round(coalesce(sum(value), 0), 2) AS revenue FROM attributions WHERE campaign_id = ? GROUP BY 1").bind(campaignId),
  ]);
  const money = new Map((revenue!.results as { variant: string; conversions: number; revenue: number }[]).map((r) => [r.variant, r]));
  return (messages!.results as { variant: string; recipients: number; opens: number; clicks: number }[]).map((m) => ({
    ...m,
    recipients: Math.max(0, m.recipients),
    conversions: money.get(m.variant)?.conversions ?? 0,
    revenue: round2(money.get(m.variant)?.revenue ?? 0),
  }));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The campaign report: message figures per variant (people and machines apart), attributed conversions and
 * revenue, revenue per recipient, and opens/clicks/revenue over time (hourly for 48 hours, then daily).
 */
export async function campaignReport(d1: D1Database, c: CampaignRow) {
  const [report, figures] = await Promise.all([messageReport(d1, { campaignId: c.id }, "variant"), variantFigures(d1, c.id)]);
  const byVariant = new Map(figures.map((f) => [f.variant, f]));
  const variants = report.groups.map((g) => {
    const f = byVariant.get(String(g.group ?? ""));
    const recipients = Math.max(g.delivered, g.sent - g.bounced);
    const revenue = f?.revenue ?? 0;
    return { ...g, variant: String(g.group ?? "") || null, conversions: f?.conversions ?? 0, revenue, revenuePerRecipient: recipients ? round2(revenue / recipients) : 0 };
  });
  const sum = (k: "conversions" | "revenue") => round2(variants.reduce((s, v) => s + v[k], 0));
  const recipients = variants.reduce((s, v) => s + Math.max(v.delivered, v.sent - v.bounced), 0);
  return {
    variants,
    totals: { conversions: sum("conversions"), revenue: sum("revenue"), revenuePerRecipient: recipients ? round2(sum("revenue") / recipients) : 0 },
    links: report.links,
    series: c.startedAt ? await timeSeries(d1, c.id, c.startedAt) : [],
  };
}

/** Hour buckets for the first 48 hours after the start, then day buckets; only buckets with activity. */
async function timeSeries(d1: D1Database, campaignId: number, start: number) {
  const H48 = 48 * HOUR;
  const floor = (x: string, unit: number) => `CAST((${x}) / ${unit} AS INTEGER) * ${unit}`; // bound numbers arrive as REAL
  const bucket = (col: string) => `CAST(CASE WHEN ${col} < ?2 + ${H48} THEN ?2 + ${floor(`${col} - ?2`, HOUR)} ELSE ?2 + ${H48} + ${floor(`${col} - ?2 - ${H48}`, 24 * HOUR)} END AS INTEGER)`;
  const rows = await d1
    .prepare(
      `SELECT at, variant, sum(opens) AS opens, sum(clicks) AS clicks, sum(conversions) AS conversions, sum(revenue) AS revenue FROM (
         SELECT ${bucket("opened_at")} AS at, coalesce(variant, '') AS variant, 1 AS opens, 0 AS clicks, 0 AS conversions, 0 AS revenue
           FROM messages WHERE campaign_id = ?1 AND opened_at >= ?2
         UNION ALL
         SELECT ${bucket("clicked_at")}, coalesce(variant, ''), 0, 1, 0, 0 FROM messages WHERE campaign_id = ?1 AND clicked_at >= ?2
         UNION ALL
         SELECT ${bucket("occurred_at")}, coalesce(variant, ''), 0, 0, 1, value FROM attributions WHERE campaign_id = ?1 AND occurred_at >= ?2
       ) GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .bind(campaignId, start)
    .all<{ at: number; variant: string; opens: number; clicks: number; conversions: number; revenue: number }>();
  const points = new Map<number, { at: number; span: "hour" | "day"; opens: number; clicks: number; conversions: number; revenue: number; variants: Record<string, { opens: number; clicks: number; conversions: number; revenue: number }> }>();
  for (const r of rows.results) {
    const p = points.get(r.at) ?? { at: r.at, span: r.at < start + H48 ? "hour" : "day", opens: 0, clicks: 0, conversions: 0, revenue: 0, variants: {} };
    p.opens += r.opens;
    p.clicks += r.clicks;
    p.conversions += r.conversions;
    p.revenue = round2(p.revenue + r.revenue);
    if (r.variant) p.variants[r.variant] = { opens: r.opens, clicks: r.clicks, conversions: r.conversions, revenue: round2(r.revenue) };
    points.set(r.at, p);
  }
  return [...points.values()];
}
