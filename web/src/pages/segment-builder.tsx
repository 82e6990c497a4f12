/**
 * The condition builder: nested all/any groups of conditions, each row a sentence of inputs ("Did [Order
 * Completed] [at least] [1] times [in the last] [7] days"), its meaning in words beneath, and what is missing
 * or what the server refused at the condition it is about.
 */
import { createContext, Fragment, type ComponentChildren } from "preact";
import { useContext, useEffect, useId, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { capitalize } from "../format";
import { Icon } from "../icons";
import {
  castScalar, comparisonOf, defaultComparison, describe, emptyGroup, EVENT_SUGGESTIONS, eventPropertySuggestions, FIELD_DEFS, fieldDef, FLOW_STATES, FREE_OPS,
  isCustom, LEAF_TYPES, LIFECYCLE, MAX_DEPTH, MONTHS, newCondition, OP_LABELS, OPS_BY_TYPE, RFM_CELLS, scalarTypeOf, valueKindOf, withOp,
  type Comparison, type Condition, type Group, type Leaf, type LeafOf, type LeafType, type Names, type Op, type ScalarType,
} from "../segment-model";
import type { FlowSummary, Topic } from "../types";
import { Button, cx, IconButton, Segmented, Select, type Option } from "../ui";

export interface BuilderContext {
  topics: Topic[];
  /** segments a condition may refer to (not the one being edited) */
  segments: { id: number; name: string }[];
  flows: FlowSummary[];
  names: Names;
  /** what is still missing, by condition path */
  missing: Map<string, string>;
  /** what the server refused, by condition path */
  issues: Map<string, string>;
}

const Ctx = createContext<BuilderContext>(null as unknown as BuilderContext);

/** The whole definition: the top group, with its quick start when empty. */
export function SegmentBuilder({ definition, onChange, context }: { definition: Group; onChange: (g: Group) => void; context: BuilderContext }) {
  return (
    <Ctx.Provider value={context}>
      <GroupEditor group={definition} path="" depth={1} onChange={onChange} />
      {/* Suggestions for every event name box; any other name can be typed. */}
      <datalist id={EVENTS_LIST_ID}>
        {EVENT_SUGGESTIONS.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
    </Ctx.Provider>
  );
}

function useNewCondition() {
  const ctx = useContext(Ctx);
  return (type: LeafType) => newCondition(type, { segmentId: ctx.segments[0]?.id, flowId: ctx.flows[0]?.id });
}

const QUICK: LeafType[] = ["event", "property", "engagement", "topic", "lifecycle", "rfm"];

function GroupEditor({ group, path, depth, onChange, onRemove }: { group: Group; path: string; depth: number; onChange: (g: Group) => void; onRemove?: () => void }) {
  const make = useNewCondition();
  const prefix = path ? `${path}.` : "";
  const set = (i: number, c: Condition) => onChange({ ...group, conditions: group.conditions.map((x, j) => (j === i ? c : x)) });
  const remove = (i: number) => onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) });
  const add = (c: Condition) => onChange({ ...group, conditions: [...group.conditions, c] });
  const toggle = () => onChange({ ...group, match: group.match === "all" ? "any" : "all" });
  const top = depth === 1;

  return (
    <div class={cx("seg-group", !top && "is-nested")} data-depth={depth} data-path={path || "root"}>
      <div class="seg-group-head">
        <span>{top ? "Contacts who match" : "Match"}</span>
        <Segmented
          label={top ? "Match all or any of the conditions" : "Match all or any of the conditions in this group"}
          value={group.match}
          onValue={(m) => onChange({ ...group, match: m as Group["match"] })}
          options={[
            { value: "all", label: "All" },
            { value: "any", label: "Any" },
          ]}
        />
        <span>{top ? "of these conditions" : "of the conditions in this group"}</span>
        {onRemove && <IconButton icon="trash" label="Remove this group" class="seg-group-remove" onClick={onRemove} />}
      </div>

      {group.conditions.length === 0 ? (
        top ? (
          <div class="seg-start">
            <p>
              <strong>No conditions yet, so everyone is in.</strong> Start with one of these, or any kind of condition below.
            </p>
            <div class="seg-start-grid">
              {QUICK.map((t) => {
                const def = LEAF_TYPES.find((d) => d.type === t)!;
                return (
                  <button key={t} type="button" class="seg-start-item" onClick={() => add(make(t))}>
                    <strong>{def.label}</strong>
                    <span>{def.hint}</span>
                  </button>
                );
              })}
            </div>
          </div>
        ) : (
          <p class="seg-empty-group">This group is empty, so it matches {group.match === "all" ? "everyone" : "no one"}. Add a condition, or remove the group.</p>
        )
      ) : (
        <div class="seg-list">
          {group.conditions.map((c, i) => (
            <Fragment key={i}>
              {i > 0 && (
                <div class="seg-joiner">
                  <button type="button" class={cx("seg-joiner-pill", group.match === "any" && "is-or")} onClick={toggle} title={`Switch to ${group.match === "all" ? "any" : "all"} of these conditions`}>
                    {group.match === "all" ? "and" : "or"}
                  </button>
                </div>
              )}
              {c.type === "group" ? (
                <GroupEditor group={c} path={`${prefix}conditions.${i}`} depth={depth + 1} onChange={(g) => set(i, g)} onRemove={() => remove(i)} />
              ) : (
                <ConditionEditor cond={c} path={`${prefix}conditions.${i}`} onChange={(x) => set(i, x)} onRemove={() => remove(i)} />
              )}
            </Fragment>
          ))}
        </div>
      )}

      <div class="seg-group-foot">
        <AddConditionMenu onPick={(t) => add(make(t))} label={top ? "Add condition" : "Add condition to group"} />
        {depth < MAX_DEPTH && (
          <Button
            size="sm"
            variant="ghost"
            icon="plus"
            onClick={() => add({ ...emptyGroup(group.match === "all" ? "any" : "all"), conditions: [make("property")] })}
            title={`A group of conditions inside this one, matched with ${group.match === "all" ? "any" : "all"} of its conditions (you can change that)`}
          >
            {top ? "Add group" : "Add nested group"}
          </Button>
        )}
      </div>
    </div>
  );
}

