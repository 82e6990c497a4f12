/**
 * Campaigns: every broadcast with its status, when it went (or goes) out, progress while sending, and what it
 * did (people who opened and clicked, attributed revenue); filter by status; create a new one.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, query, settings } from "../api";
import { formatDateTime, formatMoney, formatNumber, formatRelative, plural } from "../format";
import { Link, navigate, openRow, useQuery } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { TemplateSummary } from "../types";
import { Alert, Badge, Button, Dialog, EmptyState, LoadError, PageHeader, Select, SelectField, TableSkeleton, TextField, toast, useAsync } from "../ui";
import { fmtPct } from "./dashboard";
import { deliveredBase, isLive, pct, processed, STATUS, STATUSES, type Campaign, type CampaignReport, type CampaignStatus } from "./campaign-model";
import "./campaigns.css";

const PAGE = 50;
const POLL_MS = 4000;

type Figures = { recipients: number; opened: number; clicked: number; revenue: number; currency: string } | { error: string };

/** Report figures for campaigns that have sent, fetched a few at a time (and again while they send). */
function useFigures(items: Campaign[]): Map<number, Figures> {
  const [figures, setFigures] = useState<Map<number, Figures>>(new Map());
  const key = items
    .filter((c) => c.startedAt)
    .map((c) => `${c.id}:${c.status}:${c.progress?.sent ?? 0}`)
    .join(",");
  const done = useRef(new Map<number, string>());
  useEffect(() => {
    let cancelled = false;
    const queue = items.filter((c) => c.startedAt && done.current.get(c.id) !== `${c.status}:${c.progress?.sent ?? 0}`);
    const worker = async () => {
      for (let c = queue.shift(); c && !cancelled; c = queue.shift()) {
        const stamp = `${c.status}:${c.progress?.sent ?? 0}`;
        const id = c.id;
        const f: Figures = await api.get<CampaignReport>(`/campaigns/${id}/report`).then(
          (r) => {
            const sum = (k: "opened" | "clicked") => r.variants.reduce((s, v) => s + v[k], 0);
            return { recipients: r.variants.reduce((s, v) => s + deliveredBase(v), 0), opened: sum("opened"), clicked: sum("clicked"), revenue: r.totals.revenue, currency: r.currency };
          },
          (err: unknown) => ({ error: errorMessage(err) }),
        );
        if (cancelled) return;
        done.current.set(id, stamp);
        setFigures((m) => new Map(m).set(id, f));
      }
    };
    void Promise.all([worker(), worker(), worker()]);
    return () => {
      cancelled = true;
    };
  }, [key]);
  return figures;
}

