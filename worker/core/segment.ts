/**
 * Segment definitions: a tree of AND/OR groups over conditions (properties, behaviour, engagement, topics,
 * other segments, lifecycle, RFM, random buckets). One definition compiles to a parameterised SQL WHERE clause
 * over `contacts c` and also evaluates in memory for one contact, with the same answer (property-tested).
 *
 * @example
 * const def = parseSegment(json);                       // zod: throws on malformed input
 * const { sql, params } = compileSegment(def, ctx);     // SELECT count(*) FROM contacts c WHERE ${sql}
 * const member = evaluateSegment(def, facts, ctx);      // the same question for one contact
 */
import { z } from "zod";

export const DAY = 86_400_000;

// ---- schema ------------------------------------------------------------------------------------------------

import { FIELDS, OPS_BY_TYPE, type FieldName } from "./segment-fields";

export { FIELDS, OPS_BY_TYPE };

const propertyName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^"\\\x00-\x1f]+$/, "property names cannot contain quotes, backslashes or control characters");
const field = z.union([z.enum(Object.keys(FIELDS) as [FieldName, ...FieldName[]]), z.templateLiteral(["properties.", propertyName])]);
const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const isoDate = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), "not a date (use YYYY-MM-DD)");
const days = z.number().int().min(0).max(36500);

/** Comparisons shared by contact properties and event properties. */
const comparison = z.discriminatedUnion("op", [
  z.object({ op: z.enum(["eq", "neq"]), value: scalar }),
  z.object({ op: z.enum(["contains", "not_contains", "starts_with"]), value: z.string().min(1).max(500) }),
  z.object({ op: z.enum(["exists", "not_exists"]) }),
  z.object({ op: z.enum(["gt", "gte", "lt", "lte"]), value: z.number().finite() }),
  z.object({ op: z.literal("between"), from: z.number().finite(), to: z.number().finite() }),
  z.object({ op: z.enum(["in", "not_in"]), values: z.array(scalar).min(1).max(1000) }),
  z.object({ op: z.enum(["before", "after"]), value: isoDate }),
  z.object({ op: z.literal("between_dates"), from: isoDate, to: isoDate }),
  z.object({ op: z.enum(["within_last_days", "more_than_days_ago"]), days }),
  /** birthday (or any date) falls in a month: 1–12, or 0 for the current month */
  z.object({ op: z.literal("month_is"), month: z.number().int().min(0).max(12) }),
]);
export type Comparison = z.infer<typeof comparison>;

const propertyCondition = z.object({ type: z.literal("property"), field }).and(comparison);
const eventFilter = z.object({ property: propertyName }).and(comparison);

const window = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ever") }),
  z.object({ kind: z.literal("last_days"), days: days.min(1) }),
  z.object({ kind: z.literal("between"), from: isoDate, to: isoDate }),
]);

const eventCondition = z.object({
  type: z.literal("event"),
  name: z.string().min(1).max(200),
  where: z.array(eventFilter).max(10).default([]),
  /** did = at_least 1; did not = at_most 0 */
  count: z.object({ op: z.enum(["at_least", "at_most", "exactly"]), value: z.number().int().min(0).max(100000) }).default({ op: "at_least", value: 1 }),
  window: window.default({ kind: "ever" }),
});

const eventTimeCondition = z.object({
  type: z.literal("event_time"),
  name: z.string().min(1).max(200),
  which: z.enum(["first", "last"]),
  op: z.enum(["before", "after", "within_last_days", "more_than_days_ago"]),
  value: isoDate.optional(),
  days: days.optional(),
});

const engagementCondition = z.object({
  type: z.literal("engagement"),
  action: z.enum(["opened", "clicked"]),
  days: days.min(1),
  /** true: did NOT open/click in the window (includes never) */
  negate: z.boolean().default(false),
});

const unengagedCondition = z.object({ type: z.literal("unengaged"), received: z.number().int().min(1).max(1000) });

