/**
 * The flow editor's side panel forms: the trigger, each kind of step, and the flow's settings. Every form edits
 * plain data and hands the new value up; what is still missing is shown by the editor from flow-model.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useState } from "preact/hooks";
import { FlowIcon, NODE_ICONS } from "./flow-icons";
import {
  durationWords, FILTER_OPS, nodeTypeDef, TRIGGER_TYPES, UNIT_OPTIONS, WEEKDAYS,
  type FlowSettings, type Names, type NodeOf,
} from "./flow-model";
import { Icon } from "./icons";
import { SegmentBuilder, type BuilderContext } from "./pages/segment-builder";
import { Link } from "./router";
import { EVENT_SUGGESTIONS, eventPropertySuggestions, problems as segmentProblems } from "./segment-model";
import type { Duration, EventFilter, FlowDefinition, FlowNode, FlowTrigger, Segment, TemplateSummary, Topic } from "./types";
import { Alert, Button, Checkbox, CodeBlock, cx, IconButton, Select, SelectField, TextField, type Option } from "./ui";

export interface PanelContext {
  flowId: number;
  templates: TemplateSummary[];
  topics: Topic[];
  segments: Segment[];
  flows: BuilderContext["flows"];
  names: Names;
}

export const EVENTS_LIST = "flow-event-names";

/** The event-name suggestions every event box offers (render once per page). */
export function EventSuggestions() {
  return (
    <datalist id={EVENTS_LIST}>
      {EVENT_SUGGESTIONS.map((e) => (
        <option key={e} value={e} />
      ))}
    </datalist>
  );
}

// ---- small inputs ---------------------------------------------------------------------------------------

/** A number box that lets people type freely and reports NaN until it holds a whole number in range. */
export function NumberBox({ label, value, onValue, min, max, class: cls, id }: { label?: string; value: number; onValue: (v: number) => void; min?: number; max?: number; class?: string; id?: string }) {
  const [draft, setDraft] = useState(Number.isFinite(value) ? String(value) : "");
  useEffect(() => {
    if (!(Number(draft) === value || (draft.trim() === "" && !Number.isFinite(value)))) setDraft(Number.isFinite(value) ? String(value) : "");
  }, [value]);
  return (
    <input
      id={id}
      class={cx("input input-num flow-num", cls)}
      aria-label={label}
      inputMode="numeric"
      value={draft}
      aria-invalid={Number.isFinite(value) ? undefined : "true"}
      onInput={(e) => {
        const raw = e.currentTarget.value.trim();
        setDraft(e.currentTarget.value);
        let n = raw === "" ? Number.NaN : Number(raw);
        if (!Number.isInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) n = Number.NaN;
        onValue(n);
      }}
    />
  );
}

function Labelled({ label, hint, children, id }: { label: ComponentChildren; hint?: ComponentChildren; children: ComponentChildren; id?: string }) {
  return (
    <div class="field">
      <div class="field-label-row">
        <label class="field-label" for={id}>
          {label}
        </label>
      </div>
      {children}
      {hint && <p class="field-hint">{hint}</p>}
    </div>
  );
}

function DurationInput({ label, value, onChange, hint, min = 0 }: { label: string; value: Duration; onChange: (d: Duration) => void; hint?: ComponentChildren; min?: number }) {
  const id = useId();
  return (
    <Labelled label={label} hint={hint} id={id}>
      <div class="flow-row">
        <NumberBox id={id} value={value.amount} min={min} max={100_000} onValue={(amount) => onChange({ ...value, amount })} />
        <Select label={`${label}: unit`} value={value.unit} onValue={(unit) => onChange({ ...value, unit: unit as Duration["unit"] })} options={UNIT_OPTIONS} />
      </div>
    </Labelled>
  );
}

function EventName({ label, value, onValue, hint, autoFocus }: { label: string; value: string; onValue: (v: string) => void; hint?: ComponentChildren; autoFocus?: boolean }) {
  return <TextField label={label} value={value} onValue={onValue} list={EVENTS_LIST} placeholder="Order Completed" maxLength={200} hint={hint} autoFocus={autoFocus} />;
}

