/**
 * The segment builder's knowledge of core/segment's definition format: which fields and comparisons exist,
 * sensible new conditions, what a condition says in words, what is still missing before it can be counted,
 * and which condition a server issue is about. Pure functions over the shared types.
 */
import { FIELDS, OPS_BY_TYPE as CORE_OPS } from "../../worker/core/segment-fields";
import { formatDate, formatNumber } from "./format";
import type { Comparison, SegmentGroup as Group, SegmentLeaf as Leaf } from "./types";

export type { Group, Leaf, Comparison };
export type Condition = Group | Leaf;
export type LeafType = Leaf["type"];
export type Op = Comparison["op"];
export type LeafOf<T extends LeafType> = Extract<Leaf, { type: T }>;

// ---- fields ---------------------------------------------------------------------------------------------

export type FieldType = "string" | "number" | "date" | "birthday";

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  group: string;
  /** the values a field can take, shown as a select */
  choices?: { value: string; label: string }[];
  placeholder?: string;
  money?: boolean;
}

/** core/segment's FIELDS, with names people read. */
export const FIELD_DEFS: FieldDef[] = [
  { key: "email", label: "Email", type: "string", group: "Profile", placeholder: "@example.com" },
  { key: "first_name", label: "First name", type: "string", group: "Profile" },
  { key: "last_name", label: "Last name", type: "string", group: "Profile" },
  { key: "phone", label: "Phone", type: "string", group: "Profile" },
  { key: "country", label: "Country", type: "string", group: "Profile", placeholder: "GB" },
  { key: "locale", label: "Locale", type: "string", group: "Profile", placeholder: "en-GB" },
  { key: "timezone", label: "Time zone", type: "string", group: "Profile", placeholder: "Europe/London" },
  { key: "birthday", label: "Birthday", type: "birthday", group: "Profile" },
  { key: "external_id", label: "User ID", type: "string", group: "Profile" },
  {
    key: "status",
    label: "Email status",
    type: "string",
    group: "Profile",
    choices: [
      { value: "active", label: "Active" },
      { value: "unsubscribed", label: "Unsubscribed" },
      { value: "bounced", label: "Bounced" },
      { value: "complained", label: "Complained" },
    ],
  },
  { key: "source", label: "Source", type: "string", group: "Profile", placeholder: "import" },
  { key: "order_count", label: "Number of orders", type: "number", group: "Shopping" },
  { key: "revenue", label: "Total spent", type: "number", group: "Shopping", money: true },
  { key: "first_order_at", label: "First order date", type: "date", group: "Shopping" },
  { key: "last_order_at", label: "Last order date", type: "date", group: "Shopping" },
  { key: "created_at", label: "Date added", type: "date", group: "Activity" },
  { key: "last_opened_at", label: "Last email opened", type: "date", group: "Activity" },
  { key: "last_clicked_at", label: "Last email clicked", type: "date", group: "Activity" },
];
// Each field's type must be the one the server checks against.
for (const f of FIELD_DEFS) if (FIELDS[f.key as keyof typeof FIELDS] !== f.type) throw new Error(`segment field ${f.key} disagrees with the server`);
const fieldByKey = new Map(FIELD_DEFS.map((f) => [f.key, f]));
export const fieldDef = (key: string) => fieldByKey.get(key);
export const isCustom = (field: string) => field.startsWith("properties.");

/** The comparisons each built-in field type allows, straight from the server's rules (core/segment-fields). */
export const OPS_BY_TYPE = Object.fromEntries(Object.entries(CORE_OPS).map(([type, rule]) => [type, rule.ops as Op[]])) as Record<FieldType, Op[]>;

/** Custom and event properties have no declared type: every comparison, grouped by the kind of value. */
export const FREE_OPS: { label: string; ops: Op[] }[] = [
  { label: "Text or any value", ops: ["eq", "neq", "contains", "not_contains", "starts_with", "in", "not_in"] },
  { label: "Number", ops: ["gt", "gte", "lt", "lte", "between"] },
  { label: "Date", ops: ["within_last_days", "more_than_days_ago", "before", "after", "between_dates"] },
  { label: "Presence", ops: ["exists", "not_exists"] },
];

