import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertRows } from "../../worker/store/db";
import { admin, json, type Admin } from "./helpers";

const DAY = 86_400_000;
let a: Admin;

beforeAll(async () => {
  a = await admin();
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO topics (id, key, name, kind, created_at) VALUES (1, 'news', 'News', 'marketing', 0)"),
    ...insertRows(env.DB, "INSERT INTO contacts (id, email, properties, status, source, created_at, updated_at)", 7, Array.from({ length: 10 }, (_, i) => [i + 1, `d${i}@example.com`, "{}", "active", "test", i < 4 ? now - 100 * DAY : now - i * DAY, 0])),
    ...insertRows(env.DB, "INSERT INTO subscriptions (contact_id, topic_id, status, source, subscribed_at, confirmed_at, unsubscribed_at, updated_at)", 8, [
      [1, 1, "subscribed", "t", now - 200 * DAY, now - 200 * DAY, null, 0],
      [5, 1, "subscribed", "t", now - 5 * DAY, now - 5 * DAY, null, 0],
      [6, 1, "unsubscribed", "t", now - 50 * DAY, now - 50 * DAY, now - 2 * DAY, 0],
    ]),
    // 1000 emails sent 3 days ago: 300 human opens, 50 clicks, 20 bounces, 2 complaints (0.2% of delivered: a warning)
    ...insertRows(env.DB, "INSERT INTO messages (id, idempotency_key, contact_id, kind, template_id, campaign_id, status, queued_at, sent_at, opened_at, clicked_at, bounced_at, complained_at)", 13,
      Array.from({ length: 1000 }, (_, i) => [`m${i}`, `k${i}`, 1, "marketing", 1, 1, "sent", now - 3 * DAY, now - 3 * DAY, i < 300 ? now - 2 * DAY : null, i < 50 ? now - 2 * DAY : null, i >= 980 ? now - 3 * DAY : null, i < 2 ? now - 2 * DAY : null])),
    env.DB.prepare("INSERT INTO campaigns (id, name, status, audience, started_at, created_at, updated_at) VALUES (1, 'Spring', 'sent', '{}', ?, 0, 0)").bind(now - 3 * DAY),
    ...insertRows(env.DB, "INSERT INTO attributions (event_id, contact_id, email_id, campaign_id, flow_id, touch, value, occurred_at)", 8, [
      [1, 1, "m1", 1, null, "click", 100, now - DAY],
      [2, 1, "m2", null, 4, "open", 40, now - DAY],
    ]),
  ]);
});

describe("dashboard", () => {
  it("reports audience, email, revenue and deliverability for the window", async () => {
    const d = await json(await a.fetch("/api/stats/dashboard?days=30"));
    expect(d.series).toHaveLength(30);
    expect(d.series.at(-1).day).toBe(new Date().toISOString().slice(0, 10));
    expect(d.totals).toMatchObject({ contacts: 10, subscribers: 2, newContacts: 6 });
    expect(d.series.at(-1).contacts).toBe(10);
    expect(d.series.at(-1).subscribers).toBe(2);
    // a week ago contact 5 had not subscribed yet and contact 6 had not left
    expect(d.series.at(-8).subscribers).toBe(2);
    expect(d.email).toMatchObject({ sent: 1000, opened: 300, clicked: 50, bounced: 20, complained: 2, openRate: 30.61, clickRate: 5.1, bounceRate: 2 });
    expect(d.deliverability.complaints).toMatchObject({ rate: 0.2, level: "warn" });
    expect(d.deliverability.bounces).toMatchObject({ rate: 2, level: "warn" });
    expect(d.revenue).toMatchObject({ campaigns: 100, flows: 40, conversions: 2 });
    expect(d.topCampaigns[0]).toMatchObject({ name: "Spring", sent: 1000, revenue: 100 });
    expect((await a.fetch("/api/stats/dashboard?days=3")).status).toBe(400);
  });
});
