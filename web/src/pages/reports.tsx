/**
 * Reports: message delivery and engagement with people and machines counted apart (privacy-proxy opens and
 * scanner clicks are shown, never mixed in), per-link clicks, and the dead letters the send queue gave up on.
 */
import type { ComponentChildren } from "preact";
import { api, query } from "../api";
import { formatDate, formatDateTime, formatNumber, formatRelative, plural } from "../format";
import { Link, navigate, Redirect, useLocation } from "../router";
import { useTitle } from "../title";
import type { DeadLetter, MessageReport, ReportCounts, ReportRates, TemplateSummary } from "../types";
import { Card, EmptyState, LoadError, Loading, PageHeader, Segmented, Select, Tabs, useAsync } from "../ui";

const tabs = [
  { key: "messages", label: "Messages", href: "/reports" },
  { key: "dead-letters", label: "Dead letters", href: "/reports/dead-letters" },
];

export function ReportsPage({ tab }: { tab: string }) {
  const current = tabs.find((t) => t.key === tab);
  useTitle(current?.key === "dead-letters" ? "Dead letters" : "Reports");
  if (!current) return <Redirect to="/reports" />;
  return (
    <div class="page">
      <PageHeader title="Reports" subtitle="Delivery and engagement of the email Tern sends, with people and machines counted apart." />
      <Tabs items={tabs.map((t) => ({ href: t.href, label: t.label }))} current={current.href} />
      <div class="tab-panel">{tab === "messages" ? <MessagesReport /> : <DeadLetters />}</div>
    </div>
  );
}

// ---- messages -------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const periods = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "all", label: "All time" },
];

type Row = ReportCounts & { rates: ReportRates };

const zero: ReportCounts = { group: null, queued: 0, sent: 0, delivered: 0, bounced: 0, complained: 0, failed: 0, suppressed: 0, opened: 0, machineOpened: 0, clicked: 0, botClicked: 0, unsubscribed: 0 };

/** Rates over what arrived, as the server computes them: delivered when reported, else sent minus bounced. */
const baseOf = (r: ReportCounts) => Math.max(r.delivered, r.sent - r.bounced);
const pct = (n: number, d: number) => (d > 0 ? (n / d) * 100 : 0);
const fmtPct = (p: number) => `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;

export function MessagesReport() {
  const loc = useLocation();
  const params = new URLSearchParams(loc.search);
  const f = { template: params.get("template") ?? "", period: params.get("period") ?? "30", group: params.get("group") ?? "none" };
  const setFilter = (patch: Partial<typeof f>) => {
    const next = { ...f, ...patch };
    navigate(`/reports${query({ template: next.template, period: next.period === "30" ? "" : next.period, group: next.group === "none" ? "" : next.group })}`, { replace: true, keepScroll: true });
  };
  const templates = useAsync(() => api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items), []);
  // Day boundaries keep the request stable while the page is open.
  const since = f.period === "all" ? undefined : Math.floor(Date.now() / DAY) * DAY - (Number(f.period) - 1) * DAY;
  const filter = { templateId: f.template, since };
  const report = useAsync(async () => {
    const [total, grouped] = await Promise.all([
      api.get<MessageReport>(`/reports/messages${query({ ...filter, groupBy: "none" })}`),
      f.group === "none" ? null : api.get<MessageReport>(`/reports/messages${query({ ...filter, groupBy: f.group })}`),
    ]);
    return { total, grouped };
  }, [f.template, f.period, f.group]);

  const names = new Map((templates.data ?? []).map((t) => [String(t.id), t.name]));
  const groupLabel = (g: Row["group"]) => {
    if (f.group === "day") return formatDate(Date.parse(`${g}T12:00:00Z`));
    if (f.group === "template") return g == null ? "No template" : (names.get(String(g)) ?? `Template #${g}`);
    return String(g ?? "");
  };

  return (
    <div class="stack-lg">
      <div class="toolbar report-toolbar">
        <Select
          label="Template"
          value={f.template}
          onValue={(template) => setFilter({ template })}
          options={[{ value: "", label: "All templates" }, ...(templates.data ?? []).map((t) => ({ value: String(t.id), label: t.name }))]}
        />
        <Select label="Period" value={f.period} onValue={(period) => setFilter({ period })} options={periods} />
        <span class="toolbar-spacer" />
        <Segmented
          label="Group by"
          value={f.group}
          onValue={(group) => setFilter({ group })}
          options={[
            { value: "none", label: "Total" },
            { value: "day", label: "By day" },
            { value: "template", label: "By template" },
          ]}
        />
      </div>
      {report.error ? (
        <LoadError error={report.error} retry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <ReportBody total={report.data.total.groups[0] ?? { ...zero, rates: {} as ReportRates }} links={report.data.total.links} grouped={report.data.grouped?.groups ?? null} groupLabel={groupLabel} groupTitle={f.group === "day" ? "Day" : "Template"} />
      )}
    </div>
  );
}

