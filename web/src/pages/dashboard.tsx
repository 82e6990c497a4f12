/**
 * The dashboard: audience and list growth, email volume with human engagement (machine opens shown apart, never
 * mixed in), revenue credited to campaigns and flows next to the store's total, the best performers, and
 * complaint and bounce rates against the Gmail/Yahoo sender thresholds. One request per period.
 */
import type { ComponentChildren } from "preact";
import { api, query, settings } from "../api";
import { TimeChart } from "../charts";
import { formatMoney, formatNumber, plural } from "../format";
import { Icon, type IconName } from "../icons";
import { Link, navigate, useQuery } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { DashboardStats, Level, Performer, Topic, WriteKey } from "../types";
import { Alert, Badge, Card, cx, EmptyState, LoadError, Loading, PageHeader, Segmented, useAsync } from "../ui";

const PERIODS = [7, 30, 90];

/** A percentage as people read it: small rates keep their decimals (0.05%), large ones lose them (42%). */
export function fmtPct(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  if (p === 0) return "0%";
  if (p < 1) return `${Number(p.toFixed(2))}%`;
  if (p < 10) return `${Number(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}
const signed = (n: number) => (n > 0 ? `+${formatNumber(n)}` : n < 0 ? `−${formatNumber(-n)}` : "0");

export function Dashboard() {
  useTitle("Dashboard");
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  const q = useQuery();
  const days = PERIODS.includes(Number(q.get("days"))) ? Number(q.get("days")) : 30;
  const stats = useAsync(() => api.get<DashboardStats>(`/stats/dashboard?days=${days}`), [days]);
  const setup = useAsync(async () => {
    const [keys, topics] = await Promise.all([api.get<{ items: WriteKey[] }>("/write-keys"), api.get<{ items: Topic[] }>("/topics")]);
    return { sources: keys.items.length, topics: topics.items.length };
  }, []);

  return (
    <div class="page">
      <PageHeader
        title="Dashboard"
        subtitle={`${conf ? `${conf.store.name} · ` : ""}last ${days} days`}
        actions={
          <Segmented
            label="Period"
            value={String(days)}
            onValue={(d) => navigate(`/${query({ days: d === "30" ? "" : d })}`, { replace: true, keepScroll: true })}
            options={PERIODS.map((d) => ({ value: String(d), label: `${d} days` }))}
          />
        }
      />
      {stats.error ? (
        <LoadError error={stats.error} retry={stats.reload} />
      ) : !stats.data ? (
        <Loading />
      ) : (
        <div class={cx("stack-lg", stats.loading && "is-refreshing")}>
          {setup.data && <GettingStarted sources={setup.data.sources} topics={setup.data.topics} contacts={stats.data.totals.contacts} />}
          <Body stats={stats.data} currency={currency} />
        </div>
      )}
    </div>
  );
}

function Body({ stats, currency }: { stats: DashboardStats; currency: string }) {
  const { series, email, revenue, totals, deliverability } = stats;
  const days = series.map((d) => d.day);
  const period = `the last ${stats.days} days`;
  const subscribed = series.reduce((a, d) => a + d.subscribed, 0);
  const unsubscribed = series.reduce((a, d) => a + d.unsubscribed, 0);
  const attributed = revenue.campaigns + revenue.flows;
  const share = revenue.total > 0 ? (attributed / revenue.total) * 100 : null;
  const money = (v: number) => formatMoney(v, currency);
  const moneyAxis = (v: number) => formatMoney(v, currency, { compact: true }).replace(/\.00$/, "");
  const sent = email.sent > 0;

  return (
    <>
      <DeliverabilityAlert d={deliverability} sent={sent} />
      <div class="kpi-strip" data-testid="dashboard-figures">
        <Kpi label="Contacts" value={formatNumber(totals.contacts)} note={`${signed(totals.newContacts)} in ${stats.days} days`} icon="contacts" />
        <Kpi label="Subscribers" value={formatNumber(totals.subscribers)} note={`net ${signed(subscribed - unsubscribed)} in ${stats.days} days`} icon="mail" />
        <Kpi label="Emails sent" value={formatNumber(email.sent)} note={sent ? `${fmtPct(email.bounceRate)} bounced` : "none yet"} icon="send" />
        <Kpi label="Open rate" value={sent ? fmtPct(email.openRate) : "—"} note={sent ? `+${fmtPct(email.machineOpenRate)} machine opens left out` : "people, not machines"} icon="eye" />
        <Kpi label="Click rate" value={sent ? fmtPct(email.clickRate) : "—"} note={sent ? `${fmtPct(email.unsubscribeRate)} unsubscribed` : "people, not scanners"} icon="link" />
        <Kpi label="Email revenue" value={attributed >= 100_000 ? formatMoney(attributed, currency, { compact: true }) : attributed >= 1000 ? formatMoney(attributed, currency, { whole: true }) : money(attributed)} note={share !== null ? `${fmtPct(share)} of ${money(revenue.total)} store revenue` : "no orders yet"} icon="cart" />
      </div>

      <div class="dash-grid">
        <Card title="Audience" subtitle={`${formatNumber(totals.contacts)} contacts, ${formatNumber(totals.subscribers)} of them subscribed to marketing topics`}>
          <TimeChart
            days={days}
            label={`Contacts and subscribers per day over ${period}`}
            series={[
              { key: "contacts", label: "Contacts", color: "var(--chart-1)", kind: "area", values: series.map((d) => d.contacts) },
              { key: "subscribers", label: "Subscribers", color: "var(--chart-2)", kind: "line", values: series.map((d) => d.subscribers) },
            ]}
            empty={totals.contacts === 0 ? "No contacts yet: import a CSV or connect your store" : undefined}
          />
        </Card>
        <Card title="List growth" subtitle={subscribed || unsubscribed ? `${signed(subscribed)} subscribed, ${signed(-unsubscribed)} unsubscribed: net ${signed(subscribed - unsubscribed)}` : `No subscriptions or unsubscribes in ${period}`}>
          <TimeChart
            days={days}
            label={`New subscriptions and unsubscribes per day over ${period}`}
            series={[
              { key: "subscribed", label: "New subscriptions", color: "var(--chart-3)", kind: "bar", stack: "growth", values: series.map((d) => d.subscribed) },
              { key: "unsubscribed", label: "Unsubscribes", color: "var(--chart-5)", kind: "bar", stack: "growth", values: series.map((d) => -d.unsubscribed), display: (v) => formatNumber(Math.abs(v)) },
            ]}
            format={(v) => (v < 0 ? `−${formatNumber(-v)}` : formatNumber(v))}
            empty={`Signups from forms, imports and your store appear here`}
            tooltipExtra={(i) => <div class="chart-tooltip-note">Net {signed(series[i]!.subscribed - series[i]!.unsubscribed)}</div>}
          />
        </Card>
      </div>

      <EmailCard stats={stats} />

      <div class="dash-grid dash-grid-wide">
        <Card
          title="Revenue from email"
          subtitle={attributed ? `${money(attributed)} from ${plural(revenue.conversions, "order")} credited to email in ${period}` : `Orders placed after someone clicks (within 5 days) or opens (within 1 day) an email are credited to it`}
        >
          <div class="revenue-layout">
            <TimeChart
              days={days}
              label={`Revenue credited to campaigns and flows per day over ${period}`}
              height={240}
              format={moneyAxis}
              series={[
                { key: "campaigns", label: "Campaigns", color: "var(--chart-1)", kind: "bar", stack: "revenue", values: series.map((d) => d.revenueCampaigns), display: money },
                { key: "flows", label: "Flows", color: "var(--chart-2)", kind: "bar", stack: "revenue", values: series.map((d) => d.revenueFlows), display: money },
              ]}
              empty={sent ? "No orders credited to email yet" : "No email sent yet, so no revenue to credit"}
              tooltipExtra={(i) => <div class="chart-tooltip-note">Email total {money(series[i]!.revenueCampaigns + series[i]!.revenueFlows)}</div>}
            />
            <div class="revenue-side">
              <div class="revenue-figure" data-stat="Store revenue">
                <span class="mini-stat-label">Store revenue</span>
                <strong>{money(revenue.total)}</strong>
                <span class="muted small">{plural(revenue.orders, "order")} in {stats.days} days</span>
              </div>
              <div class="share-bar" role="img" aria-label={`Email ${fmtPct(share ?? 0)} of store revenue`}>
                <span class="share-campaigns" style={{ width: `${revenue.total ? Math.min(100, (revenue.campaigns / revenue.total) * 100) : 0}%` }} />
                <span class="share-flows" style={{ width: `${revenue.total ? Math.min(100, (revenue.flows / revenue.total) * 100) : 0}%` }} />
              </div>
              <dl class="revenue-list">
                <div>
                  <dt>
                    <span class="legend-swatch" style={{ color: "var(--chart-1)" }} />
                    Campaigns
                  </dt>
                  <dd>{money(revenue.campaigns)}</dd>
                </div>
                <div>
                  <dt>
                    <span class="legend-swatch" style={{ color: "var(--chart-2)" }} />
                    Flows
                  </dt>
                  <dd>{money(revenue.flows)}</dd>
                </div>
                <div>
                  <dt>
                    <span class="legend-swatch" style={{ color: "#e4e7ec" }} />
                    Not from email
                  </dt>
                  <dd>{money(Math.max(0, revenue.total - attributed))}</dd>
                </div>
              </dl>
            </div>
          </div>
        </Card>
        <DeliverabilityCard d={deliverability} email={email} sent={sent} />
      </div>

      <div class="dash-grid">
        <TopTable title="Top campaigns" items={stats.topCampaigns} currency={currency} emptyTitle="No campaigns sent yet" empty="Campaigns sent in this period appear here, best first by revenue." icon="campaigns" />
        <TopTable title="Top flows" items={stats.topFlows} currency={currency} emptyTitle="No flows sending yet" empty="Flows that send email, such as a welcome series or abandoned cart, appear here." icon="flows" />
      </div>
    </>
  );
}

function Kpi({ label, value, note, icon }: { label: string; value: string; note: string; icon: IconName }) {
  return (
    <div class="kpi" data-stat={label}>
      <span class="kpi-label">
        <Icon name={icon} size={15} />
        {label}
      </span>
      <span class="kpi-value stat-value">{value}</span>
      <span class="kpi-note">{note}</span>
    </div>
  );
}

function EmailCard({ stats }: { stats: DashboardStats }) {
  const { series, email } = stats;
  const sent = email.sent > 0;
  const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 10 : null);
  return (
    <Card title="Email" subtitle={sent ? `${plural(email.sent, "email")} sent in the last ${stats.days} days; rates count people, not machines` : `No email sent in the last ${stats.days} days`}>
      <div class="email-layout">
        <TimeChart
          days={series.map((d) => d.day)}
          label={`Emails sent per day, with open and click rates, over the last ${stats.days} days`}
          formatRight={(v) => `${Number(v.toFixed(1))}%`}
          series={[
            { key: "sent", label: "Emails sent", color: "var(--chart-1-soft)", kind: "bar", values: series.map((d) => d.sent) },
            { key: "open", label: "Open rate (people)", color: "var(--chart-1)", kind: "line", axis: "right", values: series.map((d) => rate(d.opened, d.sent)) },
            { key: "click", label: "Click rate", color: "var(--chart-4)", kind: "line", axis: "right", values: series.map((d) => rate(d.clicked, d.sent)) },
          ]}
          empty={
            <>
              Figures appear as soon as flows, campaigns or tests send. <Link href="/templates">Write a template</Link>
            </>
          }
        />
        <div class="email-side">
          <EmailFigure label="Opened" value={sent ? fmtPct(email.openRate) : "—"} sub={`${plural(email.opened, "person", "people")}`} />
          <div class="machine-note" data-testid="machine-opens" title="Apple Mail Privacy Protection and security scanners fetch every image, so they 'open' email nobody read. Tern counts them apart and leaves them out of the open rate.">
            <strong>+{fmtPct(email.machineOpenRate)}</strong>
            <span>{plural(email.machineOpened, "machine open")} (Apple Mail, scanners) not counted</span>
          </div>
          <EmailFigure label="Clicked" value={sent ? fmtPct(email.clickRate) : "—"} sub={`${plural(email.clicked, "person", "people")}; scanner clicks left out`} />
          <EmailFigure label="Unsubscribed" value={sent ? fmtPct(email.unsubscribeRate) : "—"} sub={plural(email.unsubscribed, "person", "people")} />
        </div>
      </div>
    </Card>
  );
}

function EmailFigure({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div class="email-figure" data-stat={label}>
      <span class="mini-stat-label">{label}</span>
      <strong>{value}</strong>
      <span class="muted small">{sub}</span>
    </div>
  );
}

// ---- deliverability -------------------------------------------------------------------------------------

const LEVEL: Record<Level, { tone: "green" | "amber" | "red"; label: string }> = {
  ok: { tone: "green", label: "Healthy" },
  warn: { tone: "amber", label: "Near the limit" },
  alarm: { tone: "red", label: "Over the limit" },
};

function DeliverabilityAlert({ d, sent }: { d: DashboardStats["deliverability"]; sent: boolean }) {
  if (!sent) return null;
  const c = d.complaints;
  const b = d.bounces;
  const worst: Level = c.level === "alarm" || b.level === "alarm" ? "alarm" : c.level === "warn" || b.level === "warn" ? "warn" : "ok";
  if (worst === "ok") return null;
  const parts: ComponentChildren[] = [];
  if (c.level !== "ok") parts.push(`Spam complaints are at ${fmtPct(c.rate)}, ${c.level === "alarm" ? `above the ${fmtPct(c.alarmAt)} Gmail and Yahoo allow` : `past the ${fmtPct(c.warnAt)} they recommend`}.`);
  if (b.level !== "ok") parts.push(` Bounces are at ${fmtPct(b.rate)} (${b.level === "alarm" ? `over ${fmtPct(b.alarmAt)}` : `over ${fmtPct(b.warnAt)}`}).`);
  return (
    <Alert tone={worst === "alarm" ? "red" : "amber"} title={worst === "alarm" ? "Your email is at risk of going to spam" : "Deliverability needs attention"}>
      {parts} Send to engaged contacts only for a while (the “Engaged (30 days)” segment), and remove old or bought addresses.
    </Alert>
  );
}

function DeliverabilityCard({ d, email, sent }: { d: DashboardStats["deliverability"]; email: DashboardStats["email"]; sent: boolean }) {
  return (
    <Card title="Deliverability" subtitle="Measured against the limits mailbox providers enforce">
      <div class="deliver-list">
        <Gauge name="Spam complaints" testId="complaints" m={d.complaints} count={email.complained} sent={sent} of="of delivered email" />
        <Gauge name="Bounces" testId="bounces" m={d.bounces} count={email.bounced} sent={sent} of="of sent email" />
      </div>
      <p class="deliver-why">
        Gmail and Yahoo require bulk senders to keep spam complaints under <strong>0.3%</strong> and recommend staying under <strong>0.1%</strong>; above that, email goes to spam or is refused. High bounce rates mean old or mistyped
        addresses, which providers read the same way. Tern stops mailing hard bounces and complainers on its own.
      </p>
    </Card>
  );
}

function Gauge({ name, testId, m, count, sent, of }: { name: string; testId: string; m: DashboardStats["deliverability"]["complaints"]; count: number; sent: boolean; of: string }) {
  const max = m.alarmAt * 1.5;
  const pos = (v: number) => `${Math.min(100, (v / max) * 100)}%`;
  const level = LEVEL[m.level];
  return (
    <div class={cx("gauge", sent && `is-${m.level}`)} data-testid={`deliverability-${testId}`} data-level={sent ? m.level : "none"}>
      <div class="gauge-head">
        <span class="gauge-name">{name}</span>
        {sent ? (
          <Badge tone={level.tone} dot>
            {level.label}
          </Badge>
        ) : (
          <Badge>No email yet</Badge>
        )}
      </div>
      <div class="gauge-value">
        <strong>{sent ? fmtPct(m.rate) : "—"}</strong>
        <span>{sent ? `${plural(count, name === "Bounces" ? "bounce" : "complaint")} · ${of}` : "nothing to measure yet"}</span>
      </div>
      <div class="gauge-track" role="img" aria-label={`${name}: ${fmtPct(m.rate)}; warning from ${fmtPct(m.warnAt)}, limit ${fmtPct(m.alarmAt)}`}>
        <span class="gauge-zone is-ok" style={{ width: pos(m.warnAt) }} />
        <span class="gauge-zone is-warn" style={{ left: pos(m.warnAt), width: `calc(${pos(m.alarmAt)} - ${pos(m.warnAt)})` }} />
        <span class="gauge-zone is-alarm" style={{ left: pos(m.alarmAt), right: 0 }} />
        {sent && <span class="gauge-marker" style={{ left: pos(m.rate) }} />}
      </div>
      <div class="gauge-scale">
        <span>0%</span>
        <span style={{ left: pos(m.warnAt) }}>{fmtPct(m.warnAt)}</span>
        <span style={{ left: pos(m.alarmAt) }}>{fmtPct(m.alarmAt)}</span>
      </div>
    </div>
  );
}

// ---- top performers ---------------------------------------------------------------------------------------

function TopTable({ title, items, currency, empty, emptyTitle, icon }: { title: string; items: Performer[]; currency: string; empty: string; emptyTitle: string; icon: IconName }) {
  const pct = (n: number, d: number) => (d > 0 ? fmtPct(Math.round((n / d) * 1000) / 10) : "—");
  return (
    <Card title={title} flush>
      {items.length === 0 ? (
        <EmptyState icon={icon} title={emptyTitle} compact>
          {empty}
        </EmptyState>
      ) : (
        <div class="table-scroll">
          <table class="table top-table">
            <thead>
              <tr>
                <th>Name</th>
                <th class="num">Opened</th>
                <th class="num">Clicked</th>
                <th class="num">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td class="cell-name">
                    <span class="top-name" title={p.name}>
                      {p.name}
                    </span>
                    <span class="cell-sub">{plural(p.sent, "email")} sent</span>
                  </td>
                  <td class="num" title={`${formatNumber(p.opened)} people`}>
                    {pct(p.opened, p.sent)}
                  </td>
                  <td class="num" title={`${formatNumber(p.clicked)} people`}>
                    {pct(p.clicked, p.sent)}
                  </td>
                  <td class="num">{p.revenue ? formatMoney(p.revenue, currency) : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

// ---- first steps ------------------------------------------------------------------------------------------

interface Step {
  done: boolean;
  title: string;
  text: string;
  href: string;
  cta: string;
  icon: IconName;
}

function GettingStarted({ sources, topics, contacts }: { sources: number; topics: number; contacts: number }) {
  const steps: Step[] = [
    { done: sources > 0, title: "Connect your store", text: "Create a write key and point your storefront's Segment-compatible events at Tern.", href: "/settings/sources", cta: "Add a source", icon: "bolt" },
    { done: topics > 0, title: "Create a topic", text: "Topics are the lists people subscribe to, such as a newsletter or product news.", href: "/settings/topics", cta: "Create a topic", icon: "mail" },
    { done: contacts > 0, title: "Bring in your contacts", text: "Import a CSV export from your shop or previous email tool.", href: "/contacts/import", cta: "Import contacts", icon: "upload" },
  ];
  if (steps.every((s) => s.done)) return null;
  const done = steps.filter((s) => s.done).length;
  return (
    <Card title="Get started with Tern" subtitle={`${done} of ${steps.length} done. Each step takes a minute or two.`}>
      <ol class="steps">
        {steps.map((s) => (
          <li key={s.title} class={s.done ? "is-done" : undefined}>
            <span class="step-mark">{s.done ? <Icon name="check" size={15} /> : <Icon name={s.icon} size={15} />}</span>
            <div class="step-text">
              <strong>{s.title}</strong>
              <span>{s.text}</span>
            </div>
            {s.done ? (
              <span class="step-done">Done</span>
            ) : (
              <Link class="btn btn-secondary btn-sm" href={s.href}>
                {s.cta}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </Card>
  );
}
