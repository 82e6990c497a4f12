/**
 * A campaign once scheduled: live progress (polled while it is due or sending), the A/B test and its winner,
 * pause/resume/cancel, duplicate, the one-click resend to non-openers, and the report.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, settings } from "../api";
import { formatDateTime, formatMoney, formatNumber, formatRelative, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { Segment, TemplateSummary, Topic } from "../types";
import { Alert, Badge, Button, Card, ConfirmDialog, cx, DefinitionList, Dialog, LoadError, PageHeader, Spinner, TextField, toast, useAsync } from "../ui";
import { fmtPct } from "./dashboard";
import { abSentence, formatInZone, hoursText, isLive, METRIC_LABEL, pct, processed, scheduleText, type Campaign, type CampaignReport, type VariantFigures } from "./campaign-model";
import { ReportSection } from "./campaign-report";
import { CampaignStatusBadge } from "./campaigns";
import "./campaigns.css";

const POLL_MS = 3000;

type Pending = "pause" | "cancel" | "resend" | "winner" | null;

export function CampaignView({ initial, onChanged }: { initial: Campaign; onChanged: (c: Campaign) => void }) {
  const conf = useStore(settings);
  const zone = conf?.store.timezone ?? "UTC";
  const [campaign, setCampaign] = useState(initial);
  const [report, setReport] = useState<{ data: CampaignReport | null; error: unknown }>({ data: null, error: null });
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const c = campaign;
  useTitle(c.name);

  const lookups = useAsync(async () => {
    const [templates, topics, segments, all] = await Promise.all([
      api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items),
      api.get<{ items: Topic[] }>("/topics").then((r) => r.items),
      api.get<{ items: Segment[] }>("/segments").then((r) => r.items),
      api.get<{ items: Campaign[] }>("/campaigns?limit=200").then((r) => r.items),
    ]);
    return { templates, topics, segments, all };
  }, [c.id]);

  // Live progress: the campaign every few seconds while it is due or sending, the report every other time.
  const tick = useRef(0);
  const loadReport = () =>
    api.get<CampaignReport>(`/campaigns/${c.id}/report`).then(
      (data) => setReport({ data, error: null }),
      (error: unknown) => setReport((r) => ({ data: r.data, error })),
    );
  useEffect(() => {
    if (c.startedAt || c.status === "sent") void loadReport();
  }, [c.id, c.status, c.phase, c.winner?.variant]);
  useEffect(() => {
    // A finished fan-out can still have emails in the queue: keep counting until they are out.
    if (!isLive(c.status) && !(c.status !== "paused" && (c.progress?.queued ?? 0) + (c.progress?.sending ?? 0) > 0)) return;
    // Far-off schedules need no second-by-second updates.
    const far = c.status === "scheduled" && (!c.scheduleAt || c.scheduleAt - Date.now() > 60_000);
    const t = setTimeout(async () => {
      try {
        const next = await api.get<Campaign>(`/campaigns/${c.id}`);
        setCampaign(next);
        if (c.startedAt && ++tick.current % 2 === 0) void loadReport();
      } catch {
        // A failed poll is retried on the next tick (the effect runs again on the unchanged campaign).
        setCampaign((x) => ({ ...x }));
      }
    }, far ? 15_000 : POLL_MS);
    return () => clearTimeout(t);
  }, [campaign]);

  const act = async (what: string, path: string, body?: unknown) => {
    setBusy(what);
    try {
      const row = await api.post<Campaign>(`/campaigns/${c.id}/${path}`, body);
      const fresh = await api.get<Campaign>(`/campaigns/${c.id}`).catch(() => row);
      setCampaign(fresh);
      setBusy(null);
      return fresh;
    } catch (err) {
      setBusy(null);
      throw err;
    }
  };
  const tryAct = async (what: string, path: string, done: string) => {
    try {
      await act(what, path);
      toast(done);
    } catch (err) {
      toast(errorMessage(err), "red");
    }
  };

  const unschedule = async () => {
    setBusy("unschedule");
    try {
      const row = await api.post<Campaign>(`/campaigns/${c.id}/unschedule`);
      toast("Back to draft: edit it and schedule it again");
      onChanged(await api.get<Campaign>(`/campaigns/${row.id}`));
    } catch (err) {
      setBusy(null);
      toast(errorMessage(err), "red");
    }
  };
  const duplicate = async () => {
    setBusy("duplicate");
    try {
      const copy = await api.post<Campaign>(`/campaigns/${c.id}/duplicate`);
      toast(`Created the draft “${copy.name}”`);
      navigate(`/campaigns/${copy.id}`);
    } catch (err) {
      setBusy(null);
      toast(errorMessage(err), "red");
    }
  };

  const data = lookups.data;
  const templateName = (id: number | undefined | null) => (id ? (data?.templates.find((t) => t.id === id)?.name ?? `Template #${id}`) : "—");
  const parent = c.parentId ? data?.all.find((x) => x.id === c.parentId) : undefined;
  const followUps = (data?.all ?? []).filter((x) => x.parentId === c.id);
  const canResend = ["testing", "sending", "paused", "sent"].includes(c.status);

  const actions: ComponentChildren[] = [];
  if (c.status === "scheduled")
    actions.push(
      <Button key="edit" icon="edit" onClick={unschedule} loading={busy === "unschedule"}>
        Unschedule and edit
      </Button>,
    );
  if (c.status === "testing" || c.status === "sending")
    actions.push(
      <Button key="pause" onClick={() => setPending("pause")}>
        Pause
      </Button>,
    );
  if (c.status === "paused")
    actions.push(
      <Button key="resume" variant="primary" icon="send" onClick={() => tryAct("resume", "resume", "Sending resumed")} loading={busy === "resume"}>
        Resume
      </Button>,
    );
  if (["scheduled", "testing", "sending", "paused"].includes(c.status))
    actions.push(
      <Button key="cancel" variant="danger" icon="ban" onClick={() => setPending("cancel")}>
        Cancel
      </Button>,
    );
  actions.push(
    <Button key="dup" icon="copy" onClick={duplicate} loading={busy === "duplicate"}>
      Duplicate
    </Button>,
  );
  if (canResend)
    actions.push(
      <Button key="resend" variant={c.status === "sent" ? "primary" : "secondary"} icon="refresh" onClick={() => setPending("resend")}>
        Resend to non-openers
      </Button>,
    );

  return (
    <div class="page">
      <PageHeader
        back={{ href: "/campaigns", label: "Campaigns" }}
        title={c.name}
        subtitle={
          <span class="editor-status">
            <CampaignStatusBadge status={c.status} />
            <span>{headline(c, zone, parent?.name)}</span>
          </span>
        }
        actions={actions}
      />
      <div class="stack-lg">
        {c.error && (
          <Alert title={c.status === "paused" ? "Sending stopped after repeated errors" : "Sending ran into a problem"} action={c.status === "paused" ? <Button size="sm" onClick={() => tryAct("resume", "resume", "Sending resumed")}>Resume</Button> : undefined}>
            {c.error.message} ({plural(c.error.count, "time")}, last {formatRelative(c.error.at)}). {c.status === "paused" ? "Fix the cause, then resume: it continues where it stopped." : "Tern retries on its own."}
          </Alert>
        )}
        <div class="camp-view-grid">
          <ProgressCard c={c} zone={zone} parentName={parent?.name} />
          <DetailsCard c={c} zone={zone} data={data} parent={parent} followUps={followUps} />
        </div>
        {c.abTest && <AbCard c={c} report={report.data} templateName={templateName} onPick={() => setPending("winner")} />}
        {report.error !== null && !report.data ? (
          <LoadError error={report.error} retry={loadReport} />
        ) : c.startedAt || c.status === "sent" ? (
          report.data ? (
            <ReportSection report={report.data} campaign={c} templateName={templateName} />
          ) : (
            <div class="card card-pad">
              <Spinner small /> <span class="muted">Loading the report…</span>
            </div>
          )
        ) : (
          <div class="card card-pad camp-report-later">
            <Icon name="reports" size={18} />
            <span>The report (opens, clicks, revenue per variant, over time and per link) starts filling in as soon as the first emails go out.</span>
          </div>
        )}
      </div>

      {pending === "pause" && (
        <ConfirmDialog title={`Pause “${c.name}”?`} confirmLabel="Pause sending" dismissLabel="Keep sending" danger={false} onClose={() => setPending(null)} onConfirm={async () => (await act("pause", "pause"), toast("Sending paused"), setPending(null))}>
          <p>No more emails go out while it is paused, including those already waiting in the queue. Resume at any time: it continues where it stopped, and nobody gets it twice.</p>
        </ConfirmDialog>
      )}
      {pending === "cancel" && (
        <ConfirmDialog title={`Cancel “${c.name}”?`} confirmLabel="Cancel campaign" dismissLabel={c.status === "scheduled" ? "Keep it scheduled" : "Keep sending"} onClose={() => setPending(null)} onConfirm={async () => (await act("cancel", "cancel"), toast("Campaign cancelled"), setPending(null))}>
          <p>
            {c.status === "scheduled" ? "It will not be sent." : `Emails not yet sent are dropped${c.progress ? ` (about ${formatNumber(Math.max(0, (c.progress.total ?? 0) - processed(c.progress)))})` : ""}; the ${formatNumber(c.progress?.sent ?? 0)} already sent stay in the report.`}{" "}
            {followUps.some((f) => f.status === "scheduled") ? "Its scheduled resend to non-openers is cancelled too. " : ""}This cannot be undone, but you can duplicate it.
          </p>
        </ConfirmDialog>
      )}
      {pending === "resend" && <ResendDialog c={c} onClose={() => setPending(null)} onDone={(row) => (setPending(null), lookups.reload(), toast(`Resend scheduled: “${row.name}”`, "green", { label: "Open it", href: `/campaigns/${row.id}` }))} />}
      {pending === "winner" && c.abTest && <WinnerDialog c={c} report={report.data} templateName={templateName} onClose={() => setPending(null)} onPick={async (variant) => (await act("winner", "winner", variant ? { variant } : {}), toast(variant ? `Variant ${variant} goes to the rest` : "Winner chosen: it goes to the rest"), setPending(null))} />}
    </div>
  );
}

/** The line under the title: when it started, finished or will start. */
function headline(c: Campaign, zone: string, parentName?: string): string {
  if (c.status === "scheduled") return c.scheduleAt ? `Starts ${formatInZone(c.scheduleAt, zone)} ${zone} (${formatRelative(c.scheduleAt)})` : scheduleText(c.schedule, zone, parentName);
  if (c.status === "sent" && c.finishedAt) return `Sent ${formatDateTime(c.finishedAt)}`;
  if (c.status === "cancelled") return c.finishedAt ? `Cancelled ${formatDateTime(c.finishedAt)}` : "Cancelled";
  if (c.startedAt) return `Started ${formatDateTime(c.startedAt)}`;
  return "";
}

