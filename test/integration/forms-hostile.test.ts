/** Signup forms under attack: every public POST with malformed, oversized, forged and injected input. Never a 500. */
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { signToken, tokenKey } from "../../worker/core/tokens";
import { EMAIL_LIMIT, IP_LIMIT } from "../../worker/http/forms";
import { admin, call, json, type Admin } from "./helpers";
import {
  confirmationEmail, confirmPath, contactByEmail, createForm, freshIp, messagesTo, noServerError, postForm, postJson, SHOP, stamp, subscriptionsOf,
} from "./forms-helpers";

let a: Admin;
let form: { id: number };
let multi: { id: number };
let key: CryptoKey;

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", { method: "PATCH", json: { sender: { fromEmail: "hello@juniper.example" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "news", name: "News <b>letter</b>" } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "deals", name: "Deals", doubleOptIn: false } });
  form = await createForm(a, {
    fields: [
      { key: "email", type: "email", label: "Email" },
      { key: "first_name", type: "text", label: "First name" },
      { key: "age", type: "number", label: "Age" },
      { key: "terms", type: "checkbox", label: "I accept", required: false },
    ],
    topics: [{ key: "news" }],
  });
  multi = await createForm(a, { topics: [{ key: "news" }, { key: "deals" }] });
  key = await tokenKey(env.TERN_SECRET!);
});

const issuesOf = async (res: Response) => {
  expect(res.status).toBe(400);
  const body = await json(res);
  expect(body.error.code).toBeTruthy();
  return body.error.issues?.map((i: any) => i.path) ?? [];
};

