/**
 * Flows as plain data: a trigger, settings, and a graph of nodes (send, delay, wait until, wait for event,
 * condition, split, update, webhook, exit). Shared by the admin UI and the ContactJourney Durable Object.
 * Validation rejects malformed graphs at save time with messages that name the node. The interpreter lives in
 * flow-step.ts.
 */
import { z } from "zod";
import { groupSchema } from "./segment";

const nodeId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "node ids are 1–40 letters, digits, _ or -");
const next = nodeId.nullable();
export const durationSchema = z.object({ amount: z.number().int().min(0).max(100_000), unit: z.enum(["minutes", "hours", "days", "weeks"]) });
export type Duration = z.infer<typeof durationSchema>;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;
export const durationMs = (d: Duration) => d.amount * UNIT_MS[d.unit];

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
/** A filter on event properties (the comparisons of segments), e.g. `value gt 50`. */
export const eventFilterSchema = z.object({ property: z.string().min(1).max(100) }).and(
  z.union([
    z.object({ op: z.enum(["eq", "neq"]), value: scalar }),
    z.object({ op: z.enum(["gt", "gte", "lt", "lte"]), value: z.number().finite() }),
    z.object({ op: z.enum(["contains", "starts_with"]), value: z.string().min(1).max(500) }),
    z.object({ op: z.enum(["exists", "not_exists"]) }),
    z.object({ op: z.enum(["in"]), values: z.array(scalar).min(1).max(200) }),
  ]),
);
export type EventFilter = z.infer<typeof eventFilterSchema>;

export const triggerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("event"), event: z.string().min(1).max(200), where: z.array(eventFilterSchema).max(10).default([]) }),
  /** joined a topic: fires on the "Subscribed" event the consent flow records */
  z.object({ type: z.literal("topic"), topic: z.string().min(1).max(64) }),
  /** entered a segment: checked by the cron trigger */
  z.object({ type: z.literal("segment"), segmentId: z.number().int().positive() }),
  /** a yearly date (birthday, sign-up anniversary) at a local hour, with an offset in days */
  z.object({
    type: z.literal("date"),
    field: z.union([z.enum(["birthday", "created_at"]), z.templateLiteral(["properties.", z.string().min(1).max(100)])]),
    hour: z.number().int().min(0).max(23).default(9),
    offsetDays: z.number().int().min(-30).max(30).default(0),
  }),
  z.object({ type: z.literal("manual") }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** A condition node asks about the contact (any segment condition), the run, or its emails. */
export const checkSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("segment"), definition: groupSchema }),
  z.object({ kind: z.literal("event_since_entry"), event: z.string().min(1).max(200), where: z.array(eventFilterSchema).max(10).default([]) }),
  /** opened/clicked an email this run sent (at one send node, or any) */
  z.object({ kind: z.literal("email"), action: z.enum(["opened", "clicked"]), nodeId: nodeId.optional() }),
]);
export type Check = z.infer<typeof checkSchema>;

export const nodeSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("send"),
    templateId: z.number().int().positive(),
    topicId: z.number().int().positive().nullable().default(null),
    trackOpens: z.boolean().default(true),
    trackClicks: z.boolean().default(true),
    next,
  }),
  z.object({ type: z.literal("delay"), duration: durationSchema, next }),
  z.object({
    type: z.literal("wait_until"),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM"),
    /** 0 = Sunday; empty: any day */
    days: z.array(z.number().int().min(0).max(6)).max(7).default([]),
    next,
  }),
  z.object({
    type: z.literal("wait_event"),
    event: z.string().min(1).max(200),
    where: z.array(eventFilterSchema).max(10).default([]),
    /** the awaited event's property must equal the triggering event's, e.g. checkout_id */
    matchTrigger: z.array(z.object({ property: z.string().min(1).max(100), triggerProperty: z.string().min(1).max(100) })).max(5).default([]),
    timeout: durationSchema,
    next,
    timeoutNext: next,
  }),
  z.object({ type: z.literal("condition"), check: checkSchema, yes: next, no: next }),
  z.object({ type: z.literal("split"), branches: z.array(z.object({ key: z.string().min(1).max(20), percent: z.number().int().min(0).max(100), next })).min(2).max(5) }),
  z.object({
    type: z.literal("update"),
    properties: z.record(z.string().min(1).max(100), scalar.nullable()).default({}),
    topics: z.record(z.string().min(1).max(64), z.enum(["subscribed", "unsubscribed"])).default({}),
    next,
  }),
  z.object({
    type: z.literal("webhook"),
    url: z.url({ protocol: /^https$/ }).max(2000),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1000)).default({}),
    next,
  }),
  z.object({ type: z.literal("exit") }),
]);
export type FlowNode = z.infer<typeof nodeSchema>;