// ---- progress -------------------------------------------------------------------------------------------

function phaseText(c: Campaign, parentName?: string): { icon: "clock" | "send" | "check" | "ban" | "alert" | "sparkle"; text: ComponentChildren } {
  const ab = c.abTest;
  switch (c.status) {
    case "scheduled":
      return { icon: "clock", text: c.scheduleAt ? <>Waiting to start {formatRelative(c.scheduleAt)}. The audience is counted again then.</> : <>Waiting for “{parentName ?? "the original campaign"}” to finish sending.</> };
    case "testing":
      if (c.phase === "wait")
        return {
          icon: "sparkle",
          text: c.testEndsAt ? (
            <>
              Test emails sent. The winner is chosen at <strong>{formatDateTime(c.testEndsAt)}</strong> ({formatRelative(c.testEndsAt)}), then goes to the rest.
            </>
          ) : (
            "Test emails sent; waiting to choose the winner."
          ),
        };
      return { icon: "send", text: <>Sending the test: {plural(ab?.variants.length ?? 2, "variant")} to {ab?.testShare ?? 0}% of the audience.</> };
    case "sending":
      return { icon: "send", text: c.winner ? <>Sending variant {c.winner.variant}, the winner, to the rest of the audience.</> : c.nextAt && c.nextAt > Date.now() + 5000 ? <>Throttled: the next batch goes at {formatDateTime(c.nextAt)}.</> : "Sending." };
    case "paused":
      return { icon: "alert", text: "Paused: nothing goes out until you resume, including emails already in the queue." };
    case "sent":
      return { icon: "check", text: <>Finished {c.finishedAt ? formatRelative(c.finishedAt) : ""}.{c.winner ? ` Variant ${c.winner.variant} won the test.` : ""}</> };
    case "cancelled":
      return { icon: "ban", text: "Cancelled: emails not yet sent were dropped." };
    default:
      return { icon: "clock", text: "" };
  }
}

