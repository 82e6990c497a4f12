import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../../worker/http/api";
import { admin, call, json, OWNER } from "./helpers";

const PUBLIC = new Set(["GET /auth/status", "POST /auth/setup", "POST /auth/login"]);

describe("first run", () => {
  it("reports that setup is required, refuses weak passwords, creates the owner once", async () => {
    expect(await json(await call("/api/auth/status"))).toEqual({ setupRequired: true, authenticated: false });
    const weak = await call("/api/auth/setup", { method: "POST", body: JSON.stringify({ ...OWNER, password: "short" }) });
    expect(weak.status).toBe(400);
    expect((await json(weak)).error.issues[0].path).toBe("password");

    const res = await call("/api/auth/setup", { method: "POST", body: JSON.stringify(OWNER) });
    expect(res.status).toBe(201);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^tern_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const user = await env.DB.prepare("SELECT password_hash FROM users").first<{ password_hash: string }>();
    expect(user!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);

    const again = await call("/api/auth/setup", { method: "POST", body: JSON.stringify({ ...OWNER, email: "intruder@example.com" }) });
    expect(again.status).toBe(409);
    expect(await json(await call("/api/auth/status"))).toEqual({ setupRequired: false, authenticated: false });
    expect(await json(await call("/api/auth/status", { headers: { cookie: cookie.split(";")[0]! } }))).toEqual({ setupRequired: false, authenticated: true });
  });

  it("sets a Secure __Host- cookie over https", async () => {
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(new Request("https://tern.test/api/auth/login", { method: "POST", body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) }));
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-tern_session=.*Secure/i);
  });
});

describe("every /api route refuses anonymous requests", () => {
  const routes = api.routes.filter((r) => r.method !== "ALL" && !PUBLIC.has(`${r.method} ${r.path}`));

  it("has routes to check", () => expect(routes.length).toBeGreaterThan(20));

  for (const r of routes) {
    it(`${r.method} ${r.path}`, async () => {
      const path = "/api" + r.path.replace(/:[a-z]+/g, "1");
      const res = await call(path, { method: r.method, body: r.method === "GET" ? undefined : "{}" });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe("unauthenticated");
    });
  }

  it("also refuses forged cookies, write keys and junk bearer tokens", async () => {
    for (const headers of [{ cookie: "tern_session=forged" }, { authorization: "Bearer wk_something" }, { authorization: "Bearer tern_forged" }, { authorization: "Basic Zm9vOg==" }] as Record<string, string>[]) {
      expect((await call("/api/contacts", { headers })).status).toBe(401);
    }
    expect((await call("/api/nope")).status).toBe(401);
  });
});

describe("sessions and CSRF", () => {
  it("needs the CSRF header for state changes with a cookie, and refuses foreign origins", async () => {
    const a = await admin();
    const noToken = await call("/api/topics", { method: "POST", headers: { cookie: a.cookie }, body: JSON.stringify({ key: "x", name: "X" }) });
    expect(noToken.status).toBe(403);
    expect((await json(noToken)).error.code).toBe("csrf");
    const wrongToken = await call("/api/topics", { method: "POST", headers: { cookie: a.cookie, "x-csrf-token": "guess" }, body: JSON.stringify({ key: "x", name: "X" }) });
    expect(wrongToken.status).toBe(403);
    const foreign = await a.fetch("/api/topics", { method: "POST", headers: { origin: "https://evil.example" }, json: { key: "x", name: "X" } });
    expect(foreign.status).toBe(403);
    const ok = await a.fetch("/api/topics", { method: "POST", headers: { origin: "http://tern.test" }, json: { key: "x", name: "X" } });
    expect(ok.status).toBe(201);
    // reads need no token
    expect((await call("/api/topics", { headers: { cookie: a.cookie } })).status).toBe(200);
  });

  it("logs out", async () => {
    const a = await admin();
    expect((await a.fetch("/api/auth/logout", { method: "POST" })).status).toBe(200);
    expect((await a.fetch("/api/auth/me")).status).toBe(401);
  });

  it("ends every session on password change, keeping the current browser signed in", async () => {
    const first = await admin();
    const second = await admin();
    const wrong = await second.fetch("/api/auth/password", { method: "POST", json: { current: "nope", password: "another good password" } });
    expect(wrong.status).toBe(400);
    const res = await second.fetch("/api/auth/password", { method: "POST", json: { current: OWNER.password, password: "another good password" } });
    expect(res.status).toBe(200);
    const newCookie = res.headers.get("set-cookie")!.split(";")[0]!;
    expect((await first.fetch("/api/auth/me")).status).toBe(401);
    expect((await second.fetch("/api/auth/me")).status).toBe(401);
    expect((await call("/api/auth/me", { headers: { cookie: newCookie } })).status).toBe(200);
    const login = await call("/api/auth/login", { method: "POST", body: JSON.stringify({ email: OWNER.email, password: "another good password" }) });
    expect(login.status).toBe(200);
    // put it back for the other tests in this file
    const a = await admin().catch(() => null);
    expect(a).toBeNull();
    await env.DB.prepare("DELETE FROM users").run();
  });
});

