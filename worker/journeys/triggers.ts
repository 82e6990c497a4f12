/**
 * Triggers the cron checks (every minute): people who entered a flow's segment, and yearly dates (birthdays,
 * anniversaries) reaching the flow's local hour. Each pass starts at most a few hundred runs per flow, so a
 * big segment enters over a few minutes instead of one long invocation.
 */
import type { FlowDefinition, Trigger } from "../core/flow";
import { compileSegment } from "../core/segment";
import { localTime } from "../core/time";
import type { Env } from "../env";
import { chunk } from "../store/db";
import { IDENTIFIED, segmentContext } from "../store/segments";
import { getSettings } from "../store/settings";
import { journey } from "./forward";

const PER_PASS = 300;
const DAY = 86_400_000;

export async function runFlowTriggers(env: Env, now: number): Promise<void> {
  const rows = await env.DB.prepare(
    `SELECT f.id, v.definition FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.live_version
     WHERE f.status = 'live' AND json_extract(v.definition, '$.trigger.type') IN ('segment', 'date')`,
  ).all<{ id: number; definition: string }>();
  for (const row of rows.results) {
    const def = JSON.parse(row.definition) as FlowDefinition;
    try {
      if (def.trigger.type === "segment") await segmentEntries(env, row.id, def.trigger.segmentId, now);
      if (def.trigger.type === "date") await dateArrivals(env, row.id, def.trigger, now);
    } catch (err) {
      console.error("flow trigger failed", row.id, err);
    }
  }
}

async function start(env: Env, flowId: number, contactIds: number[], trigger: (id: number) => Record<string, unknown>) {
  for (const part of chunk(contactIds, 25)) {
    await Promise.all(part.map((id) => journey(env, id).startFlow(id, flowId, trigger(id)).catch((err) => console.error("flow start failed", flowId, id, err))));
  }
}

/** New members of the segment enter; members who left are forgotten, so they can enter again later. */
async function segmentEntries(env: Env, flowId: number, segmentId: number, now: number) {
  const ctx = await segmentContext(env.DB, now);
  const segment = ctx.segment(segmentId);
  if (!segment) return;
  const { sql, params } = compileSegment(segment, ctx);
  const fresh = await env.DB.prepare(
    `SELECT c.id FROM contacts c WHERE ${IDENTIFIED} AND ${sql}
       AND NOT EXISTS (SELECT 1 FROM flow_segment_members m WHERE m.flow_id = ${Number(flowId)} AND m.contact_id = c.id) LIMIT ${PER_PASS}`,
  )
    .bind(...params)
    .all<{ id: number }>();
  const ids = fresh.results.map((r) => r.id);
  if (ids.length) {
    await env.DB.batch(chunk(ids, 90).map((part) => env.DB.prepare(`INSERT OR IGNORE INTO flow_segment_members (flow_id, contact_id) VALUES ${part.map(() => `(${Number(flowId)}, ?)`).join(",")}`).bind(...part)));
    await start(env, flowId, ids, () => ({ segment_id: segmentId }));
  }
  await env.DB.prepare(
    `DELETE FROM flow_segment_members WHERE flow_id = ${Number(flowId)} AND contact_id NOT IN (SELECT c.id FROM contacts c WHERE ${IDENTIFIED} AND ${sql})`,
  )
    .bind(...params)
    .run();
}

/**
 * Contacts whose date (month and day; Feb 29 counts on Feb 28 in other years), shifted by the offset, is today in
 * their own time zone, once the local clock reaches the flow's hour. A contact enters at most once a year.
 */
async function dateArrivals(env: Env, flowId: number, t: Extract<Trigger, { type: "date" }>, now: number) {
  const storeTz = (await getSettings(env.DB)).store.timezone;
  const zones = await env.DB.prepare(`SELECT DISTINCT coalesce(timezone, ?) AS tz FROM contacts WHERE ${IDENTIFIED.replace(/c\./g, "")}`).bind(storeTz).all<{ tz: string }>();
  // A custom property's JSON path is bound like any value (its name is the flow author's text).
  const field =
    t.field === "birthday" ? "substr(c.birthday, -5)"
    : t.field === "created_at" ? "strftime('%m-%d', c.created_at / 1000, 'unixepoch')"
    : "substr(json_extract(c.properties, ?3), 6, 5)";
  const path = t.field.startsWith("properties.") ? [`$."${t.field.slice(11).replace(/["\\]/g, "")}"`] : [];
  for (const { tz } of zones.results) {
    const local = localTime(now, tz);
    if (local.hour !== t.hour) continue;
    // The date whose anniversary, moved by the offset, falls today.
    const d = new Date(Date.UTC(local.year, local.month - 1, local.day - t.offsetDays));
    const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
    const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const days = mmdd === "02-28" && !leap(d.getUTCFullYear()) ? ["02-28", "02-29"] : [mmdd];
    const due = await env.DB.prepare(
      `SELECT c.id FROM contacts c WHERE ${IDENTIFIED} AND coalesce(c.timezone, ?1) = ?2 AND ${field} IN (${days.map((_, i) => `?${i + 3 + path.length}`).join(", ")})
         AND NOT EXISTS (SELECT 1 FROM flow_runs r WHERE r.flow_id = ${Number(flowId)} AND r.contact_id = c.id AND r.entered_at > ${now - 300 * DAY})
       LIMIT ${PER_PASS}`,
    )
      .bind(storeTz, tz, ...path, ...days)
      .all<{ id: number }>();
    await start(env, flowId, due.results.map((r) => r.id), () => ({ date_field: t.field, date: mmdd }));
  }
}
