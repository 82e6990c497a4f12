/**
 * The flow interpreter: `step(flow, run, input, ctx) → { run, effects }`, pure. Inputs are start, event and
 * alarm; effects are send, update, webhook, schedule and exit, applied by the ContactJourney Durable Object.
 * Sends carry an idempotency key derived from the run's state, so replaying a step never sends twice.
 *
 * @example
 * const started = startRun(flow, { id, flowId, version, contactId, trigger: event, now });
 * const { run, effects } = step(flow, started, { type: "start" }, { now, facts, segments, timezone });
 */
import { durationMs, matchesFilters, type Check, type FlowDefinition, type FlowNode } from "./flow";
import { evaluateSegment, type ContactFacts, type SegmentContext } from "./segment";
import { nextLocalTime } from "./time";

export interface RunEvent {
  name: string;
  properties: Record<string, unknown>;
  occurredAt: number;
}

export interface Run {
  id: string;
  flowId: number;
  version: number;
  contactId: number;
  status: "active" | "waiting" | "completed" | "exited";
  nodeId: string | null;
  enteredAt: number;
  updatedAt: number;
  /** when the run wakes: end of a delay, a wait-until time, or a wait-for-event timeout */
  wakeAt: number | null;
  /** properties of the event that started the run (`event` in templates, matchTrigger) */
  trigger: Record<string, unknown>;
  /** name and time of that event; null for manual, segment and date starts */
  triggerEvent?: string | null;
  triggerAt?: number | null;
  /** how often each node was entered: part of send idempotency keys, so loops may send again */
  visits: Record<string, number>;
  /** emails this run asked to send, by node, with their idempotency keys */
  sent: { nodeId: string; key: string }[];
  /** the path taken, newest last (capped) */
  path: { nodeId: string; at: number; note?: string }[];
  holdout: boolean;
  exitReason: string | null;
}

export type Input = { type: "start" } | { type: "alarm" } | { type: "event"; event: RunEvent };

export type Effect =
  | { type: "send"; nodeId: string; key: string; templateId: number; topicId: number | null; trackOpens: boolean; trackClicks: boolean; data: Record<string, unknown> }
  | { type: "update"; nodeId: string; properties: Record<string, unknown>; topics: Record<string, "subscribed" | "unsubscribed"> }
  | { type: "webhook"; nodeId: string; key: string; url: string; headers: Record<string, string>; payload: Record<string, unknown> }
  | { type: "schedule"; at: number }
  | { type: "exit"; reason: string };

export interface StepContext {
  now: number;
  /** the contact as segments see it, with events since (at least) the run's entry */
  facts: ContactFacts;
  segments: SegmentContext;
  /** the contact's time zone, or the store's */
  timezone: string;
  /** human engagement with the emails this run sent, by idempotency key */
  engagement?: Record<string, { opened: boolean; clicked: boolean }>;
}

/** A stable number 0–99 from a string: splits and holdouts are reproducible for a run. */
export function bucket(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % 100;
}

export interface StartInput {
  id: string;
  flowId: number;
  version: number;
  contactId: number;
  trigger: Record<string, unknown>;
  triggerEvent?: string | null;
  triggerAt?: number | null;
  now: number;
  /** when this contact entered this flow before (any version) */
  previousEntries: number[];
  /** a run of this flow is still going for the contact */
  active: boolean;
}

/** A new run, or null when the re-entry rule says no. Call `step` with `{type: "start"}` next. */
export function startRun(flow: FlowDefinition, s: StartInput): Run | null {
  if (s.active) return null; // one run per flow and contact at a time
  const rule = flow.settings.reentry;
  if (s.previousEntries.length && rule.kind === "never") return null;
  if (rule.kind === "after_days" && s.previousEntries.some((t) => s.now - t < rule.days * 86_400_000)) return null;
  return {
    id: s.id, flowId: s.flowId, version: s.version, contactId: s.contactId, status: "active", nodeId: flow.entry, enteredAt: s.now, updatedAt: s.now,
    wakeAt: null, trigger: s.trigger, triggerEvent: s.triggerEvent ?? null, triggerAt: s.triggerAt ?? null, visits: {}, sent: [], path: [], holdout: bucket(`${s.id}:holdout`) < flow.settings.holdoutPercent, exitReason: null,
  };
}

const MAX_STEPS = 100;
const MAX_PATH = 200;