/** subscribed to a topic by key, or to any topic with "*" */
const topicCondition = z.object({ type: z.literal("topic"), topic: z.string().min(1).max(64), subscribed: z.boolean().default(true) });

const segmentRef = z.object({ type: z.literal("segment"), segmentId: z.number().int().positive(), member: z.boolean().default(true) });

export const LIFECYCLE_STAGES = ["subscriber", "first_time", "repeat", "lapsed", "churned"] as const;
const lifecycleCondition = z.object({ type: z.literal("lifecycle"), stage: z.enum(LIFECYCLE_STAGES) });

/** Named RFM cells over recency (R) and frequency (F) quintiles, 5 best. */
export const RFM_CELLS = {
  champions: { r: [4, 5], f: [4, 5] },
  loyal: { r: [3, 5], f: [3, 5] },
  new: { r: [4, 5], f: [1, 1] },
  at_risk: { r: [1, 2], f: [3, 5] },
  cant_lose: { r: [1, 1], f: [4, 5] },
  hibernating: { r: [1, 2], f: [1, 2] },
} as const satisfies Record<string, { r: [number, number]; f: [number, number] }>;
const score = z.tuple([z.number().int().min(1).max(5), z.number().int().min(1).max(5)]);
const rfmCondition = z.object({
  type: z.literal("rfm"),
  cell: z.enum(Object.keys(RFM_CELLS) as [keyof typeof RFM_CELLS, ...(keyof typeof RFM_CELLS)[]]).optional(),
  r: score.optional(),
  f: score.optional(),
  m: score.optional(),
});

/** Membership of a flow: in it now, waiting at a step, finished it, or ever entered it. */
const flowCondition = z.object({
  type: z.literal("flow"),
  flowId: z.number().int().positive(),
  state: z.enum(["in", "at_node", "completed", "entered"]),
  nodeId: z.string().min(1).max(40).optional(),
  negate: z.boolean().default(false),
});

/** A stable pseudo-random bucket 0–99 per contact (and seed): holdouts and test groups. */
const randomCondition = z.object({ type: z.literal("random"), from: z.number().int().min(0).max(99), to: z.number().int().min(0).max(99), seed: z.number().int().min(0).max(1_000_000).default(0) });

const leaf = z.union([propertyCondition, eventCondition, eventTimeCondition, engagementCondition, unengagedCondition, topicCondition, segmentRef, lifecycleCondition, rfmCondition, randomCondition, flowCondition]);
export type Leaf = z.infer<typeof leaf>;

export interface Group {
  type: "group";
  match: "all" | "any";
  conditions: (Group | Leaf)[];
}

export const groupSchema: z.ZodType<Group> = z.lazy(() =>
  z.object({ type: z.literal("group"), match: z.enum(["all", "any"]), conditions: z.array(z.union([groupSchema, leaf])).max(50) }),
);

export type SegmentDefinition = Group;
export const segmentSchema = groupSchema;

export class SegmentError extends Error {}

const MAX_DEPTH = 5;

function checkFields(g: Group, path: string): void {
  g.conditions.forEach((c, i) => {
    if (c.type === "group") return checkFields(c, `${path}.conditions.${i}`);
    if (c.type !== "property" || c.field.startsWith("properties.")) return;
    const rule = OPS_BY_TYPE[FIELDS[c.field as FieldName]];
    if (!rule.ops.includes(c.op)) throw new SegmentError(`${path}.conditions.${i}: "${c.op}" does not apply to ${c.field}`);
    const values = "value" in c ? [c.value] : "values" in c ? c.values : [];
    if (rule.values && values.some((v) => typeof v !== rule.values)) throw new SegmentError(`${path}.conditions.${i}: ${c.field} takes ${rule.values} values`);
  });
}

/** Validates shape, depth and field types; throws a ZodError or a SegmentError. */
export function parseSegment(input: unknown): SegmentDefinition {
  const def = segmentSchema.parse(input);
  const depth = (g: Group): number => 1 + Math.max(0, ...g.conditions.map((c) => (c.type === "group" ? depth(c) : 0)));
  if (depth(def) > MAX_DEPTH) throw new SegmentError(`groups may be nested at most ${MAX_DEPTH} deep`);
  checkFields(def, "definition");
  return def;
}

