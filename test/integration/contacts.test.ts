import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../worker/core/csv";
import { sha256Hex } from "../../worker/core/crypto";
import { admin, json, track, writeKey, type Admin } from "./helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/topics", { method: "POST", json: { key: "newsletter", name: "Newsletter" } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "vip", name: "VIP", doubleOptIn: false } });
});

const create = async (body: unknown) => a.fetch("/api/contacts", { method: "POST", json: body });

describe("create and update", () => {
  it("creates a contact with fields, properties and topics, recording consent", async () => {
    const res = await create({ email: "Mia@Example.com", firstName: "Mia", timezone: "Europe/Paris", birthday: "04-01", properties: { tier: "gold" }, topics: { newsletter: "subscribed" } });
    expect(res.status).toBe(201);
    const c = await json(res);
    expect(c).toMatchObject({ email: "mia@example.com", firstName: "Mia", birthday: "--04-01", properties: { tier: "gold" }, source: "admin" });
    expect(c.subscriptions).toEqual([expect.objectContaining({ key: "newsletter", status: "subscribed", source: "admin", consentText: "added by owner@example.com" })]);
  });

  it("refuses duplicates, unknown topics and invalid values", async () => {
    expect((await create({ email: "mia@example.com" })).status).toBe(409);
    const unknown = await create({ email: "x@example.com", topics: { nope: "subscribed" } });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.issues[0].path).toBe("topics.nope");
    const invalid = await create({ email: "x@example.com", timezone: "Nowhere/City", birthday: "1990-02-31", properties: { ["x".repeat(200)]: 1 } });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.issues.map((i: any) => i.path.split(".")[0]).sort()).toEqual(["birthday", "properties", "timezone"]);
    expect((await create({ firstName: "No identity" })).status).toBe(400);
    expect((await create({ email: "evil@example.com\r\nBcc: all@example.com" })).status).toBe(400);
  });

  it("patches fields, merges properties (null removes) and unsubscribes while keeping consent", async () => {
    const { id } = await json(await create({ email: "leo@example.com", properties: { a: 1, b: 2 }, topics: { newsletter: "subscribed" } }));
    const res = await a.fetch(`/api/contacts/${id}`, { method: "PATCH", json: { lastName: "Stone", properties: { b: null, c: 3 }, topics: { newsletter: "unsubscribed" } } });
    expect(res.status).toBe(200);
    const c = await json(res);
    expect(c).toMatchObject({ lastName: "Stone", properties: { a: 1, c: 3 } });
    expect(c.subscriptions[0]).toMatchObject({ status: "unsubscribed", consentText: "added by owner@example.com" });
    expect(c.subscriptions[0].unsubscribedAt).toBeGreaterThan(0);
    expect((await a.fetch(`/api/contacts/${id}`, { method: "PATCH", json: { email: "mia@example.com" } })).status).toBe(409);
    expect((await a.fetch(`/api/contacts/999999`, { method: "PATCH", json: { firstName: "Ghost" } })).status).toBe(404);
    expect((await a.fetch(`/api/contacts/abc`)).status).toBe(404);
  });
});

describe("list, search, pagination", () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await create({ email: `page${String(i).padStart(2, "0")}@example.org`, firstName: i % 2 ? "Odd" : "Even", lastName: `Number${i}` });
  });

  it("pages with a cursor, without overlap, newest first", async () => {
    const first = await json(await a.fetch("/api/contacts?limit=10&q=example.org"));
    expect(first.items).toHaveLength(10);
    expect(first.total).toBe(25);
    const second = await json(await a.fetch(`/api/contacts?limit=10&q=example.org&cursor=${first.nextCursor}`));
    const third = await json(await a.fetch(`/api/contacts?limit=10&q=example.org&cursor=${second.nextCursor}`));
    expect(third.items).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items, ...third.items].map((c: any) => c.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });

  it("searches by name and email; LIKE wildcards in the query are literal", async () => {
    expect((await json(await a.fetch("/api/contacts?q=odd%20number1"))).items.length).toBeGreaterThan(0);
    expect((await json(await a.fetch("/api/contacts?q=PAGE07"))).items.map((c: any) => c.email)).toEqual(["page07@example.org"]);
    expect((await json(await a.fetch("/api/contacts?q=%25"))).items).toHaveLength(0);
    expect((await json(await a.fetch("/api/contacts?q=_"))).items).toHaveLength(0);
  });

  it("filters by topic, status and kind, and rejects bad filters", async () => {
    const subs = await json(await a.fetch("/api/contacts?topic=newsletter"));
    expect(subs.items.map((c: any) => c.email)).toEqual(["mia@example.com"]);
    expect((await a.fetch("/api/contacts?status=zombie")).status).toBe(400);
    expect((await a.fetch("/api/contacts?limit=100000")).status).toBe(400);
    expect((await a.fetch("/api/contacts?cursor=-1")).status).toBe(400);
    expect((await a.fetch("/api/contacts?q=" + encodeURIComponent("' OR 1=1 --"))).status).toBe(200);
  });
});

