/**
 * The simulator panel: run the flow being edited (saved or not) for a real contact or a made-up profile, with a
 * triggering event, later events and pretend engagement, fast-forwarded some days. The server runs the real
 * interpreter on a fake clock; nothing is sent or stored. The path goes back to the canvas.
 */
import { useRef, useState } from "preact/hooks";
import { api, errorMessage } from "./api";
import type { SimPath } from "./flow-canvas";
import { ContactPicker } from "./contact-picker";
import { FlowIcon, NODE_ICONS } from "./flow-icons";
import { formatOffset, nodeTypeDef, nodeWords, TRIGGER, UNIT_OPTIONS, type Names } from "./flow-model";
import { Icon, type IconName } from "./icons";
import { EVENTS_LIST, NumberBox } from "./flow-panels";
import type { ContactSummary, Duration, FlowDefinition, SimulationEntry, SimulationResult } from "./types";
import { Alert, Button, cx, IconButton, Segmented, Select, TextArea, TextField } from "./ui";

export interface SimEvent {
  after: number;
  unit: Duration["unit"];
  name: string;
  properties: string;
}

export interface SimInput {
  who: "contact" | "profile";
  contact: ContactSummary | null;
  profile: { first_name: string; email: string; country: string; timezone: string; order_count: number };
  properties: string;
  trigger: string;
  events: SimEvent[];
  days: number;
  engagement: Record<string, "none" | "opened" | "clicked">;
}

export type SimOutcome = SimulationResult & { start: number };

export function newSimInput(trigger: Record<string, unknown>): SimInput {
  return {
    who: "profile",
    contact: null,
    profile: { first_name: "Jamie", email: "jamie@example.com", country: "US", timezone: "", order_count: 0 },
    properties: "{}",
    trigger: JSON.stringify(trigger, null, 2),
    events: [],
    days: 30,
    engagement: {},
  };
}

const MINUTES: Record<Duration["unit"], number> = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text.trim() || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The canvas highlight: steps in visiting order, and the links taken between them. */
export function simPath(def: FlowDefinition, outcome: SimOutcome): SimPath {
  const ids: string[] = [];
  for (const p of outcome.run.path) if (ids[ids.length - 1] !== p.nodeId) ids.push(p.nodeId);
  const nodes = new Map<string, number[]>();
  ids.forEach((id, i) => nodes.set(id, [...(nodes.get(id) ?? []), i + 1]));
  const edges = new Set<string>();
  if (ids[0] && ids[0] === def.entry) edges.add(`${TRIGGER}>${ids[0]}`);
  for (let i = 1; i < ids.length; i++) edges.add(`${ids[i - 1]}>${ids[i]}`);
  const r = outcome.run;
  const endedLabel = r.status === "waiting" ? "still waiting" : r.exitReason?.startsWith("goal") ? "goal reached" : r.exitReason === "unsubscribed" ? "unsubscribed" : "ends here";
  return { nodes, edges, endedAt: ids[ids.length - 1] ?? null, endedLabel };
}