/** Ids of the segments a definition refers to, directly. */
export function referencedSegments(g: Group): number[] {
  return g.conditions.flatMap((c) => (c.type === "group" ? referencedSegments(c) : c.type === "segment" ? [c.segmentId] : []));
}

/** Throws when following segment references from `start` comes back to it. */
export function assertNoCycle(startId: number | null, def: Group, lookup: (id: number) => Group | undefined): void {
  const seen = new Set<number>(startId === null ? [] : [startId]);
  const visit = (g: Group, path: number[]) => {
    for (const id of referencedSegments(g)) {
      if (seen.has(id) && (id === startId || path.includes(id))) throw new SegmentError(`segment ${[...path, id].join(" → ")} refers to itself`);
      const next = lookup(id);
      if (!next) throw new SegmentError(`segment ${id} does not exist`);
      visit(next, [...path, id]);
    }
  };
  visit(def, startId === null ? [] : [startId]);
}

// ---- context --------------------------------------------------------------------------------------------

export interface SegmentContext {
  now: number;
  /** lifecycle thresholds: no order for this long = lapsed, then churned */
  lapsedDays: number;
  churnedDays: number;
  /** definitions of other segments, for `segment` conditions */
  segment: (id: number) => Group | undefined;
}

function dateMs(s: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
}

const currentMonth = (now: number) => new Date(now).getUTCMonth() + 1;

/** The bucket a contact falls in for a seed; SQL computes the same with 64-bit integers. */
export function randomBucket(contactId: number, seed: number): number {
  return Number(((BigInt(contactId) * 2654435761n + BigInt(seed) * 40503n) % 4294967296n) % 100n);
}

// ---- SQL ------------------------------------------------------------------------------------------------

export interface CompiledSql {
  sql: string;
  params: unknown[];
}

const MAX_PARAMS = 99;