function ProgressCard({ c, zone, parentName }: { c: Campaign; zone: string; parentName?: string }) {
  const p = c.progress;
  const total = p?.total ?? c.total ?? 0;
  const done = p ? processed(p) : 0;
  const waiting = p ? p.queued + p.sending : 0;
  const width = (n: number) => `${total ? Math.min(100, (n / total) * 100) : 0}%`;
  const phase = phaseText(c, parentName);
  const live = isLive(c.status);
  const started = Boolean(c.startedAt);
  return (
    <Card
      title="Progress"
      subtitle={started ? `${formatNumber(done)} of ${plural(total, "recipient")} done` : c.status === "scheduled" ? scheduleText(c.schedule, zone, parentName) : "Not started"}
      actions={
        c.status === "testing" || c.status === "sending" ? (
          <span class="countbar-state is-live camp-live">
            <span class="live-dot" />
            Live
          </span>
        ) : undefined
      }
    >
      <div class="stack" data-testid="campaign-progress" data-status={c.status} data-phase={c.phase ?? ""}>
        <p class={cx("camp-phase", `is-${c.status}`)} data-testid="campaign-phase">
          <Icon name={phase.icon} size={16} />
          <span>{phase.text}</span>
        </p>
        {started && p && (
          <>
            <div class="camp-progress-figure">
              <strong data-testid="progress-sent">{formatNumber(p.sent)}</strong>
              <span>sent{total ? ` of ${formatNumber(total)}` : ""}</span>
              {live && total > 0 && <span class="muted">{Math.round((done / total) * 100)}%</span>}
            </div>
            <div class="camp-bar" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
              <span class="camp-bar-sent" style={{ width: width(p.sent) }} />
              <span class="camp-bar-queued" style={{ width: width(waiting) }} />
              <span class="camp-bar-failed" style={{ width: width(p.failed) }} />
              <span class="camp-bar-skipped" style={{ width: width(p.suppressed + p.cancelled) }} />
            </div>
            <dl class="camp-progress-legend">
              <Legend cls="camp-bar-sent" label="Sent" n={p.sent} title="Handed to the provider (delivered, bounced or complained later included)" />
              <Legend cls="camp-bar-queued" label="In the queue" n={waiting} title="Enqueued, waiting to be sent" />
              <Legend cls="camp-bar-failed" label="Failed" n={p.failed} title="The provider refused them after retries" />
              <Legend cls="camp-bar-skipped" label="Skipped" n={p.suppressed + p.cancelled} title="Suppressed, unsubscribed, over a frequency cap or cancelled at send time" />
            </dl>
            <p class="muted small">
              {formatNumber(p.enqueued)} of {formatNumber(total)} enqueued
              {c.status === "testing" && total > p.enqueued ? ` · ${formatNumber(total - p.enqueued)} wait for the winner` : ""}
              {c.maxPerHour ? ` · limited to ${formatNumber(c.maxPerHour)} an hour` : ""}
              {c.zonesDone?.length ? ` · ${plural(c.zonesDone.length, "time zone")} done` : ""} · <Link href="/outbox">See the emails in the Outbox</Link>
            </p>
          </>
        )}
      </div>
    </Card>
  );
}

