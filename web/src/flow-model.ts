/**
 * The flow editor's knowledge of core/flow's definition: what each kind of step is called, new steps, the links
 * between steps ("ports") and editing them (insert on a link, remove a step), what a step or trigger says in
 * words, what is still missing before the server accepts it, and which step a server problem names.
 * Pure functions over the shared types.
 */
import { capitalize } from "./format";
import { describe as describeConditions, problems as segmentProblems, type Names as SegmentNames } from "./segment-model";
import type { Duration, EventFilter, FlowCheck, FlowDefinition, FlowNode, FlowTrigger } from "./types";

export type NodeType = FlowNode["type"];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;
export type FlowSettings = FlowDefinition["settings"];

export interface NodeTypeDef {
  type: NodeType;
  label: string;
  hint: string;
  tone: "blue" | "amber" | "violet" | "green" | "neutral" | "red";
}

export const NODE_TYPES: NodeTypeDef[] = [
  { type: "send", label: "Send email", hint: "An email from one of your templates", tone: "blue" },
  { type: "delay", label: "Delay", hint: "Wait a set time, e.g. 1 hour or 3 days", tone: "amber" },
  { type: "wait_until", label: "Wait until", hint: "A time of day, on chosen weekdays", tone: "amber" },
  { type: "wait_event", label: "Wait for event", hint: "Until they do something, or a timeout", tone: "amber" },
  { type: "condition", label: "Condition", hint: "Yes/no branch on who they are or what they did", tone: "violet" },
  { type: "split", label: "A/B split", hint: "Random branches by percentage", tone: "violet" },
  { type: "update", label: "Update contact", hint: "Set properties or topic subscriptions", tone: "green" },
  { type: "webhook", label: "Webhook", hint: "Call an https URL with the run's data", tone: "green" },
  { type: "exit", label: "Exit", hint: "End the flow here", tone: "neutral" },
];
export const nodeTypeDef = (t: NodeType) => NODE_TYPES.find((d) => d.type === t)!;

export const TRIGGER_TYPES: { type: FlowTrigger["type"]; label: string; hint: string }[] = [
  { type: "event", label: "An event", hint: "They do something, e.g. Checkout Started" },
  { type: "topic", label: "Joins a topic", hint: "They subscribe (after confirming, with double opt-in)" },
  { type: "segment", label: "Enters a segment", hint: "Checked every few minutes" },
  { type: "date", label: "A yearly date", hint: "Birthday or sign-up anniversary" },
  { type: "manual", label: "Manual or API", hint: "Started by hand or by your own code" },
];

// ---- links between steps ------------------------------------------------------------------------------

/** An outgoing link of a step: `key` names it for setPort, `label` is what the canvas writes on it. */
export interface Port {
  key: string;
  label: string | null;
  to: string | null;
  tone?: "yes" | "no" | "timeout";
}

export function ports(node: FlowNode): Port[] {
  switch (node.type) {
    case "wait_event":
      return [
        { key: "next", label: "Happened", to: node.next, tone: "yes" },
        { key: "timeoutNext", label: "Timed out", to: node.timeoutNext, tone: "timeout" },
      ];
    case "condition":
      return [
        { key: "yes", label: "Yes", to: node.yes, tone: "yes" },
        { key: "no", label: "No", to: node.no, tone: "no" },
      ];
    case "split":
      return node.branches.map((b, i) => ({ key: `branch:${i}`, label: `${b.key} · ${Number.isFinite(b.percent) ? b.percent : "?"}%`, to: b.next }));
    case "exit":
      return [];
    default:
      return [{ key: "next", label: null, to: node.next }];
  }
}

export function setPort(node: FlowNode, key: string, to: string | null): FlowNode {
  if (node.type === "split" && key.startsWith("branch:")) {
    const i = Number(key.slice(7));
    return { ...node, branches: node.branches.map((b, j) => (j === i ? { ...b, next: to } : b)) };
  }
  if (node.type === "exit") return node;
  return { ...node, [key]: to } as FlowNode;
}

export const successors = (node: FlowNode) => ports(node).map((p) => p.to);

/** The trigger's link to the first step is a port too, on this pseudo-step. */
export const TRIGGER = "__trigger";

export interface LinkRef {
  from: string;
  port: string;
}

