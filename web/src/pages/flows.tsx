/**
 * Flows: the list (status, trigger, who is in them now, emails sent, revenue), a new blank flow, and the
 * gallery of prebuilt flows, each created as an editable draft with one click.
 */
import { useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, settings } from "../api";
import { FlowIcon } from "../flow-icons";
import { triggerWords, type Names } from "../flow-model";
import { capitalize, formatMoney, formatNumber, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate, openRow } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { FlowDetail, FlowListItem, PrebuiltFlowCard, Segment, Topic } from "../types";
import { Alert, Badge, Button, Dialog, EmptyState, LoadError, PageHeader, TableSkeleton, TextField, toast, useAsync, useEachRow, type Tone } from "../ui";

export const FLOW_STATUS: Record<FlowListItem["status"], { label: string; tone: Tone; hint: string }> = {
  draft: { label: "Draft", tone: "neutral", hint: "Not published: nobody enters" },
  live: { label: "Live", tone: "green", hint: "Contacts enter when the trigger happens" },
  paused: { label: "Paused", tone: "amber", hint: "Nobody enters; runs inside wait until it is resumed" },
  archived: { label: "Archived", tone: "neutral", hint: "Retired; its history is kept" },
};

export function FlowStatusBadge({ status }: { status: FlowListItem["status"] }) {
  const s = FLOW_STATUS[status];
  return (
    <span title={s.hint}>
      <Badge tone={s.tone} dot={status === "live" || status === "paused"}>
        {s.label}
      </Badge>
    </span>
  );
}

/** Names for trigger summaries from the topics and segments (loaded once). */
export function useFlowNames(): { names: Names; ready: boolean } {
  const ctx = useAsync(async () => {
    const [topics, segments] = await Promise.all([
      api.get<{ items: Topic[] }>("/topics").then((r) => r.items, () => [] as Topic[]),
      api.get<{ items: Segment[] }>("/segments").then((r) => r.items, () => [] as Segment[]),
    ]);
    return { topics, segments };
  }, []);
  const d = ctx.data;
  return {
    ready: Boolean(d),
    names: {
      template: () => null,
      topicById: (id) => d?.topics.find((t) => t.id === id)?.name ?? null,
      topicByKey: (key) => d?.topics.find((t) => t.key === key)?.name ?? null,
      segment: (id) => d?.segments.find((s) => s.id === id)?.name ?? null,
      conditions: { topic: (k) => k, segment: (id) => `Segment #${id}`, flow: (id) => `Flow #${id}` },
    },
  };
}