export function Simulator({ def, names, problemsLeft, input, onInput, outcome, onOutcome }: { def: FlowDefinition; names: Names; problemsLeft: number; input: SimInput; onInput: (s: SimInput) => void; outcome: SimOutcome | null; onOutcome: (o: SimOutcome | null) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<SimInput>) => onInput({ ...input, ...patch });
  const resultRef = useRef<HTMLDivElement>(null);
  const sends = Object.entries(def.nodes).filter(([, n]) => n.type === "send");

  const run = async () => {
    const bad: Record<string, string> = {};
    const trigger = parseObject(input.trigger);
    if (!trigger) bad.trigger = "Enter a JSON object, e.g. {\"value\": 70}";
    const properties = parseObject(input.properties);
    if (input.who === "profile" && !properties) bad.properties = "Enter a JSON object, e.g. {\"plan\": \"gold\"}";
    const events = input.events.map((e, i) => {
      const props = parseObject(e.properties);
      if (!props) bad[`event.${i}`] = "Properties must be a JSON object";
      if (!e.name.trim()) bad[`event.${i}`] = "Name the event";
      if (!Number.isFinite(e.after)) bad[`event.${i}`] = "Enter when it happens";
      return { afterMinutes: e.after * MINUTES[e.unit], name: e.name.trim(), properties: props ?? {} };
    });
    if (input.who === "contact" && !input.contact) bad.contact = "Choose a contact, or use a made-up profile";
    if (!Number.isFinite(input.days)) bad.days = "Enter a number of days";
    setErrors(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    setError(null);
    try {
      const { order_count, timezone, ...fields } = input.profile;
      const body = {
        definition: def,
        ...(input.who === "contact" ? { contactId: input.contact!.id } : { profile: { ...fields, order_count, ...(timezone.trim() ? { timezone: timezone.trim() } : {}), properties } }),
        trigger,
        events,
        days: input.days,
        engagement: Object.fromEntries(sends.map(([id]) => [id, input.engagement[id] ?? "none"])),
      };
      onOutcome(await api.post<SimOutcome>("/flows/simulate", body));
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ block: "start", behavior: "smooth" }));
    } catch (err) {
      setError(errorMessage(err));
      onOutcome(null);
    }
    setBusy(false);
  };

  return (
    <div class="stack flow-sim" data-testid="simulator">
      <Alert tone="blue">A dry run of the flow as it is on screen, saved or not. No email is sent and nothing is stored.</Alert>

      <div class="field">
        <span class="field-label">Who</span>
        <Segmented
          label="Simulate for"
          value={input.who}
          onValue={(who) => set({ who: who as SimInput["who"] })}
          options={[
            { value: "profile", label: "Made-up profile" },
            { value: "contact", label: "A contact" },
          ]}
        />
      </div>
      {input.who === "contact" ? (
        <div class="field">
          <ContactPicker value={input.contact} onValue={(contact) => set({ contact })} inline sample={false} caption="Contact" searchLabel="Search contacts to simulate for" placeholder="Search by name or email" />
          {errors.contact ? <p class="field-error">{errors.contact}</p> : <p class="field-hint">Their profile, topics and recent events are used as they are now.</p>}
        </div>
      ) : (
        <>
          <div class="grid-2 tight">
            <TextField label="First name" value={input.profile.first_name} onValue={(first_name) => set({ profile: { ...input.profile, first_name } })} />
            <TextField label="Email" value={input.profile.email} onValue={(email) => set({ profile: { ...input.profile, email } })} />
            <TextField label="Country" value={input.profile.country} onValue={(country) => set({ profile: { ...input.profile, country } })} placeholder="US" />
            <div class="field">
              <label class="field-label" for="sim-orders">
                Orders so far
              </label>
              <NumberBox id="sim-orders" value={input.profile.order_count} min={0} max={100000} onValue={(order_count) => set({ profile: { ...input.profile, order_count } })} />
            </div>
          </div>
          <TextField label="Time zone" value={input.profile.timezone} onValue={(timezone) => set({ profile: { ...input.profile, timezone } })} placeholder="The store's, e.g. Europe/London" />
          <TextArea label="Custom properties" mono rows={2} value={input.properties} onValue={(properties) => set({ properties })} error={errors.properties} hint="JSON, e.g. {&quot;plan&quot;: &quot;gold&quot;}" />
        </>
      )}

      <TextArea
        label={def.trigger.type === "event" ? `${def.trigger.event || "Trigger event"} properties` : "Start data"}
        mono
        rows={4}
        value={input.trigger}
        onValue={(trigger) => set({ trigger })}
        error={errors.trigger}
        hint="JSON: what the emails see as {{ event.* }}."
      />

      <div class="field">
        <span class="field-label">Then these events happen</span>
        {input.events.map((e, i) => (
          <div class="flow-sim-event" key={i}>
            <div class="flow-row">
              <span class="seg-word">After</span>
              <NumberBox label="After how long" value={e.after} min={0} max={525600} onValue={(after) => set({ events: input.events.map((x, j) => (j === i ? { ...x, after } : x)) })} />
              <Select label="Unit" value={e.unit} onValue={(unit) => set({ events: input.events.map((x, j) => (j === i ? { ...x, unit: unit as Duration["unit"] } : x)) })} options={UNIT_OPTIONS} />
              <IconButton icon="close" label="Remove event" onClick={() => set({ events: input.events.filter((_, j) => j !== i) })} />
            </div>
            <input class="input" aria-label="Event name" list={EVENTS_LIST} placeholder="Order Completed" value={e.name} onInput={(ev) => set({ events: input.events.map((x, j) => (j === i ? { ...x, name: ev.currentTarget.value } : x)) })} />
            <input class="input mono" aria-label="Event properties (JSON)" placeholder='{"order_id": "1042"}' value={e.properties} onInput={(ev) => set({ events: input.events.map((x, j) => (j === i ? { ...x, properties: ev.currentTarget.value } : x)) })} />
            {errors[`event.${i}`] && <p class="field-error">{errors[`event.${i}`]}</p>}
          </div>
        ))}
        {input.events.length < 50 && (
          <button type="button" class="link-btn seg-add-filter" onClick={() => set({ events: [...input.events, { after: 2, unit: "hours", name: def.settings.goal?.event ?? "", properties: "{}" }] })}>
            <Icon name="plus" size={14} />
            Add an event
          </button>
        )}
      </div>

      {sends.length > 0 && (
        <div class="field">
          <span class="field-label">Pretend they…</span>
          {sends.map(([id, n]) => (
            <div class="flow-sim-engage" key={id}>
              <span class="flow-sim-engage-name" title={id}>
                {n.type === "send" ? (names.template(n.templateId) ?? id) : id}
              </span>
              <Select
                label={`Engagement with ${id}`}
                value={input.engagement[id] ?? "none"}
                onValue={(v) => set({ engagement: { ...input.engagement, [id]: v as "none" | "opened" | "clicked" } })}
                options={[
                  { value: "none", label: "ignore it" },
                  { value: "opened", label: "open it" },
                  { value: "clicked", label: "click it" },
                ]}
              />
            </div>
          ))}
        </div>
      )}

      <div class="flow-row flow-sim-run">
        <span class="seg-word">Fast-forward</span>
        <NumberBox label="Days to fast-forward" value={input.days} min={0} max={400} onValue={(days) => set({ days })} />
        <span class="seg-word">days</span>
        <span class="toolbar-spacer" />
        <Button variant="primary" icon="bolt" onClick={run} loading={busy} disabled={problemsLeft > 0}>
          Run simulation
        </Button>
      </div>
      {problemsLeft > 0 && <p class="field-hint">Fix the flow's problems first: the simulator runs a flow that could be published.</p>}
      {errors.days && <p class="field-error">{errors.days}</p>}
      {error && <Alert>{error}</Alert>}
      <div ref={resultRef} class="flow-sim-anchor">
        {outcome && <SimResult def={def} names={names} outcome={outcome} />}
      </div>
    </div>
  );
}