function reachableFrom(def: Pick<FlowDefinition, "entry" | "nodes">): Set<string> {
  const seen = new Set<string>();
  const stack = def.entry ? [def.entry] : [];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !def.nodes[id]) continue;
    seen.add(id);
    for (const to of successors(def.nodes[id]!)) if (to) stack.push(to);
  }
  return seen;
}

/** A fresh id for a new step: "email_2", "delay_1", … (ids are what problems and reports name). */
export function newId(def: Pick<FlowDefinition, "nodes">, type: NodeType): string {
  const base = { send: "email", delay: "delay", wait_until: "wait_until", wait_event: "wait_for", condition: "condition", split: "split", update: "update", webhook: "webhook", exit: "exit" }[type];
  for (let n = 1; ; n++) if (!def.nodes[`${base}_${n}`]) return `${base}_${n}`;
}

/** A new step of a kind, leading on to `next` (its first link). */
export function newNode(type: NodeType, next: string | null): FlowNode {
  switch (type) {
    case "send":
      return { type, templateId: 0, topicId: null, trackOpens: true, trackClicks: true, next };
    case "delay":
      return { type, duration: { amount: 1, unit: "days" }, next };
    case "wait_until":
      return { type, time: "09:00", days: [], next };
    case "wait_event":
      return { type, event: "", where: [], matchTrigger: [], timeout: { amount: 3, unit: "days" }, next, timeoutNext: null };
    case "condition":
      return { type, check: { kind: "event_since_entry", event: "", where: [] }, yes: next, no: null };
    case "split":
      return { type, branches: [{ key: "A", percent: 50, next }, { key: "B", percent: 50, next: null }] };
    case "update":
      return { type, properties: {}, topics: {}, next };
    case "webhook":
      return { type, url: "", headers: {}, next };
    case "exit":
      return { type };
  }
}

function linkTarget(def: FlowDefinition, at: LinkRef): string | null {
  if (at.from === TRIGGER) return def.entry;
  const node = def.nodes[at.from];
  return node ? (ports(node).find((p) => p.key === at.port)?.to ?? null) : null;
}

function relink(def: FlowDefinition, at: LinkRef, to: string | null): FlowDefinition {
  if (at.from === TRIGGER) return { ...def, entry: to };
  return { ...def, nodes: { ...def.nodes, [at.from]: setPort(def.nodes[at.from]!, at.port, to) } };
}

/** Puts a new step on a link: what the link led to follows the new step. */
export function insertNode(def: FlowDefinition, at: LinkRef, type: NodeType): { def: FlowDefinition; id: string } {
  const target = linkTarget(def, at);
  const id = newId(def, type);
  const node = newNode(type, type === "exit" ? null : target);
  const next = relink({ ...def, nodes: { ...def.nodes, [id]: node } }, at, id);
  return { def: next, id };
}

/**
 * What removing a step does: its first link that leads somewhere takes its place; steps only reachable through
 * its other links go with it.
 */
export function removalPlan(def: FlowDefinition, id: string): { keep: string | null; alsoRemoved: string[] } {
  const node = def.nodes[id];
  if (!node) return { keep: null, alsoRemoved: [] };
  const keep = successors(node).find((to) => to && to !== id) ?? null;
  const after = removeNodeRaw(def, id, keep);
  const before = reachableFrom(def);
  const still = reachableFrom(after);
  const alsoRemoved = [...before].filter((n) => n !== id && !still.has(n));
  return { keep, alsoRemoved };
}

function removeNodeRaw(def: FlowDefinition, id: string, keep: string | null): FlowDefinition {
  const nodes: Record<string, FlowNode> = {};
  for (const [nid, n] of Object.entries(def.nodes)) {
    if (nid === id) continue;
    let m = n;
    for (const p of ports(n)) if (p.to === id) m = setPort(m, p.key, keep);
    nodes[nid] = m;
  }
  return { ...def, entry: def.entry === id ? keep : def.entry, nodes };
}

export function removeNode(def: FlowDefinition, id: string): FlowDefinition {
  const { keep, alsoRemoved } = removalPlan(def, id);
  const next = removeNodeRaw(def, id, keep);
  for (const gone of alsoRemoved) delete next.nodes[gone];
  if (next.layout) next.layout = Object.fromEntries(Object.entries(next.layout).filter(([k]) => next.nodes[k]));
  return next;
}

// ---- words --------------------------------------------------------------------------------------------