/** Compiles to a WHERE clause over `contacts c` (aliases e, s, t, m are used inside). */
export function compileSegment(def: Group, ctx: SegmentContext): CompiledSql {
  const params: unknown[] = [];
  // Numbered placeholders: an expression holding one (a JSON path) may appear several times in the SQL.
  const p = (v: unknown) => {
    params.push(typeof v === "boolean" ? (v ? 1 : 0) : v);
    return `?${params.length}`;
  };
  const n = (v: number) => {
    if (!Number.isFinite(v)) throw new SegmentError("not a number");
    return String(v); // numbers are validated by the schema, never text: safe to inline, saves parameters
  };
  const stack: number[] = [];

  function group(g: Group): string {
    if (!g.conditions.length) return g.match === "all" ? "1" : "0";
    return `(${g.conditions.map((c) => (c.type === "group" ? group(c) : condition(c))).join(g.match === "all" ? " AND " : " OR ")})`;
  }

  function compare(x: string, cmp: Comparison): string {
    const num = `typeof(${x}) IN ('integer', 'real')`;
    const text = `typeof(${x}) = 'text'`;
    switch (cmp.op) {
      case "eq":
        return `coalesce(${x} = ${p(cmp.value)}, 0)`;
      case "neq":
        return `coalesce(${x} != ${p(cmp.value)}, 1)`;
      case "contains":
        return `(${text} AND instr(lower(${x}), lower(${p(cmp.value)})) > 0)`;
      case "not_contains":
        return `NOT (${text} AND instr(lower(${x}), lower(${p(cmp.value)})) > 0)`;
      case "starts_with":
        return `(${text} AND instr(lower(${x}), lower(${p(cmp.value)})) = 1)`;
      case "exists":
        return `(${x} IS NOT NULL AND ${x} != '')`;
      case "not_exists":
        return `(${x} IS NULL OR ${x} = '')`;
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        return `(${num} AND ${x} ${{ gt: ">", gte: ">=", lt: "<", lte: "<=" }[cmp.op]} ${n(cmp.value)})`;
      case "between":
        return `(${num} AND ${x} BETWEEN ${n(Math.min(cmp.from, cmp.to))} AND ${n(Math.max(cmp.from, cmp.to))})`;
      case "in":
        return `coalesce(${x} IN (SELECT value FROM json_each(${p(JSON.stringify(cmp.values))})), 0)`;
      case "not_in":
        return `NOT coalesce(${x} IN (SELECT value FROM json_each(${p(JSON.stringify(cmp.values))})), 0)`;
      case "before":
        return `coalesce(${ms(x)} < ${n(dateMs(cmp.value))}, 0)`;
      case "after":
        return `coalesce(${ms(x)} > ${n(dateMs(cmp.value))}, 0)`;
      case "between_dates":
        return `coalesce(${ms(x)} BETWEEN ${n(Math.min(dateMs(cmp.from), dateMs(cmp.to)))} AND ${n(Math.max(dateMs(cmp.from), dateMs(cmp.to)))}, 0)`;
      case "within_last_days":
        return `coalesce(${ms(x)} >= ${n(ctx.now - cmp.days * DAY)}, 0)`;
      case "more_than_days_ago":
        return `coalesce(${ms(x)} < ${n(ctx.now - cmp.days * DAY)}, 0)`;
      case "month_is":
        return `(${text} AND CAST(substr(${x}, -5, 2) AS INTEGER) = ${n(cmp.month || currentMonth(ctx.now))})`;
    }
  }

  /** A date as ms: stored columns are ms already; JSON values may be ISO text or ms numbers. */
  let msOfProperty = false;
  const ms = (x: string) =>
    msOfProperty ? `(CASE WHEN typeof(${x}) = 'text' THEN unixepoch(${x}, 'subsec') * 1000 WHEN typeof(${x}) IN ('integer', 'real') THEN ${x} END)` : x;

  function fieldSql(f: string): string {
    if (f.startsWith("properties.")) return `json_extract(c.properties, ${p(`$."${f.slice(11)}"`)})`;
    return `c.${f}`;
  }

  function condition(c: Leaf): string {
    switch (c.type) {
      case "property": {
        msOfProperty = c.field.startsWith("properties.");
        const sql = compare(fieldSql(c.field), c);
        msOfProperty = false;
        return sql;
      }
      case "event": {
        const conds = [`e.name = ${p(c.name)}`];
        if (c.window.kind === "last_days") conds.push(`e.occurred_at >= ${n(ctx.now - c.window.days * DAY)}`);
        if (c.window.kind === "between") conds.push(`e.occurred_at BETWEEN ${n(dateMs(c.window.from))} AND ${n(dateMs(c.window.to))}`);
        for (const f of c.where) {
          msOfProperty = true;
          conds.push(compare(`json_extract(e.properties, ${p(`$."${f.property}"`)})`, f));
          msOfProperty = false;
        }
        const sub = (having: string) => `SELECT e.contact_id FROM events e WHERE ${conds.join(" AND ")} GROUP BY e.contact_id${having}`;
        const { op, value } = c.count;
        if (op === "at_least") return value === 0 ? "1" : `c.id IN (${sub(value > 1 ? ` HAVING count(*) >= ${n(value)}` : "")})`;
        if (op === "at_most") return `c.id NOT IN (${sub(` HAVING count(*) > ${n(value)}`)})`;
        return value === 0 ? `c.id NOT IN (${sub("")})` : `c.id IN (${sub(` HAVING count(*) = ${n(value)}`)})`;
      }
      case "event_time": {
        const agg = c.which === "first" ? "min" : "max";
        const x = `(SELECT ${agg}(e.occurred_at) FROM events e WHERE e.contact_id = c.id AND e.name = ${p(c.name)})`;
        return compare(x, eventTimeComparison(c));
      }
      case "engagement": {
        const col = c.action === "opened" ? "c.last_opened_at" : "c.last_clicked_at";
        const recent = `coalesce(${col} >= ${n(ctx.now - c.days * DAY)}, 0)`;
        return c.negate ? `NOT ${recent}` : recent;
      }
      case "unengaged":
        return `(SELECT count(*) FROM messages m WHERE m.contact_id = c.id AND m.sent_at IS NOT NULL AND m.sent_at > coalesce(c.last_opened_at, 0)) >= ${n(c.received)}`;
      case "topic": {
        const which = c.topic === "*" ? "" : ` AND t.key = ${p(c.topic)}`;
        const sub = `EXISTS (SELECT 1 FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.contact_id = c.id${which} AND s.status = 'subscribed')`;
        return c.subscribed ? sub : `NOT ${sub}`;
      }
      case "segment": {
        const other = ctx.segment(c.segmentId);
        if (!other) throw new SegmentError(`segment ${c.segmentId} does not exist`);
        if (stack.includes(c.segmentId)) throw new SegmentError(`segment ${c.segmentId} refers to itself`);
        stack.push(c.segmentId);
        const sql = group(other);
        stack.pop();
        return c.member ? sql : `NOT ${sql}`;
      }
      case "lifecycle":
        return `coalesce(${lifecycleSql(c.stage)}, 0)`; // NULL dates must read as false, also under NOT
      case "rfm": {
        const range = rfmRanges(c);
        const parts = (["r", "f", "m"] as const).flatMap((k) => (range[k] ? [`coalesce(c.rfm_${k} BETWEEN ${n(range[k]![0])} AND ${n(range[k]![1])}, 0)`] : []));
        return parts.length ? `(${parts.join(" AND ")})` : "c.rfm_r IS NOT NULL";
      }
      case "flow": {
        const where = [`r.contact_id = c.id`, `r.flow_id = ${n(c.flowId)}`];
        if (c.state === "in" || c.state === "at_node") where.push("r.status IN ('active', 'waiting')");
        if (c.state === "at_node") where.push(`r.node_id = ${p(c.nodeId ?? "")}`);
        if (c.state === "completed") where.push("r.status = 'completed'");
        const sub = `EXISTS (SELECT 1 FROM flow_runs r WHERE ${where.join(" AND ")})`;
        return c.negate ? `NOT ${sub}` : sub;
      }
      case "random": {
        const bucket = `(((c.id * 2654435761 + ${n(c.seed * 40503)}) % 4294967296) % 100)`;
        return `${bucket} BETWEEN ${n(Math.min(c.from, c.to))} AND ${n(Math.max(c.from, c.to))}`;
      }
    }
  }

  function lifecycleSql(stage: (typeof LIFECYCLE_STAGES)[number]): string {
    const lapsed = n(ctx.now - ctx.lapsedDays * DAY);
    const churned = n(ctx.now - ctx.churnedDays * DAY);
    switch (stage) {
      case "subscriber":
        return "c.order_count = 0";
      case "first_time":
        return `(c.order_count = 1 AND c.last_order_at >= ${lapsed})`;
      case "repeat":
        return `(c.order_count >= 2 AND c.last_order_at >= ${lapsed})`;
      case "lapsed":
        return `(c.order_count >= 1 AND c.last_order_at < ${lapsed} AND c.last_order_at >= ${churned})`;
      case "churned":
        return `(c.order_count >= 1 AND c.last_order_at < ${churned})`;
    }
  }

  const sql = group(def);
  if (params.length > MAX_PARAMS) throw new SegmentError(`the segment uses ${params.length} values; at most ${MAX_PARAMS} fit in one query`);
  return { sql, params };
}

