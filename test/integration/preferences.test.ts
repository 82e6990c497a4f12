import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signToken, tokenKey } from "../../worker/core/tokens";
import { handleSendBatch } from "../../worker/delivery/send";
import { createMessages } from "../../worker/store/messages";
import { admin, call, json, type Admin } from "./helpers";

let a: Admin;
let key: CryptoKey;
let templateId: number;

beforeAll(async () => {
  a = await admin();
  key = await tokenKey("test-secret-not-for-production-0123456789");
  await a.fetch("/api/settings", { method: "PATCH", json: { store: { name: "Juniper", address: "1 Harbour St", brandColor: "#2f6f4f" }, sender: { fromEmail: "hi@juniper.example" }, sending: { publicUrl: "https://tern.example.com" } } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "news", name: "News & offers", description: "New arrivals, sales" } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "recipes", name: "Recipes" } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "orders", name: "Order updates", kind: "transactional" } });
  templateId = (await json(await a.fetch("/api/templates", { method: "POST", json: { name: "T", subject: "S", html: "<p>x</p>" } }))).id;
});

const form = (body: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of [v].flat()) p.append(k, x);
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: p.toString() };
};
const prefs = async (contactId: number) => `/p/${await signToken(key, { k: "p", c: contactId })}`;
const contact = async (email: string, extra: Record<string, unknown> = {}) =>
  (await json(await a.fetch("/api/contacts", { method: "POST", json: { email, firstName: "Ada", topics: { news: "subscribed" }, ...extra } }))).id as number;