describe("malformed bodies and wrong types", () => {
  it("refuses malformed JSON, non-objects and bad UTF-8 with a 400", async () => {
    for (const body of ["{", "", "[]", '"text"', "42", "null"]) {
      const res = await postJson(form.id, body);
      expect(res.status, body).toBe(400);
      expect((await json(res)).error.code).toBe("invalid_request");
    }
    const bad = await call(`/forms/${form.id}`, { method: "POST", headers: { "content-type": "application/json", origin: SHOP, "cf-connecting-ip": freshIp() }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(bad.status).toBe(400);
  });

  it("names every wrong field: email, fields.KEY, topics", async () => {
    expect(await issuesOf(await postJson(form.id, { fields: {} }))).toEqual(["email"]);
    expect(await issuesOf(await postJson(form.id, { email: 123 }))).toEqual(["email"]);
    expect(await issuesOf(await postJson(form.id, { email: "not-an-address" }))).toEqual(["email"]);
    expect(await issuesOf(await postJson(form.id, { email: "a@example.com", fields: "x" }))).toEqual(["fields"]);
    expect(await issuesOf(await postJson(form.id, { email: "a@example.com", fields: { first_name: { $gt: "" }, age: "old", terms: "maybe" } }))).toEqual([
      "fields.first_name", "fields.age", "fields.terms",
    ]);
    expect(await issuesOf(await postJson(multi.id, { email: "a@example.com", topics: "news" }))).toEqual(["topics"]);
    expect(await issuesOf(await postJson(multi.id, { email: "a@example.com", topics: [] }))).toEqual(["topics"]);
    expect(await issuesOf(await postJson(multi.id, { email: "a@example.com", topics: ["news", "secret-vip"] }))).toEqual(["topics"]);
    const res = await postJson(form.id, { email: "bad" });
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP); // the script can read its errors
    expect(await json(res)).toEqual({ error: { code: "invalid_request", message: "Please check the highlighted fields", issues: [{ path: "email", message: "Please enter a valid email address" }] } });
  });

  it("refuses oversized fields with 400 and oversized bodies with 413", async () => {
    expect(await issuesOf(await postJson(form.id, { email: "long@example.com", fields: { first_name: "x".repeat(101) } }))).toEqual(["fields.first_name"]);
    expect(await issuesOf(await postJson(form.id, { email: `${"a".repeat(400)}@example.com` }))).toEqual(["email"]);
    expect(await issuesOf(await postJson(form.id, { email: "ok@example.com", page_url: `https://x.example/${"p".repeat(3000)}` }))).toEqual(["page_url"]);
    const huge = await postJson(form.id, { email: "huge@example.com", fields: { pad: "x".repeat(20_000) } });
    expect(huge.status).toBe(413);
    expect((await json(huge)).error.code).toBe("payload_too_large");
    const hugeForm = await postForm(form.id, `email=huge2%40example.com&pad=${"x".repeat(20_000)}`, { origin: null });
    expect(hugeForm.status).toBe(413);
    expect(hugeForm.headers.get("content-type")).toContain("text/html");
    expect(await contactByEmail("huge@example.com")).toBeNull();
  });
});

describe("injection", () => {
  it("stores script in names verbatim and escapes it in the confirmation email and page", async () => {
    const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    expect((await postJson(form.id, { email: "xss@example.com", fields: { first_name: evil } })).status).toBe(200);
    const contact = await contactByEmail("xss@example.com");
    expect(contact.first_name).toBe(evil);
    const mail = await confirmationEmail("xss@example.com");
    expect(mail.html).not.toContain("<script>alert");
    expect(mail.html).not.toContain("<img src=x");
    expect(mail.html).toContain("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;");
    expect(mail.html).toContain("News &lt;b&gt;letter&lt;/b&gt;"); // the topic name, too
    const page = await (await call(confirmPath(mail.html)!)).text();
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("Hi &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(page).toContain("<li>News &#60;b&#62;letter&#60;/b&#62;</li>");
    const done = await (await call(confirmPath(mail.html)!, { method: "POST" })).text();
    expect(done).not.toContain("<b>letter</b>");
  });

  it("refuses header injection in the email address and flattens line breaks in names", async () => {
    for (const email of ["victim@example.com\r\nBcc: everyone@example.com", "victim@example.com\nSubject: hi", "a@example.com%0d%0aBcc:x@example.com"]) {
      expect(await issuesOf(await postJson(form.id, { email }))).toEqual(["email"]);
    }
    const html = await postForm(form.id, [["email", "victim@example.com\r\nBcc: all@example.com"]], { origin: null });
    expect(html.status).toBe(400);
    expect(await html.text()).toContain("Please enter a valid email address");
    expect(await contactByEmail("victim@example.com")).toBeNull();
    await postJson(form.id, { email: "lines@example.com", fields: { first_name: "Ann\r\nBcc: x@example.com" } });
    expect((await contactByEmail("lines@example.com")).first_name).toBe("Ann Bcc: x@example.com");
  });
});

describe("bots", () => {
  it("accepts and drops honeypot and too-fast submissions: same answer, nothing stored", async () => {
    const real = await postJson(form.id, { email: "person@example.com" });
    const realBody = await real.text();
    const honeypot = await postJson(form.id, { email: "bot1@example.com", tern_website: "https://spam.example" });
    expect([honeypot.status, await honeypot.text()]).toEqual([200, realBody]);
    const fast = await postJson(form.id, { email: "bot2@example.com", stamp: await stamp(form.id, 300) });
    expect([fast.status, await fast.text()]).toEqual([200, realBody]);
    const forged = await postJson(form.id, { email: "bot3@example.com", stamp: "eyJrIjoiZiIsInQiOjEsIngiOjF9.AAAAAAAAAAAAAAAAAAAAAA" });
    expect([forged.status, await forged.text()]).toEqual([200, realBody]);
    const otherForm = await postJson(form.id, { email: "bot4@example.com", stamp: await stamp(multi.id) });
    expect(otherForm.status).toBe(200);
    const htmlHoneypot = await postForm(form.id, [["email", "bot5@example.com"], ["tern_website", "x"]], { origin: null });
    expect(htmlHoneypot.status).toBe(200);
    for (const n of [1, 2, 3, 4, 5]) expect(await contactByEmail(`bot${n}@example.com`)).toBeNull();
  });

  it("asks the script for a stamp, and a reload for a stale one", async () => {
    const missing = await postJson(form.id, { email: "nostamp@example.com", stamp: "" });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.code).toBe("stamp_required");
    const stale = await postJson(form.id, { email: "stale@example.com", stamp: await stamp(form.id, 8 * 86_400_000) });
    expect(stale.status).toBe(400);
    expect((await json(stale)).error.code).toBe("form_expired");
    expect(await contactByEmail("nostamp@example.com")).toBeNull();
  });
});

describe("rate limits", () => {
  it("limits bursts from one address per isolate (429 with Retry-After)", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await postJson(form.id, { email: "bad" }, { ip })).status);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses).toContain(429);
    const res = await postJson(form.id, { email: "bad" }, { ip });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await json(res)).error.code).toBe("rate_limited");
  });

  it("holds a per-address limit across isolates (D1 window)", async () => {
    const ip = freshIp();
    const window = Math.floor(Date.now() / 1000 / IP_LIMIT.windowSeconds) * IP_LIMIT.windowSeconds;
    // as if other isolates had already counted this address's signups
    await env.DB.prepare("INSERT INTO rate_limits (key, window, count) VALUES (?, ?, ?)").bind(`form:ip:${ip}`, window, IP_LIMIT.max).run();
    const res = await postJson(form.id, { email: "limited-ip@example.com" }, { ip });
    expect(res.status).toBe(429);
    expect(await contactByEmail("limited-ip@example.com")).toBeNull();
  });

  it("limits signups per email address, whatever the client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= EMAIL_LIMIT.max; i++) statuses.push((await postJson(form.id, { email: "Target@Example.com" })).status);
    expect(statuses).toEqual([...Array(EMAIL_LIMIT.max).fill(200), 429]);
    const contact = await contactByEmail("target@example.com");
    expect(await messagesTo(contact.id)).toHaveLength(1); // and one confirmation email, not five
  });
});