function eventTimeComparison(c: z.infer<typeof eventTimeCondition>): Comparison {
  if (c.op === "before" || c.op === "after") {
    if (!c.value) throw new SegmentError(`${c.op} needs a date`);
    return { op: c.op, value: c.value };
  }
  if (c.days === undefined) throw new SegmentError(`${c.op} needs a number of days`);
  return { op: c.op, days: c.days };
}

function rfmRanges(c: z.infer<typeof rfmCondition>): Partial<Record<"r" | "f" | "m", readonly [number, number]>> {
  const cell = c.cell ? RFM_CELLS[c.cell] : undefined;
  return { r: c.r ?? cell?.r, f: c.f ?? cell?.f, m: c.m };
}

// ---- in memory ------------------------------------------------------------------------------------------

/** Everything about one contact that a segment can ask about. */
export interface ContactFacts {
  contact: { id: number; properties: Record<string, unknown> } & Partial<Record<FieldName | "rfm_r" | "rfm_f" | "rfm_m", unknown>>;
  events: { name: string; occurredAt: number; properties: Record<string, unknown> }[];
  /** topic key -> subscription status */
  subscriptions: Record<string, string>;
  /** sent emails */
  messages: { sentAt: number | null }[];
  /** the contact's flow runs */
  flows?: { flowId: number; nodeId: string | null; status: string }[];
}

