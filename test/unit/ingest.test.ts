import { describe, expect, it } from "vitest";
import { eventProducts, eventValue, parseMessage, type IngestMessage } from "../../worker/core/ingest";

const receivedAt = Date.UTC(2026, 10, 23, 12, 0, 0);
const ok = (raw: unknown, opts: Partial<Parameters<typeof parseMessage>[1]> = {}): IngestMessage => {
  const r = parseMessage(raw, { receivedAt, fallbackType: "track", ...opts });
  if ("issues" in r) throw new Error(JSON.stringify(r.issues));
  return r.message;
};
const issues = (raw: unknown, opts: Partial<Parameters<typeof parseMessage>[1]> = {}) => {
  const r = parseMessage(raw, { receivedAt, fallbackType: "track", ...opts });
  return "issues" in r ? r.issues : [];
};

describe("parseMessage", () => {
  it("normalises a track call", () => {
    const m = ok({ userId: 42, event: "Product Viewed", properties: { product_id: "p1", price: "12.5" }, messageId: "m1" });
    expect(m).toMatchObject({ type: "track", name: "Product Viewed", userId: "42", messageId: "m1", value: 12.5, occurredAt: receivedAt });
    expect(m.products).toEqual([{ id: "p1", price: 12.5 }].map((p) => expect.objectContaining(p)));
  });

  it("corrects clock skew from sentAt and falls back to originalTimestamp", () => {
    const fast = 7_200_000;
    const m = ok({ userId: "u", event: "E", timestamp: new Date(receivedAt + fast - 5000).toISOString(), sentAt: new Date(receivedAt + fast).toISOString() });
    expect(m.occurredAt).toBe(receivedAt - 5000);
    const o = ok({ userId: "u", event: "E", originalTimestamp: new Date(receivedAt - 1000).toISOString() });
    expect(o.occurredAt).toBe(receivedAt - 1000);
    const envelope = ok({ userId: "u", event: "E", timestamp: new Date(receivedAt + fast - 100).toISOString() }, { sentAt: new Date(receivedAt + fast).toISOString() });
    expect(envelope.occurredAt).toBe(receivedAt - 100);
  });

  it("refuses absurd timestamps", () => {
    expect(issues({ userId: "u", event: "E", timestamp: "1970-01-01T00:00:00Z" })[0]!.path).toBe("timestamp");
    expect(issues({ userId: "u", event: "E", timestamp: new Date(receivedAt + 3 * 86400_000).toISOString() })[0]!.path).toBe("timestamp");
  });

  it("uses identify traits and context.traits for identity", () => {
    const m = ok({ type: "identify", anonymousId: "a1", traits: { email: "X@Y.CO", first_name: "X", vip: true } });
    expect(m).toMatchObject({ type: "identify", name: null, email: "x@y.co", fields: { email: "x@y.co", firstName: "X" }, traits: { vip: true } });
    const t = ok({ anonymousId: "a1", event: "E", context: { traits: { email: "z@y.co" }, timezone: "Europe/Berlin", locale: "de-DE" } });
    expect(t.email).toBe("z@y.co");
    expect(t.fields).toMatchObject({ timezone: "Europe/Berlin", locale: "de-DE" });
  });

  it("names page and screen calls", () => {
    expect(ok({ type: "page", anonymousId: "a", name: "Pricing" })).toMatchObject({ name: "Page Viewed", properties: { name: "Pricing" } });
    expect(ok({ type: "screen", anonymousId: "a", name: "Home" }).name).toBe("Screen Viewed");
    expect(ok({ type: "group", userId: "u", groupId: "g1", traits: { plan: "team" } })).toMatchObject({ name: "Group", properties: { group_id: "g1", plan: "team" } });
  });

  it("requires an identity and a valid type", () => {
    expect(issues({ event: "E" })[0]!.message).toMatch(/userId or anonymousId/);
    expect(issues({ type: "bogus", userId: "u" }, { fallbackType: undefined })[0]!.path).toBe("type");
    expect(issues("string")[0]!.message).toMatch(/object/);
    expect(issues({ type: "alias", userId: "u" })[0]!.path).toBe("previousId");
  });

  it("prefixes issue paths inside a batch", () => {
    expect(issues({ userId: "u", event: "" }, { path: "batch.3" })[0]!.path).toBe("batch.3.event");
  });
});

describe("ecommerce", () => {
  it("takes revenue, then total, then value, then the products' sum", () => {
    expect(eventValue("Order Completed", { revenue: 10, total: 12 })).toBe(10);
    expect(eventValue("Order Completed", { total: "12.5" })).toBe(12.5);
    expect(eventValue("Checkout Started", { products: [{ price: 5, quantity: 2 }, { price: 1 }] })).toBe(11);
    expect(eventValue("Product Added", { price: 4, quantity: 3 })).toBe(12);
    expect(eventValue("Signed Up", { revenue: 10 })).toBeNull();
  });

  it("extracts catalog entries and keeps only http(s) links", () => {
    const products = eventProducts("Order Completed", {
      currency: "usd",
      products: [{ product_id: "p1", name: "Mug", url: "javascript:alert(1)", image_url: "https://cdn.example/m.jpg" }, "junk", { name: "no id" }],
    });
    expect(products).toEqual([expect.objectContaining({ id: "p1", name: "Mug", currency: "USD", url: undefined, imageUrl: "https://cdn.example/m.jpg" })]);
  });
});