describe("login rate limit", () => {
  it("rate limits failed logins per account with 429 and Retry-After", async () => {
    await admin(); // recreates the owner (the previous test removed it)
    let last: Response | null = null;
    for (let i = 0; i < 9; i++) {
      last = await call("/api/auth/login", { method: "POST", headers: { "cf-connecting-ip": `198.51.100.${i}` }, body: JSON.stringify({ email: OWNER.email, password: `wrong-${i}` }) });
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // even the right password is refused while limited
    const right = await call("/api/auth/login", { method: "POST", body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
    expect(right.status).toBe(429);
  });

  it("does not reveal whether an account exists", async () => {
    const unknown = await call("/api/auth/login", { method: "POST", headers: { "cf-connecting-ip": "203.0.113.5" }, body: JSON.stringify({ email: "nobody@example.com", password: "whatever-long" }) });
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).error.message).toBe("Email or password is incorrect");
  });

  it("refuses hostile login bodies with 400", async () => {
    for (const body of ["not json", "[]", JSON.stringify({ email: 1, password: {} }), JSON.stringify({ email: "x".repeat(10_000), password: "y" })]) {
      const res = await call("/api/auth/login", { method: "POST", body });
      expect(res.status).toBe(400);
    }
    const huge = await call("/api/auth/login", { method: "POST", body: JSON.stringify({ email: "a", password: "p".repeat(100_000) }) });
    expect(huge.status).toBe(413);
  });
});

describe("API keys", () => {
  it("are shown once, stored hashed, authorise /api with Bearer and cannot mint keys", async () => {
    const a = await admin().catch(async () => {
      await env.DB.prepare("DELETE FROM rate_limits").run();
      return admin();
    });
    const res = await a.fetch("/api/api-keys", { method: "POST", json: { name: "Zapier" } });
    expect(res.status).toBe(201);
    const { key, id } = await json(res);
    expect(key).toMatch(/^tern_/);
    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first<any>();
    expect(stored.key_hash).not.toContain(key);
    expect(JSON.stringify(await json(await a.fetch("/api/api-keys")))).not.toContain(key);

    const bearer = { authorization: `Bearer ${key}` };
    expect((await call("/api/contacts", { headers: bearer })).status).toBe(200);
    // no CSRF needed for API keys (no cookies involved)
    expect((await call("/api/topics", { method: "POST", headers: bearer, body: JSON.stringify({ key: "api-made", name: "Made by API" }) })).status).toBe(201);
    expect((await call("/api/api-keys", { method: "POST", headers: bearer, body: JSON.stringify({ name: "escalate" }) })).status).toBe(403);

    expect((await a.fetch(`/api/api-keys/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await call("/api/contacts", { headers: bearer })).status).toBe(401);
  });
});
