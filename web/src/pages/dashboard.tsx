/** The dashboard: audience and revenue over the last 30 days, new contacts per day, and first steps. */
import { api, settings } from "../api";
import { formatMoney, formatNumber, formatUtcDay, plural } from "../format";
import { Icon, type IconName } from "../icons";
import { Link } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { Overview, Topic, WriteKey } from "../types";
import { Card, LoadError, Loading, PageHeader, useAsync } from "../ui";

const DAY = 86_400_000;

export function Dashboard() {
  useTitle("Dashboard");
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  const data = useAsync(
    async () => {
      const [stats, keys, topics] = await Promise.all([
        api.get<Overview>("/stats/overview"),
        api.get<{ items: WriteKey[] }>("/write-keys"),
        api.get<{ items: Topic[] }>("/topics"),
      ]);
      return { stats, sources: keys.items.length, topics: topics.items.length };
    },
    [],
  );

  return (
    <div class="page">
      <PageHeader title="Dashboard" subtitle={conf ? `${conf.store.name} · last 30 days` : "Last 30 days"} />
      {data.error ? <LoadError error={data.error} retry={data.reload} /> : !data.data ? <Loading /> : <Body {...data.data} currency={currency} />}
    </div>
  );
}

function Body({ stats, sources, topics, currency }: { stats: Overview; sources: number; topics: number; currency: string }) {
  const aov = stats.orders ? stats.revenue / stats.orders : 0;
  const share = stats.contacts ? Math.round((stats.subscribers / stats.contacts) * 100) : 0;
  const steps: Step[] = [
    { done: sources > 0, title: "Connect your store", text: "Create a write key and point your storefront's Segment-compatible events at Tern.", href: "/settings/sources", cta: "Add a source", icon: "bolt" },
    { done: topics > 0, title: "Create a topic", text: "Topics are the lists people subscribe to, such as a newsletter or product news.", href: "/settings/topics", cta: "Create a topic", icon: "mail" },
    { done: stats.contacts > 0, title: "Bring in your contacts", text: "Import a CSV export from your shop or previous email tool.", href: "/contacts/import", cta: "Import contacts", icon: "upload" },
  ];
  return (
    <div class="stack-lg">
      {steps.some((s) => !s.done) && <GettingStarted steps={steps} />}
      <div class="stats-grid">
        <Stat icon="contacts" label="Contacts" value={formatNumber(stats.contacts)} note={`+${formatNumber(stats.newContacts)} in 30 days`} />
        <Stat icon="mail" label="Subscribers" value={formatNumber(stats.subscribers)} note={stats.contacts ? `${share}% of all contacts, on marketing topics` : "on marketing topics"} />
        <Stat icon="user" label="Active contacts" value={formatNumber(stats.activeContacts)} note="with any activity in 30 days" />
        <Stat icon="bolt" label="Events" value={formatNumber(stats.events)} note="tracked in 30 days" />
        <Stat icon="cart" label="Orders" value={formatNumber(stats.orders)} note={stats.orders ? `${formatMoney(aov, currency)} average order` : "Order Completed events"} />
        <Stat icon="reports" label="Revenue" value={formatMoney(stats.revenue, currency)} note="from orders in 30 days" />
      </div>
      <Card title="New contacts" subtitle={`${plural(stats.newContacts, "new contact")} in the last ${stats.days} days`}>
        <BarChart days={stats.days} points={stats.newContactsByDay} />
      </Card>
    </div>
  );
}

function Stat({ icon, label, value, note }: { icon: IconName; label: string; value: string; note: string }) {
  return (
    <div class="stat card" data-stat={label}>
      <div class="stat-label">
        <Icon name={icon} size={16} />
        {label}
      </div>
      <div class="stat-value">{value}</div>
      <div class="stat-note">{note}</div>
    </div>
  );
}

interface Step {
  done: boolean;
  title: string;
  text: string;
  href: string;
  cta: string;
  icon: IconName;
}

function GettingStarted({ steps }: { steps: Step[] }) {
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

/** Bars for each UTC day of the window (the stats endpoint buckets by UTC day), zero-filled. */
function BarChart({ days, points }: { days: number; points: { day: number; n: number }[] }) {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const byDay = new Map(points.map((p) => [p.day, p.n]));
  const series = Array.from({ length: days }, (_, i) => {
    const day = today - (days - 1 - i) * DAY;
    return { day, n: byDay.get(day) ?? 0 };
  });
  const max = Math.max(...series.map((s) => s.n));
  const top = niceCeil(max);
  const W = 600;
  const H = 160;
  const gap = 4;
  const bw = W / days - gap;
  const total = series.reduce((a, s) => a + s.n, 0);
  return (
    <div class="chart">
      <div class="chart-y">
        <span>{formatNumber(top)}</span>
        <span>{formatNumber(top / 2)}</span>
        <span>0</span>
      </div>
      <div class="chart-plot">
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`New contacts per day: ${total} in ${days} days, at most ${max} on one day`}>
          {[0, 0.5, 1].map((f) => (
            <line key={f} x1="0" x2={W} y1={H - f * H + (f === 0 ? -0.5 : 0.5)} y2={H - f * H + (f === 0 ? -0.5 : 0.5)} class="chart-grid" vector-effect="non-scaling-stroke" />
          ))}
          {series.map((s, i) => {
            const h = top ? (s.n / top) * H : 0;
            return (
              <rect key={s.day} x={i * (bw + gap) + gap / 2} y={H - Math.max(h, s.n ? 2 : 0)} width={bw} height={Math.max(h, s.n ? 2 : 0)} rx="2" class="chart-bar">
                <title>{`${formatUtcDay(s.day)}: ${plural(s.n, "new contact")}`}</title>
              </rect>
            );
          })}
        </svg>
        {total === 0 && <div class="chart-empty">No new contacts in this period yet</div>}
        <div class="chart-x">
          <span>{formatUtcDay(series[0]!.day)}</span>
          <span>{formatUtcDay(series[Math.floor(days / 2)]!.day)}</span>
          <span>Today</span>
        </div>
      </div>
    </div>
  );
}

/** A round, even axis maximum (1, 2, 4, 6, 8 × 10ⁿ) at or above `n`, and at least 4 so small counts sit low. */
function niceCeil(n: number): number {
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}
