/** Signup forms, happy paths: JSON and plain HTML posts, one and several topics, double opt-in end to end. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { consentVersion } from "../../worker/core/forms";
import type { Run } from "../../worker/core/flow-step";
import type { ContactJourney } from "../../worker/journeys/contact-journey";
import { journey } from "../../worker/journeys/forward";
import { admin, call, json, type Admin } from "./helpers";
import {
  confirmationEmail, confirmPath, contactByEmail, createForm, eventsOf, messagesTo, postForm, postJson, SHOP, subscriptionsOf, until,
} from "./forms-helpers";

let a: Admin;
let news: { id: number };
let mixed: { id: number };
let instant: { id: number };
let welcomeFlow: number;

const CONSENT = "Yes, send me the Juniper letter. Unsubscribe any time.";

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", {
    method: "PATCH",
    json: { store: { name: "Juniper", address: "1 Harbour St" }, sender: { fromEmail: "hello@juniper.example", fromName: "Juniper" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } },
  });
  for (const t of [{ key: "news", name: "News" }, { key: "offers", name: "Offers" }, { key: "vip", name: "VIP club", doubleOptIn: false }]) {
    expect((await a.fetch("/api/topics", { method: "POST", json: t })).status).toBe(201);
  }
  news = await createForm(a, {
    name: "Footer",
    fields: [
      { key: "email", type: "email", label: "Email" },
      { key: "first_name", type: "text", label: "First name" },
      { key: "favourite", type: "select", label: "Favourite tea", options: ["Green", "Black"] },
    ],
    topics: [{ key: "news" }],
    consentText: CONSENT,
  });
  mixed = await createForm(a, { name: "Both", topics: [{ key: "news", preselected: true }, { key: "vip" }] });
  instant = await createForm(a, { name: "VIP", topics: [{ key: "vip" }], successMessage: "Welcome to the club" });
  const tpl = await json(await a.fetch("/api/templates", { method: "POST", json: { name: "Welcome", subject: "Welcome", html: "<p>Hi</p>" } }));
  const flow = await json(
    await a.fetch("/api/flows", {
      method: "POST",
      json: { name: "Welcome", definition: { trigger: { type: "topic", topic: "news" }, entry: "w", nodes: { w: { type: "delay", duration: { amount: 1, unit: "days" }, next: "hi" }, hi: { type: "send", templateId: tpl.id, next: null } } } },
    }),
  );
  expect((await a.fetch(`/api/flows/${flow.id}/publish`, { method: "POST" })).status).toBe(200);
  welcomeFlow = flow.id;
});

const runsOf = (id: number) => (journey(env, id) as unknown as DurableObjectStub<ContactJourney>).listRuns() as unknown as Promise<Run[]>;

describe("double opt-in through the embedded script (JSON)", () => {
  it("stores a pending subscription with its consent record and emails a working confirmation link", async () => {
    const res = await postJson(news.id, { email: " Ada@Example.COM ", fields: { first_name: "Ada", favourite: "Green" }, page_url: `${SHOP}/blog/tea?x=1` }, { ip: "203.0.113.7" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(await res.json()).toEqual({ ok: true, message: "Almost done: please check your inbox and click the link to confirm your subscription." });

    const contact = await contactByEmail("ada@example.com");
    expect(contact).toMatchObject({ first_name: "Ada", source: "form", status: "active" });
    expect(JSON.parse(contact.properties)).toEqual({ favourite: "Green" });
    const [sub] = await subscriptionsOf(contact.id);
    expect(sub).toMatchObject({
      key: "news", status: "pending", source: "form", form_id: news.id, ip: "203.0.113.7", user_agent: "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0",
      page_url: `${SHOP}/blog/tea?x=1`, consent_text: CONSENT, consent_version: await consentVersion(CONSENT), confirmed_at: null,
    });
    expect(sub.subscribed_at).toBeGreaterThan(Date.now() - 60_000);
    expect(await eventsOf(contact.id, "Form Submitted")).toEqual([{ form_id: news.id, form_name: "Footer", topics: ["news"], page_url: `${SHOP}/blog/tea?x=1` }]);
    expect(await eventsOf(contact.id, "Subscribed")).toEqual([]);

    const mail = await confirmationEmail("ada@example.com");
    expect(mail.subject).toBe("Please confirm your subscription to Juniper");
    expect(mail.html).toContain("Hi Ada,");
    expect(mail.html).toContain("receive News from Juniper");
    const path = confirmPath(mail.html)!;
    expect(mail.html).toContain(`href="https://tern.example.com${path}"`); // not wrapped in a click-tracking link
    // the link spelled out may break anywhere: unbroken, it widened the email past 600 px
    expect(mail.html).toContain(`<span style="word-break:break-all">https://tern.example.com${path}</span>`);
    expect(mail.html).not.toContain("/o/"); // no open pixel
    expect(mail.text).toContain(`https://tern.example.com${path}`);
    const [message] = await messagesTo(contact.id);
    expect(message).toMatchObject({ kind: "transactional", status: "sent" });

    // A GET (what mail scanners do) only shows the button.
    const page = await call(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Confirm your subscription");
    expect(html).toContain("<li>News</li>");
    expect(html).toContain('<form method="post">');
    expect(html).toContain("a••@example.com");
    expect((await subscriptionsOf(contact.id))[0].status).toBe("pending");

    const done = await call(path, { method: "POST" });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("You are subscribed");
    const [confirmed] = await subscriptionsOf(contact.id);
    expect(confirmed).toMatchObject({ status: "subscribed", consent_text: CONSENT, ip: "203.0.113.7", form_id: news.id });
    expect(confirmed.confirmed_at).toBeGreaterThanOrEqual(confirmed.subscribed_at);
    expect(await eventsOf(contact.id, "Subscribed")).toEqual([{ topic: "news", source: "form", form_id: news.id }]);
    // the welcome flow started
    const runs = await until(async () => ((await runsOf(contact.id)).length ? runsOf(contact.id) : null));
    expect(runs.map((r) => r.flowId)).toEqual([welcomeFlow]);

    // A second click confirms nothing new and starts nothing twice.
    expect((await call(path, { method: "POST" })).status).toBe(200);
    expect(await eventsOf(contact.id, "Subscribed")).toHaveLength(1);
    expect((await call(path)).status).toBe(200);
  });

  it("creates the default confirmation template once and remembers it on the form", async () => {
    const form = await json(await a.fetch(`/api/forms/${news.id}`));
    const id = form.definition.confirmation.templateId;
    expect(id).toBeGreaterThan(0);
    const tpl = await json(await a.fetch(`/api/templates/${id}`));
    expect(tpl.name).toBe("Confirm your subscription");
    expect(tpl.html).toContain("{{ event.confirm_url }}");
    await postJson(news.id, { email: "second@example.com" });
    expect((await json(await a.fetch(`/api/forms/${news.id}`))).definition.confirmation.templateId).toBe(id);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM templates WHERE name = 'Confirm your subscription'").first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("answers a repeat signup exactly like a new one, without a second email or a changed record", async () => {
    const body = { email: "repeat@example.com", fields: { first_name: "Rae" } };
    const first = await postJson(news.id, body);
    const firstBody = await first.text();
    const contact = await contactByEmail("repeat@example.com");
    await confirmationEmail("repeat@example.com");
    // pending: a second submission within 10 minutes sends nothing new
    const again = await postJson(news.id, body);
    expect([again.status, await again.text()]).toEqual([first.status, firstBody]);
    expect(await messagesTo(contact.id)).toHaveLength(1);
    // subscribed: same answer again, record untouched, no email
    const path = confirmPath((await confirmationEmail("repeat@example.com")).html)!;
    await call(path, { method: "POST" });
    const before = (await subscriptionsOf(contact.id))[0];
    const third = await postJson(news.id, { email: "repeat@example.com", fields: { first_name: "Someone else" } }, { ip: "192.0.2.99" });
    expect([third.status, await third.text()]).toEqual([first.status, firstBody]);
    expect((await subscriptionsOf(contact.id))[0]).toEqual(before);
    expect(await messagesTo(contact.id)).toHaveLength(1);
    // a form post never overwrites what the contact already has
    expect((await contactByEmail("repeat@example.com")).first_name).toBe("Rae");
  });
});

describe("the plain HTML form (urlencoded), several topics", () => {
  it("subscribes single opt-in topics at once, holds double opt-in ones, and redirects back to the page", async () => {
    const res = await postForm(mixed.id, [["email", "mixed@example.com"], ["topics", "news"], ["topics", "vip"], ["page_url", `${SHOP}/signup`]], { referer: `${SHOP}/signup?utm=x#top` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SHOP}/signup?utm=x#tern-form=subscribed`);
    const contact = await contactByEmail("mixed@example.com");
    const subs = await subscriptionsOf(contact.id);
    expect(subs.map((s: any) => [s.key, s.status])).toEqual([["news", "pending"], ["vip", "subscribed"]]);
    expect(subs[1]).toMatchObject({ source: "form", form_id: mixed.id, confirmed_at: subs[1].subscribed_at, page_url: `${SHOP}/signup` });
    expect(await eventsOf(contact.id, "Subscribed")).toEqual([{ topic: "vip", source: "form", form_id: mixed.id }]);
    const mail = await confirmationEmail("mixed@example.com");
    expect(mail.html).toContain("receive News from Juniper"); // only what still needs confirming
    await call(confirmPath(mail.html)!, { method: "POST" });
    expect((await subscriptionsOf(contact.id)).map((s: any) => s.status)).toEqual(["subscribed", "subscribed"]);
    expect((await eventsOf(contact.id, "Subscribed")).map((e) => e.topic)).toEqual(["vip", "news"]);
  });

  it("takes only the topics ticked, and shows a hosted page when there is no page to go back to", async () => {
    const res = await postForm(mixed.id, [["email", "only-vip@example.com"], ["topics", "vip"]], { origin: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Thanks for subscribing!");
    const contact = await contactByEmail("only-vip@example.com");
    expect((await subscriptionsOf(contact.id)).map((s: any) => [s.key, s.status])).toEqual([["vip", "subscribed"]]);
    expect(await messagesTo(contact.id)).toEqual([]);
  });

  it("accepts multipart form posts too", async () => {
    const data = new FormData();
    data.set("email", "multi@example.com");
    data.append("topics", "vip");
    const res = await call(`/forms/${mixed.id}`, { method: "POST", body: data, headers: { "cf-connecting-ip": "192.0.2.201" } });
    expect(res.status).toBe(200);
    expect(await contactByEmail("multi@example.com")).toBeTruthy();
  });
});

describe("single opt-in", () => {
  it("subscribes at once with the consent record and a Subscribed event, and sends no email", async () => {
    const res = await postJson(instant.id, { email: "vip@example.com" });
    expect(await res.json()).toEqual({ ok: true, message: "Welcome to the club" });
    const contact = await contactByEmail("vip@example.com");
    const [sub] = await subscriptionsOf(contact.id);
    expect(sub).toMatchObject({ key: "vip", status: "subscribed", source: "form", form_id: instant.id, consent_text: "You can unsubscribe at any time with the link in every email." });
    expect(sub.consent_version).toMatch(/^[0-9a-f]{16}$/);
    expect(await eventsOf(contact.id, "Subscribed")).toEqual([{ topic: "vip", source: "form", form_id: instant.id }]);
    expect(await messagesTo(contact.id)).toEqual([]);
  });

  it("asks someone who unsubscribed from everything to confirm, even for a single opt-in topic", async () => {
    await postJson(instant.id, { email: "left@example.com" });
    const contact = await contactByEmail("left@example.com");
    await env.DB.prepare("UPDATE contacts SET status = 'unsubscribed' WHERE id = ?").bind(contact.id).run();
    await env.DB.prepare("UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = 1 WHERE contact_id = ?").bind(contact.id).run();
    const res = await postJson(instant.id, { email: "left@example.com" });
    expect(await res.json()).toEqual({ ok: true, message: "Welcome to the club" }); // same answer as anyone
    expect((await subscriptionsOf(contact.id))[0].status).toBe("pending");
    const mail = await confirmationEmail("left@example.com");
    await call(confirmPath(mail.html)!, { method: "POST" });
    expect((await subscriptionsOf(contact.id))[0].status).toBe("subscribed");
    expect((await contactByEmail("left@example.com")).status).toBe("active");
  });
});

describe("redirects", () => {
  it("sends the visitor to the form's redirect URL after submitting, and after confirming", async () => {
    const form = await createForm(a, { name: "Redirecting", topics: [{ key: "offers" }], redirectUrl: `${SHOP}/thanks`, confirmation: { redirectUrl: `${SHOP}/welcome` } });
    const res = await postJson(form.id, { email: "redirect@example.com" });
    expect(await res.json()).toMatchObject({ ok: true, redirect: `${SHOP}/thanks` });
    const html = await postForm(form.id, [["email", "redirect2@example.com"]]);
    expect([html.status, html.headers.get("location")]).toEqual([303, `${SHOP}/thanks`]);
    const mail = await confirmationEmail("redirect@example.com");
    const confirmed = await call(confirmPath(mail.html)!, { method: "POST", redirect: "manual" });
    expect([confirmed.status, confirmed.headers.get("location")]).toEqual([303, `${SHOP}/welcome`]);
  });
});

describe("consent records", () => {
  it("are kept when the contact later unsubscribes", async () => {
    await postJson(news.id, { email: "keeper@example.com" });
    const mail = await confirmationEmail("keeper@example.com");
    await call(confirmPath(mail.html)!, { method: "POST" });
    const unsubscribe = /https:\/\/tern\.example\.com(\/u\/[A-Za-z0-9_.-]+)/.exec(mail.html)![1]!;
    expect((await call(unsubscribe, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "scope=all" })).status).toBe(200);
    const contact = await contactByEmail("keeper@example.com");
    const [sub] = await subscriptionsOf(contact.id);
    expect(sub).toMatchObject({ status: "unsubscribed", source: "form", form_id: news.id, consent_text: CONSENT, consent_version: await consentVersion(CONSENT) });
    expect(sub.confirmed_at).toBeGreaterThan(0);
    expect(sub.unsubscribed_at).toBeGreaterThan(0);
    // an old confirmation link does not bring them back
    expect((await call(confirmPath(mail.html)!, { method: "POST" })).status).toBe(410);
    expect((await subscriptionsOf(contact.id))[0].status).toBe("unsubscribed");
  });
});

describe("the script, the hosted page and stamps", () => {
  it("serves a cacheable script with an ETag", async () => {
    const res = await call(`/forms/${news.id}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const js = await res.text();
    expect(js).toContain(`"http://tern.test"`);
    expect(js).toContain('"label":"News"');
    const etag = res.headers.get("etag")!;
    expect((await call(`/forms/${news.id}.js`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await call("/forms/999999.js")).status).toBe(404);
  });

  it("hands out render stamps with CORS for allowed origins", async () => {
    const res = await call(`/forms/${news.id}/stamp`, { headers: { origin: SHOP } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect((await json(res)).stamp).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const foreign = await call(`/forms/${news.id}/stamp`, { headers: { origin: "https://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves a hosted signup page that works without JavaScript", async () => {
    const res = await call(`/forms/${mixed.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<form action="http://tern.test/forms/${mixed.id}" method="post"`);
    expect(html).toMatch(/<input type="hidden" name="stamp" value="[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+">/);
    expect(html).toContain('value="news" checked> News');
    expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
    const stampValue = /name="stamp" value="([^"]+)"/.exec(html)![1]!;
    // submitted at once with the page's stamp: too fast, a bot — accepted and dropped
    const fast = await postForm(mixed.id, [["email", "hosted-fast@example.com"], ["topics", "vip"], ["stamp", stampValue]], { origin: "http://tern.test" });
    expect(fast.status).toBe(200);
    expect(await contactByEmail("hosted-fast@example.com")).toBeNull();
  });
});
