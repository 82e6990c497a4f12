/**
 * A campaign's report: the headline figures (people, never machines, in the rates), opens/clicks/revenue over
 * time (hourly for the first two days, then daily), the figures per A/B variant, and clicks per link.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { TimeChart } from "../charts";
import { formatMoney, formatNumber, plural } from "../format";
import { Link } from "../router";
import { Badge, Card, cx, Segmented } from "../ui";
import { fmtPct } from "./dashboard";
import { LinksTable } from "./reports";
import { deliveredBase, pct, type Campaign, type CampaignReport, type ReportVariant } from "./campaign-model";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function ReportSection({ report, campaign, templateName }: { report: CampaignReport; campaign: Campaign; templateName: (id: number | undefined) => string }) {
  const money = (v: number) => formatMoney(v, report.currency);
  const v = report.variants;
  const sum = (k: keyof ReportVariant) => v.reduce((s, r) => s + (Number(r[k]) || 0), 0);
  const total = {
    sent: sum("sent"),
    delivered: sum("delivered"),
    bounced: sum("bounced"),
    opened: sum("opened"),
    machineOpened: sum("machineOpened"),
    clicked: sum("clicked"),
    botClicked: sum("botClicked"),
    unsubscribed: sum("unsubscribed"),
    complained: sum("complained"),
    queued: sum("queued"),
  };
  const base = deliveredBase(total);
  const sent = total.sent > 0;
  return (
    <div class="stack-lg" data-testid="campaign-report">
      <div class="report-strip camp-report-strip" data-testid="report-figures">
        <Figure label="Recipients" value={formatNumber(base)} note={sent ? `${formatNumber(total.sent)} sent · ${formatNumber(total.bounced)} bounced` : total.queued ? `${formatNumber(total.queued)} waiting in the queue` : "nothing sent yet"} />
        <Figure label="Opened" value={sent ? fmtPct(pct(total.opened, base)) : "—"} note={`${plural(total.opened, "person", "people")} · +${formatNumber(total.machineOpened)} machine opens not counted`} />
        <Figure label="Clicked" value={sent ? fmtPct(pct(total.clicked, base)) : "—"} note={`${plural(total.clicked, "person", "people")}${total.opened ? ` · ${fmtPct(pct(total.clicked, total.opened))} of openers` : ""}`} />
        <Figure label="Revenue" value={money(report.totals.revenue)} note={`${plural(report.totals.conversions, "order")} · ${money(report.totals.revenuePerRecipient)} per recipient`} />
        <Figure label="Unsubscribed" value={sent ? fmtPct(pct(total.unsubscribed, base)) : "—"} note={`${plural(total.unsubscribed, "person", "people")} · ${plural(total.complained, "complaint")}`} warn={pct(total.complained, base) > 0.1} />
      </div>

      <OverTime report={report} campaign={campaign} />

      <VariantTable report={report} campaign={campaign} templateName={templateName} />

      <LinksTable links={report.links} title="Clicks per link" subtitle="People count each person once; bot clicks are link scanners, kept apart." testId="report-links" />
      <p class="footnote">
        Rates are of delivered email (sent minus bounces while your provider reports no deliveries), counting people once. Revenue counts orders placed within {plural(report.attribution.clickDays, "day")} of a click or {plural(report.attribution.openDays, "day")} of
        an open, credited to the last email before the order (<Link href="/settings/general">attribution settings</Link>).
      </p>
    </div>
  );
}

function Figure({ label, value, note, warn }: { label: string; value: string; note: ComponentChildren; warn?: boolean }) {
  return (
    <div class="report-figure" data-figure={label}>
      <span class="mini-stat-label">{label}</span>
      <span class={cx("report-figure-value", warn && "text-danger")}>{value}</span>
      <span class="report-figure-note">{note}</span>
    </div>
  );
}

// ---- over time ------------------------------------------------------------------------------------------

const hourFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const fullHourFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function OverTime({ report, campaign }: { report: CampaignReport; campaign: Campaign }) {
  const start = campaign.startedAt!;
  const now = Date.now();
  const old = now - start > 2 * DAY;
  const [view, setView] = useState<"hours" | "days">(old ? "days" : "hours");
  const money = (v: number) => formatMoney(v, report.currency);
  const moneyAxis = (v: number) => formatMoney(v, report.currency, { compact: true }).replace(/\.00$/, "");

  let keys: string[];
  let at: number[];
  let opens: number[];
  let clicks: number[];
  let revenue: number[];
  if (view === "hours") {
    // Hour buckets from the start, through now (or the first 48 hours), at least 12 of them.
    const last = Math.max(...report.series.filter((p) => p.span === "hour").map((p) => p.at), start);
    const hours = Math.max(6, Math.min(48, Math.ceil((Math.min(now, start + 2 * DAY) - start) / HOUR)), Math.ceil((last - start) / HOUR) + 1);
    at = Array.from({ length: Math.min(48, hours) }, (_, i) => start + i * HOUR);
    const byAt = new Map(report.series.filter((p) => p.span === "hour").map((p) => [p.at, p]));
    keys = at.map(String);
    opens = at.map((t) => byAt.get(t)?.opens ?? 0);
    clicks = at.map((t) => byAt.get(t)?.clicks ?? 0);
    revenue = at.map((t) => byAt.get(t)?.revenue ?? 0);
  } else {
    const first = dayKey(start);
    const end = dayKey(Math.max(now, ...report.series.map((p) => p.at)));
    keys = [];
    for (let t = Date.parse(`${first}T00:00:00Z`); dayKey(t) <= end; t += DAY) keys.push(dayKey(t));
    at = keys.map((k) => Date.parse(`${k}T00:00:00Z`));
    const sums = new Map(keys.map((k) => [k, { opens: 0, clicks: 0, revenue: 0 }]));
    for (const p of report.series) {
      const s = sums.get(dayKey(p.at));
      if (!s) continue;
      s.opens += p.opens;
      s.clicks += p.clicks;
      s.revenue += p.revenue;
    }
    opens = keys.map((k) => sums.get(k)!.opens);
    clicks = keys.map((k) => sums.get(k)!.clicks);
    revenue = keys.map((k) => Math.round(sums.get(k)!.revenue * 100) / 100);
  }
  const hourly = view === "hours";
  const tick = (i: number) => {
    const t = at[i]!;
    const prev = at[i - 1];
    return prev !== undefined && new Date(prev).getDate() !== new Date(t).getDate() ? dayFmt.format(t) : hourFmt.format(t);
  };
  return (
    <Card
      title="Opens, clicks and revenue over time"
      subtitle={hourly ? "Hour by hour from the start of the send: people opening and clicking for the first time, and attributed orders." : "Day by day (UTC): people opening and clicking for the first time, and attributed orders."}
      actions={
        old ? (
          <Segmented
            label="Time buckets"
            value={view}
            onValue={(v) => setView(v as "hours" | "days")}
            options={[
              { value: "hours", label: "First 48 hours" },
              { value: "days", label: "By day" },
            ]}
          />
        ) : undefined
      }
    >
      <div data-testid="report-chart">
        <TimeChart
          days={keys}
          label={`Opens, clicks and revenue per ${hourly ? "hour" : "day"} since the campaign started`}
          height={220}
          formatRight={moneyAxis}
          integer
          bucketLabel={hourly ? { tick, full: (i) => `${fullHourFmt.format(at[i]!)} – ${hourFmt.format(at[i]! + HOUR)}` } : undefined}
          series={[
            { key: "opens", label: "Opened (people)", color: "var(--chart-1)", kind: "area", values: opens },
            { key: "clicks", label: "Clicked (people)", color: "var(--chart-4)", kind: "line", values: clicks },
            { key: "revenue", label: "Revenue", color: "var(--chart-3)", kind: "bar", axis: "right", values: revenue, display: money },
          ]}
          empty={campaign.progress?.sent ? "No opens or clicks yet: they appear here as people read the email" : "Figures appear once the emails go out"}
        />
      </div>
    </Card>
  );
}

// ---- per variant ----------------------------------------------------------------------------------------

function Cell({ n, rate, sub, strong }: { n: number; rate?: number; sub?: string; strong?: boolean }) {
  return (
    <td class={n ? "num" : "num muted"}>
      {strong ? <strong>{formatNumber(n)}</strong> : formatNumber(n)}
      {rate !== undefined && n > 0 && <span class="cell-rate">{fmtPct(rate)}</span>}
      {sub && <span class="cell-machine">{sub}</span>}
    </td>
  );
}

function VariantTable({ report, campaign, templateName }: { report: CampaignReport; campaign: Campaign; templateName: (id: number | undefined) => string }) {
  const money = (v: number) => formatMoney(v, report.currency);
  const ab = campaign.abTest;
  const winner = campaign.winner?.variant;
  const rows = [...report.variants].sort((a, b) => String(a.variant ?? "").localeCompare(String(b.variant ?? "")));
  const describe = (key: string | null) => {
    if (!key || !ab) return "";
    const v = ab.variants.find((x) => x.key === key);
    if (!v) return "";
    return v.templateId ? templateName(v.templateId) : (v.subject ?? campaign.subject ?? "Template subject");
  };
  return (
    <Card title={ab ? "Variants" : "Delivery and engagement"} subtitle={ab ? "Each variant's recipients, including the rest of the audience for the winner." : undefined} flush>
      {rows.length === 0 ? (
        <p class="card-empty">Nothing sent yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="table report-table camp-variant-table" data-testid="variant-table">
            <thead>
              <tr>
                <th>{ab ? "Variant" : "Audience"}</th>
                <th class="num">Sent</th>
                <th class="num">Delivered</th>
                <th class="num">Bounced</th>
                <th class="num" title="People who opened; machine opens (Apple Mail Privacy Protection, scanners) beside">
                  Opened
                </th>
                <th class="num" title="People who clicked; clicks by link scanners beside">
                  Clicked
                </th>
                <th class="num">Unsub.</th>
                <th class="num" title="Marked as spam">
                  Spam
                </th>
                <th class="num">Orders</th>
                <th class="num">Revenue</th>
                <th class="num" title="Revenue per delivered email">
                  Per recipient
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const base = deliveredBase(r);
                return (
                  <tr key={String(r.variant)} data-variant={r.variant ?? ""} class={r.variant && r.variant === winner ? "is-winner" : undefined}>
                    <td class="cell-name camp-variant-cell">
                      <span class="camp-variant-name">
                        {r.variant ? <span class="camp-variant-key is-small">{r.variant}</span> : null}
                        {r.variant && r.variant === winner && <Badge tone="green">Winner</Badge>}
                        {!r.variant && "All recipients"}
                      </span>
                      {r.variant && (
                        <span class="cell-sub camp-variant-desc" title={describe(r.variant)}>
                          {describe(r.variant)}
                        </span>
                      )}
                    </td>
                    <Cell n={r.sent} />
                    <Cell n={r.delivered} rate={pct(r.delivered, r.sent)} />
                    <Cell n={r.bounced} rate={pct(r.bounced, r.sent)} />
                    <Cell n={r.opened} strong rate={pct(r.opened, base)} sub={r.machineOpened ? `+${formatNumber(r.machineOpened)} machine` : undefined} />
                    <Cell n={r.clicked} strong rate={pct(r.clicked, base)} sub={r.botClicked ? `+${formatNumber(r.botClicked)} bot` : undefined} />
                    <Cell n={r.unsubscribed} rate={pct(r.unsubscribed, base)} />
                    <Cell n={r.complained} rate={pct(r.complained, base)} />
                    <Cell n={r.conversions} />
                    <td class={r.revenue ? "num" : "num muted"}>{money(r.revenue)}</td>
                    <td class={r.revenuePerRecipient ? "num" : "num muted"}>{money(r.revenuePerRecipient)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
