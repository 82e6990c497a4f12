/**
 * The flow simulator: runs the real interpreter against a contact (or a made-up profile) on a fake clock,
 * feeding events at chosen times and fast-forwarding through waits. Nothing is sent; the result is the path
 * and the emails the run would send.
 */
import type { FlowDefinition } from "./flow";
import { startRun, step, type Run, type RunEvent } from "./flow-step";
import type { ContactFacts, SegmentContext } from "./segment";

export interface SimulationInput {
  flow: FlowDefinition;
  facts: ContactFacts;
  segments: SegmentContext;
  timezone: string;
  start: number;
  trigger: Record<string, unknown>;
  /** events that happen after entry, at absolute times */
  events: RunEvent[];
  /** how far to fast-forward */
  until: number;
  /** pretend engagement with emails, by send step id */
  engagement: Record<string, "none" | "opened" | "clicked">;
}

export interface TimelineEntry {
  at: number;
  kind: "enter" | "event" | "step" | "send" | "wait" | "update" | "webhook" | "exit";
  nodeId?: string;
  detail: string;
}

export interface SimulationResult {
  run: Run;
  timeline: TimelineEntry[];
  sends: { at: number; nodeId: string; templateId: number }[];
}

export function simulate(s: SimulationInput): SimulationResult {
  const timeline: TimelineEntry[] = [];
  const sends: SimulationResult["sends"] = [];
  const facts: ContactFacts = structuredClone(s.facts);
  let run = startRun({ ...s.flow, settings: { ...s.flow.settings, holdoutPercent: 0 } }, {
    id: "simulation", flowId: 0, version: 0, contactId: facts.contact.id, trigger: s.trigger, now: s.start, previousEntries: [], active: false,
    triggerEvent: s.flow.trigger.type === "event" ? s.flow.trigger.event : null,
    triggerAt: s.start,
  })!;
  timeline.push({ at: s.start, kind: "enter", detail: "enters the flow" });
  const pending = [...s.events].sort((a, b) => a.occurredAt - b.occurredAt);

  const engagement = () =>
    Object.fromEntries(run.sent.map((x) => {
      const e = s.engagement[x.nodeId] ?? "none";
      return [x.key, { opened: e !== "none", clicked: e === "clicked" }];
    }));

  const apply = (input: Parameters<typeof step>[2], at: number) => {
    const pathBefore = run.path.length;
    const result = step(s.flow, run, input, { now: at, facts, segments: { ...s.segments, now: at }, timezone: s.timezone, engagement: engagement() });
    for (const p of result.run.path.slice(pathBefore)) timeline.push({ at: p.at, kind: "step", nodeId: p.nodeId, detail: p.note ?? describe(s.flow, p.nodeId) });
    for (const e of result.effects) {
      if (e.type === "send") {
        sends.push({ at, nodeId: e.nodeId, templateId: e.templateId });
        timeline.push({ at, kind: "send", nodeId: e.nodeId, detail: `sends template #${e.templateId}` });
      } else if (e.type === "schedule") timeline.push({ at, kind: "wait", nodeId: result.run.nodeId ?? undefined, detail: `waits until ${new Date(e.at).toISOString()}` });
      else if (e.type === "update") timeline.push({ at, kind: "update", nodeId: e.nodeId, detail: "updates the contact" });
      else if (e.type === "webhook") timeline.push({ at, kind: "webhook", nodeId: e.nodeId, detail: `calls ${e.url}` });
      else timeline.push({ at, kind: "exit", detail: e.reason });
    }
    run = result.run;
  };

  apply({ type: "start" }, s.start);
  for (let guard = 0; guard < 1000 && (run.status === "waiting" || run.status === "active"); guard++) {
    const nextEvent = pending[0];
    const wake = run.wakeAt ?? Infinity;
    if (nextEvent && nextEvent.occurredAt <= wake && nextEvent.occurredAt <= s.until) {
      pending.shift();
      facts.events.push(nextEvent);
      timeline.push({ at: nextEvent.occurredAt, kind: "event", detail: `${nextEvent.name} happens` });
      apply({ type: "event", event: nextEvent }, nextEvent.occurredAt);
    } else if (wake <= s.until) {
      apply({ type: "alarm" }, wake);
    } else break;
  }
  return { run, timeline, sends };
}

function describe(flow: FlowDefinition, nodeId: string): string {
  const n = flow.nodes[nodeId];
  if (!n) return nodeId;
  switch (n.type) {
    case "send":
      return `email (template #${n.templateId})`;
    case "delay":
      return `wait ${n.duration.amount} ${n.duration.unit}`;
    case "wait_until":
      return `wait until ${n.time}`;
    case "wait_event":
      return `wait for ${n.event}`;
    case "condition":
      return "condition";
    case "split":
      return "split";
    case "update":
      return "update contact";
    case "webhook":
      return "webhook";
    case "exit":
      return "exit";
  }
}