type ValueType = "string" | "number" | "boolean";
const typeOf = (v: unknown): ValueType => (typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string");
const cast = (v: string, t: ValueType): string | number | boolean => (t === "number" ? (v.trim() === "" ? Number.NaN : Number(v)) : t === "boolean" ? v === "true" : v);

/** Property filters on an event (the same comparisons segments use on one event). */
export function FilterRows({ where, onChange, event, addLabel = "Filter on event properties" }: { where: EventFilter[]; onChange: (w: EventFilter[]) => void; event: string; addLabel?: string }) {
  const listId = useId();
  const set = (i: number, f: EventFilter) => onChange(where.map((x, j) => (j === i ? f : x)));
  const setOp = (i: number, f: EventFilter, op: EventFilter["op"]) => {
    const base = { property: f.property };
    const prev = "value" in f ? f.value : "values" in f ? f.values[0] : "";
    if (op === "exists" || op === "not_exists") set(i, { ...base, op });
    else if (op === "in") set(i, { ...base, op, values: prev === undefined || prev === "" ? [] : [prev] });
    else if (op === "gt" || op === "gte" || op === "lt" || op === "lte") set(i, { ...base, op, value: typeof prev === "number" ? prev : Number.isFinite(Number(prev)) && prev !== "" ? Number(prev) : Number.NaN });
    else if (op === "contains" || op === "starts_with") set(i, { ...base, op, value: prev === undefined ? "" : String(prev) });
    else set(i, { ...base, op, value: prev ?? "" });
  };
  return (
    <div class="flow-filters">
      {where.map((f, i) => (
        <div class="flow-filter" key={i}>
          <div class="flow-row">
            <span class="seg-word">{i === 0 ? "where" : "and"}</span>
            <input class="input mono flow-grow" aria-label="Event property" placeholder="property, e.g. value" list={listId} maxLength={100} value={f.property} onInput={(e) => set(i, { ...f, property: e.currentTarget.value })} />
            <IconButton icon="close" label="Remove filter" onClick={() => onChange(where.filter((_, j) => j !== i))} />
          </div>
          <div class="flow-row">
            <Select label="Comparison" value={f.op} onValue={(op) => setOp(i, f, op as EventFilter["op"])} options={FILTER_OPS} />
            <FilterValue f={f} onChange={(x) => set(i, x)} />
          </div>
        </div>
      ))}
      <datalist id={listId}>
        {eventPropertySuggestions(event).map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {where.length < 10 && (
        <button type="button" class="link-btn seg-add-filter" onClick={() => onChange([...where, { property: "", op: "eq", value: "" }])}>
          <Icon name="plus" size={14} />
          {where.length ? "Add another filter" : addLabel}
        </button>
      )}
    </div>
  );
}

function FilterValue({ f, onChange }: { f: EventFilter; onChange: (f: EventFilter) => void }) {
  switch (f.op) {
    case "exists":
    case "not_exists":
      return null;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return <input class="input flow-grow" aria-label="Value" inputMode="decimal" value={Number.isFinite(f.value) ? String(f.value) : ""} onInput={(e) => onChange({ ...f, value: e.currentTarget.value.trim() === "" ? Number.NaN : Number(e.currentTarget.value) })} />;
    case "contains":
    case "starts_with":
      return <input class="input flow-grow" aria-label="Value" value={f.value} onInput={(e) => onChange({ ...f, value: e.currentTarget.value })} />;
    case "in": {
      const t = typeOf(f.values[0]);
      return (
        <>
          <input
            class="input flow-grow"
            aria-label="Values, separated by commas"
            placeholder="a, b, c"
            value={f.values.map(String).join(", ")}
            onInput={(e) => onChange({ ...f, values: e.currentTarget.value.split(",").map((v) => v.trim()).filter(Boolean).map((v) => cast(v, t)) as (string | number | boolean)[] })}
          />
          <TypeSelect value={t} onValue={(to) => onChange({ ...f, values: f.values.map((v) => cast(String(v), to)) as (string | number | boolean)[] })} />
        </>
      );
    }
    case "eq":
    case "neq": {
      const t = typeOf(f.value);
      return (
        <>
          {t === "boolean" ? (
            <Select label="Value" value={String(f.value)} onValue={(v) => onChange({ ...f, value: v === "true" })} options={[{ value: "true", label: "true" }, { value: "false", label: "false" }]} />
          ) : (
            <input class="input flow-grow" aria-label="Value" value={typeof f.value === "number" && !Number.isFinite(f.value) ? "" : String(f.value)} onInput={(e) => onChange({ ...f, value: cast(e.currentTarget.value, t) })} />
          )}
          <TypeSelect value={t} onValue={(to) => onChange({ ...f, value: cast(String(f.value), to) })} />
        </>
      );
    }
  }
}

function TypeSelect({ value, onValue }: { value: ValueType; onValue: (t: ValueType) => void }) {
  return (
    <Select
      label="Type of value"
      value={value}
      onValue={(t) => onValue(t as ValueType)}
      options={[
        { value: "string", label: "text" },
        { value: "number", label: "number" },
        { value: "boolean", label: "true/false" },
      ]}
    />
  );
}

// ---- the trigger ----------------------------------------------------------------------------------------

export function TriggerEditor({ trigger, onChange, ctx }: { trigger: FlowTrigger; onChange: (t: FlowTrigger) => void; ctx: PanelContext }) {
  const setType = (type: string) => {
    if (type === trigger.type) return;
    if (type === "event") onChange({ type, event: "", where: [] });
    else if (type === "topic") onChange({ type, topic: ctx.topics[0]?.key ?? "" });
    else if (type === "segment") onChange({ type, segmentId: 0 });
    else if (type === "date") onChange({ type, field: "birthday", hour: 9, offsetDays: 0 });
    else onChange({ type: "manual" });
  };
  return (
    <div class="stack">
      <SelectField label="Starts when" value={trigger.type} onValue={setType} options={TRIGGER_TYPES.map((t) => ({ value: t.type, label: t.label }))} hint={TRIGGER_TYPES.find((t) => t.type === trigger.type)?.hint} />
      {trigger.type === "event" && (
        <>
          <EventName label="Event" value={trigger.event} onValue={(event) => onChange({ ...trigger, event })} hint="The name your store sends, e.g. Checkout Started. Any name works." />
          <FilterRows where={trigger.where} event={trigger.event} onChange={(where) => onChange({ ...trigger, where })} addLabel="Only when its properties match…" />
        </>
      )}
      {trigger.type === "topic" &&
        (ctx.topics.length ? (
          <SelectField
            label="Topic"
            value={trigger.topic}
            onValue={(topic) => onChange({ ...trigger, topic })}
            options={[...(trigger.topic ? [] : [{ value: "", label: "Choose a topic" }]), ...ctx.topics.map((t) => ({ value: t.key, label: t.name }))]}
            hint="Starts when someone subscribes; with double opt-in, once they confirm."
          />
        ) : (
          <Alert tone="amber" title="No topics yet">
            Create one in <Link href="/settings/topics">Settings → Topics</Link> first.
          </Alert>
        ))}
      {trigger.type === "segment" && (
        <SelectField
          label="Segment"
          value={String(trigger.segmentId)}
          onValue={(id) => onChange({ ...trigger, segmentId: Number(id) })}
          options={[...(trigger.segmentId ? [] : [{ value: "0", label: ctx.segments.length ? "Choose a segment" : "No segments yet" }]), ...ctx.segments.map((s) => ({ value: String(s.id), label: s.name }))]}
          hint="Checked every few minutes: people enter when they join the segment. When you publish, you choose whether those already in it enter too."
        />
      )}
      {trigger.type === "date" && <DateTrigger trigger={trigger} onChange={onChange} />}
      {trigger.type === "manual" && (
        <div class="stack">
          <p class="flow-note">Nobody enters on their own. Start the flow for a contact from your code (or any HTTP client) with an API key once it is live:</p>
          <CodeBlock title="Start for a contact" code={`POST /api/flows/${ctx.flowId}/start\n{\n  "contactId": 42,\n  "data": { "order_id": "1042" }\n}`} />
          <p class="field-hint">
            <code>data</code> is what the emails see as <code>{"{{ event.* }}"}</code>. Only a live flow can be started.
          </p>
        </div>
      )}
    </div>
  );
}

function DateTrigger({ trigger, onChange }: { trigger: Extract<FlowTrigger, { type: "date" }>; onChange: (t: FlowTrigger) => void }) {
  const custom = trigger.field.startsWith("properties.");
  const hourId = useId();
  const offId = useId();
  return (
    <>
      <SelectField
        label="Date"
        value={custom ? "custom" : trigger.field}
        onValue={(v) => onChange({ ...trigger, field: v === "custom" ? "properties." : (v as "birthday" | "created_at") })}
        options={[
          { value: "birthday", label: "Birthday" },
          { value: "created_at", label: "Sign-up anniversary (date added)" },
          { value: "custom", label: "A custom date property…" },
        ]}
      />
      {custom && <TextField label="Property name" mono value={trigger.field.slice(11)} onValue={(name) => onChange({ ...trigger, field: `properties.${name.trim()}` })} placeholder="e.g. renewal_date" maxLength={100} />}
      <div class="grid-2 tight">
        <Labelled label="At" id={hourId} hint="Their local time">
          <Select id={hourId} value={String(trigger.hour)} onValue={(h) => onChange({ ...trigger, hour: Number(h) })} options={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, "0")}:00` }))} />
        </Labelled>
        <Labelled label="Offset in days" id={offId} hint="−3 is three days before">
          <NumberBox id={offId} value={trigger.offsetDays} min={-30} max={30} onValue={(offsetDays) => onChange({ ...trigger, offsetDays })} />
        </Labelled>
      </div>
      <p class="field-hint">Once a year per contact. Contacts without this date never enter.</p>
    </>
  );
}

// ---- steps ----------------------------------------------------------------------------------------------

export function NodeEditor({ id, node, def, onChange, ctx }: { id: string; node: FlowNode; def: FlowDefinition; onChange: (n: FlowNode) => void; ctx: PanelContext }) {
  switch (node.type) {
    case "send":
      return <SendEditor node={node} onChange={onChange} ctx={ctx} />;
    case "delay":
      return (
        <div class="stack">
          <DurationInput label="Wait for" value={node.duration} onChange={(duration) => onChange({ ...node, duration })} hint="0 minutes goes on at once. Every contact waits the same time from reaching this step." />
        </div>
      );
    case "wait_until":
      return <WaitUntilEditor node={node} onChange={onChange} />;
    case "wait_event":
      return <WaitEventEditor node={node} onChange={onChange} def={def} />;
    case "condition":
      return <ConditionEditor id={id} node={node} def={def} onChange={onChange} ctx={ctx} />;
    case "split":
      return <SplitEditor node={node} onChange={onChange} />;
    case "update":
      return <UpdateEditor node={node} onChange={onChange} ctx={ctx} />;
    case "webhook":
      return <WebhookEditor node={node} onChange={onChange} />;
    case "exit":
      return <p class="flow-note">The run ends here. Contacts can enter again later if the flow's re-entry setting allows it.</p>;
  }
}

function SendEditor({ node, onChange, ctx }: { node: NodeOf<"send">; onChange: (n: FlowNode) => void; ctx: PanelContext }) {
  const templateOptions: Option[] = ctx.templates.map((t) => ({ value: String(t.id), label: t.name }));
  if (node.templateId > 0 && !ctx.templates.some((t) => t.id === node.templateId)) templateOptions.unshift({ value: String(node.templateId), label: `Template #${node.templateId} (deleted?)` });
  if (!(node.templateId > 0)) templateOptions.unshift({ value: "0", label: ctx.templates.length ? "Choose a template…" : "No templates yet" });
  const chosen = ctx.templates.find((t) => t.id === node.templateId);
  return (
    <div class="stack">
      <SelectField label="Template" value={String(node.templateId > 0 ? node.templateId : 0)} onValue={(v) => onChange({ ...node, templateId: Number(v) })} options={templateOptions} />
      <div class="flow-links">
        {chosen && (
          <a href={`/templates/${chosen.id}`} target="_blank" rel="noopener noreferrer" class="link-btn">
            <Icon name="eye" size={14} /> Preview “{chosen.name}”
          </a>
        )}
        <a href="/templates/new" target="_blank" rel="noopener noreferrer" class="link-btn">
          <Icon name="plus" size={14} /> New template
        </a>
      </div>
      {chosen && <p class="flow-subject"><span class="muted">Subject</span> {chosen.subject}</p>}
      <SelectField
        label="Topic"
        value={String(node.topicId ?? 0)}
        onValue={(v) => onChange({ ...node, topicId: Number(v) || null })}
        options={[{ value: "0", label: "None" }, ...ctx.topics.map((t) => ({ value: String(t.id), label: t.name }))]}
        hint={node.topicId ? "Only the topic's subscribers get this email; its unsubscribe link leaves this topic." : "Everyone in the flow who may receive marketing email gets it."}
      />
      <fieldset class="fieldset">
        <legend>Tracking</legend>
        <Checkbox label="Track opens" checked={node.trackOpens} onChange={(trackOpens) => onChange({ ...node, trackOpens })} hint="Machine opens (Apple Mail Privacy Protection) are counted apart." />
        <Checkbox label="Track clicks" checked={node.trackClicks} onChange={(trackClicks) => onChange({ ...node, trackClicks })} hint="Links go through this server to count clicks." />
      </fieldset>
    </div>
  );
}

function WaitUntilEditor({ node, onChange }: { node: NodeOf<"wait_until">; onChange: (n: FlowNode) => void }) {
  const toggle = (d: number) => onChange({ ...node, days: node.days.includes(d) ? node.days.filter((x) => x !== d) : [...node.days, d].sort() });
  return (
    <div class="stack">
      <TextField label="Time of day" type="time" value={node.time} onValue={(time) => onChange({ ...node, time })} class="flow-time" hint="In each contact's time zone (the store's when theirs is unknown)." />
      <div class="field">
        <span class="field-label">On</span>
        <div class="flow-days" role="group" aria-label="Weekdays">
          {[1, 2, 3, 4, 5, 6, 0].map((d) => (
            <button key={d} type="button" class={cx("flow-day", node.days.includes(d) && "is-on")} aria-pressed={node.days.includes(d)} onClick={() => toggle(d)}>
              {WEEKDAYS[d]}
            </button>
          ))}
        </div>
        <p class="field-hint">{node.days.length === 0 || node.days.length === 7 ? "Any day: the next time it is this time." : "Waits for the next of these days at this time."}</p>
      </div>
    </div>
  );
}

function WaitEventEditor({ node, onChange, def }: { node: NodeOf<"wait_event">; onChange: (n: FlowNode) => void; def: FlowDefinition }) {
  const triggerEvent = def.trigger.type === "event" ? def.trigger.event : null;
  const setMatch = (i: number, m: { property: string; triggerProperty: string }) => onChange({ ...node, matchTrigger: node.matchTrigger.map((x, j) => (j === i ? m : x)) });
  return (
    <div class="stack">
      <EventName label="Wait for" value={node.event} onValue={(event) => onChange({ ...node, event })} />
      <FilterRows where={node.where} event={node.event} onChange={(where) => onChange({ ...node, where })} />
      {triggerEvent && (
        <div class="field">
          <span class="field-label">Only for the same {triggerEvent}</span>
          {node.matchTrigger.map((m, i) => (
            <div class="flow-filter" key={i}>
              <div class="flow-row">
                <span class="seg-word">its</span>
                <input class="input mono flow-grow" aria-label="Property of the awaited event" placeholder="checkout_id" value={m.property} maxLength={100} onInput={(e) => setMatch(i, { ...m, property: e.currentTarget.value })} />
                <IconButton icon="close" label="Remove match" onClick={() => onChange({ ...node, matchTrigger: node.matchTrigger.filter((_, j) => j !== i) })} />
              </div>
              <div class="flow-row">
                <span class="seg-word">equals the trigger's</span>
                <input class="input mono flow-grow" aria-label="Property of the trigger event" placeholder="checkout_id" value={m.triggerProperty} maxLength={100} onInput={(e) => setMatch(i, { ...m, triggerProperty: e.currentTarget.value })} />
              </div>
            </div>
          ))}
          {node.matchTrigger.length < 5 && (
            <button type="button" class="link-btn seg-add-filter" onClick={() => onChange({ ...node, matchTrigger: [...node.matchTrigger, { property: "", triggerProperty: "" }] })}>
              <Icon name="plus" size={14} />
              Match a property of the trigger
            </button>
          )}
          <p class="field-hint">E.g. an Order Completed whose checkout_id is the {triggerEvent}'s, so another order does not count.</p>
        </div>
      )}
      <DurationInput label="Give up after" value={node.timeout} onChange={(timeout) => onChange({ ...node, timeout })} />
      <p class="flow-note">
        <BranchPill tone="yes">Happened</BranchPill> when {node.event || "the event"} arrives in time; <BranchPill tone="timeout">Timed out</BranchPill> after {durationWords(node.timeout)} without it.
      </p>
    </div>
  );
}

function BranchPill({ tone, children }: { tone: "yes" | "no" | "timeout"; children: ComponentChildren }) {
  return <span class={cx("flow-edge-label is-inline", `is-${tone}`)}>{children}</span>;
}

function ConditionEditor({ id, node, def, onChange, ctx }: { id: string; node: NodeOf<"condition">; def: FlowDefinition; onChange: (n: FlowNode) => void; ctx: PanelContext }) {
  const c = node.check;
  const emails = Object.entries(def.nodes).filter(([nid, n]) => n.type === "send" && nid !== id) as [string, NodeOf<"send">][];
  const setKind = (kind: string) => {
    if (kind === c.kind) return;
    if (kind === "segment") onChange({ ...node, check: { kind, definition: { type: "group", match: "all", conditions: [] } } });
    else if (kind === "event_since_entry") onChange({ ...node, check: { kind, event: "", where: [] } });
    else onChange({ ...node, check: { kind: "email", action: "opened", nodeId: emails[0]?.[0] } });
  };
  const builder: BuilderContext | null =
    c.kind === "segment"
      ? { topics: ctx.topics, segments: ctx.segments.map((s) => ({ id: s.id, name: s.name })), flows: ctx.flows, names: ctx.names.conditions, missing: segmentProblems(c.definition), issues: new Map() }
      : null;
  return (
    <div class="stack">
      <SelectField
        label="Ask whether they"
        value={c.kind}
        onValue={setKind}
        options={[
          { value: "segment", label: "match conditions" },
          { value: "event_since_entry", label: "did an event since entering" },
          { value: "email", label: "opened or clicked an email" },
        ]}
      />
      {c.kind === "segment" && builder && (
        <div class="flow-builder">
          <SegmentBuilder definition={c.definition} onChange={(definition) => onChange({ ...node, check: { ...c, definition } })} context={builder} />
        </div>
      )}
      {c.kind === "event_since_entry" && (
        <>
          <EventName label="Event" value={c.event} onValue={(event) => onChange({ ...node, check: { ...c, event } })} hint="The event that started the run does not count." />
          <FilterRows where={c.where} event={c.event} onChange={(where) => onChange({ ...node, check: { ...c, where } })} />
        </>
      )}
      {c.kind === "email" && (
        <div class="stack">
          <SelectField
            label="Action"
            value={c.action}
            onValue={(action) => onChange({ ...node, check: { ...c, action: action as "opened" | "clicked" } })}
            options={[
              { value: "opened", label: "Opened (or clicked)" },
              { value: "clicked", label: "Clicked" },
            ]}
          />
          <SelectField
            label="Email"
            value={c.nodeId ?? ""}
            onValue={(nid) => onChange({ ...node, check: { ...c, nodeId: nid || undefined } })}
            options={[{ value: "", label: "Any email of this flow" }, ...emails.map(([nid, n]) => ({ value: nid, label: `${ctx.names.template(n.templateId) ?? "No template"} (${nid})` }))]}
          />
          <p class="field-hint">Only human opens and clicks count: machine opens and link scanners do not.</p>
        </div>
      )}
      <p class="flow-note">
        <BranchPill tone="yes">Yes</BranchPill> and <BranchPill tone="no">No</BranchPill> each lead on; checked at the moment a contact reaches this step.
      </p>
    </div>
  );
}

const nextKey = (keys: string[]) => "ABCDE".split("").find((k) => !keys.includes(k)) ?? `B${keys.length + 1}`;

function SplitEditor({ node, onChange }: { node: NodeOf<"split">; onChange: (n: FlowNode) => void }) {
  const total = node.branches.reduce((s, b) => s + (Number.isFinite(b.percent) ? b.percent : 0), 0);
  const set = (i: number, b: Partial<NodeOf<"split">["branches"][number]>) => onChange({ ...node, branches: node.branches.map((x, j) => (j === i ? { ...x, ...b } : x)) });
  const even = () => {
    const n = node.branches.length;
    const base = Math.floor(100 / n);
    onChange({ ...node, branches: node.branches.map((b, i) => ({ ...b, percent: base + (i < 100 - base * n ? 1 : 0) })) });
  };
  return (
    <div class="stack">
      <div class="field">
        <span class="field-label">Branches</span>
        {node.branches.map((b, i) => (
          <div class="flow-row" key={i}>
            <input class="input flow-key" aria-label={`Name of branch ${i + 1}`} value={b.key} maxLength={20} onInput={(e) => set(i, { key: e.currentTarget.value })} />
            <NumberBox label={`Percent for branch ${b.key || i + 1}`} value={b.percent} min={0} max={100} onValue={(percent) => set(i, { percent })} />
            <span class="seg-word">%</span>
            {node.branches.length > 2 && <IconButton icon="close" label={`Remove branch ${b.key}`} onClick={() => onChange({ ...node, branches: node.branches.filter((_, j) => j !== i) })} />}
          </div>
        ))}
        <p class={cx("flow-total", total === 100 ? "is-ok" : "is-bad")} data-testid="split-total">
          {total === 100 ? <Icon name="check" size={14} /> : <Icon name="alert" size={14} />}
          Adds up to {total}%{total === 100 ? "" : ": it must be 100%"}
        </p>
      </div>
      <div class="flow-row">
        {node.branches.length < 5 && (
          <Button size="sm" icon="plus" onClick={() => onChange({ ...node, branches: [...node.branches, { key: nextKey(node.branches.map((b) => b.key)), percent: 0, next: null }] })}>
            Add branch
          </Button>
        )}
        <Button size="sm" variant="ghost" onClick={even}>
          Split evenly
        </Button>
      </div>
      <p class="flow-note">Each contact takes one branch at random, in these proportions; the same contact always takes the same branch on a visit.</p>
    </div>
  );
}

type PropType = "string" | "number" | "boolean" | "null";
const propType = (v: unknown): PropType => (v === null ? "null" : typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string");

function UpdateEditor({ node, onChange, ctx }: { node: NodeOf<"update">; onChange: (n: FlowNode) => void; ctx: PanelContext }) {
  const props = Object.entries(node.properties);
  const topics = Object.entries(node.topics);
  const setProps = (list: [string, string | number | boolean | null][]) => onChange({ ...node, properties: Object.fromEntries(list) });
  const setTopics = (list: [string, "subscribed" | "unsubscribed"][]) => onChange({ ...node, topics: Object.fromEntries(list) });
  const castTo = (v: unknown, t: PropType): string | number | boolean | null => (t === "null" ? null : t === "number" ? (Number.isFinite(Number(v)) ? Number(v) : 0) : t === "boolean" ? v === true || v === "true" : v === null ? "" : String(v));
  const free = ctx.topics.find((t) => !(t.key in node.topics));
  return (
    <div class="stack">
      <div class="field">
        <span class="field-label">Set properties</span>
        {props.map(([k, v], i) => (
          <div class="flow-prop" key={i}>
            <div class="flow-row">
              <input class="input mono flow-grow" aria-label="Property name" placeholder="property, e.g. vip" value={k} maxLength={100} onInput={(e) => setProps(props.map((p, j) => (j === i ? [e.currentTarget.value, p[1]] : p)))} />
              <Select
                label="Set to"
                value={propType(v)}
                onValue={(t) => setProps(props.map((p, j) => (j === i ? [p[0], castTo(p[1], t as PropType)] : p)))}
                options={[
                  { value: "string", label: "text" },
                  { value: "number", label: "number" },
                  { value: "boolean", label: "true/false" },
                  { value: "null", label: "clear it" },
                ]}
              />
              <IconButton icon="close" label="Remove property" onClick={() => setProps(props.filter((_, j) => j !== i))} />
            </div>
            {v !== null && (
              <div class="flow-row">
                <span class="seg-word">to</span>
                {typeof v === "boolean" ? (
                  <Select label="Value" value={String(v)} onValue={(x) => setProps(props.map((p, j) => (j === i ? [p[0], x === "true"] : p)))} options={[{ value: "true", label: "true" }, { value: "false", label: "false" }]} />
                ) : (
                  <input class="input flow-grow" aria-label="Value" value={String(v)} inputMode={typeof v === "number" ? "decimal" : undefined} onInput={(e) => setProps(props.map((p, j) => (j === i ? [p[0], typeof v === "number" ? Number(e.currentTarget.value) || 0 : e.currentTarget.value] : p)))} />
                )}
              </div>
            )}
          </div>
        ))}
        <button type="button" class="link-btn seg-add-filter" onClick={() => setProps([...props.filter(([k]) => k !== ""), ["", ""]])}>
          <Icon name="plus" size={14} />
          Set a property
        </button>
      </div>
      <div class="field">
        <span class="field-label">Topics</span>
        {topics.map(([k, v], i) => (
          <div class="flow-row" key={i}>
            <Select label="Subscribe or unsubscribe" value={v} onValue={(s) => setTopics(topics.map((t, j) => (j === i ? [t[0], s as "subscribed" | "unsubscribed"] : t)))} options={[{ value: "subscribed", label: "Subscribe to" }, { value: "unsubscribed", label: "Unsubscribe from" }]} />
            <Select
              label="Topic"
              value={k}
              onValue={(key) => setTopics(topics.map((t, j) => (j === i ? [key, t[1]] : t)))}
              options={[...ctx.topics.filter((t) => t.key === k || !(t.key in node.topics)).map((t) => ({ value: t.key, label: t.name })), ...(ctx.topics.some((t) => t.key === k) ? [] : [{ value: k, label: k || "Choose a topic" }])]}
            />
            <IconButton icon="close" label="Remove topic change" onClick={() => setTopics(topics.filter((_, j) => j !== i))} />
          </div>
        ))}
        {free && (
          <button type="button" class="link-btn seg-add-filter" onClick={() => setTopics([...topics, [free.key, "subscribed"]])}>
            <Icon name="plus" size={14} />
            Change a topic subscription
          </button>
        )}
        <p class="field-hint">Recorded as consent changes with the flow as their source.</p>
      </div>
    </div>
  );
}

function WebhookEditor({ node, onChange }: { node: NodeOf<"webhook">; onChange: (n: FlowNode) => void }) {
  const headers = Object.entries(node.headers);
  const setHeaders = (list: [string, string][]) => onChange({ ...node, headers: Object.fromEntries(list) });
  return (
    <div class="stack">
      <TextField label="URL" mono type="url" value={node.url} onValue={(url) => onChange({ ...node, url: url.trim() })} placeholder="https://hooks.example.com/tern" maxLength={2000} hint="https only, on the public internet (no private or local addresses). Tern POSTs the contact id, the trigger data and the time as JSON." />
      <div class="field">
        <span class="field-label">Headers</span>
        {headers.map(([k, v], i) => (
          <div class="flow-row" key={i}>
            <input class="input mono flow-grow" aria-label="Header name" placeholder="Authorization" value={k} maxLength={64} onInput={(e) => setHeaders(headers.map((h, j) => (j === i ? [e.currentTarget.value, h[1]] : h)))} />
            <input class="input mono flow-grow" aria-label="Header value" value={v} maxLength={1000} onInput={(e) => setHeaders(headers.map((h, j) => (j === i ? [h[0], e.currentTarget.value] : h)))} />
            <IconButton icon="close" label="Remove header" onClick={() => setHeaders(headers.filter((_, j) => j !== i))} />
          </div>
        ))}
        <button type="button" class="link-btn seg-add-filter" onClick={() => setHeaders([...headers.filter(([k]) => k !== ""), ["", ""]])}>
          <Icon name="plus" size={14} />
          Add a header
        </button>
      </div>
    </div>
  );
}

// ---- the panel around a step ------------------------------------------------------------------------------

export function StepHeader({ id, node, onRemove }: { id: string; node: FlowNode | null; onRemove?: () => void }) {
  const t = node ? nodeTypeDef(node.type) : null;
  return (
    <div class="flow-panel-head">
      <span class={cx("flow-node-icon", `tone-${t ? (t.tone === "red" ? "amber" : t.tone) : "blue"}`)}>
        <FlowIcon name={node ? NODE_ICONS[node.type] : "play"} size={15} />
      </span>
      <div class="flow-panel-title">
        <h2>{t ? t.label : "Trigger"}</h2>
        <span>{node ? <>Step <code>{id}</code></> : "How contacts enter the flow"}</span>
      </div>
      {onRemove && (
        <Button size="sm" variant="ghost" icon="trash" class="text-danger" onClick={onRemove}>
          Remove
        </Button>
      )}
    </div>
  );
}

// ---- settings ---------------------------------------------------------------------------------------------

export function SettingsEditor({ name, onName, nameError, settings, onChange }: { name: string; onName: (v: string) => void; nameError?: string; settings: FlowSettings; onChange: (s: FlowSettings) => void }) {
  const r = settings.reentry;
  const daysId = useId();
  const holdId = useId();
  return (
    <div class="stack">
      <TextField label="Name" value={name} onValue={onName} maxLength={200} error={nameError} placeholder="Abandoned cart" />
      <SelectField
        label="Can a contact enter again?"
        value={r.kind}
        onValue={(kind) => onChange({ ...settings, reentry: kind === "after_days" ? { kind, days: 30 } : { kind: kind as "never" | "always" } })}
        options={[
          { value: "never", label: "Never: once per contact" },
          { value: "always", label: "Yes, each time the trigger happens" },
          { value: "after_days", label: "Yes, once their last entry is some days old" },
        ]}
        hint="Never twice at the same time: a contact still in the flow does not enter again."
      />
      {r.kind === "after_days" && (
        <Labelled label="Days since their last entry" id={daysId}>
          <NumberBox id={daysId} value={r.days} min={1} max={3650} onValue={(days) => onChange({ ...settings, reentry: { kind: "after_days", days } })} />
        </Labelled>
      )}
      <div class="field">
        <Checkbox
          label="End the run when they reach a goal"
          checked={Boolean(settings.goal)}
          onChange={(on) => onChange({ ...settings, goal: on ? { event: "Order Completed", where: [] } : null })}
          hint="E.g. Order Completed ends an abandoned-cart flow at whatever step it is; conversions are credited to the emails."
        />
        {settings.goal && (
          <div class="indent stack">
            <EventName label="Goal event" value={settings.goal.event} onValue={(event) => onChange({ ...settings, goal: { ...settings.goal!, event } })} />
            <FilterRows where={settings.goal.where} event={settings.goal.event} onChange={(where) => onChange({ ...settings, goal: { ...settings.goal!, where } })} />
          </div>
        )}
      </div>
      <Checkbox label="End the run when they unsubscribe from everything" checked={settings.exitOnUnsubscribe} onChange={(exitOnUnsubscribe) => onChange({ ...settings, exitOnUnsubscribe })} hint="Unsubscribed contacts never get marketing email either way." />
      <Labelled label="Holdout group" id={holdId} hint="This share of entrants takes the path but gets no email: compare their orders to measure the flow's lift. Up to 50%.">
        <div class="flow-row">
          <NumberBox id={holdId} value={settings.holdoutPercent} min={0} max={50} onValue={(holdoutPercent) => onChange({ ...settings, holdoutPercent })} />
          <span class="seg-word">%</span>
        </div>
      </Labelled>
      <p class="field-hint">Frequency caps and quiet hours from Settings → Sending apply to every email of the flow.</p>
    </div>
  );
}