export function CampaignsPage() {
  useTitle("Campaigns");
  const q = useQuery();
  const status = (STATUSES as readonly string[]).includes(q.get("status") ?? "") ? (q.get("status") as CampaignStatus) : "";
  const list = useAsync(() => api.get<{ items: Campaign[]; next: number | null }>(`/campaigns${query({ status, limit: PAGE })}`), [status]);
  const [more, setMore] = useState<{ items: Campaign[]; next: number | null; loading: boolean; error: unknown }>({ items: [], next: null, loading: false, error: null });
  const [creating, setCreating] = useState(false);
  useEffect(() => setMore({ items: [], next: null, loading: false, error: null }), [status]);

  // While something sends, the first page refreshes itself.
  const items = [...(list.data?.items ?? []), ...more.items.filter((m) => !list.data?.items.some((c) => c.id === m.id))];
  const live = items.some((c) => isLive(c.status) || (c.status !== "paused" && c.progress && c.progress.queued + c.progress.sending > 0));
  useEffect(() => {
    if (!live) return;
    const t = setTimeout(list.reload, POLL_MS);
    return () => clearTimeout(t);
  }, [live, list.data]);
  const figures = useFigures(items);
  const next = more.items.length ? more.next : (list.data?.next ?? null);

  const loadMore = async () => {
    if (!next) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const page = await api.get<{ items: Campaign[]; next: number | null }>(`/campaigns${query({ status, limit: PAGE, before: next })}`);
      setMore((m) => ({ items: [...m.items, ...page.items], next: page.next, loading: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  };

  const create = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
      New campaign
    </Button>
  );
  return (
    <div class="page">
      <PageHeader title="Campaigns" subtitle={list.data && !status ? `${plural(items.length, "campaign")}${next ? " and more" : ""} · one-off emails to your segments and topics` : "One-off emails to your segments and topics"} actions={create} />
      <div class="toolbar">
        <Select
          label="Status"
          value={status}
          onValue={(s) => navigate(`/campaigns${query({ status: s })}`, { replace: true, keepScroll: true })}
          options={[{ value: "", label: "All statuses" }, ...STATUSES.map((s) => ({ value: s, label: STATUS[s].label }))]}
        />
        {list.data && status && <span class="muted small">{plural(items.length, `${STATUS[status].label.toLowerCase()} campaign`)}</span>}
      </div>
      {list.error && !list.data ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <TableSkeleton label="Loading campaigns" rows={4} columns={[["Campaign", 40], ["Status", 12], ["When", 18, "col-hide-narrow"], ["Recipients", 14], ["Opened", 8, "num"], ["Clicked", 8, "num"], ["Revenue", 10, "num col-hide-narrow"]]} />
      ) : items.length === 0 ? (
        <div class="card">
          {status ? (
            <EmptyState icon="campaigns" title={`No ${STATUS[status].label.toLowerCase()} campaigns`} actions={<Button onClick={() => navigate("/campaigns", { replace: true })}>Show all campaigns</Button>}>
              Nothing has this status right now.
            </EmptyState>
          ) : (
            <EmptyState icon="campaigns" title="No campaigns yet" actions={create}>
              A campaign sends one email to an audience you choose, such as a sale announcement to “Engaged (30 days)”. Test two subject lines on part of the audience first and let Tern send the better one to the rest.
            </EmptyState>
          )}
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-clickable campaigns-table" data-testid="campaigns-table">
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Status</th>
                <th class="col-hide-narrow">When</th>
                <th>Recipients</th>
                <th class="num">Opened</th>
                <th class="num">Clicked</th>
                <th class="num col-hide-narrow">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <Row key={c.id} c={c} f={figures.get(c.id)} />
              ))}
            </tbody>
          </table>
          {(next || more.error !== null) && (
            <div class="table-footer">
              <span class="muted">{plural(items.length, "campaign")} so far</span>
              {more.error !== null && <span class="text-danger">{errorMessage(more.error)}</span>}
              {next && (
                <Button size="sm" onClick={loadMore} loading={more.loading}>
                  Load more
                </Button>
              )}
            </div>
          )}
        </div>
      )}
      {creating && <NewCampaignDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const s = STATUS[status];
  return (
    <Badge tone={s.tone} dot>
      {s.label}
    </Badge>
  );
}

function When({ c }: { c: Campaign }) {
  const at = c.finishedAt ?? c.startedAt ?? c.scheduleAt;
  if (c.status === "draft") return <span class="muted">Not scheduled</span>;
  if (c.status === "scheduled" && !c.scheduleAt) return <span class="muted">After its parent campaign</span>;
  if (!at) return <span class="muted">—</span>;
  const label = c.status === "scheduled" ? "Starts" : c.status === "sent" ? "Sent" : c.status === "cancelled" ? "Cancelled" : "Started";
  return (
    <span title={formatDateTime(at)}>
      {label} {formatRelative(at)}
      <span class="cell-sub">{formatDateTime(at)}</span>
    </span>
  );
}

function Recipients({ c }: { c: Campaign }) {
  const p = c.progress;
  if (!p || c.status === "draft" || (c.status === "scheduled" && !c.startedAt)) return <span class="muted">—</span>;
  const total = p.total ?? 0;
  const done = processed(p);
  if (isLive(c.status) || c.status === "paused") {
    const share = total ? done / total : 0;
    return (
      <span class="camp-cell-progress">
        <span class="camp-mini-bar" role="progressbar" aria-label="Sent so far" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
          <span style={{ width: `${Math.min(100, share * 100)}%` }} />
        </span>
        <span class="cell-sub">
          {formatNumber(done)} of {formatNumber(total)}
        </span>
      </span>
    );
  }
  return (
    <span>
      <strong class="camp-num">{formatNumber(p.sent)}</strong>
      <span class="cell-sub">{total && total !== p.sent ? `of ${formatNumber(total)} in the audience` : "sent"}</span>
    </span>
  );
}

