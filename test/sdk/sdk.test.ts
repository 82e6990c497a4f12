// An unmodified Segment SDK pointed at Tern must work: the real SDK from npm, against the real Worker under
// wrangler dev. (RudderStack's node SDK speaks the same API with gzip bodies; its dependency tree breaks
// `npm ci` lockfiles, so gzip is covered by the ingest integration tests instead.)
import { Analytics as SegmentAnalytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS test support module
import { ownerSession, startDevServer } from "../support/dev-server.mjs";

let server: { url: string; stop: () => Promise<void> };
let api: (path: string, init?: RequestInit) => Promise<Response>;
let writeKey: string;

beforeAll(async () => {
  server = await startDevServer();
  api = await ownerSession(server.url);
  const res = await api("/api/write-keys", { method: "POST", body: JSON.stringify({ name: "SDK test" }) });
  writeKey = ((await res.json()) as { key: string }).key;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function contactTimeline(email: string, expected: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = (await (await api(`/api/contacts?q=${encodeURIComponent(email)}`)).json()) as { items: { id: number }[] };
    const contact = list.items[0];
    if (contact) {
      const profile = (await (await api(`/api/contacts/${contact.id}`)).json()) as Record<string, any>;
      const events = (await (await api(`/api/contacts/${contact.id}/events`)).json()) as { items: { name: string; properties: any }[] };
      if (events.items.length >= expected) return { profile, events: events.items };
    }
    if (Date.now() > deadline) throw new Error(`no contact ${email} with ${expected} events`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("@segment/analytics-node", () => {
  it("identifies, tracks an order and batches through /v1/batch", async () => {
    const analytics = new SegmentAnalytics({ writeKey, host: server.url, flushAt: 3, flushInterval: 200 });
    const errors: unknown[] = [];
    analytics.on("error", (e) => errors.push(e));
    analytics.identify({ userId: "seg-1", traits: { email: "segment.user@example.com", firstName: "Sam", plan: "pro" } });
    analytics.track({ userId: "seg-1", event: "Product Viewed", properties: { product_id: "mug-1", name: "Mug", price: 18 } });
    analytics.track({ userId: "seg-1", event: "Order Completed", properties: { order_id: "o-1", revenue: 36, currency: "USD", products: [{ product_id: "mug-1", price: 18, quantity: 2 }] } });
    analytics.page({ userId: "seg-1", name: "Thank you", properties: { url: "https://shop.example/thanks" } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const { profile, events } = await contactTimeline("segment.user@example.com", 3);
    expect(profile).toMatchObject({ externalId: "seg-1", firstName: "Sam", properties: { plan: "pro" }, orderCount: 1, revenue: 36 });
    expect(events.map((e) => e.name).sort()).toEqual(["Order Completed", "Page Viewed", "Product Viewed"]);
  });
});