export const flowSettingsSchema = z.object({
  reentry: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("never") }),
    z.object({ kind: z.literal("always") }),
    z.object({ kind: z.literal("after_days"), days: z.number().int().min(1).max(3650) }),
  ]).default({ kind: "never" }),
  /** reaching this event exits the run wherever it is (e.g. Order Completed for abandoned cart) */
  goal: z.object({ event: z.string().min(1).max(200), where: z.array(eventFilterSchema).max(10).default([]) }).nullable().default(null),
  exitOnUnsubscribe: z.boolean().default(true),
  /** this share of entrants takes the path but receives no email: the baseline for measuring lift */
  holdoutPercent: z.number().int().min(0).max(50).default(0),
});

export const flowSchema = z.object({
  trigger: triggerSchema,
  settings: flowSettingsSchema.prefault({}),
  entry: nodeId.nullable(),
  nodes: z.record(nodeId, nodeSchema),
  /** where nodes sit on the editor's canvas; the engine ignores it */
  layout: z.record(nodeId, z.object({ x: z.number(), y: z.number() })).optional(),
});
export type FlowDefinition = z.infer<typeof flowSchema>;

export class FlowError extends Error {}

export function successors(node: FlowNode): (string | null)[] {
  switch (node.type) {
    case "wait_event":
      return [node.next, node.timeoutNext];
    case "condition":
      return [node.yes, node.no];
    case "split":
      return node.branches.map((b) => b.next);
    case "exit":
      return [];
    default:
      return [node.next];
  }
}

const waits = new Set(["delay", "wait_until", "wait_event"]);

// Webhooks may only call the public internet: no loopback, private, link-local or metadata addresses.
const privateHostRe =
  /^(localhost|.*\.localhost|.*\.internal|.*\.local|metadata\.google\.internal|0\.0\.0\.0|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+|\[.*\])$/i;

export function isPublicHttpsUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "https:" || u.username || u.password) return false;
  if (u.port && u.port !== "443") return false;
  const host = u.hostname.toLowerCase();
  return !privateHostRe.test(host) && !/^\d+$/.test(host) && host.includes(".");
}

/** Parses and checks a definition; throws a ZodError for shape problems, a FlowError for graph problems. */
export function parseFlow(input: unknown): FlowDefinition {
  const def = flowSchema.parse(input);
  const problems = flowProblems(def);
  if (problems.length) throw new FlowError(problems.join("; "));
  return def;
}