function AddConditionMenu({ onPick, label }: { onPick: (t: LeafType) => void; label: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        ref.current?.querySelector<HTMLButtonElement>(".seg-add-btn")?.focus();
      }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>(".menu-item") ?? [])];
        const at = items.indexOf(document.activeElement as HTMLButtonElement);
        items[(at + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    ref.current?.querySelector<HTMLElement>(".menu-item")?.focus();
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div class="seg-add" ref={ref}>
      <Button size="sm" icon="plus" class="seg-add-btn" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {label}
      </Button>
      {open && (
        <div class="menu seg-add-menu" role="menu" aria-label="Kinds of condition">
          {LEAF_TYPES.map((d) => (
            <button
              key={d.type}
              type="button"
              role="menuitem"
              class="menu-item seg-add-item"
              onClick={() => {
                setOpen(false);
                onPick(d.type);
              }}
            >
              <span class="seg-add-label">{d.label}</span>
              <span class="seg-add-hint">{d.hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

// ---- one condition --------------------------------------------------------------------------------------

function ConditionEditor({ cond, path, onChange, onRemove }: { cond: Leaf; path: string; onChange: (c: Leaf) => void; onRemove: () => void }) {
  const ctx = useContext(Ctx);
  const make = useNewCondition();
  const issue = ctx.issues.get(path);
  const missing = ctx.missing.get(path);
  return (
    <div class={cx("seg-cond", issue && "has-error", !issue && missing && "is-incomplete")} data-path={path} data-type={cond.type}>
      <div class="seg-cond-row">
        <span class="seg-type">
          <Select label="Kind of condition" value={cond.type} onValue={(t) => t !== cond.type && onChange(make(t as LeafType))} options={LEAF_TYPES.map((d) => ({ value: d.type, label: d.short }))} />
        </span>
        <div class="seg-inputs">
          <LeafInputs cond={cond} onChange={onChange} />
        </div>
        <IconButton icon="close" label="Remove condition" class="seg-remove" onClick={onRemove} />
      </div>
      {cond.type === "event" && <EventFilters cond={cond} onChange={onChange} />}
      <p class="seg-words" data-testid="condition-words">
        {describe(cond, ctx.names)}
      </p>
      {issue ? (
        <p class="seg-issue" role="alert">
          <Icon name="alert" size={14} />
          {issue}
        </p>
      ) : missing ? (
        <p class="seg-missing">
          <Icon name="info" size={14} />
          {missing}
        </p>
      ) : null}
    </div>
  );
}

function LeafInputs({ cond, onChange }: { cond: Leaf; onChange: (c: Leaf) => void }) {
  switch (cond.type) {
    case "property":
      return <PropertyInputs cond={cond} onChange={onChange} />;
    case "event":
      return <EventInputs cond={cond} onChange={onChange} />;
    case "event_time":
      return <EventTimeInputs cond={cond} onChange={onChange} />;
    case "engagement":
      return <EngagementInputs cond={cond} onChange={onChange} />;
    case "unengaged":
      return (
        <>
          <Words>Received</Words>
          <NumberInput label="Emails received" value={cond.received} min={1} max={1000} onValue={(received) => onChange({ ...cond, received })} />
          <Words>or more emails since they last opened one</Words>
        </>
      );
    case "topic":
      return <TopicInputs cond={cond} onChange={onChange} />;
    case "segment":
      return <SegmentInputs cond={cond} onChange={onChange} />;
    case "lifecycle":
      return (
        <>
          <Words>Stage is</Words>
          <Select label="Lifecycle stage" value={cond.stage} onValue={(stage) => onChange({ ...cond, stage: stage as typeof cond.stage })} options={Object.entries(LIFECYCLE).map(([value, s]) => ({ value, label: s.label }))} />
          <Words muted>{LIFECYCLE[cond.stage].hint}; thresholds in Settings</Words>
        </>
      );
    case "rfm":
      return <RfmInputs cond={cond} onChange={onChange} />;
    case "flow":
      return <FlowInputs cond={cond} onChange={onChange} />;
    case "random":
      return <RandomInputs cond={cond} onChange={onChange} />;
  }
}

// ---- properties -----------------------------------------------------------------------------------------

const CUSTOM = "properties.";

function PropertyInputs({ cond, onChange }: { cond: LeafOf<"property">; onChange: (c: Leaf) => void }) {
  const custom = isCustom(cond.field);
  const field = fieldDef(cond.field);
  const cmp = comparisonOf(cond);
  const setField = (key: string) => {
    if (key === CUSTOM) {
      if (!custom) onChange({ type: "property", field: CUSTOM, ...defaultComparison("string") } as Leaf);
      return;
    }
    const next = fieldDef(key)!;
    // Same type of field: keep the comparison; otherwise start from a sensible one for the new type.
    const keep = field && field.type === next.type && !next.choices && !field.choices;
    const base = keep ? cmp : next.choices ? ({ op: "eq", value: next.choices[0]!.value } as Comparison) : defaultComparison(next.type);
    onChange({ type: "property", field: key, ...base } as Leaf);
  };
  const groups = [...new Set(FIELD_DEFS.map((f) => f.group))];
  return (
    <>
      <GroupedSelect
        label="Property"
        value={custom ? CUSTOM : cond.field}
        onValue={setField}
        groups={[
          ...groups.map((g) => ({ label: g, options: FIELD_DEFS.filter((f) => f.group === g).map((f) => ({ value: f.key, label: f.label })) })),
          { label: "Custom", options: [{ value: CUSTOM, label: "Custom property…" }] },
        ]}
      />
      {custom && (
        <TextInput
          label="Custom property name"
          maxLength={100}
          value={cond.field.slice(CUSTOM.length)}
          placeholder="property name, e.g. plan"
          onValue={(name) => onChange({ ...cond, field: `${CUSTOM}${name.replace(/["\\]/g, "")}` as LeafOf<"property">["field"] })}
          mono
        />
      )}
      <ComparisonInputs
        cmp={cmp}
        ops={custom ? null : OPS_BY_TYPE[field?.type ?? "string"]}
        scalar={custom ? null : field?.type === "number" ? "number" : "string"}
        choices={field?.choices}
        money={field?.money}
        onChange={(c) => onChange({ type: "property", field: cond.field, ...c } as Leaf)}
      />
    </>
  );
}

/**
 * Op and value(s) of a comparison. `ops` null means any (custom and event properties, grouped by kind of value,
 * with the value's type chosen beside it); otherwise the field's own type decides the value's type.
 */
function ComparisonInputs({ cmp, ops, scalar, choices, money, onChange }: { cmp: Comparison; ops: Op[] | null; scalar: ScalarType | null; choices?: Option[]; money?: boolean; onChange: (c: Comparison) => void }) {
  const currentScalar: ScalarType = scalar ?? ("value" in cmp ? scalarTypeOf(cmp.value) : "values" in cmp && cmp.values.length ? scalarTypeOf(cmp.values[0]) : "string");
  const setOp = (op: string) => onChange(withOp(cmp as unknown as Record<string, unknown>, op as Op, currentScalar));
  const kind = valueKindOf(cmp.op);
  const opSelect = ops ? (
    <Select label="Comparison" value={cmp.op} onValue={setOp} options={ops.map((o) => ({ value: o, label: OP_LABELS[o] }))} />
  ) : (
    <GroupedSelect label="Comparison" value={cmp.op} onValue={setOp} groups={FREE_OPS.map((g) => ({ label: g.label, options: g.ops.map((o) => ({ value: o, label: OP_LABELS[o] })) }))} />
  );
  // Free properties keep JSON types: say whether "5" is text or a number.
  const typePicker = !scalar && (kind === "scalar" || kind === "list") && (
    <Select
      label="Type of value"
      value={currentScalar}
      onValue={(t) => {
        const to = t as ScalarType;
        if ("value" in cmp) onChange({ ...cmp, value: castScalar(cmp.value as string, to) } as Comparison);
        else if ("values" in cmp) onChange({ ...cmp, values: cmp.values.map((v) => castScalar(v, to)).filter((v) => !(typeof v === "number" && Number.isNaN(v))) } as Comparison);
      }}
      options={[
        { value: "string", label: "as text" },
        { value: "number", label: "as a number" },
        { value: "boolean", label: "as true/false" },
      ]}
    />
  );
  return (
    <>
      {opSelect}
      {typePicker}
      <ValueInputs cmp={cmp} scalar={currentScalar} choices={choices} money={money} onChange={onChange} />
    </>
  );
}

function ValueInputs({ cmp, scalar, choices, money, onChange }: { cmp: Comparison; scalar: ScalarType; choices?: Option[]; money?: boolean; onChange: (c: Comparison) => void }) {
  switch (cmp.op) {
    case "exists":
    case "not_exists":
      return null;
    case "eq":
    case "neq":
      if (choices) return <Select label="Value" value={String(cmp.value)} onValue={(value) => onChange({ ...cmp, value })} options={choices} />;
      if (scalar === "boolean")
        return (
          <Select
            label="Value"
            value={String(cmp.value)}
            onValue={(v) => onChange({ ...cmp, value: v === "true" })}
            options={[
              { value: "true", label: "true" },
              { value: "false", label: "false" },
            ]}
          />
        );
      if (scalar === "number") return <NumberInput label="Value" value={cmp.value as number} decimals prefix={money ? "money" : undefined} onValue={(value) => onChange({ ...cmp, value })} />;
      return <TextInput label="Value" value={String(cmp.value)} onValue={(value) => onChange({ ...cmp, value })} />;
    case "contains":
    case "not_contains":
    case "starts_with":
      return <TextInput label="Value" value={cmp.value} onValue={(value) => onChange({ ...cmp, value })} />;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return <NumberInput label="Value" value={cmp.value} decimals onValue={(value) => onChange({ ...cmp, value })} />;
    case "between":
      return (
        <>
          <NumberInput label="From" value={cmp.from} decimals onValue={(from) => onChange({ ...cmp, from })} />
          <Words>and</Words>
          <NumberInput label="To" value={cmp.to} decimals onValue={(to) => onChange({ ...cmp, to })} />
        </>
      );
    case "in":
    case "not_in":
      return <ChipsInput label="Values" values={cmp.values} numeric={scalar === "number"} boolean={scalar === "boolean"} suggestions={choices} onValues={(values) => onChange({ ...cmp, values } as Comparison)} />;
    case "before":
    case "after":
      return <DateInput label="Date" value={cmp.value} onValue={(value) => onChange({ ...cmp, value })} />;
    case "between_dates":
      return (
        <>
          <DateInput label="From date" value={cmp.from} onValue={(from) => onChange({ ...cmp, from })} />
          <Words>and</Words>
          <DateInput label="To date" value={cmp.to} onValue={(to) => onChange({ ...cmp, to })} />
        </>
      );
    case "within_last_days":
      return (
        <>
          <NumberInput label="Days" value={cmp.days} min={0} max={36500} onValue={(days) => onChange({ ...cmp, days })} />
          <Words>days</Words>
        </>
      );
    case "more_than_days_ago":
      return (
        <>
          <NumberInput label="Days" value={cmp.days} min={0} max={36500} onValue={(days) => onChange({ ...cmp, days })} />
          <Words>days ago</Words>
        </>
      );
    case "month_is":
      return <Select label="Month" value={String(cmp.month)} onValue={(m) => onChange({ ...cmp, month: Number(m) })} options={[{ value: "0", label: "the current month" }, ...MONTHS.map((m, i) => ({ value: String(i + 1), label: m }))]} />;
  }
}

// ---- events ---------------------------------------------------------------------------------------------

type CountMode = "did" | "not";
const isNever = (c: LeafOf<"event">["count"]) => (c.op === "at_most" || c.op === "exactly") && c.value === 0;
const EVENTS_LIST_ID = "tern-event-names";

function EventNameInput({ value, onValue }: { value: string; onValue: (v: string) => void }) {
  return <TextInput label="Event name" value={value} onValue={onValue} placeholder="Order Completed" list={EVENTS_LIST_ID} wide maxLength={200} />;
}

function EventInputs({ cond, onChange }: { cond: LeafOf<"event">; onChange: (c: Leaf) => void }) {
  const mode: CountMode = isNever(cond.count) ? "not" : "did";
  const w = cond.window;
  return (
    <>
      <Select
        label="Did or did not"
        value={mode}
        onValue={(m) => onChange({ ...cond, count: m === "not" ? { op: "at_most", value: 0 } : { op: "at_least", value: 1 } })}
        options={[
          { value: "did", label: "Did" },
          { value: "not", label: "Did not do" },
        ]}
      />
      <EventNameInput value={cond.name} onValue={(name) => onChange({ ...cond, name })} />
      {mode === "did" && (
        <>
          <Select
            label="How often"
            value={cond.count.op}
            onValue={(op) => onChange({ ...cond, count: { ...cond.count, op: op as typeof cond.count.op } })}
            options={[
              { value: "at_least", label: "at least" },
              { value: "at_most", label: "at most" },
              { value: "exactly", label: "exactly" },
            ]}
          />
          <NumberInput label="Number of times" value={cond.count.value} min={0} max={100000} onValue={(value) => onChange({ ...cond, count: { ...cond.count, value } })} />
          <Words>{cond.count.value === 1 ? "time" : "times"}</Words>
        </>
      )}
      <span class="seg-break" />
      <Select
        label="When"
        value={w.kind}
        onValue={(kind) =>
          onChange({
            ...cond,
            window: kind === "last_days" ? { kind, days: 30 } : kind === "between" ? { kind, from: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) } : { kind: "ever" },
          })
        }
        options={[
          { value: "ever", label: "ever" },
          { value: "last_days", label: "in the last" },
          { value: "between", label: "between dates" },
        ]}
      />
      {w.kind === "last_days" && (
        <>
          <NumberInput label="Days" value={w.days} min={1} max={36500} onValue={(days) => onChange({ ...cond, window: { ...w, days } })} />
          <Words>{w.days === 1 ? "day" : "days"}</Words>
        </>
      )}
      {w.kind === "between" && (
        <>
          <DateInput label="From date" value={w.from} onValue={(from) => onChange({ ...cond, window: { ...w, from } })} />
          <Words>and</Words>
          <DateInput label="To date" value={w.to} onValue={(to) => onChange({ ...cond, window: { ...w, to } })} />
        </>
      )}
    </>
  );
}

function EventFilters({ cond, onChange }: { cond: LeafOf<"event">; onChange: (c: Leaf) => void }) {
  const listId = useId();
  const suggestions = eventPropertySuggestions(cond.name);
  const set = (i: number, f: LeafOf<"event">["where"][number]) => onChange({ ...cond, where: cond.where.map((x, j) => (j === i ? f : x)) });
  return (
    <div class="seg-filters">
      {cond.where.map((f, i) => (
        <div class="seg-filter" key={i}>
          <Words>{i === 0 ? "where" : "and"}</Words>
          <TextInput label="Event property" value={f.property} placeholder="property, e.g. revenue" list={listId} mono maxLength={100} onValue={(property) => set(i, { ...f, property })} />
          <ComparisonInputs cmp={comparisonOf(f)} ops={null} scalar={null} onChange={(c) => set(i, { property: f.property, ...c } as LeafOf<"event">["where"][number])} />
          <IconButton icon="close" label="Remove filter" class="seg-remove" onClick={() => onChange({ ...cond, where: cond.where.filter((_, j) => j !== i) })} />
        </div>
      ))}
      <datalist id={listId}>
        {suggestions.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {cond.where.length < 10 && (
        <button type="button" class="link-btn seg-add-filter" onClick={() => onChange({ ...cond, where: [...cond.where, { property: "", op: "eq", value: "" }] })}>
          <Icon name="plus" size={14} />
          {cond.where.length ? "Add another filter" : "Filter on event properties"}
        </button>
      )}
    </div>
  );
}

function EventTimeInputs({ cond, onChange }: { cond: LeafOf<"event_time">; onChange: (c: Leaf) => void }) {
  const dated = cond.op === "before" || cond.op === "after";
  return (
    <>
      <Select
        label="First or last time"
        value={cond.which}
        onValue={(which) => onChange({ ...cond, which: which as typeof cond.which })}
        options={[
          { value: "last", label: "Last time" },
          { value: "first", label: "First time" },
        ]}
      />
      <Words>they did</Words>
      <EventNameInput value={cond.name} onValue={(name) => onChange({ ...cond, name })} />
      <Words>was</Words>
      <Select
        label="When"
        value={cond.op}
        onValue={(op) => {
          const o = op as typeof cond.op;
          const d = o === "before" || o === "after";
          onChange({ type: "event_time", name: cond.name, which: cond.which, op: o, ...(d ? { value: cond.value ?? new Date().toISOString().slice(0, 10) } : { days: cond.days ?? 30 }) });
        }}
        options={[
          { value: "within_last_days", label: "in the last" },
          { value: "more_than_days_ago", label: "more than" },
          { value: "before", label: "before" },
          { value: "after", label: "after" },
        ]}
      />
      {dated ? (
        <DateInput label="Date" value={cond.value ?? ""} onValue={(value) => onChange({ ...cond, value })} />
      ) : (
        <>
          <NumberInput label="Days" value={cond.days ?? Number.NaN} min={0} max={36500} onValue={(days) => onChange({ ...cond, days })} />
          <Words>{cond.op === "more_than_days_ago" ? "days ago" : "days"}</Words>
        </>
      )}
    </>
  );
}

// ---- engagement, membership ------------------------------------------------------------------------------

function EngagementInputs({ cond, onChange }: { cond: LeafOf<"engagement">; onChange: (c: Leaf) => void }) {
  const value = `${cond.negate ? "not_" : ""}${cond.action}`;
  return (
    <>
      <Select
        label="Engagement"
        value={value}
        onValue={(v) => onChange({ ...cond, negate: v.startsWith("not_"), action: v.endsWith("opened") ? "opened" : "clicked" })}
        options={[
          { value: "opened", label: "Opened an email" },
          { value: "clicked", label: "Clicked an email" },
          { value: "not_opened", label: "Did not open any email" },
          { value: "not_clicked", label: "Did not click any email" },
        ]}
      />
      <Words>in the last</Words>
      <NumberInput label="Days" value={cond.days} min={1} max={36500} onValue={(days) => onChange({ ...cond, days })} />
      <Words>days</Words>
      <Words muted>machine opens and scanner clicks do not count</Words>
    </>
  );
}

function TopicInputs({ cond, onChange }: { cond: LeafOf<"topic">; onChange: (c: Leaf) => void }) {
  const { topics } = useContext(Ctx);
  const options = [{ value: "*", label: "any topic" }, ...topics.map((t) => ({ value: t.key, label: t.name }))];
  if (!options.some((o) => o.value === cond.topic)) options.push({ value: cond.topic, label: `${cond.topic} (deleted topic)` });
  return (
    <>
      <Select
        label="Subscribed or not"
        value={cond.subscribed ? "yes" : "no"}
        onValue={(v) => onChange({ ...cond, subscribed: v === "yes" })}
        options={[
          { value: "yes", label: "Is subscribed to" },
          { value: "no", label: "Is not subscribed to" },
        ]}
      />
      <Select label="Topic" value={cond.topic} onValue={(topic) => onChange({ ...cond, topic })} options={options} />
    </>
  );
}

function SegmentInputs({ cond, onChange }: { cond: LeafOf<"segment">; onChange: (c: Leaf) => void }) {
  const { segments, names } = useContext(Ctx);
  const options = segments.map((s) => ({ value: String(s.id), label: s.name }));
  if (cond.segmentId && !segments.some((s) => s.id === cond.segmentId)) options.unshift({ value: String(cond.segmentId), label: names.segment(cond.segmentId) });
  if (!cond.segmentId) options.unshift({ value: "0", label: segments.length ? "Choose a segment" : "No other segments yet" });
  return (
    <>
      <Select
        label="In or not in"
        value={cond.member ? "yes" : "no"}
        onValue={(v) => onChange({ ...cond, member: v === "yes" })}
        options={[
          { value: "yes", label: "Is in" },
          { value: "no", label: "Is not in" },
        ]}
      />
      <Select label="Segment" value={String(cond.segmentId)} onValue={(id) => onChange({ ...cond, segmentId: Number(id) })} options={options} />
    </>
  );
}

function FlowInputs({ cond, onChange }: { cond: LeafOf<"flow">; onChange: (c: Leaf) => void }) {
  const { flows, names } = useContext(Ctx);
  const [nodes, setNodes] = useState<{ id: string; label: string }[] | null>(null);
  useEffect(() => {
    if (cond.state !== "at_node" || !cond.flowId) return;
    let live = true;
    api.get<{ draft: { nodes: Record<string, { type: string }> } }>(`/flows/${cond.flowId}`).then(
      (f) => live && setNodes(Object.entries(f.draft?.nodes ?? {}).map(([id, n]) => ({ id, label: `${id} · ${n.type.replace(/_/g, " ")}` }))),
      () => live && setNodes([]),
    );
    return () => {
      live = false;
    };
  }, [cond.state, cond.flowId]);
  const options = flows.map((f) => ({ value: String(f.id), label: f.status === "live" ? f.name : `${f.name} (${f.status})` }));
  if (cond.flowId && !flows.some((f) => f.id === cond.flowId)) options.unshift({ value: String(cond.flowId), label: names.flow(cond.flowId) });
  if (!cond.flowId) options.unshift({ value: "0", label: flows.length ? "Choose a flow" : "No flows yet" });
  const stateOptions = (Object.keys(FLOW_STATES) as (keyof typeof FLOW_STATES)[]).flatMap((s) => [
    { value: `${s}:0`, label: capitalize(FLOW_STATES[s][0]) },
    { value: `${s}:1`, label: capitalize(FLOW_STATES[s][1]) },
  ]);
  return (
    <>
      <Select
        label="Flow membership"
        value={`${cond.state}:${cond.negate ? 1 : 0}`}
        onValue={(v) => {
          const [state, neg] = v.split(":") as [LeafOf<"flow">["state"], string];
          onChange({ type: "flow", flowId: cond.flowId, state, negate: neg === "1", ...(state === "at_node" ? { nodeId: cond.nodeId ?? "" } : {}) });
        }}
        options={stateOptions}
      />
      <Select label="Flow" value={String(cond.flowId)} onValue={(id) => onChange({ ...cond, flowId: Number(id), nodeId: cond.state === "at_node" ? "" : undefined })} options={options} />
      {cond.state === "at_node" && (
        <Select
          label="Step"
          value={cond.nodeId ?? ""}
          onValue={(nodeId) => onChange({ ...cond, nodeId })}
          options={[{ value: "", label: nodes === null ? "Loading steps…" : nodes.length ? "Choose a step" : "No steps" }, ...(nodes ?? []).map((n) => ({ value: n.id, label: n.label }))]}
        />
      )}
    </>
  );
}

// ---- RFM and random -------------------------------------------------------------------------------------

const SCORE_OPTIONS = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));

function RfmInputs({ cond, onChange }: { cond: LeafOf<"rfm">; onChange: (c: Leaf) => void }) {
  const named = Boolean(cond.cell) && !cond.r && !cond.f && !cond.m;
  return (
    <>
      <Select
        label="RFM by"
        value={named ? "cell" : "scores"}
        onValue={(v) => {
          if (v === "cell") onChange({ type: "rfm", cell: cond.cell ?? "champions" });
          else {
            const cell = cond.cell ? RFM_CELLS[cond.cell] : null;
            onChange({ type: "rfm", r: cell ? [...cell.r] : [4, 5], f: cell ? [...cell.f] : [1, 5] });
          }
        }}
        options={[
          { value: "cell", label: "Is in the group" },
          { value: "scores", label: "Has scores" },
        ]}
      />
      {named ? (
        <>
          <Select label="RFM group" value={cond.cell!} onValue={(cell) => onChange({ type: "rfm", cell: cell as typeof cond.cell })} options={Object.entries(RFM_CELLS).map(([value, c]) => ({ value, label: c.label }))} />
          <Words muted>{RFM_CELLS[cond.cell!].hint}</Words>
        </>
      ) : (
        (["r", "f", "m"] as const).map((k) => <ScoreRange key={k} label={{ r: "Recency", f: "Frequency", m: "Monetary" }[k]} value={cond[k]} onValue={(range) => onChange({ ...cond, cell: undefined, [k]: range })} />)
      )}
    </>
  );
}

function ScoreRange({ label, value, onValue }: { label: string; value: [number, number] | undefined; onValue: (v: [number, number] | undefined) => void }) {
  return (
    <span class="seg-score">
      <span class="seg-score-label">{label}</span>
      <Select label={`${label} from`} value={value ? String(value[0]) : "any"} onValue={(v) => onValue(v === "any" ? undefined : [Number(v), Math.max(Number(v), value?.[1] ?? 5)])} options={[{ value: "any", label: "any" }, ...SCORE_OPTIONS]} />
      {value && (
        <>
          <Words>to</Words>
          <Select label={`${label} to`} value={String(value[1])} onValue={(v) => onValue([Math.min(value[0], Number(v)), Number(v)])} options={SCORE_OPTIONS} />
        </>
      )}
    </span>
  );
}

function RandomInputs({ cond, onChange }: { cond: LeafOf<"random">; onChange: (c: Leaf) => void }) {
  const share = Number.isFinite(cond.from) && Number.isFinite(cond.to) ? Math.abs(cond.to - cond.from) + 1 : null;
  return (
    <>
      <Words>Bucket</Words>
      <NumberInput label="From bucket" value={cond.from} min={0} max={99} onValue={(from) => onChange({ ...cond, from })} />
      <Words>to</Words>
      <NumberInput label="To bucket" value={cond.to} min={0} max={99} onValue={(to) => onChange({ ...cond, to })} />
      <Words>of 0–99, seed</Words>
      <NumberInput label="Seed" value={cond.seed} min={0} max={1_000_000} onValue={(seed) => onChange({ ...cond, seed })} />
      {share !== null && <Words muted>about {share}% of contacts, always the same ones for a seed</Words>}
    </>
  );
}

// ---- small inputs ---------------------------------------------------------------------------------------

function Words({ children, muted }: { children: ComponentChildren; muted?: boolean }) {
  return <span class={cx("seg-word", muted && "is-muted")}>{children}</span>;
}

function TextInput({ label, value, onValue, placeholder, list, mono, wide, maxLength = 500 }: { label: string; value: string; onValue: (v: string) => void; placeholder?: string; list?: string; mono?: boolean; wide?: boolean; maxLength?: number }) {
  return <input class={cx("input seg-input", mono && "mono", wide && "is-wide")} aria-label={label} value={value} placeholder={placeholder} list={list} maxLength={maxLength} onInput={(e) => onValue(e.currentTarget.value)} />;
}

/** A number box that lets people type freely ("", "-", "1.") and reports NaN until it holds a number. */
function NumberInput({ label, value, onValue, min, max, decimals, prefix }: { label: string; value: number; onValue: (v: number) => void; min?: number; max?: number; decimals?: boolean; prefix?: "money" }) {
  const [draft, setDraft] = useState(Number.isFinite(value) ? String(value) : "");
  useEffect(() => {
    // The value changed from outside (another condition took this place): show it.
    if (!(Number(draft) === value || (draft === "" && !Number.isFinite(value)))) setDraft(Number.isFinite(value) ? String(value) : "");
  }, [value]);
  return (
    <input
      class={cx("input seg-input seg-number", prefix && "has-prefix")}
      aria-label={label}
      inputMode={decimals ? "decimal" : "numeric"}
      type="text"
      value={draft}
      onInput={(e) => {
        const raw = e.currentTarget.value.trim();
        setDraft(e.currentTarget.value);
        let n = raw === "" ? Number.NaN : Number(raw.replace(",", "."));
        if (!decimals && Number.isFinite(n) && !Number.isInteger(n)) n = Number.NaN;
        if (Number.isFinite(n) && ((min !== undefined && n < min) || (max !== undefined && n > max))) n = Number.NaN;
        onValue(n);
      }}
    />
  );
}

function DateInput({ label, value, onValue }: { label: string; value: string; onValue: (v: string) => void }) {
  return <input class="input seg-input seg-date" type="date" aria-label={label} value={value.slice(0, 10)} onInput={(e) => onValue(e.currentTarget.value)} />;
}

function GroupedSelect({ label, value, onValue, groups }: { label: string; value: string; onValue: (v: string) => void; groups: { label: string; options: Option[] }[] }) {
  return (
    <span class="select-wrap">
      <select class="input select" aria-label={label} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <Icon name="chevronDown" size={16} class="select-chevron" />
    </span>
  );
}

type Scalar = string | number | boolean;

/** A list of values as chips: Enter, comma or Tab adds what was typed; pasting "a, b, c" adds three. */
function ChipsInput({ label, values, onValues, numeric, boolean, suggestions }: { label: string; values: Scalar[]; onValues: (v: Scalar[]) => void; numeric?: boolean; boolean?: boolean; suggestions?: Option[] }) {
  const [text, setText] = useState("");
  const [bad, setBad] = useState<string | null>(null);
  const listId = useId();
  const parse = (raw: string): Scalar | null => {
    const s = raw.trim();
    if (!s) return null;
    if (boolean) return s === "true" ? true : s === "false" ? false : null;
    if (numeric) return Number.isFinite(Number(s)) ? Number(s) : null;
    return s;
  };
  const commit = (raw: string) => {
    const parts = raw.split(/[,\n]/).map((p) => p.trim()).filter(Boolean);
    if (!parts.length) return true;
    const parsed = parts.map(parse);
    if (parsed.some((p) => p === null)) {
      setBad(numeric ? "Numbers only" : "true or false");
      return false;
    }
    const next = [...values];
    for (const p of parsed) if (!next.includes(p!)) next.push(p!);
    onValues(next.slice(0, 1000));
    setText("");
    setBad(null);
    return true;
  };
  const show = (v: Scalar) => suggestions?.find((s) => s.value === v)?.label ?? String(v);
  return (
    <div class={cx("chips-input", bad && "has-error")} onClick={(e) => (e.currentTarget.querySelector("input") as HTMLInputElement | null)?.focus()}>
      {values.map((v, i) => (
        <span class="chip chip-removable" key={`${String(v)}-${i}`}>
          {show(v)}
          <button type="button" aria-label={`Remove ${show(v)}`} onClick={() => onValues(values.filter((_, j) => j !== i))}>
            <Icon name="close" size={12} />
          </button>
        </span>
      ))}
      <input
        aria-label={label}
        value={text}
        list={suggestions ? listId : undefined}
        placeholder={values.length ? "" : numeric ? "Type a number, press Enter" : "Type a value, press Enter"}
        onInput={(e) => {
          const v = e.currentTarget.value;
          if (/[,\n]/.test(v)) commit(v);
          else {
            setText(v);
            setBad(null);
            // Picking a suggestion fills the box with exactly its value: take it at once.
            if (suggestions?.some((s) => s.value === v)) commit(v);
          }
        }}
        onKeyDown={(e) => {
          if ((e.key === "Enter" || (e.key === "Tab" && text.trim())) && !commit(text)) e.preventDefault();
          else if (e.key === "Enter") e.preventDefault();
          if (e.key === "Backspace" && !text && values.length) onValues(values.slice(0, -1));
        }}
        onBlur={() => commit(text)}
      />
      {suggestions && (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </datalist>
      )}
      {bad && <span class="chips-bad">{bad}</span>}
    </div>
  );
}