export const OP_LABELS: Record<Op, string> = {
  eq: "is",
  neq: "is not",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  exists: "is set",
  not_exists: "is not set",
  in: "is any of",
  not_in: "is none of",
  gt: "is more than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  between: "is between",
  before: "is before",
  after: "is after",
  between_dates: "is between dates",
  within_last_days: "is in the last",
  more_than_days_ago: "is more than",
  month_is: "is in the month",
};

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** What kind of input a comparison's value needs. */
export type ValueKind = "none" | "scalar" | "text" | "number" | "range" | "date" | "dates" | "days" | "list" | "month";
export function valueKindOf(op: Op): ValueKind {
  switch (op) {
    case "eq":
    case "neq":
      return "scalar";
    case "contains":
    case "not_contains":
    case "starts_with":
      return "text";
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return "number";
    case "between":
      return "range";
    case "before":
    case "after":
      return "date";
    case "between_dates":
      return "dates";
    case "within_last_days":
    case "more_than_days_ago":
      return "days";
    case "in":
    case "not_in":
      return "list";
    case "month_is":
      return "month";
    case "exists":
    case "not_exists":
      return "none";
  }
}

/** How a scalar typed into a free property is stored: JSON properties keep their type (5 is not "5"). */
export type ScalarType = "string" | "number" | "boolean";
export function scalarTypeOf(v: unknown): ScalarType {
  return typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string";
}
export function castScalar(v: string | number | boolean, to: ScalarType): string | number | boolean {
  if (to === "number") return typeof v === "number" ? v : v === "" ? Number.NaN : Number(v);
  if (to === "boolean") return typeof v === "boolean" ? v : v === "true" || v === 1;
  return typeof v === "number" && Number.isNaN(v) ? "" : String(v);
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/**
 * The comparison after switching to `op`, keeping what still fits (a value becomes the first list item, and back).
 * `scalar` is the type of value a field takes (for built-in fields), or the current one for free properties.
 */
export function withOp(prev: Partial<Record<string, unknown>>, op: Op, scalar: ScalarType): Comparison {
  const oldValue = prev.value ?? (Array.isArray(prev.values) ? prev.values[0] : undefined);
  const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : "");
  switch (valueKindOf(op)) {
    case "none":
      return { op } as Comparison;
    case "scalar":
      return { op, value: oldValue !== undefined && typeof oldValue !== "object" ? castScalar(oldValue as string, scalar) : scalar === "number" ? Number.NaN : scalar === "boolean" ? true : "" } as Comparison;
    case "text":
      return { op, value: str(oldValue) } as Comparison;
    case "number":
      return { op, value: num(oldValue, Number.NaN) } as Comparison;
    case "range":
      return { op, from: num(prev.from ?? oldValue, Number.NaN), to: num(prev.to, Number.NaN) } as Comparison;
    case "date":
      return { op, value: typeof prev.value === "string" && /^\d{4}-\d{2}-\d{2}/.test(prev.value) ? prev.value : today() } as Comparison;
    case "dates":
      return { op, from: typeof prev.from === "string" ? prev.from : daysAgo(30), to: typeof prev.to === "string" ? prev.to : today() } as Comparison;
    case "days":
      return { op, days: num(prev.days, 30) } as Comparison;
    case "list": {
      const values = Array.isArray(prev.values) ? prev.values : oldValue !== undefined && oldValue !== "" && !(typeof oldValue === "number" && Number.isNaN(oldValue)) ? [oldValue] : [];
      return { op, values } as Comparison;
    }
    case "month":
      return { op, month: num(prev.month, 0) } as Comparison;
  }
}

/** The comparison part of a leaf or filter (everything a `withOp` result holds). */
export function comparisonOf(c: Record<string, unknown>): Comparison {
  const { op, value, values, from, to, days, month } = c as Record<string, never>;
  return Object.fromEntries(Object.entries({ op, value, values, from, to, days, month }).filter(([, v]) => v !== undefined)) as unknown as Comparison;
}

export function defaultComparison(type: FieldType): Comparison {
  if (type === "number") return { op: "gte", value: 1 };
  if (type === "date") return { op: "within_last_days", days: 30 };
  if (type === "birthday") return { op: "month_is", month: 0 };
  return { op: "eq", value: "" };
}

// ---- condition types -----------------------------------------------------------------------------------

export interface TypeDef {
  type: LeafType;
  label: string;
  /** in the row's kind picker, where space is short */
  short: string;
  hint: string;
}

