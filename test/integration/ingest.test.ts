import { beforeAll, describe, expect, it } from "vitest";
import { admin, basic, call, db, json, track, writeKey, type Admin } from "./helpers";

let a: Admin;
let key: string;

beforeAll(async () => {
  a = await admin();
  key = await writeKey(a);
});

const contactByEmail = (email: string) => db().prepare("SELECT * FROM contacts WHERE email = ?").bind(email).first<any>();
const eventsOf = (contactId: number) => db().prepare("SELECT * FROM events WHERE contact_id = ? ORDER BY occurred_at, id").bind(contactId).all<any>().then((r) => r.results);

describe("POST /v1/identify and /v1/track", () => {
  it("creates a contact from identify and stores traits", async () => {
    const res = await track(key, "identify", {
      userId: "u-1",
      traits: { email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", phone: "+44 20 7946 0000", timezone: "Europe/London", birthday: "1990-12-10", plan: "gold", visits: 3 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    const c = await contactByEmail("ada@example.com");
    expect(c).toMatchObject({ external_id: "u-1", first_name: "Ada", last_name: "Lovelace", timezone: "Europe/London", birthday: "1990-12-10" });
    expect(JSON.parse(c.properties)).toEqual({ plan: "gold", visits: 3 });
  });

  it("records a track event on the contact found by userId", async () => {
    const res = await track(key, "track", { userId: "u-1", event: "Product Viewed", properties: { product_id: "p-1", name: "Mug", price: 12 } });
    expect(res.status).toBe(200);
    const c = await contactByEmail("ada@example.com");
    const evs = await eventsOf(c.id);
    expect(evs.map((e: any) => e.name)).toContain("Product Viewed");
    const product = await db().prepare("SELECT * FROM products WHERE id = 'p-1'").first<any>();
    expect(product).toMatchObject({ name: "Mug", price: 12 });
  });

  it("accepts the write key as Bearer and in the body (analytics.js, text/plain)", async () => {
    let res = await call("/v1/track", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ userId: "u-1", event: "Bearer Test" }) });
    expect(res.status).toBe(200);
    res = await call("/v1/t", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ writeKey: key, userId: "u-1", event: "Body Key Test" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers CORS preflight", async () => {
    const res = await call("/v1/batch", { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });
});

describe("identity", () => {
  it("merges an anonymous visitor's history into the contact on identify", async () => {
    await track(key, "page", { anonymousId: "anon-7", name: "Home", properties: { url: "https://shop.example/" } });
    await track(key, "track", { anonymousId: "anon-7", event: "Product Added", properties: { product_id: "p-2", price: 30 } });
    const anon = await db().prepare("SELECT contact_id FROM contact_aliases WHERE alias = 'anon-7'").first<{ contact_id: number }>();
    expect(anon).toBeTruthy();

    // a known contact, created earlier by email only
    await track(key, "identify", { anonymousId: "other-device", traits: { email: "grace@example.com", first_name: "Grace" } });
    const grace = await contactByEmail("grace@example.com");

    const res = await track(key, "identify", { anonymousId: "anon-7", userId: "u-grace", traits: { email: "grace@example.com" } });
    expect(res.status).toBe(200);
    const after = await contactByEmail("grace@example.com");
    expect(after.id).toBe(grace.id);
    expect(after.external_id).toBe("u-grace");
    const names = (await eventsOf(grace.id)).map((e: any) => e.name);
    expect(names).toEqual(expect.arrayContaining(["Page Viewed", "Product Added"]));
    expect(await db().prepare("SELECT id FROM contacts WHERE id = ?").bind(anon!.contact_id).first()).toBeNull();
    const alias = await db().prepare("SELECT contact_id FROM contact_aliases WHERE alias = 'anon-7'").first<{ contact_id: number }>();
    expect(alias!.contact_id).toBe(grace.id);
  });

  it("merges within one batch: anonymous events then identify", async () => {
    const res = await track(key, "batch", {
      batch: [
        { type: "track", anonymousId: "anon-batch", event: "Product Viewed", properties: { product_id: "p-3" } },
        { type: "identify", anonymousId: "anon-batch", userId: "u-batch", traits: { email: "batch@example.com" } },
        { type: "track", userId: "u-batch", event: "Checkout Started", properties: { value: 80 } },
      ],
    });
    expect(res.status).toBe(200);
    const c = await contactByEmail("batch@example.com");
    expect((await eventsOf(c.id)).map((e: any) => e.name)).toEqual(["Product Viewed", "Checkout Started"]);
    const anonymous = await db().prepare("SELECT count(*) AS n FROM contacts WHERE email IS NULL AND external_id IS NULL AND id IN (SELECT contact_id FROM contact_aliases WHERE alias = 'anon-batch')").first<{ n: number }>();
    expect(anonymous!.n).toBe(0);
  });

  it("alias links a previous id to the user", async () => {
    await track(key, "track", { anonymousId: "prev-1", event: "Page Thing" });
    expect((await track(key, "alias", { previousId: "prev-1", userId: "u-alias" })).status).toBe(200);
    const c = await db().prepare("SELECT * FROM contacts WHERE external_id = 'u-alias'").first<any>();
    expect((await eventsOf(c.id)).map((e: any) => e.name)).toContain("Page Thing");
  });
});

describe("batch, dedupe, skew, ecommerce", () => {
  it("deduplicates on messageId, within a batch and across requests", async () => {
    const ev = { type: "track", userId: "u-dup", event: "Order Completed", messageId: "m-1", properties: { order_id: "o-1", revenue: 50 } };
    expect((await track(key, "batch", { batch: [ev, ev] })).status).toBe(200);
    expect((await track(key, "track", ev)).status).toBe(200);
    const c = await db().prepare("SELECT * FROM contacts WHERE external_id = 'u-dup'").first<any>();
    const evs = await eventsOf(c.id);
    expect(evs).toHaveLength(1);
    expect(c.order_count).toBe(1);
    expect(c.revenue).toBe(50);
  });

  it("corrects clock skew with sentAt", async () => {
    const skew = 3 * 3600 * 1000; // the device clock is 3 hours fast
    const deviceNow = Date.now() + skew;
    const before = Date.now();
    await track(key, "track", {
      userId: "u-skew", event: "Skewed", messageId: "skew-1",
      timestamp: new Date(deviceNow - 60_000).toISOString(), sentAt: new Date(deviceNow).toISOString(),
    });
    const row = await db().prepare("SELECT occurred_at FROM events WHERE message_id = 'skew-1'").first<{ occurred_at: number }>();
    expect(row!.occurred_at).toBeGreaterThanOrEqual(before - 60_000 - 1000);
    expect(row!.occurred_at).toBeLessThanOrEqual(Date.now() - 60_000 + 1000);
  });

  it("understands Order Completed: revenue, products and order totals; refunds subtract", async () => {
    await track(key, "batch", {
      batch: [
        { type: "identify", userId: "u-shop", traits: { email: "shopper@example.com" } },
        {
          type: "track", userId: "u-shop", event: "Order Completed",
          properties: { order_id: "o-10", currency: "eur", products: [{ product_id: "sku-1", name: "Tea", price: 10, quantity: 2, url: "https://shop.example/tea", image_url: "javascript:alert(1)" }] },
        },
        { type: "track", userId: "u-shop", event: "Order Completed", properties: { order_id: "o-11", total: 35.5 } },
        { type: "track", userId: "u-shop", event: "Order Refunded", properties: { order_id: "o-11", total: 5.5 } },
      ],
    });
    const c = await contactByEmail("shopper@example.com");
    expect(c.order_count).toBe(2);
    expect(c.revenue).toBeCloseTo(20 + 35.5 - 5.5);
    expect(c.first_order_at).toBeTruthy();
    const product = await db().prepare("SELECT * FROM products WHERE id = 'sku-1'").first<any>();
    expect(product).toMatchObject({ name: "Tea", currency: "EUR", url: "https://shop.example/tea", image_url: null });
  });

  it("applies batch-level context and sentAt", async () => {
    const res = await track(key, "batch", { context: { library: { name: "analytics-node" } }, batch: [{ type: "track", userId: "u-ctx", event: "With Context", messageId: "ctx-1" }] });
    expect(res.status).toBe(200);
    const row = await db().prepare("SELECT context FROM events WHERE message_id = 'ctx-1'").first<{ context: string }>();
    expect(JSON.parse(row!.context)).toEqual({ library: { name: "analytics-node" } });
  });

  it("accepts gzip-compressed bodies", async () => {
    const body = new Blob([JSON.stringify({ batch: [{ type: "track", userId: "u-gz", event: "Zipped" }] })]).stream().pipeThrough(new CompressionStream("gzip"));
    const res = await call("/v1/batch", { method: "POST", headers: { authorization: basic(key), "content-encoding": "gzip" }, body: await new Response(body).arrayBuffer() });
    expect(res.status).toBe(200);
  });
});

describe("hostile input", () => {
  const expectError = async (res: Response, status: number, code?: string) => {
    expect(res.status).toBe(status);
    const body = await json(res);
    expect(body.error).toBeTruthy();
    expect(typeof body.error.message).toBe("string");
    if (code) expect(body.error.code).toBe(code);
    return body.error;
  };

  it("refuses a missing or wrong write key with 401", async () => {
    await expectError(await call("/v1/track", { method: "POST", body: JSON.stringify({ userId: "x", event: "E" }) }), 401, "unauthorized");
    await expectError(await track("wk_wrong", "track", { userId: "x", event: "E" }), 401);
    await expectError(await call("/v1/track", { method: "POST", headers: { authorization: "Basic !!!notbase64" }, body: "{}" }), 401);
    await expectError(await call("/v1/track", { method: "POST", headers: { authorization: "Digest abc" }, body: "{}" }), 401);
  });

  it("refuses malformed JSON, wrong types and missing fields with 400 and issues", async () => {
    await expectError(await track(key, "track", "{not json"), 400, "invalid_request");
    await expectError(await track(key, "track", ""), 400);
    await expectError(await track(key, "track", "[]"), 400);
    let err = await expectError(await track(key, "track", { userId: "u", event: 42 }), 400);
    expect(err.issues[0].path).toBe("event");
    err = await expectError(await track(key, "track", { event: "No id" }), 400);
    expect(err.issues[0].path).toBe("userId");
    err = await expectError(await track(key, "identify", { userId: "u", traits: { email: "not-an-email" } }), 400);
    expect(err.issues[0].path).toBe("traits.email");
    err = await expectError(await track(key, "track", { userId: "u", event: "E", timestamp: "yesterday-ish" }), 400);
    err = await expectError(await track(key, "batch", { batch: [{ type: "track", userId: "u", event: "ok" }, { type: "explode", userId: "u" }] }), 400);
    expect(err.issues[0].path).toBe("batch.1.type");
    await expectError(await track(key, "batch", { batch: [] }), 400);
    await expectError(await track(key, "batch", { batch: "nope" }), 400);
    await expectError(await track(key, "identify", { userId: "u", traits: { email: "a@b.co\r\nBcc: x@evil.com" } }), 400);
  });

  it("refuses bodies over the limits with 413", async () => {
    const big = "x".repeat(33 * 1024);
    await expectError(await track(key, "track", { userId: "u", event: "Big", properties: { big } }), 413, "payload_too_large");
    const batch = Array.from({ length: 20 }, (_, i) => ({ type: "track", userId: "u", event: "Chunk", properties: { i, pad: "y".repeat(30 * 1024) } }));
    await expectError(await track(key, "batch", { batch }), 413);
    await expectError(await track(key, "batch", { batch: [{ type: "track", userId: "u", event: "Big", properties: { big } }] }), 413);
  });

  it("stores unicode and injection strings verbatim, without harm", async () => {
    const nasty = `Robert'); DROP TABLE contacts;-- <script>alert(1)</script> 🧨 ünïcødé \u202e`;
    const res = await track(key, "identify", { userId: "u-nasty", traits: { email: "nasty@example.com", firstName: nasty, [nasty]: nasty } });
    expect(res.status).toBe(200);
    const c = await contactByEmail("nasty@example.com");
    expect(c.first_name).toBe(nasty);
    expect(JSON.parse(c.properties)[nasty]).toBe(nasty);
    expect((await db().prepare("SELECT count(*) AS n FROM contacts").first<{ n: number }>())!.n).toBeGreaterThan(1);
  });

  it("answers unknown endpoints with a JSON 404", async () => {
    await expectError(await track(key, "explode", {}), 404);
  });
});