const KIND_ICONS: Record<SimulationEntry["kind"], IconName> = { enter: "user", event: "bolt", step: "chevronRight", send: "mail", wait: "clock", update: "edit", webhook: "globe", exit: "check" };
const KIND_TONES: Record<SimulationEntry["kind"], string> = { enter: "blue", event: "violet", step: "neutral", send: "green", wait: "amber", update: "neutral", webhook: "neutral", exit: "neutral" };

/** A line of the timeline: a step with what it did (the email it sent, until when it waits). */
interface Row {
  e: SimulationEntry;
  send?: SimulationEntry;
  wait?: SimulationEntry;
}

/** The interpreter lists a moment's steps, then their effects: put each effect beside its step. */
function rows(timeline: SimulationEntry[], def: FlowDefinition): Row[] {
  const out: Row[] = [];
  const used = new Set<SimulationEntry>();
  for (const e of timeline) {
    if (used.has(e)) continue;
    if (e.kind === "send" || e.kind === "update") {
      const row = [...out].reverse().find((r) => r.e.kind === "step" && r.e.nodeId === e.nodeId && r.e.at === e.at && !r.send);
      if (row && e.kind === "send") {
        row.send = e;
        continue;
      }
      if (row) continue;
    }
    if (e.kind === "wait") {
      const row = [...out].reverse().find((r) => r.e.kind === "step" && r.e.nodeId === e.nodeId && r.e.at === e.at);
      if (row) {
        row.wait = e;
        continue;
      }
    }
    // A condition or split notes its answer as a second entry for the same step: one line says both.
    const prev = out[out.length - 1];
    if (e.kind === "step" && prev?.e.kind === "step" && prev.e.nodeId === e.nodeId && prev.e.at === e.at && def.nodes[e.nodeId ?? ""]?.type !== "wait_event") {
      prev.e = e;
      continue;
    }
    out.push({ e });
  }
  return out;
}