export const LEAF_TYPES: TypeDef[] = [
  { type: "property", short: "Property", label: "Profile property", hint: "Country, orders, total spent, dates, custom properties" },
  { type: "event", short: "Event", label: "What they did", hint: "Did or did not do an event, how often, when" },
  { type: "event_time", short: "Event timing", label: "When they last did it", hint: "The first or last time of an event" },
  { type: "engagement", short: "Engagement", label: "Email engagement", hint: "Opened or clicked an email recently (people, not machines)" },
  { type: "unengaged", short: "Not opening", label: "Not opening", hint: "Received many emails without opening one" },
  { type: "topic", short: "Topic", label: "Topic subscription", hint: "Subscribed to a topic, or to any" },
  { type: "segment", short: "Segment", label: "Another segment", hint: "In or not in a saved segment" },
  { type: "lifecycle", short: "Lifecycle", label: "Lifecycle stage", hint: "Subscriber, first-time, repeat, lapsed, churned" },
  { type: "rfm", short: "RFM", label: "RFM group", hint: "Champions, at risk… or recency/frequency/monetary scores" },
  { type: "flow", short: "Flow", label: "Flow membership", hint: "In a flow now, finished it, or ever entered it" },
  { type: "random", short: "Random", label: "Random sample", hint: "A stable share of contacts, for holdouts and tests" },
];
export const typeLabel = (t: LeafType) => LEAF_TYPES.find((d) => d.type === t)?.label ?? t;

export function newCondition(type: LeafType, opts: { segmentId?: number; flowId?: number } = {}): Leaf {
  switch (type) {
    case "property":
      return { type, field: "country", op: "eq", value: "" } as Leaf;
    case "event":
      return { type, name: "", where: [], count: { op: "at_least", value: 1 }, window: { kind: "ever" } };
    case "event_time":
      return { type, name: "", which: "last", op: "within_last_days", days: 30 };
    case "engagement":
      return { type, action: "opened", days: 30, negate: false };
    case "unengaged":
      return { type, received: 5 };
    case "topic":
      return { type, topic: "*", subscribed: true };
    case "segment":
      return { type, segmentId: opts.segmentId ?? 0, member: true };
    case "lifecycle":
      return { type, stage: "repeat" };
    case "rfm":
      return { type, cell: "champions" };
    case "flow":
      return { type, flowId: opts.flowId ?? 0, state: "in", negate: false };
    case "random":
      return { type, from: 0, to: 9, seed: 0 };
  }
}

export const emptyGroup = (match: Group["match"] = "all"): Group => ({ type: "group", match, conditions: [] });

/** Segment Ecommerce v2 names, the email events Tern records, and the usual web events; any other name works too. */
export const EVENT_SUGGESTIONS = [
  "Order Completed",
  "Checkout Started",
  "Product Added",
  "Product Viewed",
  "Product Removed",
  "Cart Viewed",
  "Products Searched",
  "Product List Viewed",
  "Product Added to Wishlist",
  "Coupon Applied",
  "Payment Info Entered",
  "Checkout Step Completed",
  "Order Updated",
  "Order Refunded",
  "Order Cancelled",
  "Page Viewed",
  "Subscribed",
  "Unsubscribed",
  "Email Sent",
  "Email Delivered",
  "Email Opened",
  "Email Clicked",
  "Email Bounced",
];

/** Properties the Ecommerce v2 spec gives each event, offered when filtering on them. */
export function eventPropertySuggestions(event: string): string[] {
  const order = ["revenue", "total", "subtotal", "currency", "order_id", "discount", "coupon", "shipping", "tax"];
  const product = ["product_id", "name", "category", "brand", "price", "quantity", "sku", "variant", "url"];
  if (/^Order|^Checkout/.test(event)) return order;
  if (/^Product|^Cart/.test(event)) return product;
  if (event === "Products Searched") return ["query"];
  if (event === "Coupon Applied") return ["coupon_name", "coupon_id", "discount", "order_id"];
  if (event === "Page Viewed") return ["path", "url", "title", "referrer"];
  if (/^Email/.test(event)) return ["subject", "campaign_id", "flow_id", "url"];
  return [...order, ...product];
}