function ReportBody({ total, links, grouped, groupLabel, groupTitle }: { total: Row; links: MessageReport["links"]; grouped: Row[] | null; groupLabel: (g: Row["group"]) => string; groupTitle: string }) {
  const t = total;
  const base = baseOf(t);
  if (!t.sent && !t.queued && !t.failed && !t.suppressed) {
    return (
      <div class="card">
        <EmptyState icon="reports" title="No email sent in this period" actions={<Link class="btn btn-secondary" href="/templates">Send a test from a template</Link>}>
          Figures appear here as soon as flows, campaigns or transactional sends go out.
        </EmptyState>
      </div>
    );
  }
  const pending = [t.queued && `${formatNumber(t.queued)} queued`, t.failed && `${formatNumber(t.failed)} failed`, t.suppressed && `${formatNumber(t.suppressed)} not sent (suppressed)`].filter(Boolean).join(" · ");
  return (
    <>
      <div class="report-strip" data-testid="report-totals">
        <Figure label="Sent" value={t.sent} note={pending || "handed to the provider"} />
        <Figure label="Delivered" value={t.delivered} rate={t.delivered ? pct(t.delivered, t.sent) : undefined} note={t.delivered ? "of sent" : "no delivery reports from the provider yet"} />
        <Figure label="Bounced" value={t.bounced} rate={pct(t.bounced, t.sent)} note="of sent" warn={pct(t.bounced, t.sent) > 2} />
        <Figure label="Unsubscribed" value={t.unsubscribed} rate={pct(t.unsubscribed, base)} note="of delivered" />
        <Figure label="Complained" value={t.complained} rate={pct(t.complained, base)} note="marked as spam" warn={pct(t.complained, base) > 0.1} />
      </div>
      <div class="engagement-grid">
        <Engagement
          title="Opened"
          people={t.opened}
          machines={t.machineOpened}
          base={base}
          machineLabel="machine opens"
          why="Apple Mail Privacy Protection and security scanners fetch every image, so they 'open' email nobody read."
        />
        <Engagement
          title="Clicked"
          people={t.clicked}
          machines={t.botClicked}
          base={base}
          machineLabel="bot-only clicks"
          why="Link scanners (Microsoft Defender, Mimecast…) follow links on arrival. Emails clicked only by them are not counted."
          extra={t.opened ? `${fmtPct(pct(t.clicked, t.opened))} of people who opened clicked` : undefined}
        />
      </div>
      {grouped && <GroupedTable rows={grouped} label={groupLabel} title={groupTitle} />}
      <LinksTable links={links} />
      <p class="footnote">
        People are counted once per email. Rates are of delivered email (sent minus bounced while your provider reports no deliveries); bounces are of sent. Figures cover messages queued in the period.
      </p>
    </>
  );
}

function Figure({ label, value, rate, note, warn }: { label: string; value: number; rate?: number; note?: ComponentChildren; warn?: boolean }) {
  return (
    <div class="report-figure" data-figure={label}>
      <span class="mini-stat-label">{label}</span>
      <span class="report-figure-value">
        {formatNumber(value)}
        {rate !== undefined && <span class={warn ? "report-rate is-warn" : "report-rate"}>{fmtPct(rate)}</span>}
      </span>
      {note && <span class="report-figure-note">{note}</span>}
    </div>
  );
}

/** People and machines side by side: a bar with both, and the machines explicitly left out of the rate. */
function Engagement({ title, people, machines, base, machineLabel, why, extra }: { title: string; people: number; machines: number; base: number; machineLabel: string; why: string; extra?: string }) {
  const human = pct(people, base);
  const machine = pct(machines, base);
  return (
    <section class="card engagement" data-engagement={title}>
      <div class="engagement-head">
        <div>
          <h2 class="card-title">{title}</h2>
          <p class="engagement-value">
            <strong>{fmtPct(human)}</strong>
            <span>{plural(people, "person", "people")}</span>
          </p>
        </div>
        <div class="engagement-machine" title={why}>
          <span class="engagement-machine-value">+{fmtPct(machine)}</span>
          <span>
            {plural(machines, machineLabel.replace(/s$/, ""), machineLabel)}
            <br />
            not counted
          </span>
        </div>
      </div>
      <div class="split-bar" role="img" aria-label={`${fmtPct(human)} people, ${fmtPct(machine)} ${machineLabel}`}>
        <span class="split-human" style={{ width: `${Math.min(100, human)}%` }} />
        <span class="split-machine" style={{ width: `${Math.min(100 - Math.min(100, human), machine)}%` }} />
      </div>
      <p class="engagement-line" data-testid={`${title.toLowerCase()}-line`}>
        {title === "Opened" ? "Opens" : "Clicks"} {fmtPct(human)} · +{fmtPct(machine)} {machineLabel} ({title === "Opened" ? "Apple Mail Privacy Protection, scanners" : "link scanners"}) not counted
      </p>
      <p class="engagement-why">
        {why}
        {extra && ` ${extra}.`}
      </p>
    </section>
  );
}

