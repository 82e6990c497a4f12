/**
 * Message reports: delivery and engagement per campaign, flow node, template or variant, with people and
 * machines counted apart (machine opens, bot clicks), and clicks per link.
 */

export interface ReportFilter {
  campaignId?: number;
  flowId?: number;
  templateId?: number;
  since?: number;
  until?: number;
}

export type GroupBy = "none" | "variant" | "node" | "template" | "campaign" | "flow" | "day";

const GROUP_COLUMN: Record<GroupBy, string> = {
  none: "'all'",
  variant: "coalesce(m.variant, '')",
  node: "coalesce(m.flow_node_id, '')",
  template: "m.template_id",
  campaign: "m.campaign_id",
  flow: "m.flow_id",
  day: "strftime('%Y-%m-%d', m.queued_at / 1000, 'unixepoch')",
};

function where(f: ReportFilter): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (f.campaignId) (conds.push("m.campaign_id = ?"), params.push(f.campaignId));
  if (f.flowId) (conds.push("m.flow_id = ?"), params.push(f.flowId));
  if (f.templateId) (conds.push("m.template_id = ?"), params.push(f.templateId));
  if (f.since) (conds.push("m.queued_at >= ?"), params.push(f.since));
  if (f.until) (conds.push("m.queued_at < ?"), params.push(f.until));
  return { sql: conds.length ? `WHERE ${conds.join(" AND ")}` : "", params };
}

export interface ReportRow {
  group: string | number | null;
  queued: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  failed: number;
  suppressed: number;
  opened: number;
  machineOpened: number;
  clicked: number;
  botClicked: number;
  unsubscribed: number;
}

export async function messageReport(d1: D1Database, f: ReportFilter, groupBy: GroupBy) {
  const w = where(f);
  const group = GROUP_COLUMN[groupBy];
  const and = w.sql ? `${w.sql} AND` : "WHERE";
  const [rows, bots, links] = await d1.batch([
    d1
      .prepare(
        `SELECT ${group} AS "group",
           count(*) FILTER (WHERE m.status IN ('queued', 'sending')) AS queued,
           count(m.sent_at) AS sent,
           count(*) FILTER (WHERE m.status = 'delivered' OR m.delivered_at IS NOT NULL) AS delivered,
           count(m.bounced_at) AS bounced,
           count(m.complained_at) AS complained,
           count(*) FILTER (WHERE m.status = 'failed') AS failed,
           count(*) FILTER (WHERE m.status = 'suppressed') AS suppressed,
           count(m.opened_at) AS opened,
           count(*) FILTER (WHERE m.machine_opened_at IS NOT NULL AND m.opened_at IS NULL) AS machineOpened,
           count(m.clicked_at) AS clicked,
           count(m.unsubscribed_at) AS unsubscribed
         FROM messages m ${w.sql}
         GROUP BY 1 ORDER BY 1`,
      )
      .bind(...w.params),
    // emails whose only clicks came from scanners
    d1
      .prepare(
        `SELECT ${group} AS "group", count(DISTINCT e.email_id) AS n FROM events e JOIN messages m ON m.id = e.email_id
         ${and} e.name = 'Email Clicked' AND e.flag = 'bot' AND m.clicked_at IS NULL GROUP BY 1`,
      )
      .bind(...w.params),
    d1
      .prepare(
        `SELECT json_extract(e.properties, '$.url') AS url,
                count(*) FILTER (WHERE e.flag = 'human') AS clicks,
                count(DISTINCT e.contact_id) FILTER (WHERE e.flag = 'human') AS people,
                count(*) FILTER (WHERE e.flag = 'bot') AS botClicks
         FROM events e JOIN messages m ON m.id = e.email_id
         ${and} e.name = 'Email Clicked'
         GROUP BY 1 ORDER BY clicks DESC, botClicks DESC LIMIT 100`,
      )
      .bind(...w.params),
  ]);
  const botsByGroup = new Map((bots!.results as { group: unknown; n: number }[]).map((b) => [b.group, b.n]));
  const groups = (rows!.results as unknown as Omit<ReportRow, "botClicked">[]).map((r) => {
    const row = { ...r, botClicked: botsByGroup.get(r.group) ?? 0 };
    return { ...row, rates: rates(row) };
  });
  return { groups, links: links!.results as { url: string; clicks: number; people: number; botClicks: number }[] };
}

/** Rates over what arrived: delivered when the provider reports deliveries, else sent minus bounced. */
export function rates(r: ReportRow) {
  const base = Math.max(r.delivered, r.sent - r.bounced);
  const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 100 : 0);
  return {
    open: pct(r.opened, base),
    machineOpen: pct(r.machineOpened, base),
    click: pct(r.clicked, base),
    clickToOpen: pct(r.clicked, r.opened),
    bounce: pct(r.bounced, r.sent),
    unsubscribe: pct(r.unsubscribed, base),
    complaint: pct(r.complained, base),
  };
}