function Legend({ cls, label, n, title }: { cls: string; label: string; n: number; title: string }) {
  return (
    <div title={title} data-legend={label}>
      <dt>
        <span class={cx("camp-swatch", cls)} />
        {label}
      </dt>
      <dd>{formatNumber(n)}</dd>
    </div>
  );
}

function DetailsCard({ c, zone, data, parent, followUps }: { c: Campaign; zone: string; data: { templates: TemplateSummary[]; topics: Topic[]; segments: Segment[] } | undefined; parent: Campaign | undefined; followUps: Campaign[] }) {
  const seg = (id: number) => data?.segments.find((s) => s.id === id)?.name ?? `Segment #${id}`;
  const topicName = (key: string) => data?.topics.find((t) => t.key === key)?.name ?? key;
  const sendingTopic = data?.topics.find((t) => t.id === c.topicId);
  const audience = [...c.audience.segments.map(seg), ...c.audience.topics.map((k) => `${topicName(k)} (topic)`)];
  const template = data?.templates.find((t) => t.id === c.templateId);
  return (
    <Card title="Details">
      <DefinitionList
        items={[
          ["Template", c.templateId ? <Link href={`/templates/${c.templateId}`}>{template?.name ?? `Template #${c.templateId}`}</Link> : null],
          ["Subject", c.abTest?.variants.some((v) => v.subject) ? `${c.abTest.variants.length} variants` : (c.subject ?? template?.subject ?? null)],
          [
            "Audience",
            c.audience.nonOpenersOf ? (
              <>
                People who did not open <Link href={`/campaigns/${c.audience.nonOpenersOf}`}>{parent?.name ?? `campaign #${c.audience.nonOpenersOf}`}</Link>
              </>
            ) : audience.length ? (
              audience.join(", ")
            ) : null,
          ],
          ...(c.audience.excludeSegments.length ? ([["Excluded", c.audience.excludeSegments.map(seg).join(", ")]] as [string, string][]) : []),
          ["Sending topic", sendingTopic?.name ?? null],
          ["From", c.sender.fromEmail ? `${c.sender.fromName ? `${c.sender.fromName} ` : ""}<${c.sender.fromEmail}>` : <span class="muted">Template or default sender</span>],
          ["Schedule", scheduleText(c.schedule, zone, parent?.name, c.status !== "scheduled")],
        ]}
      />
      {followUps.length > 0 && (
        <div class="camp-followups">
          <span class="mini-stat-label">Follow-ups</span>
          <ul>
            {followUps.map((f) => (
              <li key={f.id}>
                <Link href={`/campaigns/${f.id}`}>{f.name}</Link>
                <CampaignStatusBadge status={f.status} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

// ---- A/B test -------------------------------------------------------------------------------------------

/** Live figures per variant from the report (test group while testing), as the winner's figures are shaped. */
function liveFigures(report: CampaignReport | null): VariantFigures[] {
  return (report?.variants ?? [])
    .filter((v) => v.variant)
    .map((v) => {
      const recipients = Math.max(v.delivered, v.sent - v.bounced);
      return { variant: v.variant!, recipients, opens: v.opened, clicks: v.clicked, conversions: v.conversions, revenue: v.revenue, value: 0 };
    });
}

function metricValue(f: VariantFigures | undefined, metric: string, currency: string): string {
  if (!f || !f.recipients) return "—";
  if (metric === "opens") return fmtPct(pct(f.opens, f.recipients));
  if (metric === "clicks") return fmtPct(pct(f.clicks, f.recipients));
  return formatMoney(f.revenue / f.recipients, currency);
}

function AbCard({ c, report, templateName, onPick }: { c: Campaign; report: CampaignReport | null; templateName: (id: number | undefined) => string; onPick: () => void }) {
  const ab = c.abTest!;
  const w = c.winner;
  const currency = report?.currency ?? "USD";
  const figures = w ? w.figures : liveFigures(report);
  const byKey = new Map(figures.map((f) => [f.variant, f]));
  const waiting = c.status === "testing" && c.phase === "wait";
  const subtitle = w
    ? `Variant ${w.variant} won on ${METRIC_LABEL[w.metric].toLowerCase()} ${w.how === "manual" ? "(picked by you)" : `after ${hoursText(ab.waitHours)}`}, ${formatDateTime(w.decidedAt)}. Figures are the test group's at that moment.`
    : abSentence(ab);
  return (
    <Card
      title="A/B test"
      subtitle={subtitle}
      actions={
        waiting ? (
          <Button variant="primary" size="sm" icon="sparkle" onClick={onPick}>
            Pick winner now
          </Button>
        ) : undefined
      }
    >
      <div class="camp-ab-grid" data-testid="ab-state" data-winner={w?.variant ?? ""}>
        {ab.variants.map((v) => {
          const f = byKey.get(v.key);
          const won = w?.variant === v.key;
          return (
            <div key={v.key} class={cx("camp-ab-variant", won && "is-winner", w && !won && "is-loser")} data-variant={v.key}>
              <div class="camp-ab-head">
                <span class="camp-variant-key">{v.key}</span>
                {won && (
                  <Badge tone="green" dot>
                    Winner
                  </Badge>
                )}
              </div>
              <p class="camp-ab-what" title={v.subject ?? ""}>
                {v.templateId ? templateName(v.templateId) : (v.subject ?? c.subject ?? "The template's subject")}
              </p>
              <dl class="camp-ab-figures">
                <div class={ab.metric === "opens" ? "is-metric" : undefined}>
                  <dt>Opened</dt>
                  <dd>{metricValue(f, "opens", currency)}</dd>
                </div>
                <div class={ab.metric === "clicks" ? "is-metric" : undefined}>
                  <dt>Clicked</dt>
                  <dd>{metricValue(f, "clicks", currency)}</dd>
                </div>
                <div class={ab.metric === "revenue" ? "is-metric" : undefined}>
                  <dt>Revenue</dt>
                  <dd>{f ? formatMoney(f.revenue, currency) : "—"}</dd>
                </div>
              </dl>
              <span class="muted small">{f ? `${plural(f.recipients, "recipient")} in the test` : c.startedAt ? "Not sent yet" : "Starts with the campaign"}</span>
            </div>
          );
        })}
      </div>
      {waiting && c.testEndsAt && (
        <p class="camp-ab-wait">
          <Icon name="clock" size={15} />
          Chosen automatically by {METRIC_LABEL[ab.metric].toLowerCase()} at {formatDateTime(c.testEndsAt)} ({formatRelative(c.testEndsAt)}), or pick one now.
        </p>
      )}
    </Card>
  );
}

function WinnerDialog({ c, report, templateName, onClose, onPick }: { c: Campaign; report: CampaignReport | null; templateName: (id: number | undefined) => string; onClose: () => void; onPick: (variant: string | null) => Promise<void> }) {
  const ab = c.abTest!;
  const [choice, setChoice] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const figures = new Map(liveFigures(report).map((f) => [f.variant, f]));
  const currency = report?.currency ?? "USD";
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onPick(choice || null);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Pick the winner now"
      description={`The test would end ${c.testEndsAt ? formatRelative(c.testEndsAt) : "later"}. The variant you pick goes to the remaining ${100 - Math.floor(ab.testShare / ab.variants.length) * ab.variants.length}% of the audience right away.`}
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            {choice ? `Send variant ${choice} to the rest` : "Send the best so far"}
          </Button>
        </>
      }
    >
      <div class="camp-winner-options" role="radiogroup" aria-label="Winner">
        <label class={cx("camp-winner-option", choice === "" && "is-active")}>
          <input type="radio" name="winner" checked={choice === ""} onChange={() => setChoice("")} />
          <span>
            <strong>The best so far</strong>
            <span class="muted small">By {METRIC_LABEL[ab.metric].toLowerCase()}, as the automatic choice would judge it</span>
          </span>
        </label>
        {ab.variants.map((v) => {
          const f = figures.get(v.key);
          return (
            <label key={v.key} class={cx("camp-winner-option", choice === v.key && "is-active")}>
              <input type="radio" name="winner" checked={choice === v.key} onChange={() => setChoice(v.key)} />
              <span>
                <strong>
                  Variant {v.key}: {v.templateId ? templateName(v.templateId) : (v.subject ?? c.subject ?? "template subject")}
                </strong>
                <span class="muted small">
                  {f ? `${plural(f.recipients, "recipient")} · opened ${metricValue(f, "opens", currency)} · clicked ${metricValue(f, "clicks", currency)} · ${formatMoney(f.revenue, currency)}` : "no figures yet"}
                </span>
              </span>
            </label>
          );
        })}
      </div>
      {error !== null && <Alert>{errorMessage(error)}</Alert>}
    </Dialog>
  );
}

// ---- resend ---------------------------------------------------------------------------------------------

function ResendDialog({ c, onClose, onDone }: { c: Campaign; onClose: () => void; onDone: (row: Campaign) => void }) {
  const [hours, setHours] = useState("48");
  const [subject, setSubject] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const winner = c.abTest?.variants.find((v) => v.key === c.winner?.variant);
  const current = winner?.subject ?? c.subject ?? "the same subject";
  const submit = async () => {
    const h = Number(hours);
    if (!Number.isFinite(h) || h < 1 || h > 720) {
      setErrors({ afterHours: "Between 1 and 720 hours (30 days)" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const row = await api.post<Campaign>(`/campaigns/${c.id}/resend-non-openers`, { afterHours: h, ...(subject.trim() ? { subject: subject.trim() } : {}) });
      onDone(row);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.issues.length) setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      setError(err);
    }
  };
  return (
    <Dialog
      title="Resend to non-openers"
      description="A follow-up to everyone who received this campaign but neither opened nor clicked it (machine opens do not count as opens). People who open before it goes are left out."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Schedule resend
          </Button>
        </>
      }
    >
      <TextField label="Send it after" type="number" min={1} max={720} step={1} value={hours} onValue={(v) => (setHours(v), setErrors({}))} error={errors.afterHours} hint={`Hours after this campaign finishes sending${c.status === "sent" && c.finishedAt ? ` (it finished ${formatRelative(c.finishedAt)})` : ""}. 48 hours is usual.`} autoFocus />
      <TextField label="New subject" aside="Optional" value={subject} onValue={(v) => (setSubject(v), setErrors({}))} placeholder={current} error={errors.subject} hint="A fresh subject often does better the second time. Empty keeps the original." maxLength={500} />
      {error !== null && !Object.keys(errors).length && <Alert>{errorMessage(error)}</Alert>}
    </Dialog>
  );
}