export const LIFECYCLE: Record<LeafOf<"lifecycle">["stage"], { label: string; hint: string }> = {
  subscriber: { label: "Subscriber (no order yet)", hint: "has not ordered" },
  first_time: { label: "First-time customer", hint: "one order, recently" },
  repeat: { label: "Repeat customer", hint: "two or more orders, recently" },
  lapsed: { label: "Lapsed customer", hint: "no order for a while" },
  churned: { label: "Churned customer", hint: "no order for a long time" },
};

export const RFM_CELLS: Record<NonNullable<LeafOf<"rfm">["cell"]>, { label: string; r: [number, number]; f: [number, number]; hint: string }> = {
  champions: { label: "Champions", r: [4, 5], f: [4, 5], hint: "ordered recently and often" },
  loyal: { label: "Loyal", r: [3, 5], f: [3, 5], hint: "order regularly" },
  new: { label: "New customers", r: [4, 5], f: [1, 1], hint: "first order, recently" },
  at_risk: { label: "At risk", r: [1, 2], f: [3, 5], hint: "ordered often, but not lately" },
  cant_lose: { label: "Can't lose them", r: [1, 1], f: [4, 5], hint: "best customers, gone quiet" },
  hibernating: { label: "Hibernating", r: [1, 2], f: [1, 2], hint: "few orders, long ago" },
};

export const FLOW_STATES: Record<LeafOf<"flow">["state"], [string, string]> = {
  in: ["is in", "is not in"],
  at_node: ["is waiting at a step of", "is not waiting at a step of"],
  completed: ["has completed", "has not completed"],
  entered: ["has entered", "has never entered"],
};

// ---- in words -------------------------------------------------------------------------------------------

export interface Names {
  topic: (key: string) => string;
  segment: (id: number) => string;
  flow: (id: number) => string;
  currency?: string;
}

const quote = (s: string) => `“${s}”`;
const times = (n: number) => (n === 1 ? "1 time" : `${formatNumber(n)} times`);
const fmtDay = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? formatDate(Date.parse(`${s}T12:00:00Z`)) : s);
const fmtValue = (v: unknown) => (typeof v === "string" ? (v ? quote(v) : "…") : typeof v === "number" ? (Number.isNaN(v) ? "…" : formatNumber(v)) : v === true ? "true" : v === false ? "false" : "…");

function comparisonWords(cmp: Comparison, field?: FieldDef): string {
  const label = OP_LABELS[cmp.op];
  const choice = (v: unknown) => field?.choices?.find((c) => c.value === v)?.label ?? fmtValue(v);
  switch (cmp.op) {
    case "exists":
    case "not_exists":
      return label;
    case "eq":
    case "neq":
    case "contains":
    case "not_contains":
    case "starts_with":
      return `${label} ${choice(cmp.value)}`;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return `${label} ${fmtValue(cmp.value)}`;
    case "between":
      return `${label} ${fmtValue(cmp.from)} and ${fmtValue(cmp.to)}`;
    case "in":
    case "not_in":
      return cmp.values.length ? `${label} ${cmp.values.map(choice).join(", ")}` : `${label} …`;
    case "before":
    case "after":
      return `${label} ${fmtDay(cmp.value)}`;
    case "between_dates":
      return `is between ${fmtDay(cmp.from)} and ${fmtDay(cmp.to)}`;
    case "within_last_days":
      return `is in the last ${cmp.days === 1 ? "day" : `${formatNumber(cmp.days)} days`}`;
    case "more_than_days_ago":
      return `is more than ${cmp.days === 1 ? "1 day" : `${formatNumber(cmp.days)} days`} ago`;
    case "month_is":
      return cmp.month ? `is in ${MONTHS[cmp.month - 1]}` : "is in the current month";
  }
}

const countWords = (c: LeafOf<"event">["count"]) =>
  c.op === "at_least" ? `at least ${times(c.value)}` : c.op === "at_most" ? `at most ${times(c.value)}` : `exactly ${times(c.value)}`;

function windowWords(w: LeafOf<"event">["window"]): string {
  if (w.kind === "last_days") return ` in the last ${w.days === 1 ? "day" : `${formatNumber(w.days)} days`}`;
  if (w.kind === "between") return ` between ${fmtDay(w.from)} and ${fmtDay(w.to)}`;
  return "";
}

