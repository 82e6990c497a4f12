/**
 * A flow: the canvas with its steps, the side panel that edits the selected step (or the flow's settings, or
 * runs the simulator), problems at the step they are about, save/publish/pause/resume/archive, and for a
 * published flow the figures of every step, refreshed every few seconds.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, settings } from "../api";
import { FlowCanvas } from "../flow-canvas";
import { layoutOf, layoutScene } from "../flow-layout";
import {
  canonical, insertNode, localProblems, nodeTypeDef, ports, problemTarget, removalPlan, removeNode, sampleTrigger, triggerWords,
  type LinkRef, type Names, type NodeType,
} from "../flow-model";
import { EventSuggestions, NodeEditor, SettingsEditor, StepHeader, TriggerEditor, type PanelContext } from "../flow-panels";
import { newSimInput, simPath, Simulator, type SimInput, type SimOutcome } from "../flow-simulator";
import { capitalize, formatDate, formatDateTime, formatMoney, formatNumber, formatRelative, plural } from "../format";
import { Icon } from "../icons";
import { navigate, useLeaveGuard } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { FlowDefinition, FlowDetail, FlowNode, FlowSummary, NodeFigures, Segment, TemplateSummary, Topic } from "../types";
import { Alert, Badge, Button, ConfirmDialog, cx, Dialog, PageHeader, RecordLoadFailed, RecordLoading, toast, useAsync } from "../ui";
import { FlowStatusBadge, takeInstallWarnings } from "./flows";

interface Loaded {
  flow: FlowDetail;
  templates: TemplateSummary[];
  topics: Topic[];
  segments: Segment[];
  flows: FlowSummary[];
}

export function FlowEditorPage({ id }: { id: string }) {
  const loaded = useAsync<Loaded>(async () => {
    const [flow, templates, topics, segments, flows] = await Promise.all([
      api.get<FlowDetail>(`/flows/${encodeURIComponent(id)}`),
      api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items),
      api.get<{ items: Topic[] }>("/topics").then((r) => r.items),
      api.get<{ items: Segment[] }>("/segments").then((r) => r.items),
      api.get<{ items: FlowSummary[] }>("/flows").then((r) => r.items),
    ]);
    return { flow, templates, topics, segments, flows };
  }, [id]);
  const back = { href: "/flows", label: "Flows" };
  if (loaded.error) return <RecordLoadFailed noun="flow" icon="flows" back={back} error={loaded.error} retry={loaded.reload} listLink />;
  if (!loaded.data) return <RecordLoading noun="flow" back={back} />;
  return <Editor initial={loaded.data} />;
}

type Tab = "step" | "settings" | "simulate";
const REFRESH_MS = 5000;

function Editor({ initial }: { initial: Loaded }) {
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  const [flow, setFlow] = useState<FlowDetail>(initial.flow);
  const [def, setDef] = useState<FlowDefinition>(initial.flow.draft);
  const [name, setName] = useState(initial.flow.name);
  const [saved, setSaved] = useState(() => ({ name: initial.flow.name, key: canonical(initial.flow.draft) }));
  const [server, setServer] = useState(() => ({ key: canonical(initial.flow.draft), problems: initial.flow.problems }));
  const [figures, setFigures] = useState<Record<string, NodeFigures> | null>(initial.flow.liveVersion !== null ? (initial.flow.figures ?? {}) : null);
  const [refreshedAt, setRefreshedAt] = useState(Date.now());
  const [selected, setSelected] = useState<string | null>(Object.keys(initial.flow.draft.nodes).length ? null : "trigger");
  const [tab, setTab] = useState<Tab>("step");
  const [busy, setBusy] = useState<null | "save" | "publish" | "pause" | "resume">(null);
  const [error, setError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const [dialog, setDialog] = useState<null | "publish" | "archive" | "delete" | { remove: string; also: string[] }>(null);
  const [warnings, setWarnings] = useState(() => takeInstallWarnings(initial.flow.id));
  const [showProblems, setShowProblems] = useState(false);
  const [simInput, setSimInput] = useState<SimInput>(() => newSimInput(sampleTrigger(initial.flow.draft.trigger)));
  const [sim, setSim] = useState<{ key: string; outcome: SimOutcome } | null>(null);
  const fitRef = useRef<((readable?: boolean) => void) | null>(null);
  useTitle(name.trim() || flow.name);

  // ---- context: names of templates, topics, segments -------------------------------------------------
  const { templates, topics, segments, flows } = initial;
  // A prebuilt flow's own templates are named "Flow · Email": on its canvas the email's name is enough.
  const prefix = `${flow.name} · `;
  const names: Names = {
    template: (id) => {
      const t = templates.find((x) => x.id === id)?.name;
      return t?.startsWith(prefix) && t.length > prefix.length ? t.slice(prefix.length) : (t ?? null);
    },
    topicById: (id) => topics.find((t) => t.id === id)?.name ?? null,
    topicByKey: (key) => topics.find((t) => t.key === key)?.name ?? null,
    segment: (id) => segments.find((s) => s.id === id)?.name ?? null,
    conditions: {
      topic: (k) => topics.find((t) => t.key === k)?.name ?? k,
      segment: (id) => segments.find((s) => s.id === id)?.name ?? `Segment #${id}`,
      flow: (id) => flows.find((f) => f.id === id)?.name ?? `Flow #${id}`,
      currency,
    },
  };
  const ctx: PanelContext = { flowId: flow.id, templates, topics, segments, flows: flows.filter((f) => f.id !== flow.id), names };

  // ---- derived ------------------------------------------------------------------------------------------
  const key = canonical(def);
  const scene = useMemo(() => layoutScene(def), [def]);
  const local = useMemo(() => localProblems(def), [key]);
  const dirty = key !== saved.key || name.trim() !== saved.name;
  const serverCurrent = server.key === key;
  const serverByNode = new Map<string, string[]>();
  const general: string[] = [];
  if (serverCurrent) {
    for (const p of server.problems) {
      const at = problemTarget(p, def);
      if (at) serverByNode.set(at, [...(serverByNode.get(at) ?? []), capitalize(p)]);
      else general.push(capitalize(p));
    }
  }
  const byNode = new Map<string, string[]>();
  for (const [k, v] of local) if (k !== "settings") byNode.set(k, [v]);
  // A step's own check says the same as the server's in other words: one sentence per step is enough.
  for (const [k, v] of serverByNode) if (!byNode.has(k)) byNode.set(k, v);
  const problemList: { at: string | null; text: string }[] = [
    ...[...byNode].flatMap(([at, list]) => list.map((text) => ({ at, text }))),
    ...(local.has("settings") ? [{ at: "settings", text: local.get("settings")! }] : []),
    ...general.map((text) => ({ at: null, text })),
  ];
  const published = flow.liveVersion !== null;
  const latest = flow.versions?.[0];
  const archived = flow.status === "archived";
  // A live flow's draft is unchanged since publishing when it was last written then (publishing stamps both).
  const unpublished = !published || dirty || !latest || flow.updatedAt > latest.publishedAt + 1000;
  const canPublish = !archived && local.size === 0 && (dirty || server.problems.length === 0) && unpublished;
  const path = sim && sim.key === key && tab === "simulate" ? simPath(def, sim.outcome) : null;

  useLeaveGuard(dirty ? "You have unsaved changes to this flow. Leave without saving?" : null);

  // ---- live figures -------------------------------------------------------------------------------------
  useEffect(() => {
    if (!published || archived) return;
    let live = true;
    const tick = async () => {
      if (document.hidden) return;
      try {
        const r = await api.get<FlowDetail>(`/flows/${flow.id}`);
        if (!live) return;
        setFigures(r.figures ?? {});
        setFlow((f) => ({ ...f, status: r.status, liveVersion: r.liveVersion, versions: r.versions }));
        setRefreshedAt(Date.now());
      } catch {
        // A missed refresh is retried on the next tick.
      }
    };
    const t = setInterval(tick, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [published, archived, flow.id]);

  // ---- editing --------------------------------------------------------------------------------------------
  /** A change of links drops the saved positions: the canvas lays the new shape out again. */
  const change = (next: FlowDefinition, structural = false) => setDef(structural ? { ...next, layout: undefined } : next);
  const setNode = (id: string, n: FlowNode) => {
    const old = def.nodes[id]!;
    const structural = ports(old).map((p) => p.to).join() !== ports(n).map((p) => p.to).join() || ports(old).length !== ports(n).length;
    change({ ...def, nodes: { ...def.nodes, [id]: n } }, structural);
  };
  const add = (at: LinkRef, type: NodeType) => {
    const r = insertNode(def, at, type);
    change(r.def, true);
    setSelected(r.id);
    setTab("step");
  };
  const remove = (id: string) => {
    const plan = removalPlan(def, id);
    if (plan.alsoRemoved.length) return setDialog({ remove: id, also: plan.alsoRemoved });
    doRemove(id);
  };
  const doRemove = (id: string) => {
    change(removeNode(def, id), true);
    setSelected(null);
    toast(`Step ${id} removed`, "neutral");
  };
  const select = (id: string | null) => {
    setSelected(id);
    if (id && tab !== "step") setTab("step");
  };

  // ---- saving, publishing -----------------------------------------------------------------------------
  const save = async (quiet = false): Promise<FlowDetail | null> => {
    if (!name.trim()) {
      setNameError("Give the flow a name");
      setTab("settings");
      return null;
    }
    if (local.size) {
      const [first] = local;
      setError(`Some steps are not finished: ${first![1]}${local.size > 1 ? ` (and ${local.size - 1} more)` : ""}.`);
      if (first![0] === "settings") setTab("settings");
      else select(first![0]);
      setShowProblems(true);
      return null;
    }
    setBusy("save");
    setError(null);
    try {
      const body: Record<string, unknown> = {};
      if (name.trim() !== saved.name) body.name = name.trim();
      const definition = { ...def, layout: layoutOf(scene) };
      if (key !== saved.key || !def.layout) body.definition = definition;
      const row = Object.keys(body).length ? await api.patch<FlowDetail>(`/flows/${flow.id}`, body) : { ...flow, problems: server.problems };
      setFlow((f) => ({ ...f, ...row, versions: f.versions, figures: f.figures }));
      if (body.definition) setDef(definition);
      setSaved({ name: row.name, key });
      setServer({ key, problems: row.problems });
      setBusy(null);
      if (!quiet) toast(row.problems.length ? `Saved, with ${plural(row.problems.length, "problem")} to fix before publishing` : "Flow saved", row.problems.length ? "neutral" : "green");
      if (row.problems.length) setShowProblems(true);
      return row;
    } catch (err) {
      setBusy(null);
      setError(errorMessage(err) + (err instanceof ApiError && err.issues.length ? `: ${err.issues.map((i) => `${i.path} ${i.message}`).join("; ")}` : ""));
      return null;
    }
  };

  const startPublish = async () => {
    if (dirty) {
      const row = await save(true);
      if (!row) return;
      if (row.problems.length) {
        toast("Fix the problems before publishing", "red");
        return;
      }
    }
    setDialog("publish");
  };

  const transition = async (action: "pause" | "resume") => {
    setBusy(action);
    try {
      const row = await api.post<FlowDetail>(`/flows/${flow.id}/${action}`);
      setFlow((f) => ({ ...f, status: row.status }));
      toast(action === "pause" ? "Flow paused: nobody enters, and runs inside wait" : "Flow resumed");
    } catch (err) {
      toast(errorMessage(err), "red");
    }
    setBusy(null);
  };

  // Ctrl/Cmd+S saves.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void saveRef.current();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  // ---- header -------------------------------------------------------------------------------------------------
  const subtitle = (
    <span class="editor-status flow-status-line">
      <FlowStatusBadge status={flow.status} />
      {published ? (
        <span title={latest ? `Published ${formatDateTime(latest.publishedAt)}` : undefined}>
          Version {flow.liveVersion}
          {latest ? ` · published ${formatDate(latest.publishedAt)}` : ""}
        </span>
      ) : (
        <span>Never published</span>
      )}
      {dirty ? (
        <Badge tone="amber" dot>
          Unsaved changes
        </Badge>
      ) : (
        <span class="muted" title={formatDateTime(flow.updatedAt)}>
          Saved {formatRelative(flow.updatedAt)}
        </span>
      )}
    </span>
  );
  const actions = (
    <>
      {!published && !archived && (
        <Button variant="ghost" icon="trash" class="text-danger" onClick={() => setDialog("delete")}>
          Delete
        </Button>
      )}
      {published && !archived && (
        <Button variant="ghost" onClick={() => setDialog("archive")}>
          Archive
        </Button>
      )}
      {flow.status === "live" && (
        <Button onClick={() => transition("pause")} loading={busy === "pause"}>
          Pause
        </Button>
      )}
      {flow.status === "paused" && (
        <Button onClick={() => transition("resume")} loading={busy === "resume"}>
          Resume
        </Button>
      )}
      {!archived && (
        <Button onClick={() => save()} loading={busy === "save"} disabled={!dirty || busy !== null}>
          Save
        </Button>
      )}
      {!archived && (
        <span title={canPublish ? undefined : local.size || server.problems.length ? "Fix the problems first" : !unpublished ? `No changes since version ${flow.liveVersion}` : undefined}>
          <Button variant="primary" icon="send" onClick={startPublish} disabled={!canPublish || busy !== null} data-testid="publish">
            {published ? "Publish changes" : "Publish"}
          </Button>
        </span>
      )}
    </>
  );

  const node = selected && selected !== "trigger" ? def.nodes[selected] : null;
  const totals = figures ? sumFigures(figures, def) : null;

  return (
    <div class="page flow-page">
      <PageHeader back={{ href: "/flows", label: "Flows" }} title={name.trim() || flow.name} subtitle={subtitle} actions={actions} />
      {warnings.length > 0 && (
        <div class="editor-alert">
          <Alert tone="amber" title="Before you publish" action={<Button size="sm" variant="ghost" onClick={() => setWarnings([])}>Dismiss</Button>}>
            <ul class="flow-warnings">
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </Alert>
        </div>
      )}
      {archived && (
        <div class="editor-alert">
          <Alert tone="blue">This flow is archived: nobody enters it and it cannot be published again. Its history stays in the reports.</Alert>
        </div>
      )}
      {error && (
        <div class="editor-alert">
          <Alert action={<Button size="sm" variant="ghost" onClick={() => setError(null)}>Dismiss</Button>}>{error}</Alert>
        </div>
      )}

      <div class="flow-editor">
        <div class="flow-main">
          <div class="flow-bar">
            {problemList.length ? (
              <button type="button" class="flow-problems-toggle" aria-expanded={showProblems} onClick={() => setShowProblems(!showProblems)} data-testid="problems-toggle">
                <Icon name="alert" size={15} />
                {plural(problemList.length, "problem")} to fix before publishing
                <Icon name="chevronDown" size={14} class={cx("flow-chevron", showProblems && "is-open")} />
              </button>
            ) : dirty && !serverCurrent ? (
              <span class="flow-bar-state">
                <Icon name="info" size={15} /> Unsaved: the flow is checked again when you save
              </span>
            ) : (
              <span class="flow-bar-state is-ok" data-testid="no-problems">
                <Icon name="check" size={15} /> {published ? "No problems" : "Ready to publish"}
              </span>
            )}
            {totals && (
              <div class="flow-totals" data-testid="flow-totals" title={`Counts for every version; refreshed every ${REFRESH_MS / 1000} s`}>
                <span class="live-dot" />
                <span>
                  <strong>{formatNumber(totals.inFlow)}</strong> in flow now
                </span>
                <span>
                  <strong>{formatNumber(totals.entered)}</strong> entered
                </span>
                <span>
                  <strong>{formatNumber(totals.sent)}</strong> sent
                </span>
                <span class="flow-totals-extra">
                  <strong>{formatMoney(totals.revenue, currency, { whole: true })}</strong> revenue
                </span>
                <span class="visually-hidden">updated {formatRelative(refreshedAt)}</span>
              </div>
            )}
          </div>
          {showProblems && problemList.length > 0 && (
            <ul class="flow-problems" data-testid="problems">
              {problemList.map((p, i) => (
                <li key={i}>
                  <button
                    type="button"
                    onClick={() => {
                      if (p.at === "settings") setTab("settings");
                      else if (p.at) select(p.at);
                    }}
                    disabled={!p.at}
                  >
                    <span class="flow-problem-where">{p.at === "trigger" ? "Trigger" : p.at === "settings" ? "Settings" : p.at ? `${nodeTypeDef(def.nodes[p.at]!.type).label} · ${p.at}` : "Flow"}</span>
                    {p.text}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <FlowCanvas
            def={def}
            scene={scene}
            names={names}
            selected={selected}
            onSelect={select}
            onAdd={add}
            onRemove={archived ? undefined : remove}
            problems={byNode}
            figures={figures}
            currency={currency}
            path={path}
            fitRef={fitRef}
          />
        </div>

        <aside class="card flow-side" aria-label="Step and flow settings">
          <div class="flow-tabs" role="tablist" aria-label="Panel">
            {(
              [
                ["step", node ? nodeTypeDef(node.type).label : selected === "trigger" ? "Trigger" : "Step"],
                ["settings", "Settings"],
                ["simulate", "Simulator"],
              ] as [Tab, string][]
            ).map(([t, label]) => (
              <button key={t} type="button" role="tab" aria-selected={tab === t} class={cx("flow-tab", tab === t && "is-active")} onClick={() => setTab(t)}>
                {label}
                {t === "settings" && local.has("settings") && <span class="flow-tab-dot" aria-label="has a problem" />}
              </button>
            ))}
          </div>
          <div class="flow-side-body">
            {tab === "step" &&
              (selected === "trigger" ? (
                <>
                  <StepHeader id="trigger" node={null} />
                  <PanelProblems list={byNode.get("trigger")} />
                  <TriggerEditor trigger={def.trigger} onChange={(trigger) => change({ ...def, trigger })} ctx={ctx} />
                </>
              ) : node && selected ? (
                <>
                  <StepHeader id={selected} node={node} onRemove={archived ? undefined : () => remove(selected)} />
                  <PanelProblems list={byNode.get(selected)} />
                  <NodeEditor key={selected} id={selected} node={node} def={def} onChange={(n) => setNode(selected, n)} ctx={ctx} />
                  {figures && <StepFigures f={figures[selected]} node={node} currency={currency} />}
                </>
              ) : (
                <Overview def={def} names={names} onSelect={select} onSettings={() => setTab("settings")} />
              ))}
            {tab === "settings" && (
              <>
                <PanelProblems list={local.has("settings") ? [local.get("settings")!] : undefined} />
                <SettingsEditor
                  name={name}
                  onName={(v) => (setName(v), setNameError(undefined))}
                  nameError={nameError}
                  settings={def.settings}
                  onChange={(s) => change({ ...def, settings: s })}
                />
              </>
            )}
            {tab === "simulate" && (
              <Simulator
                def={def}
                names={names}
                problemsLeft={local.size + (serverCurrent ? server.problems.length : 0)}
                input={simInput}
                onInput={setSimInput}
                outcome={sim && sim.key === key ? sim.outcome : null}
                onOutcome={(o) => setSim(o ? { key, outcome: o } : null)}
              />
            )}
          </div>
        </aside>
      </div>
      <EventSuggestions />

      {dialog === "publish" && (
        <PublishDialog
          flow={flow}
          def={def}
          names={names}
          segments={segments}
          onClose={() => setDialog(null)}
          onDone={(row) => {
            // Publishing stamps the version and the flow with the same time.
            setFlow((f) => ({ ...f, ...row, versions: [{ version: row.liveVersion!, publishedAt: row.updatedAt }, ...(f.versions ?? [])] }));
            setFigures((x) => x ?? {});
            setDialog(null);
            toast(`Version ${row.liveVersion} is live`);
          }}
        />
      )}
      {dialog === "archive" && (
        <ConfirmDialog
          title={`Archive “${flow.name}”?`}
          confirmLabel="Archive flow"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.post(`/flows/${flow.id}/archive`);
            setSaved({ name: name.trim(), key });
            toast(`“${flow.name}” archived`);
            navigate("/flows", { force: true });
          }}
        >
          <p>Nobody enters it any more and it cannot be published again. Runs inside stop where they are. Its figures stay in Reports and on the dashboard.</p>
        </ConfirmDialog>
      )}
      {dialog === "delete" && (
        <ConfirmDialog
          title={`Delete “${flow.name}”?`}
          confirmLabel="Delete flow"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.del(`/flows/${flow.id}`);
            setSaved({ name: name.trim(), key });
            toast(`“${flow.name}” deleted`);
            navigate("/flows", { force: true });
          }}
        >
          <p>The draft goes; its email templates stay in Templates. This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {dialog && typeof dialog === "object" && (
        <ConfirmDialog
          title={`Remove ${nodeTypeDef(def.nodes[dialog.remove]!.type).label.toLowerCase()} ${dialog.remove}?`}
          confirmLabel={`Remove ${plural(dialog.also.length + 1, "step")}`}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            doRemove(dialog.remove);
            setDialog(null);
          }}
        >
          <p>Its first branch takes its place. The steps only reachable through its other branches go too: {dialog.also.map((s) => <code key={s}>{s}</code>).reduce<preact.ComponentChildren[]>((acc, el, i) => (i ? [...acc, ", ", el] : [el]), [])}.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Overview({ def, names, onSelect, onSettings }: { def: FlowDefinition; names: Names; onSelect: (id: string) => void; onSettings: () => void }) {
  const steps = Object.entries(def.nodes);
  const emails = steps.filter(([, n]) => n.type === "send") as [string, Extract<FlowNode, { type: "send" }>][];
  const s = def.settings;
  const reentry = s.reentry.kind === "never" ? "Once per contact" : s.reentry.kind === "always" ? "Every time the trigger happens" : `Again after ${plural(s.reentry.days, "day")}`;
  return (
    <div class="flow-overview" data-testid="flow-overview">
      <p class="flow-side-hint">
        <Icon name="info" size={15} />
        <span>
          <strong>Select a step</strong> on the canvas to edit it. Add steps with the <span class="flow-plus-inline">+</span> on any link or open end.
        </span>
      </p>
      <h3 class="flow-overview-title">At a glance</h3>
      <dl class="deflist">
        <div class="deflist-row">
          <dt>Starts when</dt>
          <dd>
            <button type="button" class="link-btn flow-overview-link" onClick={() => onSelect("trigger")}>
              {triggerWords(def.trigger, names)}
            </button>
          </dd>
        </div>
        <div class="deflist-row">
          <dt>Steps</dt>
          <dd>
            {plural(steps.length, "step")}, {plural(emails.length, "email")}
          </dd>
        </div>
        <div class="deflist-row">
          <dt>Ends early</dt>
          <dd>
            <button type="button" class="link-btn flow-overview-link" onClick={onSettings}>
              {s.goal ? `When they do ${s.goal.event || "the goal event"}` : "No goal: runs to the end"}
            </button>
          </dd>
        </div>
        <div class="deflist-row">
          <dt>Entering again</dt>
          <dd>{reentry}</dd>
        </div>
        <div class="deflist-row">
          <dt>Holdout</dt>
          <dd>{s.holdoutPercent ? `${s.holdoutPercent}% get no email` : "None"}</dd>
        </div>
      </dl>
      {emails.length > 0 && (
        <>
          <h3 class="flow-overview-title">Emails</h3>
          <ul class="flow-overview-emails">
            {emails.map(([id, n]) => (
              <li key={id}>
                <Icon name="mail" size={14} />
                <button type="button" class="link-btn flow-overview-link" onClick={() => onSelect(id)}>
                  {n.templateId > 0 ? (names.template(n.templateId) ?? `Template #${n.templateId}`) : "No template chosen"}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function PanelProblems({ list }: { list: string[] | undefined }) {
  if (!list?.length) return null;
  return (
    <div class="flow-panel-problems" role="alert">
      {list.map((p) => (
        <p key={p}>
          <Icon name="alert" size={14} />
          {p}
        </p>
      ))}
    </div>
  );
}

function sumFigures(f: Record<string, NodeFigures>, def: FlowDefinition) {
  const all = Object.values(f);
  return {
    inFlow: all.reduce((s, x) => s + x.waiting, 0),
    entered: def.entry ? (f[def.entry]?.entered ?? 0) : 0,
    sent: all.reduce((s, x) => s + x.sent, 0),
    revenue: all.reduce((s, x) => s + x.revenue, 0),
  };
}

function StepFigures({ f, node, currency }: { f: NodeFigures | undefined; node: FlowNode; currency: string }) {
  const x = f ?? { entered: 0, waiting: 0, exited: 0, sent: 0, opened: 0, clicked: 0, conversions: 0, revenue: 0 };
  const rows: [string, string][] = [
    ["Entered", formatNumber(x.entered)],
    ["Waiting here now", formatNumber(x.waiting)],
    ["Ended here", formatNumber(x.exited)],
  ];
  if (node.type === "send") {
    const rate = (n: number) => (x.sent ? ` (${Math.round((n / x.sent) * 100)}%)` : "");
    rows.push(["Sent", formatNumber(x.sent)], ["Opened", formatNumber(x.opened) + rate(x.opened)], ["Clicked", formatNumber(x.clicked) + rate(x.clicked)], ["Converted", `${formatNumber(x.conversions)} · ${formatMoney(x.revenue, currency)}`]);
  }
  return (
    <div class="flow-step-figures">
      <h3>
        <span class="live-dot" /> Since publishing
      </h3>
      <dl class="deflist">
        {rows.map(([k, v]) => (
          <div class="deflist-row" key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function PublishDialog({ flow, def, names, segments, onClose, onDone }: { flow: FlowDetail; def: FlowDefinition; names: Names; segments: Segment[]; onClose: () => void; onDone: (row: FlowDetail) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState<"new" | "all">("new");
  const firstSegment = def.trigger.type === "segment" && flow.liveVersion === null;
  const segment = def.trigger.type === "segment" ? segments.find((s) => s.id === (def.trigger as { segmentId: number }).segmentId) : null;
  const emails = Object.values(def.nodes).filter((n) => n.type === "send").length;
  const publish = async () => {
    setBusy(true);
    setError(null);
    try {
      const row = await api.post<FlowDetail>(`/flows/${flow.id}/publish`, firstSegment ? { includeCurrentMembers: current === "all" } : {});
      onDone(row);
    } catch (err) {
      setBusy(false);
      setError(errorMessage(err) + (err instanceof ApiError && err.issues.length ? `: ${err.issues.map((i) => i.message).join("; ")}` : ""));
    }
  };
  const version = (flow.liveVersion ?? 0) + 1;
  return (
    <Dialog
      title={flow.liveVersion === null ? `Publish “${flow.name}”?` : `Publish version ${version}?`}
      onClose={onClose}
      onSubmit={publish}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" icon="send" loading={busy}>
            {flow.liveVersion === null ? "Publish flow" : `Publish version ${version}`}
          </Button>
        </>
      }
    >
      <div class="prose">
        <p>
          <strong>Starts when:</strong> {triggerWords(def.trigger, names)}. {plural(Object.keys(def.nodes).length, "step")}, {plural(emails, "email")}.
        </p>
        {flow.liveVersion === null ? (
          <p>From now on, contacts enter the flow when this happens, and its emails go out for real.</p>
        ) : (
          <p>New entries follow version {version}. People already in the flow carry on with the version they started on, so nobody skips or repeats a step.</p>
        )}
        {flow.status === "paused" && <p>The flow stays paused until you resume it.</p>}
      </div>
      {firstSegment && (
        <fieldset class="fieldset flow-choice">
          <legend>People already in {segment ? `“${segment.name}”` : "the segment"}{segment?.size != null ? ` (${formatNumber(segment.size)} today)` : ""}</legend>
          <label class="checkbox">
            <input type="radio" name="current" checked={current === "new"} onChange={() => setCurrent("new")} />
            <span>
              <span class="checkbox-label">Only people who join from now on</span>
              <span class="checkbox-hint">Today's members are left alone; the flow is for newcomers.</span>
            </span>
          </label>
          <label class="checkbox">
            <input type="radio" name="current" checked={current === "all"} onChange={() => setCurrent("all")} />
            <span>
              <span class="checkbox-label">Everyone in it today, too</span>
              <span class="checkbox-hint">They enter over the next few minutes, in batches. Use it for a win-back you want to run on your existing list.</span>
            </span>
          </label>
        </fieldset>
      )}
      {error && <Alert>{error}</Alert>}
    </Dialog>
  );
}