describe("preference center", () => {
  it("shows the person's topics, escaped, and works without JavaScript", async () => {
    const id = await contact("page@example.com", { lastName: `<script>alert("x")</script>` });
    const res = await call(await prefs(id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("p•••@example.com");
    expect(html).toMatch(/<input type="checkbox" name="topic" value="news" checked>News &#38; offers/);
    expect(html).toMatch(/<input type="checkbox" name="topic" value="recipes">Recipes/);
    expect(html).toContain("Order updates: always sent");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&#60;script&#62;");
    expect(html).not.toMatch(/<script\b/);
  });

  it("saves topics, frequency, a pause and name, records events, and the sender honours them", async () => {
    const id = await contact("prefs@example.com");
    const path = await prefs(id);
    const res = await call(path, form({ action: "save", topic: ["recipes"], frequency: "weekly", pause: "30", first_name: "Ada", last_name: "Lovelace", birthday: "1990-12-10" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Your preferences are saved.");
    const c = await json(await a.fetch(`/api/contacts/${id}`));
    expect(c).toMatchObject({ lastName: "Lovelace", birthday: "1990-12-10", emailFrequency: "weekly" });
    expect(c.pausedUntil).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(Object.fromEntries(c.subscriptions.map((s: any) => [s.key, s.status]))).toEqual({ news: "unsubscribed", recipes: "subscribed" });
    const names = (await env.DB.prepare("SELECT name FROM events WHERE contact_id = ? ORDER BY id").bind(id).all<any>()).results.map((e: any) => e.name);
    expect(names).toEqual(expect.arrayContaining(["Subscribed", "Unsubscribed", "Preferences Updated"]));

    // paused: a queued marketing email is held back
    const [m] = await createMessages(env.DB, [{ idempotencyKey: `p-${id}`, contactId: id, templateId, kind: "marketing" }], Date.now());
    const batch = createMessageBatch("tern-send", [{ id: "1", timestamp: new Date(), attempts: 1, body: { id: m!.id } }]);
    await handleSendBatch(batch as MessageBatch<{ id: string }>, env);
    await getQueueResult(batch, createExecutionContext());
    const row = await env.DB.prepare("SELECT status, error FROM messages WHERE id = ?").bind(m!.id).first<any>();
    expect(row.status).toBe("suppressed");
    expect(row.error).toMatch(/^the contact paused email until \d{4}-\d{2}-\d{2}$/);
  });

  it("a weekly preference allows one marketing email a week", async () => {
    const id = await contact("weekly@example.com");
    await call(await prefs(id), form({ action: "save", topic: ["news"], frequency: "weekly", pause: "" }));
    const made = await createMessages(env.DB, [1, 2].map((n) => ({ idempotencyKey: `w-${id}-${n}`, contactId: id, templateId, kind: "marketing" as const })), Date.now());
    for (const m of made) {
      const batch = createMessageBatch("tern-send", [{ id: m.id, timestamp: new Date(), attempts: 1, body: { id: m.id } }]);
      await handleSendBatch(batch as MessageBatch<{ id: string }>, env);
    }
    const statuses = await env.DB.prepare("SELECT status, error FROM messages WHERE contact_id = ? ORDER BY queued_at, id").bind(id).all<any>();
    expect(statuses.results.map((r: any) => r.status).sort()).toEqual(["sent", "suppressed"]);
    expect(statuses.results.find((r: any) => r.status === "suppressed").error).toBe("the contact asked for at most one email a week");
  });

  it("unsubscribes from everything, and choosing a topic again lifts it", async () => {
    const id = await contact("all@example.com");
    const path = await prefs(id);
    const page = await (await call(path, form({ action: "unsubscribe_all" }))).text();
    // said once, as the outcome of the person's choice (it was shown twice, once styled as an error)
    expect(page.match(/You are unsubscribed from all marketing email\./g)).toHaveLength(1);
    expect(page).toContain('<p class="notice" role="status">You are unsubscribed from all marketing email. Choose a topic below to hear from us again.</p>');
    expect(page).not.toContain('class="error"');
    expect((await json(await a.fetch(`/api/contacts/${id}`))).status).toBe("unsubscribed");
    await call(path, form({ action: "save", topic: ["recipes"], frequency: "all", pause: "" }));
    expect((await json(await a.fetch(`/api/contacts/${id}`))).status).toBe("active");
  });

  it("downloads the person's data as JSON", async () => {
    const id = await contact("data@example.com");
    const res = await call(`${await prefs(id)}/data.json`);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const data = await json(res);
    expect(data.contact.email).toBe("data@example.com");
    expect(data.subscriptions[0]).toMatchObject({ topic: "news", status: "subscribed" });
  });

  it("erases only after the emailed link is confirmed", async () => {
    const id = await contact("erase@example.com");
    const res = await call(`${await prefs(id)}/erase`, { method: "POST" });
    expect(await res.text()).toContain("Check your email");
    const sent = await (async () => {
      for (let i = 0; i < 100; i++) {
        const row = await env.DB.prepare("SELECT html FROM outbox WHERE to_email = 'erase@example.com'").first<{ html: string }>();
        if (row) return row;
        await scheduler.wait(100);
      }
      throw new Error("no erasure email");
    })();
    const link = /https:\/\/tern\.example\.com(\/p\/erase\/[A-Za-z0-9_.-]+)/.exec(sent.html)![1]!;
    const page = await call(link);
    expect(await page.text()).toContain("Delete your data?");
    expect(await env.DB.prepare("SELECT 1 FROM contacts WHERE id = ?").bind(id).first()).toBeTruthy(); // a GET erases nothing
    expect(await (await call(link, { method: "POST" })).text()).toContain("Your data is deleted");
    expect(await env.DB.prepare("SELECT 1 FROM contacts WHERE id = ?").bind(id).first()).toBeNull();
    // an erasure token cannot open preferences, and expired ones are refused
    const expired = await signToken(key, { k: "e", c: id, x: Date.now() - 1 });
    expect((await call(`/p/erase/${expired}`, { method: "POST" })).status).toBe(404);
  });

  it("rate limits posts from one address", async () => {
    const path = await prefs(await contact("flood@example.com"));
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(path, { ...form({ action: "save", topic: ["news"] }), headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.77" } })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(29);
  });

  it("refuses tampered or foreign tokens, another kind, and oversized bodies", async () => {
    const id = await contact("hostile@example.com");
    const good = await prefs(id);
    const unsub = await signToken(key, { k: "u", c: id });
    for (const path of [`/p/${unsub}`, "/p/garbage", `${good.slice(0, -2)}AA`, `/p/${"x".repeat(5000)}`]) {
      expect((await call(path)).status).toBe(404);
      expect((await call(path, form({ action: "unsubscribe_all" }))).status).toBe(404);
    }
    expect((await call(good, form({ action: "save", first_name: "x".repeat(20_000) }))).status).toBe(413);
    expect((await call(good, form({ action: "save", frequency: "hourly" }))).status).toBe(400);
    expect((await json(await a.fetch(`/api/contacts/${id}`))).status).toBe("active");
  });
});
