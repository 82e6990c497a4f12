/**
 * The dashboard: audience over time, email volume and human engagement, revenue credited to campaigns and
 * flows, the best performers, and deliverability rates measured against the Gmail/Yahoo sender thresholds.
 */

const DAY = 86_400_000;

/** Google and Yahoo's bulk-sender guidance: complaints stay under 0.3%, ideally under 0.1%. */
export const COMPLAINT_WARN = 0.1;
export const COMPLAINT_ALARM = 0.3;
/** Bounces above a few percent hurt a sender's reputation. */
export const BOUNCE_WARN = 2;
export const BOUNCE_ALARM = 5;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 100 : 0);

export async function dashboard(d1: D1Database, now: number, days = 30) {
  // `days` days including today
  const since = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const identified = "(email IS NOT NULL OR external_id IS NOT NULL)";
  const results = await d1.batch([
    d1.prepare(`SELECT count(*) AS n FROM contacts WHERE ${identified} AND created_at < ?`).bind(since),
    d1.prepare(`SELECT (created_at / ${DAY}) * ${DAY} AS day, count(*) AS n FROM contacts WHERE ${identified} AND created_at >= ? GROUP BY 1`).bind(since),
    // subscribers: people with at least one active marketing subscription, and how that changed per day
    d1.prepare(
      `SELECT count(DISTINCT s.contact_id) AS n FROM subscriptions s JOIN topics t ON t.id = s.topic_id
       WHERE t.kind = 'marketing' AND s.status = 'subscribed'`,
    ),
    d1.prepare(
      `SELECT (coalesce(s.confirmed_at, s.subscribed_at) / ${DAY}) * ${DAY} AS day, count(*) AS n FROM subscriptions s JOIN topics t ON t.id = s.topic_id
       WHERE t.kind = 'marketing' AND s.status = 'subscribed' AND coalesce(s.confirmed_at, s.subscribed_at) >= ? GROUP BY 1`,
    ).bind(since),
    d1.prepare(
      `SELECT (s.unsubscribed_at / ${DAY}) * ${DAY} AS day, count(*) AS n FROM subscriptions s JOIN topics t ON t.id = s.topic_id
       WHERE t.kind = 'marketing' AND s.status = 'unsubscribed' AND s.unsubscribed_at >= ? GROUP BY 1`,
    ).bind(since),
    d1.prepare(
      `SELECT (sent_at / ${DAY}) * ${DAY} AS day, count(*) AS sent, count(opened_at) AS opened, count(clicked_at) AS clicked,
              count(*) FILTER (WHERE machine_opened_at IS NOT NULL AND opened_at IS NULL) AS machineOpened
       FROM messages WHERE sent_at >= ? GROUP BY 1`,
    ).bind(since),
    d1.prepare(
      `SELECT count(*) AS sent, count(opened_at) AS opened, count(*) FILTER (WHERE machine_opened_at IS NOT NULL AND opened_at IS NULL) AS machineOpened,
              count(clicked_at) AS clicked, count(bounced_at) AS bounced, count(complained_at) AS complained, count(unsubscribed_at) AS unsubscribed
       FROM messages WHERE sent_at >= ?`,
    ).bind(since),
    d1.prepare("SELECT count(*) AS orders, round(coalesce(sum(value), 0), 2) AS revenue FROM events WHERE name = 'Order Completed' AND occurred_at >= ?").bind(since),
    d1.prepare(`SELECT (occurred_at / ${DAY}) * ${DAY} AS day, round(coalesce(sum(value), 0), 2) AS revenue FROM events WHERE name = 'Order Completed' AND occurred_at >= ? GROUP BY 1`).bind(since),
    d1.prepare(
      `SELECT round(coalesce(sum(value) FILTER (WHERE campaign_id IS NOT NULL), 0), 2) AS campaigns, round(coalesce(sum(value) FILTER (WHERE flow_id IS NOT NULL), 0), 2) AS flows,
              count(*) AS conversions
       FROM attributions WHERE occurred_at >= ?`,
    ).bind(since),
    d1.prepare(
      `SELECT (occurred_at / ${DAY}) * ${DAY} AS day, round(coalesce(sum(value) FILTER (WHERE campaign_id IS NOT NULL), 0), 2) AS campaigns,
              round(coalesce(sum(value) FILTER (WHERE flow_id IS NOT NULL), 0), 2) AS flows
       FROM attributions WHERE occurred_at >= ? GROUP BY 1`,
    ).bind(since),
    d1.prepare(
      `SELECT c.id, c.name, count(m.sent_at) AS sent, count(m.opened_at) AS opened, count(m.clicked_at) AS clicked,
              (SELECT round(coalesce(sum(a.value), 0), 2) FROM attributions a WHERE a.campaign_id = c.id) AS revenue
       FROM campaigns c LEFT JOIN messages m ON m.campaign_id = c.id
       WHERE c.status NOT IN ('draft') AND (c.started_at >= ? OR c.finished_at >= ?)
       GROUP BY c.id ORDER BY revenue DESC, opened DESC LIMIT 5`,
    ).bind(since, since),
    d1.prepare(
      `SELECT f.id, f.name, count(m.sent_at) AS sent, count(m.opened_at) AS opened, count(m.clicked_at) AS clicked,
              (SELECT round(coalesce(sum(a.value), 0), 2) FROM attributions a WHERE a.flow_id = f.id AND a.occurred_at >= ?1) AS revenue
       FROM flows f LEFT JOIN messages m ON m.flow_id = f.id AND m.sent_at >= ?1
       WHERE f.status != 'archived'
       GROUP BY f.id ORDER BY revenue DESC, opened DESC LIMIT 5`,
    ).bind(since),
  ]);
  const rows = <T>(i: number) => results[i]!.results as T[];
  const first = <T>(i: number) => rows<T>(i)[0]!;

  // Daily series with every day present, in UTC days.
  const dayKeys: string[] = [];
  for (let i = 0; i < days; i++) dayKeys.push(dayOf(since + i * DAY));
  const byDay = <T extends { day: number }>(list: T[]) => new Map(list.map((r) => [dayOf(r.day), r]));

  const newContacts = byDay(rows<{ day: number; n: number }>(1));
  let contacts = first<{ n: number }>(0).n;
  const subscribedByDay = byDay(rows<{ day: number; n: number }>(3));
  const unsubscribedByDay = byDay(rows<{ day: number; n: number }>(4));
  // Walk back from today's subscriber count so the series ends at the true current figure.
  const subscribersNow = first<{ n: number }>(2).n;
  const netAfter = new Map<string, number>();
  let running = 0;
  for (const d of [...dayKeys].reverse()) {
    netAfter.set(d, running);
    running += (subscribedByDay.get(d)?.n ?? 0) - (unsubscribedByDay.get(d)?.n ?? 0);
  }
  const sentByDay = byDay(rows<{ day: number; sent: number; opened: number; clicked: number; machineOpened: number }>(5));
  const storeRevenueByDay = byDay(rows<{ day: number; revenue: number }>(8));
  const revenueByDay = byDay(rows<{ day: number; campaigns: number; flows: number }>(10));
  const series = dayKeys.map((day) => {
    contacts += newContacts.get(day)?.n ?? 0;
    return {
      day,
      contacts,
      newContacts: newContacts.get(day)?.n ?? 0,
      subscribers: subscribersNow - netAfter.get(day)!,
      subscribed: subscribedByDay.get(day)?.n ?? 0,
      unsubscribed: unsubscribedByDay.get(day)?.n ?? 0,
      sent: sentByDay.get(day)?.sent ?? 0,
      opened: sentByDay.get(day)?.opened ?? 0,
      clicked: sentByDay.get(day)?.clicked ?? 0,
      machineOpened: sentByDay.get(day)?.machineOpened ?? 0,
      revenue: storeRevenueByDay.get(day)?.revenue ?? 0,
      revenueCampaigns: revenueByDay.get(day)?.campaigns ?? 0,
      revenueFlows: revenueByDay.get(day)?.flows ?? 0,
    };
  });

  const m = first<{ sent: number; opened: number; machineOpened: number; clicked: number; bounced: number; complained: number; unsubscribed: number }>(6);
  const delivered = Math.max(0, m.sent - m.bounced);
  const complaintRate = pct(m.complained, delivered);
  const bounceRate = pct(m.bounced, m.sent);
  const level = (value: number, warn: number, alarm: number) => (value >= alarm ? "alarm" : value >= warn ? "warn" : "ok");
  const orders = first<{ orders: number; revenue: number }>(7);
  const attributed = first<{ campaigns: number; flows: number; conversions: number }>(9);
  return {
    days,
    series,
    totals: { contacts, subscribers: subscribersNow, newContacts: series.reduce((s, d) => s + d.newContacts, 0) },
    email: {
      ...m,
      openRate: pct(m.opened, delivered),
      machineOpenRate: pct(m.machineOpened, delivered),
      clickRate: pct(m.clicked, delivered),
      unsubscribeRate: pct(m.unsubscribed, delivered),
      bounceRate,
      complaintRate,
    },
    deliverability: {
      complaints: { rate: complaintRate, level: level(complaintRate, COMPLAINT_WARN, COMPLAINT_ALARM), warnAt: COMPLAINT_WARN, alarmAt: COMPLAINT_ALARM },
      bounces: { rate: bounceRate, level: level(bounceRate, BOUNCE_WARN, BOUNCE_ALARM), warnAt: BOUNCE_WARN, alarmAt: BOUNCE_ALARM },
    },
    revenue: { total: orders.revenue, orders: orders.orders, campaigns: attributed.campaigns, flows: attributed.flows, conversions: attributed.conversions },
    topCampaigns: rows(11),
    topFlows: rows(12),
  };
}