function SimResult({ def, names, outcome }: { def: FlowDefinition; names: Names; outcome: SimOutcome }) {
  const run = outcome.run;
  const rel = (at: number) => formatOffset(at - outcome.start);
  const template = (id: number) => names.template(id) ?? `Template #${id}`;
  const state =
    run.status === "waiting" && run.nodeId
      ? `Still waiting at ${run.nodeId} when the simulation stops`
      : run.status === "completed" || run.status === "exited"
        ? `Run ends ${rel(run.updatedAt)}: ${exitWords(run.exitReason)}`
        : "Still running";
  return (
    <div class="flow-sim-result" data-testid="simulation-result" aria-live="polite">
      <div class="flow-sim-summary">
        <strong>{outcome.sends.length === 0 ? "No email would be sent" : outcome.sends.length === 1 ? "1 email would be sent" : `${outcome.sends.length} emails would be sent`}</strong>
        <span>{state}</span>
      </div>
      {outcome.sends.length > 0 && (
        <ol class="flow-sim-sends" data-testid="simulation-sends">
          {outcome.sends.map((s, i) => (
            <li key={i}>
              <span class="flow-sim-at">{rel(s.at)}</span>
              <Icon name="mail" size={14} />
              <span class="flow-sim-template">{template(s.templateId)}</span>
            </li>
          ))}
        </ol>
      )}
      <ol class="flow-sim-timeline" data-testid="simulation-timeline">
        {rows(outcome.timeline, def).map((r, i) => {
          const node = r.e.nodeId ? def.nodes[r.e.nodeId] : undefined;
          const kind = r.send ? "send" : r.e.kind;
          return (
            <li key={i} class={`is-${kind}`}>
              <span class="flow-sim-at">{rel(r.e.at)}</span>
              <span class={cx("flow-sim-icon", `tone-${KIND_TONES[kind]}`)}>{r.e.kind === "step" && node ? <FlowIcon name={NODE_ICONS[node.type]} size={13} /> : <Icon name={KIND_ICONS[kind]} size={13} />}</span>
              <span class="flow-sim-text">{rowWords(r, def, names, outcome.start)}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function exitWords(reason: string | null): string {
  if (!reason) return "ended";
  if (reason === "end of flow") return "the end of the flow";
  if (reason === "exit step") return "an exit step";
  if (reason === "unsubscribed") return "they unsubscribed";
  if (reason.startsWith("goal: ")) return `reached the goal (${reason.slice(6)})`;
  return reason;
}

function rowWords({ e, send, wait }: Row, def: FlowDefinition, names: Names, start: number) {
  const node = e.nodeId ? def.nodes[e.nodeId] : undefined;
  const id = e.nodeId ? <code>{e.nodeId}</code> : null;
  switch (e.kind) {
    case "enter":
      return <strong>Enters the flow</strong>;
    case "event":
      return (
        <>
          <strong>{e.detail.replace(/ happens$/, "")}</strong> happens
        </>
      );
    case "send":
      return (
        <>
          <strong>Sends</strong> “{node?.type === "send" ? (names.template(node.templateId) ?? e.detail) : e.detail}” {id}
        </>
      );
    case "wait":
      return <>Waits until {untilWords(e.detail, start)}</>;
    case "step": {
      if (!node) return e.detail;
      if (send && node.type === "send") {
        return (
          <>
            <strong>Sends</strong> “{names.template(node.templateId) ?? `Template #${node.templateId}`}” {id}
          </>
        );
      }
      const note = /^(yes|no|branch .+|timed out|.+ arrived)$/.test(e.detail) ? e.detail : null;
      return (
        <>
          <strong>{nodeTypeDef(node.type).label}</strong> {id}
          {note ? <span class="flow-sim-note">→ {note === "yes" ? "Yes" : note === "no" ? "No" : note}</span> : wait ? <span class="flow-sim-wait"> waits until {untilWords(wait.detail, start)}</span> : <span class="muted"> {nodeWords(node, def, names)}</span>}
        </>
      );
    }
    case "update":
      return <>{id} updates the contact</>;
    case "webhook":
      return <>{e.detail.replace(/^calls/, "Calls")}</>;
    case "exit":
      return <strong>Run ends: {exitWords(e.detail)}</strong>;
  }
}

function untilWords(detail: string, start: number): string {
  const iso = /waits until (.+)$/.exec(detail)?.[1];
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? formatOffset(t - start) : (iso ?? detail);
}