function Rate({ n, base, loading }: { n: number | undefined; base: number | undefined; loading: boolean }) {
  if (loading) return <span class="skeleton skeleton-num" />;
  if (n === undefined || !base) return <span class="muted">—</span>;
  return (
    <span>
      <strong class="camp-num">{fmtPct(pct(n, base))}</strong>
      <span class="cell-sub">{plural(n, "person", "people")}</span>
    </span>
  );
}

function Row({ c, f }: { c: Campaign; f: Figures | undefined }) {
  const href = `/campaigns/${c.id}`;
  const conf = useStore(settings);
  const figures = f && "recipients" in f ? f : null;
  const loading = Boolean(c.startedAt) && !f;
  return (
    <tr data-campaign={c.name} onClick={openRow(href)}>
      <td class="cell-name cell-fill-narrow">
        <Link href={href} class="row-link">
          {c.name}
        </Link>
        <span class="cell-sub">
          {c.abTest ? `A/B test · ${c.abTest.variants.length} variants` : c.audience.nonOpenersOf ? "Resend to non-openers" : c.subject ? c.subject : "\u00a0"}
        </span>
      </td>
      <td>
        <CampaignStatusBadge status={c.status} />
      </td>
      <td class="nowrap col-hide-narrow">
        <When c={c} />
      </td>
      <td class="nowrap">
        <Recipients c={c} />
      </td>
      <td class="num">{c.startedAt ? <Rate n={figures?.opened} base={figures?.recipients} loading={loading} /> : <span class="muted">—</span>}</td>
      <td class="num">{c.startedAt ? <Rate n={figures?.clicked} base={figures?.recipients} loading={loading} /> : <span class="muted">—</span>}</td>
      <td class="num col-hide-narrow">
        {loading ? <span class="skeleton skeleton-num" /> : figures && figures.revenue ? <strong class="camp-num">{formatMoney(figures.revenue, figures.currency ?? conf?.store.currency)}</strong> : <span class="muted">—</span>}
        {f && "error" in f && (
          <span class="cell-sub text-danger" title={f.error}>
            not loaded
          </span>
        )}
      </td>
    </tr>
  );
}

/** Name (and optionally the template) first; everything else is edited on the campaign's own page. */
function NewCampaignDialog({ onClose }: { onClose: () => void }) {
  const templates = useAsync(() => api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items), []);
  const [name, setName] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!name.trim()) {
      setErrors({ name: "Give the campaign a name, for example “Spring sale announcement”" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const c = await api.post<Campaign>("/campaigns", { name: name.trim(), ...(templateId ? { templateId: Number(templateId) } : {}) });
      toast(`Campaign “${c.name}” created`);
      navigate(`/campaigns/${c.id}`);
    } catch (err) {
      setBusy(false);
      setErrors(fieldErrors(err));
      setError(formError(err, ["name", "templateId"]));
    }
  };
  return (
    <Dialog
      title="New campaign"
      description="Start with a name; choose the audience, sender and schedule next."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Create campaign
          </Button>
        </>
      }
    >
      <TextField
        label="Campaign name"
        value={name}
        onValue={(v) => (setName(v), errors.name && setErrors({ ...errors, name: "" }))}
        placeholder="Spring sale announcement"
        hint="Only you see it; recipients see the subject."
        error={errors.name}
        maxLength={200}
        autoFocus
      />
      <SelectField
        label="Template"
        aside="Optional"
        value={templateId}
        onValue={setTemplateId}
        error={errors.templateId}
        options={[{ value: "", label: templates.data?.length ? "Choose later" : templates.data ? "No templates yet: choose later" : "Loading…" }, ...(templates.data ?? []).map((t) => ({ value: String(t.id), label: t.name }))]}
      />
      {error && <Alert>{error}</Alert>}
    </Dialog>
  );
}