function Cell({ n, rate, sub }: { n: number; rate?: number; sub?: string }) {
  return (
    <td class={n ? "num" : "num muted"}>
      {formatNumber(n)}
      {rate !== undefined && n > 0 && <span class="cell-rate">{fmtPct(rate)}</span>}
      {sub && <span class="cell-machine">{sub}</span>}
    </td>
  );
}

function GroupedTable({ rows, label, title }: { rows: Row[]; label: (g: Row["group"]) => string; title: string }) {
  const sorted = title === "Day" ? [...rows].reverse() : [...rows].sort((a, b) => b.sent - a.sent);
  return (
    <Card title={title === "Day" ? "By day" : "By template"} flush>
      <div class="table-scroll">
        <table class="table report-table">
          <thead>
            <tr>
              <th>{title}</th>
              <th class="num">Sent</th>
              <th class="num">Delivered</th>
              <th class="num">Opened</th>
              <th class="num">Clicked</th>
              <th class="num">Unsubscribed</th>
              <th class="num">Bounced</th>
              <th class="num">Complained</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => {
              const base = baseOf(r);
              return (
                <tr key={String(r.group)}>
                  <td class="cell-name">{label(r.group)}</td>
                  <Cell n={r.sent} />
                  <Cell n={r.delivered} rate={pct(r.delivered, r.sent)} />
                  <Cell n={r.opened} rate={pct(r.opened, base)} sub={r.machineOpened ? `+${formatNumber(r.machineOpened)} machine` : undefined} />
                  <Cell n={r.clicked} rate={pct(r.clicked, base)} sub={r.botClicked ? `+${formatNumber(r.botClicked)} bot` : undefined} />
                  <Cell n={r.unsubscribed} rate={pct(r.unsubscribed, base)} />
                  <Cell n={r.bounced} rate={pct(r.bounced, r.sent)} />
                  <Cell n={r.complained} rate={pct(r.complained, base)} />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** Clicks per destination, for one template's messages or one campaign. */
export function LinksTable({ links, title = "Links", subtitle = "Clicks per destination. People count each person once; bot clicks are scanner hits, kept apart.", testId }: { links: MessageReport["links"]; title?: string; subtitle?: string; testId?: string }) {
  return (
    <Card title={title} subtitle={subtitle} flush>
      {links.length === 0 ? (
        <p class="card-empty">No clicks yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="table" data-testid={testId}>
            <thead>
              <tr>
                <th>Link</th>
                <th class="num">Clicks</th>
                <th class="num">People</th>
                <th class="num">Bot clicks</th>
              </tr>
            </thead>
            <tbody>
              {links.map((l) => (
                <tr key={l.url}>
                  <td class="cell-url">
                    <a href={l.url} target="_blank" rel="noopener noreferrer" title={l.url}>
                      {l.url}
                    </a>
                  </td>
                  <td class="num">{formatNumber(l.clicks)}</td>
                  <td class="num">{formatNumber(l.people)}</td>
                  <td class="num muted">{formatNumber(l.botClicks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

// ---- dead letters ---------------------------------------------------------------------------------------

function DeadLetters() {
  const list = useAsync(() => api.get<{ items: DeadLetter[] }>("/reports/dead-letters").then((r) => r.items), []);
  return (
    <>
      <div class="section-intro">
        <p>
          A dead letter is a send the queue gave up on: every retry failed (eight attempts, backing off from 30 seconds to an hour), usually because the provider was down or refused the credentials. Nothing is lost silently: each one is kept here, and Tern does not retry it on its own. Fix the cause in{" "}
          <Link href="/settings/sending">Settings → Sending</Link>, then send again.
        </p>
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="check" title="No dead letters">
            Every send has either gone out or was stopped for a reason recorded on the message, such as a suppressed address or an unsubscribe.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table">
            <thead>
              <tr>
                <th class="nowrap">When</th>
                <th>To</th>
                <th>Subject</th>
                <th>Last error</th>
                <th>Queue</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.id}>
                  <td class="nowrap muted" title={formatDateTime(d.createdAt)}>
                    {formatRelative(d.createdAt)}
                  </td>
                  <td class="cell-email">{d.toEmail ?? <span class="muted">unknown</span>}</td>
                  <td>
                    {d.subject ?? <span class="muted">—</span>}
                    {d.messageId && <span class="cell-sub mono">{d.messageId}</span>}
                  </td>
                  <td class="cell-error">{d.lastError ?? d.error ?? <span class="muted">no error recorded</span>}</td>
                  <td>
                    <code>{d.queue}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="table-footer">
            <span class="muted">{list.data.length >= 200 ? "The 200 most recent" : plural(list.data.length, "dead letter")}</span>
          </div>
        </div>
      )}
    </>
  );
}