const UNIT_WORDS: Record<Duration["unit"], [string, string]> = { minutes: ["minute", "minutes"], hours: ["hour", "hours"], days: ["day", "days"], weeks: ["week", "weeks"] };
export const UNIT_OPTIONS = (Object.keys(UNIT_WORDS) as Duration["unit"][]).map((u) => ({ value: u, label: u }));

export function durationWords(d: Duration): string {
  if (!Number.isFinite(d.amount)) return `? ${d.unit}`;
  return `${d.amount} ${UNIT_WORDS[d.unit][d.amount === 1 ? 0 : 1]}`;
}

export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function daysWords(days: number[]): string {
  const set = [...new Set(days)].sort();
  if (!set.length || set.length === 7) return ", any day";
  if (set.join() === "1,2,3,4,5") return " on a weekday";
  if (set.join() === "0,6") return " at the weekend";
  return ` on ${[...set.filter((d) => d > 0), ...set.filter((d) => d === 0)].map((d) => WEEKDAYS[d]).join(", ")}`;
}

export const FILTER_OPS: { value: EventFilter["op"]; label: string }[] = [
  { value: "eq", label: "is" },
  { value: "neq", label: "is not" },
  { value: "gt", label: "is more than" },
  { value: "gte", label: "is at least" },
  { value: "lt", label: "is less than" },
  { value: "lte", label: "is at most" },
  { value: "contains", label: "contains" },
  { value: "starts_with", label: "starts with" },
  { value: "in", label: "is one of" },
  { value: "exists", label: "is set" },
  { value: "not_exists", label: "is not set" },
];
const opLabel = (op: EventFilter["op"]) => FILTER_OPS.find((o) => o.value === op)?.label ?? op;

export function filterWords(f: EventFilter): string {
  const show = (v: unknown) => (typeof v === "string" ? `“${v}”` : String(v));
  if (f.op === "exists" || f.op === "not_exists") return `${f.property || "?"} ${opLabel(f.op)}`;
  if (f.op === "in") return `${f.property || "?"} is one of ${f.values.map(show).join(", ")}`;
  return `${f.property || "?"} ${opLabel(f.op)} ${show("value" in f ? f.value : "")}`;
}

const withFilters = (event: string, where: EventFilter[]) => (where.length ? `${event} where ${where.map(filterWords).join(" and ")}` : event);

export interface Names {
  /** how the segment builder names topics, segments and flows (condition steps are segment conditions) */
  conditions: SegmentNames;
  template: (id: number) => string | null;
  topicById: (id: number) => string | null;
  topicByKey: (key: string) => string | null;
  segment: (id: number) => string | null;
}

export function triggerWords(t: FlowTrigger, names: Names): string {
  switch (t.type) {
    case "event":
      return t.event ? withFilters(t.event, t.where) : "An event (not chosen yet)";
    case "topic":
      return t.topic ? `Joins the topic “${names.topicByKey(t.topic) ?? t.topic}”` : "Joins a topic (not chosen yet)";
    case "segment":
      return t.segmentId ? `Enters the segment “${names.segment(t.segmentId) ?? `#${t.segmentId}`}”` : "Enters a segment (not chosen yet)";
    case "date": {
      const field = t.field === "birthday" ? "Birthday" : t.field === "created_at" ? "Sign-up anniversary" : `Yearly on ${t.field.slice(11) || "?"}`;
      const off = t.offsetDays ? `, ${Math.abs(t.offsetDays)} ${Math.abs(t.offsetDays) === 1 ? "day" : "days"} ${t.offsetDays < 0 ? "before" : "after"}` : "";
      return `${field} at ${String(t.hour).padStart(2, "0")}:00 local time${off}`;
    }
    case "manual":
      return "Started by hand or API";
  }
}

export function checkWords(c: FlowCheck, def: FlowDefinition, names: Names): string {
  switch (c.kind) {
    case "segment":
      return c.definition.conditions.length ? `${describeConditions(c.definition.conditions.length === 1 ? c.definition.conditions[0]! : c.definition, names.conditions).replace(/^\((.*)\)$/, "$1")}?` : "No conditions yet: everyone matches";
    case "event_since_entry":
      return c.event ? `Did ${withFilters(c.event, c.where)} since entering?` : "Did an event since entering? (not chosen)";
    case "email": {
      const n = c.nodeId ? def.nodes[c.nodeId] : null;
      const which = n?.type === "send" ? `“${names.template(n.templateId) ?? c.nodeId}”` : c.nodeId ? `step ${c.nodeId}` : "any email of this flow";
      return `${c.action === "opened" ? "Opened" : "Clicked"} ${which}?`;
    }
  }
}