/** "Did Checkout Started at least 1 time in the last 7 days" */
export function describe(c: Condition, names: Names): string {
  switch (c.type) {
    case "group": {
      if (!c.conditions.length) return c.match === "all" ? "Everyone" : "No one";
      const parts = c.conditions.map((x) => describe(x, names));
      return `(${parts.join(c.match === "all" ? " and " : " or ")})`;
    }
    case "property": {
      const field = fieldDef(c.field);
      const name = field ? field.label : `Property ${quote(c.field.slice(11) || "…")}`;
      return `${name} ${comparisonWords(comparisonOf(c), field)}`;
    }
    case "event": {
      const event = c.name || "…";
      const never = (c.count.op === "at_most" || c.count.op === "exactly") && c.count.value === 0;
      const head = never ? `Did not do ${event}` : `Did ${event} ${countWords(c.count)}`;
      const where = c.where.length ? ` where ${c.where.map((f) => `${f.property || "…"} ${comparisonWords(comparisonOf(f))}`).join(" and ")}` : "";
      return `${head}${windowWords(c.window)}${where}`;
    }
    case "event_time": {
      const which = c.which === "first" ? "First" : "Last";
      const cmp: Comparison = c.op === "before" || c.op === "after" ? { op: c.op, value: c.value ?? "…" } : { op: c.op, days: c.days ?? Number.NaN };
      return `${which} time they did ${c.name || "…"} ${comparisonWords(cmp).replace(/^is /, "was ")}`;
    }
    case "engagement": {
      const verb = c.action === "opened" ? "open" : "click";
      const span = c.days === 1 ? "the last day" : `the last ${formatNumber(c.days)} days`;
      return c.negate ? `Did not ${verb} any email in ${span}` : `${c.action === "opened" ? "Opened" : "Clicked"} an email in ${span}`;
    }
    case "unengaged":
      return `Received ${formatNumber(c.received)} or more emails since they last opened one`;
    case "topic": {
      const topic = c.topic === "*" ? "any topic" : quote(names.topic(c.topic));
      return `Is ${c.subscribed ? "" : "not "}subscribed to ${topic}`;
    }
    case "segment":
      return `Is ${c.member ? "" : "not "}in the segment ${c.segmentId ? quote(names.segment(c.segmentId)) : "…"}`;
    case "lifecycle":
      return `Lifecycle stage is ${LIFECYCLE[c.stage].label.replace(/ \(.*\)$/, "").toLowerCase()}`;
    case "rfm": {
      if (c.cell && !c.r && !c.f && !c.m) {
        const cell = RFM_CELLS[c.cell];
        return `Is in the RFM group ${cell.label} (recency ${cell.r.join("–")}, frequency ${cell.f.join("–")})`;
      }
      const parts = (["r", "f", "m"] as const).flatMap((k) => {
        const range = c[k] ?? (c.cell && k !== "m" ? RFM_CELLS[c.cell][k] : undefined);
        return range ? [`${{ r: "recency", f: "frequency", m: "monetary" }[k]} ${range[0] === range[1] ? range[0] : range.join("–")}`] : [];
      });
      return parts.length ? `RFM scores: ${parts.join(", ")}` : "Has RFM scores (has ordered)";
    }
    case "flow": {
      const flow = `the flow ${c.flowId ? quote(names.flow(c.flowId)) : "…"}`;
      const step = `step ${c.nodeId || "…"} of ${flow}`;
      const words = {
        in: [`Is in ${flow}`, `Is not in ${flow}`],
        at_node: [`Is waiting at ${step}`, `Is not waiting at ${step}`],
        completed: [`Has completed ${flow}`, `Has not completed ${flow}`],
        entered: [`Has entered ${flow}`, `Has never entered ${flow}`],
      }[c.state];
      return words[c.negate ? 1 : 0]!;
    }
    case "random": {
      const lo = Math.min(c.from, c.to);
      const hi = Math.max(c.from, c.to);
      return `In random bucket ${lo}–${hi} (${hi - lo + 1}% of contacts${c.seed ? `, seed ${c.seed}` : ""})`;
    }
  }
}

// ---- completeness -----------------------------------------------------------------------------------------

const bad = (v: unknown) => typeof v === "number" && !Number.isFinite(v);