export function FlowsPage() {
  useTitle("Flows");
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  const list = useAsync(() => api.get<{ items: FlowListItem[] }>("/flows").then((r) => r.items), []);
  const details = useEachRow(list.data, (f) => api.get<FlowDetail>(`/flows/${f.id}`)); // each flow's draft, for its trigger and problems
  const { names } = useFlowNames();
  const [creating, setCreating] = useState(false);

  const actions = (
    <>
      <Button icon="sparkle" onClick={() => navigate("/flows/templates")}>
        Start from a template
      </Button>
      <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
        New flow
      </Button>
    </>
  );
  const live = list.data?.filter((f) => f.status === "live").length ?? 0;
  return (
    <div class="page">
      <PageHeader
        title="Flows"
        subtitle={list.data?.length ? `${plural(list.data.length, "flow")}, ${live} live · emails that send themselves when contacts act` : "Emails that send themselves when contacts act"}
        actions={list.data?.length ? actions : undefined}
      />
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <TableSkeleton label="Loading flows" rows={4} columns={[["Flow", 44], ["Status", 12], ["In flow now", 10, "num"], ["Emails sent", 10, "num"]]} />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState
            icon="flows"
            title="Put your email on autopilot"
            actions={
              <>
                <Button variant="primary" icon="sparkle" onClick={() => navigate("/flows/templates")}>
                  Start from a template
                </Button>
                <Button icon="plus" onClick={() => setCreating(true)}>
                  Build from scratch
                </Button>
              </>
            }
          >
            A flow sends the right email when a contact does something: a welcome series for new subscribers, an abandoned cart reminder, a birthday gift. Start from one of eight ready-made flows, or build your own step by step.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-clickable flows-table" data-testid="flows-table">
            <thead>
              <tr>
                <th>Flow</th>
                <th>Status</th>
                <th class="num" title="Runs waiting at a step now">In flow now</th>
                <th class="num col-hide-narrow">Entered</th>
                <th class="num">Emails sent</th>
                <th class="num col-hide-narrow">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((f) => {
                const d = details.get(f.id);
                const href = `/flows/${f.id}`;
                const draft = d && "draft" in d ? d : null;
                return (
                  <tr key={f.id} data-flow={f.name} onClick={openRow(href)}>
                    <td class="cell-name cell-fill-narrow">
                      <Link href={href} class="row-link">
                        {f.name}
                      </Link>
                      <span class="cell-sub flow-trigger-line">
                        {draft ? (
                          <>
                            <FlowIcon name="play" size={11} class="inline-icon" />
                            {triggerWords(draft.draft.trigger, names)}
                          </>
                        ) : d ? (
                          <span class="text-danger">{(d as { error: string }).error}</span>
                        ) : (
                          <span class="skeleton" style={{ width: "60%", display: "inline-block" }} />
                        )}
                      </span>
                    </td>
                    <td>
                      <span class="flow-status-cell">
                        <FlowStatusBadge status={f.status} />
                        {draft && draft.problems.length > 0 && f.status === "draft" && (
                          <span class="cell-sub text-danger nowrap" title={draft.problems.join("\n")}>
                            {plural(draft.problems.length, "problem")}
                          </span>
                        )}
                        {f.liveVersion !== null && <span class="cell-sub">Version {f.liveVersion}</span>}
                      </span>
                    </td>
                    <td class="num">{f.liveVersion === null ? <span class="muted">—</span> : formatNumber(f.inFlow)}</td>
                    <td class="num col-hide-narrow">{f.liveVersion === null ? <span class="muted">—</span> : formatNumber(f.entered)}</td>
                    <td class="num">{f.liveVersion === null ? <span class="muted">—</span> : formatNumber(f.sent)}</td>
                    <td class="num col-hide-narrow" title={f.revenue ? "Orders credited to this flow's emails" : undefined}>
                      {f.revenue ? formatMoney(f.revenue, currency) : <span class="muted">—</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.data && list.data.length > 0 && (
        <p class="footnote flow-list-note">
          <Icon name="info" size={14} class="inline-icon" /> Archived flows are not listed; their figures stay in Reports and on the dashboard.
        </p>
      )}
      {creating && <NewFlowDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewFlowDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    if (!name.trim()) return setError("Give the flow a name, for example “Welcome series”");
    setBusy(true);
    try {
      const row = await api.post<FlowDetail>("/flows", { name: name.trim() });
      navigate(`/flows/${row.id}`);
    } catch (err) {
      setBusy(false);
      setError(fieldErrors(err).name ?? errorMessage(err));
    }
  };
  return (
    <Dialog
      title="New flow"
      description="You start with a trigger; add steps on the canvas. Nothing goes live until you publish."
      onClose={onClose}
      onSubmit={create}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Create flow
          </Button>
        </>
      }
    >
      <TextField label="Name" value={name} onValue={(v) => (setName(v), setError(undefined))} error={error} placeholder="Welcome series" autoFocus maxLength={200} />
    </Dialog>
  );
}

// ---- the gallery --------------------------------------------------------------------------------------------

/** Warnings from installing a prebuilt flow, handed to its editor. */
export let installWarnings: { id: number; warnings: string[] } | null = null;
export const takeInstallWarnings = (id: number) => {
  const w = installWarnings?.id === id ? installWarnings.warnings : [];
  installWarnings = null;
  return w;
};

const GALLERY_ICONS: Record<string, Parameters<typeof FlowIcon>[0]["name"]> = {
  welcome_series: "mail",
  abandoned_cart: "cart",
  browse_abandonment: "eye",
  post_purchase: "check",
  win_back: "refresh",
  birthday: "sparkle",
  lead_nurture: "route",
  sunset: "door",
};

export function FlowGalleryPage() {
  useTitle("Flow templates");
  const catalog = useAsync(() => api.get<{ items: PrebuiltFlowCard[] }>("/flows/prebuilt").then((r) => r.items), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const install = async (card: PrebuiltFlowCard) => {
    setBusy(card.key);
    setError(null);
    try {
      const row = await api.post<FlowDetail & { warnings: string[]; templates: { id: number; name: string }[] }>(`/flows/prebuilt/${card.key}`);
      installWarnings = { id: row.id, warnings: row.warnings };
      toast(`“${row.name}” created as a draft with ${plural(row.templates.length, "email template")}`);
      navigate(`/flows/${row.id}`);
    } catch (err) {
      setBusy(null);
      setError(errorMessage(err));
    }
  };
  return (
    <div class="page">
      <PageHeader
        back={{ href: "/flows", label: "Flows" }}
        title="Start from a template"
        subtitle="Eight flows every shop needs. Each is created as a draft with its own copies of the emails, ready to adjust; nothing goes live until you publish it."
      />
      {error && (
        <div class="editor-alert">
          <Alert>{error}</Alert>
        </div>
      )}
      {catalog.error ? (
        <LoadError error={catalog.error} retry={catalog.reload} />
      ) : !catalog.data ? (
        <div class="flow-gallery" aria-busy="true">
          {[0, 1, 2, 3].map((i) => (
            <div class="card flow-card" key={i}>
              <span class="skeleton" style={{ width: "40%", height: "16px" }} />
              <span class="skeleton" style={{ width: "90%", marginTop: "14px" }} />
              <span class="skeleton" style={{ width: "75%", marginTop: "8px" }} />
            </div>
          ))}
        </div>
      ) : (
        <div class="flow-gallery" data-testid="flow-gallery">
          {catalog.data.map((c) => (
            <article class="card flow-card" key={c.key} data-prebuilt={c.key}>
              <header class="flow-card-head">
                <span class="flow-card-icon">
                  <FlowIcon name={GALLERY_ICONS[c.key] ?? "flows"} size={20} />
                </span>
                <div>
                  <h2 class="card-title">{c.name}</h2>
                  <p class="flow-card-trigger">
                    <FlowIcon name="play" size={11} class="inline-icon" /> {c.trigger}
                  </p>
                </div>
              </header>
              <p class="flow-card-desc">{c.description}</p>
              <ol class="flow-card-emails" aria-label={`Emails of ${c.name}`}>
                {c.emails.map((e, i) => (
                  <li key={i}>
                    <Icon name="mail" size={14} />
                    <span class="flow-card-email">
                      <strong>{capitalize(e.name.replace(/^.*? — /, ""))}</strong>
                      <span>{e.when}</span>
                    </span>
                  </li>
                ))}
              </ol>
              <footer class="flow-card-foot">
                <span class="muted small">
                  {plural(c.emails.length, "email")}
                  {c.creates.segment ? ` · adds the segment “${c.creates.segment}”` : c.creates.topics.length ? ` · uses the ${c.creates.topics.map(capitalize).join(" and ")} topic${c.creates.topics.length > 1 ? "s" : ""}` : ""}
                </span>
                <Button variant={busy === c.key ? "primary" : "secondary"} size="sm" loading={busy === c.key} disabled={busy !== null && busy !== c.key} onClick={() => install(c)} aria-label={`Use ${c.name}`}>
                  Use this flow
                </Button>
              </footer>
            </article>
          ))}
        </div>
      )}
      <p class="footnote flow-list-note">
        <Icon name="info" size={14} class="inline-icon" /> Emails are created as templates named after the flow, so editing them never changes another flow.
      </p>
    </div>
  );
}