describe("CORS and redirects", () => {
  it("answers preflights only for allowed origins", async () => {
    const ok = await call(`/forms/${form.id}`, { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(ok.headers.get("access-control-allow-headers")).toBe("Content-Type");
    const evil = await call(`/forms/${form.id}`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const lookalike = await call(`/forms/${form.id}`, { method: "OPTIONS", headers: { origin: "https://shop.example.evil.example" } });
    expect(lookalike.status).toBe(403);
  });

  it("refuses posts from a disallowed origin, JSON or HTML, and stores nothing", async () => {
    const res = await postJson(form.id, { email: "cors@example.com" }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect((await json(res)).error.code).toBe("origin_not_allowed");
    const nul = await postJson(form.id, { email: "cors@example.com" }, { origin: "null" });
    expect(nul.status).toBe(403);
    const html = await postForm(form.id, [["email", "cors@example.com"]], { origin: "https://evil.example", referer: "https://evil.example/page" });
    expect(html.status).toBe(403);
    expect(html.headers.get("location")).toBeNull();
    expect(await contactByEmail("cors@example.com")).toBeNull();
  });

  it("never redirects to a foreign page: only allowed origins get the visitor back", async () => {
    const foreignReferer = await postForm(form.id, [["email", "r1@example.com"]], { origin: null, referer: "https://evil.example/x" });
    expect([foreignReferer.status, foreignReferer.headers.get("location")]).toEqual([200, null]);
    const targets = ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "https://shop.example@evil.example/", "http://shop.example/", "https://shop.example.evil.example/"];
    for (const [i, target] of targets.entries()) {
      const res = await postForm(form.id, [["email", `r2-${i}@example.com`], ["redirect_to", target]], { referer: `${SHOP}/ok` });
      // falls back to the Referer, which is allowed
      expect(res.headers.get("location"), target).toBe(`${SHOP}/ok#tern-form=subscribed`);
    }
    const only = await postForm(form.id, [["email", "r3@example.com"], ["redirect_to", "https://evil.example/"]], { origin: null });
    expect([only.status, only.headers.get("location")]).toEqual([200, null]);
    const allowed = await postForm(form.id, [["email", "r4@example.com"], ["redirect_to", `${SHOP}/landing`]], { origin: null });
    expect(allowed.headers.get("location")).toBe(`${SHOP}/landing#tern-form=subscribed`);
    const failed = await postForm(form.id, [["email", "nope"]], { referer: `${SHOP}/ok` });
    expect([failed.status, failed.headers.get("location")]).toEqual([303, `${SHOP}/ok#tern-form=error-invalid_request`]);
  });
});

describe("Turnstile", () => {
  let guarded: { id: number };
  beforeAll(async () => {
    guarded = await createForm(a, { topics: [{ key: "news" }], turnstile: { enabled: true, siteKey: "0x4AAAAAAAtest" } });
  });

  it("refuses a missing or failed challenge, verified on the server", async () => {
    const missing = await postJson(guarded.id, { email: "t1@example.com" });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.code).toBe("captcha_failed");
    const failed = await postJson(guarded.id, { email: "t1@example.com", turnstile_token: "forged" });
    expect(failed.status).toBe(400);
    expect((await json(failed)).error.issues).toEqual([{ path: "turnstile_token", message: "the challenge was not passed" }]);
    expect(await contactByEmail("t1@example.com")).toBeNull();
  });

  it("accepts a passed challenge, sending secret, token and the visitor's address", async () => {
    const res = await postJson(guarded.id, { email: "t2@example.com", turnstile_token: "pass" }, { ip: "203.0.113.55" });
    expect(res.status).toBe(200);
    expect(await contactByEmail("t2@example.com")).toBeTruthy();
    const seen = await (await fetch(`${inject("turnstileUrl")}/last`)).json();
    expect(seen).toEqual({ secret: "test-turnstile-secret", response: "pass", remoteip: "203.0.113.55" });
    // the plain HTML form sends the widget's field name
    const html = await postForm(guarded.id, [["email", "t3@example.com"], ["cf-turnstile-response", "pass"]], { origin: null });
    expect(html.status).toBe(200);
    expect(await contactByEmail("t3@example.com")).toBeTruthy();
  });
});

describe("confirmation links", () => {
  let contactId: number;
  let good: string;
  beforeAll(async () => {
    await postJson(form.id, { email: "tokens@example.com" });
    contactId = (await contactByEmail("tokens@example.com")).id;
    good = confirmPath((await confirmationEmail("tokens@example.com")).html)!.split("/").pop()!;
  });

  const both = async (token: string) => [
    (await noServerError(await call(`/forms/confirm/${token}`))).status,
    (await noServerError(await call(`/forms/confirm/${token}`, { method: "POST", headers: { "cf-connecting-ip": freshIp() } }))).status,
  ];

  it("refuses garbage, tampering and other kinds of token, and changes nothing", async () => {
    const [body, sig] = good.split(".") as [string, string];
    const forgedBody = btoa(JSON.stringify({ k: "f", c: contactId + 1, t: form.id, x: Date.now() + 1e9 })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const cases = [
      "nope", "a.b", `${body}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`, `${forgedBody}.${sig}`, `${good}x`, "x".repeat(5000), "%00", "..",
      await signToken(key, { k: "u", c: contactId, t: 1 }), // an unsubscribe token
      await signToken(key, { k: "p", c: contactId }), // a preference-center token
      await stamp(form.id), // a render stamp (kind f, another key)
      await signToken(key, { k: "f", x: Date.now() + 1e6 }), // no contact
    ];
    for (const token of cases) expect(await both(encodeURIComponent(token)), token.slice(0, 40)).toEqual([404, 404]);
    expect((await subscriptionsOf(contactId))[0].status).toBe("pending");
  });

  it("says so when a link has expired", async () => {
    const expired = await signToken(key, { k: "f", c: contactId, t: form.id, x: Date.now() - 1000 });
    expect(await both(expired)).toEqual([410, 410]);
    const page = await (await call(`/forms/confirm/${expired}`)).text();
    expect(page).toContain("This confirmation link has expired");
    expect((await subscriptionsOf(contactId))[0].status).toBe("pending");
    expect(await both(good)).toEqual([200, 200]);
    expect((await subscriptionsOf(contactId))[0].status).toBe("subscribed");
  });

  it("is throttled per client address", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await call(`/forms/confirm/nope`, { method: "POST", headers: { "cf-connecting-ip": ip } })).status);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
  });
});