/** Every graph problem of a definition, as sentences naming the nodes. */
export function flowProblems(def: FlowDefinition): string[] {
  const problems: string[] = [];
  const ids = Object.keys(def.nodes);
  if (!ids.length) return ["the flow has no steps"];
  if (!def.entry) return ["the flow has no first step"];
  if (!def.nodes[def.entry]) problems.push(`the first step "${def.entry}" does not exist`);
  for (const [id, node] of Object.entries(def.nodes)) {
    for (const to of successors(node)) if (to !== null && !def.nodes[to]) problems.push(`step "${id}" leads to "${to}", which does not exist`);
    if (node.type === "split") {
      const total = node.branches.reduce((s, b) => s + b.percent, 0);
      if (total !== 100) problems.push(`the split "${id}" adds up to ${total}%, not 100%`);
      if (new Set(node.branches.map((b) => b.key)).size !== node.branches.length) problems.push(`the split "${id}" has two branches with the same name`);
    }
    if (node.type === "webhook" && !isPublicHttpsUrl(node.url)) problems.push(`the webhook "${id}" must call a public https address`);
    if (node.type === "condition" && node.check.kind === "email" && node.check.nodeId && def.nodes[node.check.nodeId]?.type !== "send") {
      problems.push(`the condition "${id}" asks about "${node.check.nodeId}", which is not an email step`);
    }
  }
  if (problems.length || !def.entry) return problems;

  // Every step reachable from the first one.
  const reachable = new Set<string>();
  const stack = [def.entry];
  while (stack.length) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const to of successors(def.nodes[id]!)) if (to) stack.push(to);
  }
  for (const id of ids) if (!reachable.has(id)) problems.push(`step "${id}" cannot be reached from the first step`);

  // A loop must pass through a wait, or a run would spin forever within one instant.
  const color = new Map<string, number>(); // 1 on stack, 2 done
  const visit = (id: string, path: string[]) => {
    color.set(id, 1);
    const node = def.nodes[id]!;
    for (const to of successors(node)) {
      if (!to) continue;
      if (color.get(to) === 1) {
        const cycle = [...path.slice(path.indexOf(to)), id];
        if (!cycle.some((n) => waits.has(def.nodes[n]!.type))) problems.push(`the loop ${[...cycle, to].join(" → ")} has no wait in it`);
      } else if (!color.has(to)) visit(to, [...path, id]);
    }
    color.set(id, 2);
  };
  visit(def.entry, []);
  return problems;
}

/** Event names a live flow listens to: the ingest forwards an event to a contact's journey only for these. */
export function flowEventNames(def: FlowDefinition): string[] {
  const names = new Set<string>();
  if (def.trigger.type === "event") names.add(def.trigger.event);
  if (def.trigger.type === "topic") names.add("Subscribed");
  if (def.settings.goal) names.add(def.settings.goal.event);
  if (def.settings.exitOnUnsubscribe) names.add("Unsubscribed");
  for (const node of Object.values(def.nodes)) {
    if (node.type === "wait_event") names.add(node.event);
    if (node.type === "condition" && node.check.kind === "event_since_entry") names.add(node.check.event);
  }
  return [...names];
}

/** Does any step ask about segment membership? (Only then does a journey need the saved segments and settings.) */
export const usesSegments = (def: FlowDefinition): boolean =>
  Object.values(def.nodes).some((node) => node.type === "condition" && node.check.kind === "segment");

/** Does an event's property list pass the filters? (Same comparisons as segments, on one event.) */
export function matchesFilters(props: Record<string, unknown>, filters: EventFilter[]): boolean {
  return filters.every((f) => {
    const v = props[f.property];
    switch (f.op) {
      case "eq":
        return v === f.value;
      case "neq":
        return v !== f.value;
      case "gt":
        return typeof v === "number" && v > f.value;
      case "gte":
        return typeof v === "number" && v >= f.value;
      case "lt":
        return typeof v === "number" && v < f.value;
      case "lte":
        return typeof v === "number" && v <= f.value;
      case "contains":
        return typeof v === "string" && v.toLowerCase().includes(f.value.toLowerCase());
      case "starts_with":
        return typeof v === "string" && v.toLowerCase().startsWith(f.value.toLowerCase());
      case "exists":
        return v !== undefined && v !== null && v !== "";
      case "not_exists":
        return v === undefined || v === null || v === "";
      case "in":
        return f.values.some((x) => x === v);
    }
  });
}