/** A step in a few words, for its card. */
export function nodeWords(node: FlowNode, def: FlowDefinition, names: Names): string {
  switch (node.type) {
    case "send":
      return node.templateId > 0 ? (names.template(node.templateId) ?? `Template #${node.templateId}`) : "No template chosen";
    case "delay":
      return node.duration.amount === 0 ? "No wait: goes on at once" : `Wait ${durationWords(node.duration)}`;
    case "wait_until":
      return `Until ${node.time || "?"}${daysWords(node.days)}`;
    case "wait_event":
      return node.event ? `${node.event}, up to ${durationWords(node.timeout)}` : "Event not chosen";
    case "condition":
      return checkWords(node.check, def, names);
    case "split":
      return node.branches.map((b) => `${b.key} ${Number.isFinite(b.percent) ? b.percent : "?"}%`).join(" · ");
    case "update": {
      const parts = [...Object.keys(node.properties).map((k) => `sets ${k}`), ...Object.entries(node.topics).map(([k, v]) => `${v === "subscribed" ? "subscribes to" : "unsubscribes from"} ${names.topicByKey(k) ?? k}`)];
      return parts.length ? capitalize(parts.join(", ")) : "Nothing to change yet";
    }
    case "webhook": {
      try {
        return node.url ? `POST to ${new URL(node.url).host}` : "No URL yet";
      } catch {
        return "URL not valid";
      }
    }
    case "exit":
      return "The run ends here";
  }
}