function comparisonProblem(cmp: Comparison): string | null {
  switch (valueKindOf(cmp.op)) {
    case "scalar":
      if ("value" in cmp && (cmp.value === "" || bad(cmp.value))) return "Enter a value";
      return null;
    case "text":
      return "value" in cmp && cmp.value === "" ? "Enter some text" : null;
    case "number":
      return "value" in cmp && bad(cmp.value) ? "Enter a number" : null;
    case "range":
      return "from" in cmp && (bad(cmp.from) || bad(cmp.to)) ? "Enter both numbers" : null;
    case "date":
      return "value" in cmp && !cmp.value ? "Pick a date" : null;
    case "dates":
      return "from" in cmp && (!cmp.from || !cmp.to) ? "Pick both dates" : null;
    case "days":
      return "days" in cmp && (bad(cmp.days) || cmp.days < 0) ? "Enter a number of days" : null;
    case "list":
      return "values" in cmp && !cmp.values.length ? "Add at least one value (press Enter after each)" : "values" in cmp && cmp.values.some(bad) ? "Every value must be a number" : null;
    default:
      return null;
  }
}

function leafProblem(c: Leaf): string | null {
  switch (c.type) {
    case "property":
      if (c.field === "properties.") return "Name the custom property";
      return comparisonProblem(comparisonOf(c));
    case "event":
      if (!c.name.trim()) return "Choose or type an event name";
      if (bad(c.count.value)) return "Enter how many times";
      if (c.window.kind === "last_days" && (bad(c.window.days) || c.window.days < 1)) return "Enter a number of days (1 or more)";
      if (c.window.kind === "between" && (!c.window.from || !c.window.to)) return "Pick both dates";
      for (const f of c.where) {
        if (!f.property.trim()) return "Name the event property to filter on";
        const p = comparisonProblem(comparisonOf(f));
        if (p) return `${f.property}: ${p.toLowerCase()}`;
      }
      return null;
    case "event_time":
      if (!c.name.trim()) return "Choose or type an event name";
      if ((c.op === "before" || c.op === "after") && !c.value) return "Pick a date";
      if ((c.op === "within_last_days" || c.op === "more_than_days_ago") && (c.days === undefined || bad(c.days))) return "Enter a number of days";
      return null;
    case "engagement":
      return bad(c.days) || c.days < 1 ? "Enter a number of days (1 or more)" : null;
    case "unengaged":
      return bad(c.received) || c.received < 1 ? "Enter a number of emails (1 or more)" : null;
    case "segment":
      return c.segmentId ? null : "Choose a segment";
    case "flow":
      if (!c.flowId) return "Choose a flow";
      return c.state === "at_node" && !c.nodeId ? "Choose a step" : null;
    case "random":
      return bad(c.from) || bad(c.to) || bad(c.seed) ? "Enter whole numbers from 0 to 99" : null;
    default:
      return null;
  }
}

/** Conditions still missing something, by path ("conditions.0.conditions.2"). Nothing is counted until empty. */
export function problems(g: Group, path = ""): Map<string, string> {
  const out = new Map<string, string>();
  g.conditions.forEach((c, i) => {
    const p = `${path}conditions.${i}`;
    if (c.type === "group") for (const [k, v] of problems(c, `${p}.`)) out.set(k, v);
    else {
      const problem = leafProblem(c);
      if (problem) out.set(p, problem);
    }
  });
  return out;
}

const conditionPathRe = /^definition((?:\.conditions\.\d+)*)(?:[.:]|$)/;

/**
 * Which condition a server issue is about: its path (zod) or, for checks the schema cannot express, the path at
 * the start of its message ("definition.conditions.0: …"). Returns "" for the whole definition.
 */
export function issueTarget(issue: { path: string; message: string }): { path: string; message: string } {
  const fromPath = conditionPathRe.exec(issue.path);
  const inMessage = issue.path === "definition" ? conditionPathRe.exec(issue.message) : null;
  if (inMessage && inMessage[1]) return { path: inMessage[1].slice(1), message: issue.message.slice(inMessage[0].length).trim() };
  return { path: fromPath?.[1]?.slice(1) ?? "", message: issue.message };
}

// ---- editing ----------------------------------------------------------------------------------------------

/** Depth of groups (the top group is 1); core/segment allows 5. */
export const MAX_DEPTH = 5;

export function countLeaves(g: Group): number {
  return g.conditions.reduce((n, c) => n + (c.type === "group" ? countLeaves(c) : 1), 0);
}