export function step(flow: FlowDefinition, current: Run, input: Input, ctx: StepContext): { run: Run; effects: Effect[] } {
  const run: Run = structuredClone(current);
  const effects: Effect[] = [];
  if (run.status === "completed" || run.status === "exited") return { run, effects };
  const { now } = ctx;
  run.updatedAt = now;

  const finish = (status: "completed" | "exited", reason: string) => {
    run.status = status;
    run.exitReason = reason;
    run.wakeAt = null;
    effects.push({ type: "exit", reason });
    return { run, effects };
  };
  const node = () => (run.nodeId ? flow.nodes[run.nodeId] : undefined);

  if (input.type === "event") {
    const { event } = input;
    const goal = flow.settings.goal;
    if (goal && event.name === goal.event && matchesFilters(event.properties, goal.where)) return finish("exited", `goal: ${goal.event}`);
    if (flow.settings.exitOnUnsubscribe && event.name === "Unsubscribed" && event.properties.scope === "all") return finish("exited", "unsubscribed");
    const waiting = node();
    if (run.status !== "waiting" || waiting?.type !== "wait_event" || !awaited(waiting, event, run.trigger)) return { run, effects };
    note(run, run.nodeId!, now, `${event.name} arrived`);
    run.nodeId = waiting.next;
  } else if (input.type === "alarm") {
    const waiting = node();
    if (run.status !== "waiting" || run.wakeAt === null || now < run.wakeAt || !waiting) return { run, effects };
    if (waiting.type === "wait_event") {
      note(run, run.nodeId!, now, "timed out");
      run.nodeId = waiting.timeoutNext;
    } else if (waiting.type === "delay" || waiting.type === "wait_until") {
      run.nodeId = waiting.next;
    }
  } else if (run.status !== "active") {
    return { run, effects };
  }
  run.status = "active";
  run.wakeAt = null;

  for (let steps = 0; ; steps++) {
    if (steps >= MAX_STEPS) return finish("exited", `loop: more than ${MAX_STEPS} steps without a wait`);
    if (!run.nodeId) return finish("completed", "end of flow");
    const id = run.nodeId;
    const n = flow.nodes[id];
    if (!n) return finish("exited", `step "${id}" no longer exists`);
    run.visits[id] = (run.visits[id] ?? 0) + 1;
    note(run, id, now);
    switch (n.type) {
      case "send": {
        const key = `flow:${run.id}:${id}:${run.visits[id]}`;
        run.sent.push({ nodeId: id, key });
        if (!run.holdout) {
          effects.push({ type: "send", nodeId: id, key, templateId: n.templateId, topicId: n.topicId, trackOpens: n.trackOpens, trackClicks: n.trackClicks, data: run.trigger });
        }
        run.nodeId = n.next;
        break;
      }
      case "delay":
        return wait(run, effects, now + durationMs(n.duration));
      case "wait_until": {
        const [hh, mm] = n.time.split(":").map(Number) as [number, number];
        return wait(run, effects, nextLocalTime(now, ctx.timezone, hh, mm, n.days));
      }
      case "wait_event":
        return wait(run, effects, now + durationMs(n.timeout));
      case "condition": {
        const yes = check(n.check, run, ctx);
        note(run, id, now, yes ? "yes" : "no");
        run.nodeId = yes ? n.yes : n.no;
        break;
      }
      case "split": {
        const b = bucket(`${run.id}:${id}:${run.visits[id]}`);
        let acc = 0;
        const branch = n.branches.find((br) => (acc += br.percent) > b) ?? n.branches[n.branches.length - 1]!;
        note(run, id, now, `branch ${branch.key}`);
        run.nodeId = branch.next;
        break;
      }
      case "update":
        effects.push({ type: "update", nodeId: id, properties: n.properties, topics: n.topics });
        run.nodeId = n.next;
        break;
      case "webhook":
        effects.push({
          type: "webhook", nodeId: id, key: `flow:${run.id}:${id}:${run.visits[id]}`, url: n.url, headers: n.headers,
          payload: { flow_id: run.flowId, run_id: run.id, node_id: id, contact_id: run.contactId, trigger: run.trigger, at: new Date(now).toISOString() },
        });
        run.nodeId = n.next;
        break;
      case "exit":
        return finish("completed", "exit step");
    }
  }
}

function wait(run: Run, effects: Effect[], at: number) {
  run.status = "waiting";
  run.wakeAt = at;
  effects.push({ type: "schedule", at });
  return { run, effects };
}

function note(run: Run, nodeId: string, at: number, text?: string) {
  run.path.push(text ? { nodeId, at, note: text } : { nodeId, at });
  if (run.path.length > MAX_PATH) run.path.splice(0, run.path.length - MAX_PATH);
}

function awaited(n: Extract<FlowNode, { type: "wait_event" }>, e: RunEvent, trigger: Record<string, unknown>): boolean {
  if (e.name !== n.event || !matchesFilters(e.properties, n.where)) return false;
  return n.matchTrigger.every((m) => trigger[m.triggerProperty] !== undefined && e.properties[m.property] === trigger[m.triggerProperty]);
}

function check(c: Check, run: Run, ctx: StepContext): boolean {
  switch (c.kind) {
    case "segment":
      return evaluateSegment(c.definition, ctx.facts, ctx.segments);
    case "event_since_entry": {
      // The event that started the run is not "since entry", even when the sender's clock stamped it later.
      const trigger = JSON.stringify(run.trigger);
      const isTrigger = (e: RunEvent) => e.name === run.triggerEvent && e.occurredAt === run.triggerAt && JSON.stringify(e.properties) === trigger;
      return ctx.facts.events.some((e) => e.name === c.event && e.occurredAt >= run.enteredAt && !isTrigger(e) && matchesFilters(e.properties, c.where));
    }
    case "email": {
      const keys = run.sent.filter((s) => !c.nodeId || s.nodeId === c.nodeId).map((s) => s.key);
      return keys.some((k) => {
        const e = ctx.engagement?.[k];
        return c.action === "opened" ? !!(e?.opened || e?.clicked) : !!e?.clicked;
      });
    }
  }
}

/** Does an event start this flow? (Event and topic triggers; the others are started by the cron or the API.) */
export function triggers(flow: FlowDefinition, e: RunEvent): boolean {
  const t = flow.trigger;
  if (t.type === "event") return e.name === t.event && matchesFilters(e.properties, t.where);
  if (t.type === "topic") return e.name === "Subscribed" && e.properties.topic === t.topic;
  return false;
}
