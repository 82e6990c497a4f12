import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/core/crypto";
import worker from "../../worker/index";
import { admin, basic, call, json, track, type Admin } from "./helpers";

let a: Admin;
beforeAll(async () => {
  a = await admin();
});

describe("settings", () => {
  it("returns defaults, patches one field without touching others, validates", async () => {
    const defaults = await json(await a.fetch("/api/settings"));
    expect(defaults.store).toMatchObject({ name: "My store", currency: "USD", timezone: "UTC" });
    let res = await a.fetch("/api/settings", { method: "PATCH", json: { store: { name: "Juniper", address: "1 Main St, Portland" } } });
    expect(res.status).toBe(200);
    res = await a.fetch("/api/settings", { method: "PATCH", json: { store: { currency: "EUR" }, sender: { fromEmail: "hi@juniper.example" } } });
    expect((await json(res)).store).toMatchObject({ name: "Juniper", address: "1 Main St, Portland", currency: "EUR" });
    for (const bad of [{ store: { brandColor: "red" } }, { store: { timezone: "Moon/Base" } }, { sender: { fromEmail: "nope" } }, { store: { website: "javascript:alert(1)" } }, { bogus: {} }, { store: "x" }]) {
      const r = await a.fetch("/api/settings", { method: "PATCH", json: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await json(await a.fetch("/api/settings"))).store.name).toBe("Juniper");
  });
});

describe("topics", () => {
  it("creates, lists with subscriber counts, patches only named fields, deletes", async () => {
    const created = await json(await a.fetch("/api/topics", { method: "POST", json: { key: "deals", name: "Deals", description: "Weekly deals" } }));
    expect(created).toMatchObject({ key: "deals", kind: "marketing", doubleOptIn: true });
    expect((await a.fetch("/api/topics", { method: "POST", json: { key: "deals", name: "Again" } })).status).toBe(409);
    expect((await a.fetch("/api/topics", { method: "POST", json: { key: "Bad Key!", name: "x" } })).status).toBe(400);
    await a.fetch("/api/contacts", { method: "POST", json: { email: "t@example.com", topics: { deals: "subscribed" } } });
    const list = await json(await a.fetch("/api/topics"));
    expect(list.items.find((t: any) => t.key === "deals").subscribers).toBe(1);
    const patched = await json(await a.fetch(`/api/topics/${created.id}`, { method: "PATCH", json: { name: "Hot deals" } }));
    expect(patched).toMatchObject({ name: "Hot deals", description: "Weekly deals", doubleOptIn: true });
    expect((await a.fetch(`/api/topics/${created.id}`, { method: "PATCH", json: { key: "renamed" } })).status).toBe(400);
    expect((await a.fetch(`/api/topics/${created.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await a.fetch(`/api/topics/${created.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE topic_id = ?").bind(created.id).first<{ n: number }>())!.n).toBe(0);
  });
});

describe("write keys", () => {
  it("are shown once, hashed at rest, renamable, and stop working when deleted", async () => {
    const res = await a.fetch("/api/write-keys", { method: "POST", json: { name: "Main Shop!" } });
    const created = await json(res);
    expect(created).toMatchObject({ name: "Main Shop!", source: "main-shop" });
    expect(created.key).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    const row = await env.DB.prepare("SELECT key_hash FROM write_keys WHERE id = ?").bind(created.id).first<{ key_hash: string }>();
    expect(row!.key_hash).toBe(await sha256Hex(created.key));
    expect(JSON.stringify(await json(await a.fetch("/api/write-keys")))).not.toContain(created.key);
    expect((await track(created.key, "track", { userId: "wk", event: "E" })).status).toBe(200);
    const renamed = await json(await a.fetch(`/api/write-keys/${created.id}`, { method: "PATCH", json: { name: "Shop" } }));
    expect(renamed.name).toBe("Shop");
    expect(renamed.key_hash ?? renamed.keyHash).toBeUndefined();
    expect((await a.fetch(`/api/write-keys/${created.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await track(created.key, "track", { userId: "wk", event: "E" })).status).toBe(401);
    expect((await a.fetch("/api/write-keys", { method: "POST", json: { name: "" } })).status).toBe(400);
    expect((await a.fetch("/api/write-keys", { method: "POST", json: { name: "x", source: "../../etc" } })).status).toBe(400);
  });
});

describe("dashboard overview", () => {
  it("counts contacts, events, orders and revenue", async () => {
    const key = (await json(await a.fetch("/api/write-keys", { method: "POST", json: { name: "Stats" } }))).key;
    await track(key, "batch", { batch: [
      { type: "identify", userId: "s1", traits: { email: "s1@example.com" } },
      { type: "track", userId: "s1", event: "Order Completed", properties: { revenue: 40 } },
      { type: "track", userId: "s1", event: "Order Completed", properties: { revenue: 2.5 } },
    ] });
    const o = await json(await a.fetch("/api/stats/overview"));
    expect(o).toMatchObject({ days: 30, orders: 2, revenue: 42.5 });
    expect(o.contacts).toBeGreaterThanOrEqual(2);
    expect(o.newContactsByDay.length).toBeGreaterThan(0);
  });
});

describe("cron and dead letters", () => {
  it("purges expired sessions and old rate-limit windows", async () => {
    await env.DB.prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ('old', 1, 'x', 1, 2)").run();
    await env.DB.prepare("INSERT INTO rate_limits (key, window, count) VALUES ('login:ip:old', 1000, 3)").run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env);
    await waitOnExecutionContext(ctx);
    expect(await env.DB.prepare("SELECT 1 FROM sessions WHERE token_hash = 'old'").first()).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM rate_limits WHERE key = 'login:ip:old'").first()).toBeNull();
    expect((await a.fetch("/api/auth/me")).status).toBe(200);
  });

  it("records dead-lettered messages", async () => {
    const batch = createMessageBatch("tern-send-dlq", [{ id: "m1", timestamp: new Date(), attempts: 6, body: { kind: "send", messageId: "abc" } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length + (result.ackAll ? 1 : 0)).toBeGreaterThan(0);
    const row = await env.DB.prepare("SELECT * FROM dead_letters").first<any>();
    expect(JSON.parse(row.body)).toEqual({ kind: "send", messageId: "abc" });
  });
});

describe("routing", () => {
  it("answers /healthz and JSON 404s under /api and /v1", async () => {
    expect(await json(await call("/healthz"))).toEqual({ ok: true });
    expect((await call("/v1/whatever", { method: "POST", headers: { authorization: basic("wk_x") } })).status).toBe(404);
  });
});