describe("forms that are missing or switched off", () => {
  it("answers 404 for unknown forms and 410 for disabled ones, as JSON or a page", async () => {
    expect((await postJson(987654, { email: "x@example.com" })).status).toBe(404);
    expect((await call("/forms/abc", { method: "POST" })).status).toBe(404);
    expect((await call("/forms/99999999999999999999", { method: "POST" })).status).toBe(404);
    const off = await createForm(a, { topics: [{ key: "news" }] });
    await a.fetch(`/api/forms/${off.id}/disable`, { method: "POST" });
    const res = await postJson(off.id, { email: "off@example.com" });
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("form_disabled");
    expect((await postForm(off.id, [["email", "off@example.com"]], { origin: null })).status).toBe(410);
    expect((await call(`/forms/${off.id}.js`)).status).toBe(404);
    const hosted = await call(`/forms/${off.id}`);
    expect([hosted.status, hosted.headers.get("content-type")]).toEqual([410, "text/html; charset=utf-8"]);
  });

  it("keeps working when a topic the form offers was deleted, and fails cleanly when none is left", async () => {
    await a.fetch("/api/topics", { method: "POST", json: { key: "gone", name: "Gone" } });
    const f = await createForm(a, { topics: [{ key: "gone" }] });
    const topic = (await json(await a.fetch("/api/topics"))).items.find((t: any) => t.key === "gone");
    await a.fetch(`/api/topics/${topic.id}`, { method: "DELETE" });
    const res = await postJson(f.id, { email: "orphan@example.com" });
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe("form_unavailable");
  });
});