/** SQLite's view of a JSON value: booleans are 1/0, objects and arrays are JSON text. */
function sqlValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return v;
}

// SQLite's lower() only folds ASCII letters.
const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

function msOf(v: unknown, property: boolean): number | null {
  if (typeof v === "number") return v;
  if (property && typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function compareValue(raw: unknown, cmp: Comparison, ctx: SegmentContext, property: boolean): boolean {
  const x = sqlValue(raw);
  const eq = (a: unknown, b: unknown) => a !== null && a === sqlValue(b);
  switch (cmp.op) {
    case "eq":
      return eq(x, cmp.value);
    case "neq":
      return x === null || !eq(x, cmp.value);
    case "contains":
      return typeof x === "string" && lowerAscii(x).includes(lowerAscii(cmp.value));
    case "not_contains":
      return !(typeof x === "string" && lowerAscii(x).includes(lowerAscii(cmp.value)));
    case "starts_with":
      return typeof x === "string" && lowerAscii(x).startsWith(lowerAscii(cmp.value));
    case "exists":
      return x !== null && x !== "";
    case "not_exists":
      return x === null || x === "";
    case "gt":
      return typeof x === "number" && x > cmp.value;
    case "gte":
      return typeof x === "number" && x >= cmp.value;
    case "lt":
      return typeof x === "number" && x < cmp.value;
    case "lte":
      return typeof x === "number" && x <= cmp.value;
    case "between":
      return typeof x === "number" && x >= Math.min(cmp.from, cmp.to) && x <= Math.max(cmp.from, cmp.to);
    case "in":
      return x !== null && cmp.values.some((v) => eq(x, v));
    case "not_in":
      return !(x !== null && cmp.values.some((v) => eq(x, v)));
    case "month_is":
      return typeof x === "string" && x.length >= 5 && Number(x.slice(-5, -3)) === (cmp.month || currentMonth(ctx.now));
    case "before":
    case "after": {
      const t = msOf(x, property);
      return t !== null && (cmp.op === "before" ? t < dateMs(cmp.value) : t > dateMs(cmp.value));
    }
    case "between_dates": {
      const t = msOf(x, property);
      return t !== null && t >= Math.min(dateMs(cmp.from), dateMs(cmp.to)) && t <= Math.max(dateMs(cmp.from), dateMs(cmp.to));
    }
    case "within_last_days":
    case "more_than_days_ago": {
      const t = msOf(x, property);
      return t !== null && (cmp.op === "within_last_days" ? t >= ctx.now - cmp.days * DAY : t < ctx.now - cmp.days * DAY);
    }
  }
}

export function evaluateSegment(def: Group, facts: ContactFacts, ctx: SegmentContext, stack: number[] = []): boolean {
  const results = def.conditions.map((c) => (c.type === "group" ? evaluateSegment(c, facts, ctx, stack) : evaluateLeaf(c, facts, ctx, stack)));
  return def.match === "all" ? results.every(Boolean) : results.some(Boolean);
}

function evaluateLeaf(c: Leaf, facts: ContactFacts, ctx: SegmentContext, stack: number[]): boolean {
  const contact = facts.contact;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  switch (c.type) {
    case "property": {
      const property = c.field.startsWith("properties.");
      const raw = property ? contact.properties[c.field.slice(11)] : contact[c.field as FieldName];
      return compareValue(raw, c, ctx, property);
    }
    case "event": {
      const matching = facts.events.filter(
        (e) =>
          e.name === c.name &&
          (c.window.kind !== "last_days" || e.occurredAt >= ctx.now - c.window.days * DAY) &&
          (c.window.kind !== "between" || (e.occurredAt >= dateMs(c.window.from) && e.occurredAt <= dateMs(c.window.to))) &&
          c.where.every((f) => compareValue(e.properties[f.property], f, ctx, true)),
      ).length;
      const { op, value } = c.count;
      return op === "at_least" ? matching >= value : op === "at_most" ? matching <= value : matching === value;
    }
    case "event_time": {
      const times = facts.events.filter((e) => e.name === c.name).map((e) => e.occurredAt);
      const t = times.length ? (c.which === "first" ? Math.min(...times) : Math.max(...times)) : null;
      return compareValue(t, eventTimeComparison(c), ctx, false);
    }
    case "engagement": {
      const at = num(c.action === "opened" ? contact.last_opened_at : contact.last_clicked_at);
      const recent = at !== null && at >= ctx.now - c.days * DAY;
      return c.negate ? !recent : recent;
    }
    case "unengaged": {
      const since = num(contact.last_opened_at) ?? 0;
      return facts.messages.filter((m) => m.sentAt !== null && m.sentAt > since).length >= c.received;
    }
    case "topic": {
      const subscribed = c.topic === "*" ? Object.values(facts.subscriptions).includes("subscribed") : facts.subscriptions[c.topic] === "subscribed";
      return subscribed === c.subscribed;
    }
    case "segment": {
      const other = ctx.segment(c.segmentId);
      if (!other) throw new SegmentError(`segment ${c.segmentId} does not exist`);
      if (stack.includes(c.segmentId)) throw new SegmentError(`segment ${c.segmentId} refers to itself`);
      return evaluateSegment(other, facts, ctx, [...stack, c.segmentId]) === c.member;
    }
    case "lifecycle": {
      const orders = num(contact.order_count) ?? 0;
      const last = num(contact.last_order_at);
      const lapsed = ctx.now - ctx.lapsedDays * DAY;
      const churned = ctx.now - ctx.churnedDays * DAY;
      if (c.stage === "subscriber") return orders === 0;
      if (last === null) return false;
      if (c.stage === "first_time") return orders === 1 && last >= lapsed;
      if (c.stage === "repeat") return orders >= 2 && last >= lapsed;
      if (c.stage === "lapsed") return orders >= 1 && last < lapsed && last >= churned;
      return orders >= 1 && last < churned;
    }
    case "rfm": {
      const range = rfmRanges(c);
      const keys = (["r", "f", "m"] as const).filter((k) => range[k]);
      if (!keys.length) return num(contact.rfm_r) !== null;
      return keys.every((k) => {
        const v = num(contact[`rfm_${k}`]);
        return v !== null && v >= range[k]![0] && v <= range[k]![1];
      });
    }
    case "flow": {
      const runs = (facts.flows ?? []).filter((r) => r.flowId === c.flowId);
      const live = (r: { status: string }) => r.status === "active" || r.status === "waiting";
      const found =
        c.state === "entered" ? runs.length > 0
        : c.state === "completed" ? runs.some((r) => r.status === "completed")
        : c.state === "in" ? runs.some(live)
        : runs.some((r) => live(r) && r.nodeId === (c.nodeId ?? ""));
      return c.negate ? !found : found;
    }
    case "random": {
      const b = randomBucket(contact.id, c.seed);
      return b >= Math.min(c.from, c.to) && b <= Math.max(c.from, c.to);
    }
  }
}
