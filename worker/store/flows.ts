/** Flows: drafts, published versions, live definitions for the journeys, and per-step figures. */
import { desc, eq } from "drizzle-orm";
import { flowEventNames, parseFlow, type FlowDefinition } from "../core/flow";
import { compileSegment } from "../core/segment";
import { db } from "./db";
import { flows, flowVersions } from "./schema";
import { IDENTIFIED, segmentContext } from "./segments";

export type FlowRow = typeof flows.$inferSelect;

export async function listFlows(d1: D1Database) {
  const rows = await d1
    .prepare(
      `SELECT f.id, f.name, f.status, f.live_version AS liveVersion, f.created_at AS createdAt, f.updated_at AS updatedAt,
         (SELECT count(*) FROM flow_runs r WHERE r.flow_id = f.id) AS entered,
         (SELECT count(*) FROM flow_runs r WHERE r.flow_id = f.id AND r.status IN ('active', 'waiting')) AS inFlow,
         (SELECT count(*) FROM messages m WHERE m.flow_id = f.id AND m.sent_at IS NOT NULL) AS sent,
         (SELECT round(coalesce(sum(a.value), 0), 2) FROM attributions a WHERE a.flow_id = f.id) AS revenue
       FROM flows f WHERE f.status != 'archived' ORDER BY f.updated_at DESC`,
    )
    .all();
  return rows.results;
}

export const getFlow = async (d1: D1Database, id: number) => (await db(d1).select().from(flows).where(eq(flows.id, id)).get()) ?? null;

export async function flowVersionsOf(d1: D1Database, id: number) {
  return db(d1).select({ version: flowVersions.version, publishedAt: flowVersions.publishedAt }).from(flowVersions).where(eq(flowVersions.flowId, id)).orderBy(desc(flowVersions.version)).all();
}

export async function createFlow(d1: D1Database, name: string, draft: unknown, now: number) {
  return db(d1).insert(flows).values({ name, draft: draft as Record<string, unknown>, createdAt: now, updatedAt: now }).returning().get();
}

export async function updateFlow(d1: D1Database, id: number, patch: { name?: string; draft?: unknown; status?: FlowRow["status"] }, now: number) {
  const { draft, ...rest } = patch;
  return (
    (await db(d1)
      .update(flows)
      .set({ ...rest, ...(draft !== undefined ? { draft: draft as Record<string, unknown> } : {}), updatedAt: now })
      .where(eq(flows.id, id))
      .returning()
      .get()) ?? null
  );
}

/**
 * Publishes the draft as a new version and makes the flow live. Runs already inside keep the version they
 * started on; new runs use this one. On first publish, a segment trigger marks the segment's current members
 * as seen, so only people who join from now on enter — unless `includeCurrentMembers`, when everyone in the
 * segment today enters too (in batches, over the next minutes).
 */
export async function publishFlow(d1: D1Database, row: FlowRow, now: number, includeCurrentMembers = false): Promise<FlowRow> {
  const def = parseFlow(row.draft);
  const version = (row.liveVersion ?? 0) + 1;
  const statements: D1PreparedStatement[] = [
    d1.prepare("INSERT INTO flow_versions (flow_id, version, definition, published_at) VALUES (?, ?, ?, ?)").bind(row.id, version, JSON.stringify(def), now),
    d1.prepare("UPDATE flows SET status = 'live', live_version = ?, event_names = ?, updated_at = ? WHERE id = ?").bind(version, JSON.stringify(flowEventNames(def)), now, row.id),
  ];
  if (def.trigger.type === "segment" && row.liveVersion === null && !includeCurrentMembers) {
    const ctx = await segmentContext(d1, now);
    const segment = ctx.segment(def.trigger.segmentId);
    if (segment) {
      const { sql, params } = compileSegment(segment, ctx);
      statements.push(
        d1.prepare(`INSERT OR IGNORE INTO flow_segment_members (flow_id, contact_id) SELECT ${Number(row.id)}, c.id FROM contacts c WHERE ${IDENTIFIED} AND ${sql}`).bind(...params),
      );
    }
  }
  await d1.batch(statements);
  return (await getFlow(d1, row.id))!;
}

export interface LiveFlow {
  id: number;
  version: number;
  definition: FlowDefinition;
}

/** Flows that are live or paused, with their live version: cheap enough to read on every journey step. */
export async function flowStates(d1: D1Database): Promise<{ id: number; status: "live" | "paused"; version: number }[]> {
  const rows = await d1.prepare("SELECT id, status, live_version AS version FROM flows WHERE status IN ('live', 'paused') AND live_version IS NOT NULL").all<{ id: number; status: "live" | "paused"; version: number }>();
  return rows.results;
}

export async function flowVersion(d1: D1Database, id: number, version: number): Promise<FlowDefinition | null> {
  const row = await d1.prepare("SELECT definition FROM flow_versions WHERE flow_id = ? AND version = ?").bind(id, version).first<{ definition: string }>();
  return row ? (JSON.parse(row.definition) as FlowDefinition) : null;
}

/** Event names any live flow listens to. */
export async function liveEventNames(d1: D1Database): Promise<Set<string>> {
  const rows = await d1.prepare("SELECT event_names AS names FROM flows WHERE status = 'live'").all<{ names: string }>();
  return new Set(rows.results.flatMap((r) => JSON.parse(r.names) as string[]));
}

/** Figures per step for the canvas: entered, waiting now, sent/opened/clicked, converted, ended there. */
export async function nodeFigures(d1: D1Database, flowId: number) {
  const [entered, here, emails, converted] = await d1.batch([
    d1.prepare("SELECT node_id AS nodeId, entered FROM flow_node_stats WHERE flow_id = ?").bind(flowId),
    d1.prepare(
      `SELECT node_id AS nodeId, count(*) FILTER (WHERE status IN ('active', 'waiting')) AS waiting,
              count(*) FILTER (WHERE status IN ('completed', 'exited')) AS exited
       FROM flow_runs WHERE flow_id = ? GROUP BY node_id`,
    ).bind(flowId),
    d1.prepare(
      `SELECT flow_node_id AS nodeId, count(sent_at) AS sent, count(opened_at) AS opened, count(clicked_at) AS clicked
       FROM messages WHERE flow_id = ? GROUP BY flow_node_id`,
    ).bind(flowId),
    d1.prepare("SELECT flow_node_id AS nodeId, count(*) AS conversions, round(coalesce(sum(value), 0), 2) AS revenue FROM attributions WHERE flow_id = ? GROUP BY flow_node_id").bind(flowId),
  ]);
  const out: Record<string, { entered: number; waiting: number; exited: number; sent: number; opened: number; clicked: number; conversions: number; revenue: number }> = {};
  const get = (id: string) => (out[id] ??= { entered: 0, waiting: 0, exited: 0, sent: 0, opened: 0, clicked: 0, conversions: 0, revenue: 0 });
  for (const r of entered!.results as { nodeId: string; entered: number }[]) get(r.nodeId).entered = r.entered;
  for (const r of here!.results as { nodeId: string | null; waiting: number; exited: number }[]) if (r.nodeId) Object.assign(get(r.nodeId), { waiting: r.waiting, exited: r.exited });
  for (const r of emails!.results as { nodeId: string | null; sent: number; opened: number; clicked: number }[]) if (r.nodeId) Object.assign(get(r.nodeId), { sent: r.sent, opened: r.opened, clicked: r.clicked });
  for (const r of converted!.results as { nodeId: string | null; conversions: number; revenue: number }[]) if (r.nodeId) Object.assign(get(r.nodeId), { conversions: r.conversions, revenue: r.revenue });
  return out;
}