describe("correlated columns", () => {
  it("gives each listed contact its own last event and each exported row its own topics", async () => {
    const key = await writeKey(a);
    const old = new Date(Date.now() - 5 * 86400_000).toISOString();
    await track(key, "batch", { batch: [
      { type: "track", userId: "lc-1", event: "Old", timestamp: old, context: { traits: { email: "lc1@example.net" } } },
      { type: "track", userId: "lc-2", event: "New", context: { traits: { email: "lc2@example.net" } } },
    ] });
    const items = (await json(await a.fetch("/api/contacts?q=@example.net&limit=5"))).items;
    const byEmail = Object.fromEntries(items.map((c: any) => [c.email, c.lastEventAt]));
    expect(byEmail["lc1@example.net"]).toBe(Date.parse(old));
    expect(byEmail["lc2@example.net"]).toBeGreaterThan(Date.parse(old));
    await a.fetch("/api/contacts", { method: "POST", json: { email: "both@example.net", topics: { newsletter: "subscribed", vip: "subscribed" } } });
    const rows = parseCsv(await (await a.fetch("/api/contacts/export.csv?q=both@example.net")).text()).filter((r) => r.length > 1);
    expect(rows[1]![rows[0]!.indexOf("topics")]!.split(";").sort()).toEqual(["newsletter", "vip"]);
  });
});

describe("profile and timeline", () => {
  it("shows events newest first with a working cursor", async () => {
    const key = await writeKey(a);
    const base = Date.now() - 10 * 60_000;
    const batch = Array.from({ length: 7 }, (_, i) => ({ type: "track", userId: "tl-1", event: `Step ${i}`, timestamp: new Date(base + i * 1000).toISOString(), context: { traits: { email: "timeline@example.com" } } }));
    expect((await track(key, "batch", { batch })).status).toBe(200);
    const contact = (await json(await a.fetch("/api/contacts?q=timeline@example.com"))).items[0];
    const profile = await json(await a.fetch(`/api/contacts/${contact.id}`));
    expect(profile.stats.events).toBe(7);
    const p1 = await json(await a.fetch(`/api/contacts/${contact.id}/events?limit=4`));
    expect(p1.items.map((e: any) => e.name)).toEqual(["Step 6", "Step 5", "Step 4", "Step 3"]);
    const p2 = await json(await a.fetch(`/api/contacts/${contact.id}/events?limit=4&cursor=${p1.nextCursor}`));
    expect(p2.items.map((e: any) => e.name)).toEqual(["Step 2", "Step 1", "Step 0"]);
    expect(p2.nextCursor).toBeNull();
  });
});

describe("GDPR erasure", () => {
  it("removes PII and events, keeps only a hash in suppressions", async () => {
    const key = await writeKey(a);
    await track(key, "identify", { userId: "gdpr-1", anonymousId: "gdpr-anon", traits: { email: "forget.me@example.com", firstName: "Forget" } });
    await track(key, "track", { userId: "gdpr-1", event: "Order Completed", properties: { revenue: 5 } });
    const { id } = (await json(await a.fetch("/api/contacts?q=forget.me"))).items[0];
    await env.DB.prepare("INSERT INTO messages (id, idempotency_key, contact_id, to_email, kind, status, queued_at) VALUES ('m-gdpr', 'k-gdpr', ?, 'forget.me@example.com', 'marketing', 'sent', 1)").bind(id).run();

    expect((await a.fetch(`/api/contacts/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await a.fetch(`/api/contacts/${id}`)).status).toBe(404);
    const leftovers = await env.DB.batch([
      env.DB.prepare("SELECT count(*) AS n FROM events WHERE contact_id = ?").bind(id),
      env.DB.prepare("SELECT count(*) AS n FROM contact_aliases WHERE contact_id = ?").bind(id),
      env.DB.prepare("SELECT count(*) AS n FROM messages WHERE to_email = 'forget.me@example.com' OR contact_id = ?").bind(id),
    ]);
    for (const r of leftovers) expect((r.results[0] as { n: number }).n).toBe(0);
    const sup = await env.DB.prepare("SELECT * FROM suppressions").all<any>();
    expect(sup.results).toEqual([expect.objectContaining({ email_hash: await sha256Hex("forget.me@example.com"), email: null, reason: "erased" })]);
    expect(JSON.stringify(sup.results)).not.toContain("forget");
    expect((await a.fetch(`/api/contacts/${id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("CSV export", () => {
  it("streams all matching contacts with formula-injection escaping", async () => {
    await create({ email: "formula@example.com", firstName: "=HYPERLINK(\"http://evil.example\",\"click\")", lastName: "+cmd|' /C calc'!A0", properties: { note: "@SUM(1)" } });
    const res = await a.fetch("/api/contacts/export.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(await res.text()).filter((r) => r.length > 1);
    const header = rows[0]!;
    expect(header.slice(0, 3)).toEqual(["id", "email", "external_id"]);
    const row = rows.find((r) => r[1] === "formula@example.com")!;
    expect(row[header.indexOf("first_name")]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row[header.indexOf("last_name")]).toMatch(/^'\+cmd/);
    const total = (await json(await a.fetch("/api/contacts?limit=1"))).total;
    expect(rows.length - 1).toBe(total);
    const filtered = parseCsv(await (await a.fetch("/api/contacts/export.csv?topic=newsletter")).text()).filter((r) => r.length > 1);
    expect(filtered.slice(1).map((r) => r[1]).sort()).toEqual(["both@example.net", "mia@example.com"]);
    expect(filtered.find((r) => r[1] === "mia@example.com")![header.indexOf("topics")]).toBe("newsletter");
  });
});
