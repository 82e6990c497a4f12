import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../worker/core/settings";
import { attributeOrders } from "../../worker/store/attribution";
import { insertRows } from "../../worker/store/db";

const H = 3_600_000;
const DAY = 24 * H;
const t0 = Date.UTC(2026, 9, 1);
const settings = resolveSettings({});

async function setup() {
  await env.DB.batch([
    ...insertRows(env.DB, "INSERT INTO contacts (id, email, properties, status, source, created_at, updated_at)", 7, [1, 2, 3, 4].map((id) => [id, `c${id}@example.com`, "{}", "active", "test", 0, 0])),
    ...insertRows(env.DB, "INSERT INTO messages (id, idempotency_key, contact_id, kind, template_id, campaign_id, flow_id, flow_node_id, variant, status, queued_at, sent_at)", 12, [
      ["m-camp-a", "k1", 1, "marketing", 1, 7, null, null, "A", "sent", t0, t0],
      ["m-camp-b", "k2", 2, "marketing", 1, 7, null, null, "B", "sent", t0, t0],
      ["m-flow", "k3", 1, "marketing", 1, null, 3, "n2", null, "sent", t0, t0],
      ["m-old", "k4", 3, "marketing", 1, 8, null, null, null, "sent", t0, t0],
    ]),
  ]);
  const ev = (contact: number, name: string, at: number, email: string | null, flag: string | null, value: number | null = null) => [contact, name === "Order Completed" ? "track" : "email", name, "{}", value, at, at, "test", `${name}-${contact}-${at}`, email, flag];
  await env.DB.batch(
    insertRows(env.DB, "INSERT INTO events (contact_id, type, name, properties, value, occurred_at, received_at, source, message_id, email_id, flag)", 11, [
      // contact 1: opened the campaign, later clicked the flow email, then ordered -> the click wins
      ev(1, "Email Opened", t0 + 1 * H, "m-camp-a", "human"),
      ev(1, "Email Clicked", t0 + 2 * H, "m-flow", "human"),
      ev(1, "Order Completed", t0 + 5 * H, null, null, 120),
      // contact 2: only a machine open and a bot click, then an order -> nothing credited
      ev(2, "Email Opened", t0 + 1 * H, "m-camp-b", "machine"),
      ev(2, "Email Clicked", t0 + 1 * H, "m-camp-b", "bot"),
      ev(2, "Order Completed", t0 + 3 * H, null, null, 50),
      // contact 3: a click 6 days before the order is outside the 5-day window
      ev(3, "Email Clicked", t0, "m-old", "human"),
      ev(3, "Order Completed", t0 + 6 * DAY, null, null, 30),
      // contact 2 again: a human open 20 hours before a second order -> credited to variant B
      ev(2, "Email Opened", t0 + 2 * DAY, "m-camp-b", "human"),
      ev(2, "Order Completed", t0 + 2 * DAY + 20 * H, null, null, 70),
    ]),
  );
}

describe("attribution", () => {
  it("credits the last human click within 5 days, else the last human open within 1 day", async () => {
    await setup();
    expect(await attributeOrders(env.DB, settings)).toBe(2);
    const rows = await env.DB.prepare("SELECT contact_id, email_id, campaign_id, flow_id, flow_node_id, variant, touch, value FROM attributions ORDER BY contact_id").all<any>();
    expect(rows.results).toEqual([
      { contact_id: 1, email_id: "m-flow", campaign_id: null, flow_id: 3, flow_node_id: "n2", variant: null, touch: "click", value: 120 },
      { contact_id: 2, email_id: "m-camp-b", campaign_id: 7, flow_id: null, flow_node_id: null, variant: "B", touch: "open", value: 70 },
    ]);
    // a second run credits nothing twice
    expect(await attributeOrders(env.DB, settings)).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM attributions").first<{ n: number }>())!.n).toBe(2);
  });
});