/** "+1 h", "+1 day 2 h", "+45 min"; 0 is "at entry". */
export function formatOffset(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes <= 0) return "at entry";
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} ${d === 1 ? "day" : "days"}`);
  if (h) parts.push(`${h} h`);
  if (m && d === 0) parts.push(`${m} min`);
  return `+${parts.join(" ")}`;
}

// ---- what is missing ----------------------------------------------------------------------------------

const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
const nodeIdRe = /^[A-Za-z0-9_-]{1,40}$/;
const headerRe = /^[A-Za-z0-9-]{1,64}$/;

function filtersProblem(where: EventFilter[]): string | null {
  for (const f of where) {
    if (!f.property.trim()) return "A filter has no property name";
    if ((f.op === "gt" || f.op === "gte" || f.op === "lt" || f.op === "lte") && !Number.isFinite(f.value)) return `Enter a number for ${f.property}`;
    if ((f.op === "contains" || f.op === "starts_with") && !String(f.value).length) return `Enter the text ${f.property} ${opLabel(f.op)}`;
    if (f.op === "in" && !f.values.length) return `List the values ${f.property} may have`;
    if ((f.op === "eq" || f.op === "neq") && typeof f.value === "number" && !Number.isFinite(f.value)) return `Enter a number for ${f.property}`;
  }
  return null;
}

function durationProblem(d: Duration, what: string): string | null {
  return isWhole(d.amount, 0, 100_000) ? null : `Enter the ${what} as a whole number`;
}

function isHttpsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && u.hostname.includes(".");
  } catch {
    return false;
  }
}

export function triggerProblem(t: FlowTrigger): string | null {
  switch (t.type) {
    case "event":
      return !t.event.trim() ? "Enter the event that starts the flow" : filtersProblem(t.where);
    case "topic":
      return t.topic ? null : "Choose the topic";
    case "segment":
      return t.segmentId > 0 ? null : "Choose the segment";
    case "date":
      if (t.field.startsWith("properties.") && t.field.length === 11) return "Enter the name of the date property";
      if (!isWhole(t.hour, 0, 23)) return "Choose the hour";
      return isWhole(t.offsetDays, -30, 30) ? null : "The offset is from -30 to 30 days";
    case "manual":
      return null;
  }
}

/** What a step still needs before the server accepts the draft (the shape checks), in a sentence. */
export function nodeProblem(node: FlowNode, def: FlowDefinition): string | null {
  switch (node.type) {
    case "send":
      return node.templateId > 0 ? null : "Choose the email template";
    case "delay":
      return durationProblem(node.duration, "delay");
    case "wait_until":
      return /^([01]\d|2[0-3]):[0-5]\d$/.test(node.time) ? null : "Enter a time of day";
    case "wait_event":
      if (!node.event.trim()) return "Enter the event to wait for";
      if (node.matchTrigger.some((m) => !m.property.trim() || !m.triggerProperty.trim())) return "Name both properties to match";
      return durationProblem(node.timeout, "timeout") ?? filtersProblem(node.where);
    case "condition":
      if (node.check.kind === "event_since_entry") return node.check.event.trim() ? filtersProblem(node.check.where) : "Enter the event to look for";
      if (node.check.kind === "segment") {
        const missing = segmentProblems(node.check.definition);
        return missing.size ? [...missing.values()][0]! : null;
      }
      if (node.check.kind === "email" && node.check.nodeId && def.nodes[node.check.nodeId]?.type !== "send") return "Choose an email step of this flow";
      return null;
    case "split": {
      if (node.branches.some((b) => !b.key.trim())) return "Name every branch";
      if (node.branches.some((b) => !isWhole(b.percent, 0, 100))) return "Percentages are whole numbers from 0 to 100";
      if (new Set(node.branches.map((b) => b.key)).size !== node.branches.length) return "Two branches have the same name";
      const total = node.branches.reduce((s, b) => s + b.percent, 0);
      return total === 100 ? null : `The branches add up to ${total}%, not 100%`;
    }
    case "update":
      if (Object.keys(node.properties).some((k) => !k.trim())) return "A property has no name";
      if (Object.keys(node.topics).some((k) => !k)) return "Choose the topic";
      return null;
    case "webhook":
      if (!isHttpsUrl(node.url)) return "Enter an https:// address";
      return Object.keys(node.headers).every((h) => headerRe.test(h)) ? null : "Header names are letters, digits and dashes";
    case "exit":
      return null;
  }
}

export function settingsProblem(s: FlowSettings): string | null {
  if (s.reentry.kind === "after_days" && !isWhole(s.reentry.days, 1, 3650)) return "Re-entry: enter a number of days from 1 to 3650";
  if (s.goal && !s.goal.event.trim()) return "Goal: enter the event that ends the flow";
  if (s.goal) {
    const f = filtersProblem(s.goal.where);
    if (f) return `Goal: ${f}`;
  }
  if (!isWhole(s.holdoutPercent, 0, 50)) return "Holdout: a whole percentage from 0 to 50";
  return null;
}

/** Everything missing, by step id ("trigger" and "settings" for those); the draft can be saved when empty. */
export function localProblems(def: FlowDefinition): Map<string, string> {
  const out = new Map<string, string>();
  const t = triggerProblem(def.trigger);
  if (t) out.set("trigger", t);
  const s = settingsProblem(def.settings);
  if (s) out.set("settings", s);
  for (const [id, n] of Object.entries(def.nodes)) {
    if (!nodeIdRe.test(id)) out.set(id, "Step ids are letters, digits, _ or -");
    const p = nodeProblem(n, def);
    if (p) out.set(id, p);
  }
  return out;
}

/** Which step a server problem names: the first quoted id (or id in a loop) that is a step of the flow. */
export function problemTarget(message: string, def: FlowDefinition): string | null {
  for (const m of message.matchAll(/"([^"]+)"/g)) if (def.nodes[m[1]!]) return m[1]!;
  const loop = /the loop (.+) has no wait/.exec(message);
  if (loop) for (const id of loop[1]!.split(" → ")) if (def.nodes[id]) return id;
  return null;
}

/** JSON with object keys sorted and the layout left out: a change of positions alone is not an edit. */
export function canonical(def: FlowDefinition): string {
  const { layout: _layout, ...rest } = def;
  return JSON.stringify(rest, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** A sample triggering event for the simulator, by event name. */
export function sampleTrigger(t: FlowTrigger): Record<string, unknown> {
  if (t.type === "topic") return { topic: t.topic, source: "form" };
  if (t.type === "segment") return { segment_id: t.segmentId };
  if (t.type !== "event") return {};
  if (/^Checkout|^Cart/.test(t.event)) return { checkout_id: "chk_1001", value: 70, currency: "USD", products: [{ product_id: "mug-01", name: "Stoneware mug", price: 28, quantity: 2 }] };
  if (/^Order/.test(t.event)) return { order_id: "1042", total: 70, revenue: 62, currency: "USD" };
  if (/^Product/.test(t.event)) return { product_id: "lamp-07", name: "Brass desk lamp", price: 120 };
  return {};
}
