import { createMessageBatch, getQueueResult, createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { handleSendBatch } from "../../worker/delivery/send";
import { handleTrackBatch, type TrackHit } from "../../worker/delivery/track";
import type { OutgoingEmail, Provider, SendResult } from "../../worker/delivery/providers/types";
import { createMessages, type SendRequest } from "../../worker/store/messages";
import { admin, call, json, type Admin, until } from "./helpers";

let a: Admin;
let templateId: number;
let newsletter: number;

const html = `<h1>Hi {{ contact.first_name | default: "there" }}</h1>
<p>{% for p in event.products %}{{ p.name }} {{ p.price | money }}. {% endfor %}</p>
<p><a href="https://shop.example/cart?ref=email">Back to your cart</a> or <a href="https://shop.example/">the shop</a>.</p>`;

async function contact(email: string, topics: Record<string, string> = { newsletter: "subscribed" }, extra: Record<string, unknown> = {}) {
  const res = await a.fetch("/api/contacts", { method: "POST", json: { email, firstName: "Ada", topics, ...extra } });
  expect(res.status).toBe(201);
  return (await json(res)).id as number;
}

let seq = 0;
const marketing = (contactId: number, over: Partial<SendRequest> = {}): SendRequest => ({
  idempotencyKey: `test:${++seq}`, contactId, templateId, kind: "marketing", topicId: newsletter,
  data: { products: [{ name: "Mug", price: 12 }] }, ...over,
});

/** Runs the real consumer on a batch of jobs, as the queue would deliver them. */
async function deliver(ids: string[], provider?: Provider, attempts = 1) {
  const batch = createMessageBatch("tern-send", ids.map((id, i) => ({ id: `q${i}-${Math.random()}`, timestamp: new Date(), attempts, body: { id } })));
  // the queue result does not report retry delays: record them on the way through
  const delays: (number | undefined)[] = [];
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    m.retry = (options?: QueueRetryOptions) => (delays.push(options?.delaySeconds), retry(options));
  }
  await handleSendBatch(batch as MessageBatch<{ id: string }>, env, { provider, random: () => 0.5 });
  return { ...(await getQueueResult(batch, createExecutionContext())), delays };
}

const message = (id: string) => env.DB.prepare("SELECT * FROM messages WHERE id = ?").bind(id).first<any>();
const outboxRow = (id: string) => env.DB.prepare("SELECT * FROM outbox WHERE message_id = ?").bind(id).first<any>();

const header = (raw: string, name: string) => {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  return head.split("\r\n").find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ":"))?.slice(name.length + 1).trim();
};
const tokenFrom = (text: string, kind: string) => new RegExp(`/${kind}/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`).exec(text)?.[1];

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", { method: "PATCH", json: { store: { name: "Juniper", address: "1 Harbour St" }, sender: { fromEmail: "hello@juniper.example", fromName: "Juniper" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } } });
  newsletter = (await json(await a.fetch("/api/topics", { method: "POST", json: { key: "newsletter", name: "Newsletter" } }))).id;
  const t = await a.fetch("/api/templates", { method: "POST", json: { name: "Cart", subject: "{{ contact.first_name }}, your cart", html } });
  expect(t.status).toBe(201);
  templateId = (await json(t)).id;
});

describe("templates API", () => {
  it("refuses templates with errors, naming the field", async () => {
    const res = await a.fetch("/api/templates", { method: "POST", json: { name: "Bad", subject: "{{ x | nope }}", html: "{% if %}" } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.issues.map((i: any) => i.path).sort()).toEqual(["html", "subject"]);
    const patch = await a.fetch(`/api/templates/${templateId}`, { method: "PATCH", json: { html: "{% for %}" } });
    expect(patch.status).toBe(400);
  });

  it("lints drafts and saved templates for compliance", async () => {
    const res = await json(await a.fetch("/api/templates/lint", { method: "POST", json: { template: { subject: "Hi", layout: "none", html: "<p>No footer at all</p>" } } }));
    expect(res.findings.filter((f: any) => f.level === "error").map((f: any) => f.code)).toEqual(["unsubscribe_link", "postal_address"]);
    const saved = await json(await a.fetch(`/api/templates/${templateId}`));
    expect(saved.lint.filter((f: any) => f.level === "error")).toEqual([]);
  });

  it("names the failing field when a preview cannot render", async () => {
    const res = await a.fetch("/api/templates/preview", { method: "POST", json: { template: { subject: "{{ x | nope }}", html: "<p>ok</p>" } } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.issues[0].path).toBe("subject");
  });

  it("previews a draft for a contact without sending", async () => {
    const id = await contact("preview@example.com");
    const res = await a.fetch("/api/templates/preview", { method: "POST", json: { contactId: id, template: { subject: "Hello {{ contact.email }}", html: "<p>{{ contact.first_name }}</p>" } } });
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.subject).toBe("Hello preview@example.com");
    expect(out.html).toContain("<p>Ada</p>");
    expect(out.html).toContain("https://tern.example.com/u/preview");
    expect(out.text).toContain("Ada");
  });
});

describe("transactional send, end to end through the real queue", () => {
  it("renders, rewrites links, adds the pixel and lands in the outbox", async () => {
    const res = await a.fetch("/api/send", { method: "POST", json: { templateId, to: "Buyer@Example.com", data: { products: [{ name: "Teapot", price: 40 }] } } });
    expect(res.status).toBe(202);
    const { messageId } = await json(res);
    const row = await until(() => outboxRow(messageId));
    expect(row.to_email).toBe("buyer@example.com");
    expect(row.html).toContain("Teapot $40.00");
    expect(row.html).toMatch(/href="https:\/\/tern\.example\.com\/c\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"/);
    expect(row.html).not.toContain('href="https://shop.example/cart');
    expect(row.html).toMatch(/<img src="https:\/\/tern\.example\.com\/o\//);
    expect(header(row.raw, "List-Unsubscribe")).toBeUndefined();
    expect(header(row.raw, "X-Tern-Message-Id")).toBe(messageId);
    const m = await message(messageId);
    expect(m).toMatchObject({ status: "sent", provider: "outbox", kind: "transactional" });
    const ev = await env.DB.prepare("SELECT * FROM events WHERE email_id = ? AND name = 'Email Sent'").bind(messageId).first();
    expect(ev).toBeTruthy();
  });

  it("honours an idempotency key and refuses bad input", async () => {
    const body = { templateId, to: "idem@example.com", idempotencyKey: "order-77" };
    const first = await json(await a.fetch("/api/send", { method: "POST", json: body }));
    await until(() => outboxRow(first.messageId));
    const again = await json(await a.fetch("/api/send", { method: "POST", json: body }));
    expect(again.queued).toBe(false);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE to_email = 'idem@example.com' OR contact_id = (SELECT id FROM contacts WHERE email = 'idem@example.com')").first<{ n: number }>();
    expect(n!.n).toBe(1);
    expect((await a.fetch("/api/send", { method: "POST", json: { templateId } })).status).toBe(400);
    expect((await a.fetch("/api/send", { method: "POST", json: { templateId: 99999, to: "x@example.com" } })).status).toBe(404);
    expect((await a.fetch("/api/send", { method: "POST", json: { templateId, to: "x@example.com\r\nBcc: y@example.com" } })).status).toBe(400);
  });

  it("sends a test of a template to any address", async () => {
    const id = await contact("rendered-for@example.com");
    const res = await a.fetch(`/api/templates/${templateId}/test`, { method: "POST", json: { to: "qa@example.com", contactId: id } });
    expect(res.status).toBe(202);
    const { messageId } = await json(res);
    const sent = await until(() => outboxRow(messageId));
    expect(sent.to_email).toBe("qa@example.com");
    expect(sent.subject).toBe("Ada, your cart");
    expect(sent.html).toContain("Stoneware mug"); // the preview's sample cart
    // its unsubscribe link must not unsubscribe the contact it was rendered for
    const unsub = tokenFrom(sent.html, "u")!;
    expect((await call(`/u/${unsub}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
    expect((await json(await a.fetch(`/api/contacts/${id}`))).status).toBe("active");
    expect(header(sent.raw, "Message-ID")).toBe(`<${messageId}@tern.example.com>`);
    const detail = await json(await a.fetch(`/api/outbox/${messageId}`));
    expect(detail.message).toMatchObject({ id: messageId, kind: "transactional", status: "sent", templateId });
    expect(await json(await a.fetch(`/api/messages/${messageId}`))).toMatchObject({ status: "sent" });
    expect((await a.fetch("/api/messages/m_nope")).status).toBe(404);
  });
});

describe("marketing send: headers, one-click unsubscribe, tracking", () => {
  it("carries RFC 8058 headers; a one-click POST unsubscribes and the next send is refused", async () => {
    const id = await contact("reader@example.com");
    const [m1, m2] = await createMessages(env.DB, [marketing(id), marketing(id)], Date.now());
    await deliver([m1!.id]);
    const row = await outboxRow(m1!.id);
    expect(header(row.raw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const unsub = header(row.raw, "List-Unsubscribe")!;
    expect(unsub).toMatch(/^<https:\/\/tern\.example\.com\/u\/[^>]+>$/);
    expect(header(row.raw, "List-Id")).toBe('"Juniper: Newsletter" <newsletter.tern.example.com>');

    const path = new URL(unsub.slice(1, -1)).pathname;
    // a GET (mail scanners prefetch) shows a page and changes nothing
    const page = await call(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe from Newsletter");
    expect((await env.DB.prepare("SELECT status FROM subscriptions WHERE contact_id = ?").bind(id).first<any>()).status).toBe("subscribed");

    const post = await call(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(post.status).toBe(200);
    expect((await env.DB.prepare("SELECT status FROM subscriptions WHERE contact_id = ?").bind(id).first<any>()).status).toBe("unsubscribed");
    expect((await message(m1!.id)).unsubscribed_at).toBeGreaterThan(0);

    // the second message was already queued before the unsubscribe: it must not go out
    await deliver([m2!.id]);
    expect(await message(m2!.id)).toMatchObject({ status: "suppressed", error: "the contact is not subscribed to this topic" });
    expect(await outboxRow(m2!.id)).toBeNull();
  });

  it("the page's 'all' button stops every marketing email", async () => {
    const id = await contact("all@example.com");
    const [m1, m2] = await createMessages(env.DB, [marketing(id), marketing(id, { topicId: null })], Date.now());
    await deliver([m1!.id]);
    const path = new URL(header((await outboxRow(m1!.id)).raw, "List-Unsubscribe")!.slice(1, -1)).pathname;
    const res = await call(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "scope=all" });
    expect(await res.text()).toContain("You are unsubscribed");
    expect((await env.DB.prepare("SELECT status FROM contacts WHERE id = ?").bind(id).first<any>()).status).toBe("unsubscribed");
    await deliver([m2!.id]);
    expect(await message(m2!.id)).toMatchObject({ status: "suppressed", error: "the contact is unsubscribed" });
  });

  it("refuses oversized unsubscribe posts with 413 and changes nothing", async () => {
    const id = await contact("huge@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    await deliver([m!.id]);
    const path = new URL(header((await outboxRow(m!.id)).raw, "List-Unsubscribe")!.slice(1, -1)).pathname;
    const res = await call(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click&pad=" + "x".repeat(20_000) });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("payload_too_large");
    expect((await env.DB.prepare("SELECT status FROM subscriptions WHERE contact_id = ?").bind(id).first<any>()).status).toBe("subscribed");
  });

  it("refuses tampered and foreign unsubscribe tokens", async () => {
    for (const token of ["garbage", "eyJrIjoidSIsImMiOjF9.AAAAAAAAAAAAAAAAAAAAAA", "x".repeat(5000)]) {
      expect((await call(`/u/${token}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
      expect((await call(`/u/${token}`)).status).toBe(404);
    }
  });

  it("records opens and clicks, separating machines from people, and redirects only where the email linked", async () => {
    const id = await contact("clicker@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now() - 60_000);
    await deliver([m!.id]);
    await env.DB.prepare("UPDATE messages SET sent_at = ? WHERE id = ?").bind(Date.now() - 60_000, m!.id).run();
    const row = await outboxRow(m!.id);
    const pixel = tokenFrom(row.html, "o")!;
    const click = tokenFrom(row.html, "c")!;

    const gif = await call(`/o/${pixel}`, { headers: { "user-agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605 Version/17 Safari/605" } });
    expect(gif.status).toBe(200);
    expect(gif.headers.get("content-type")).toBe("image/gif");
    expect(gif.headers.get("cache-control")).toContain("no-store");
    await call(`/o/${pixel}`, { headers: { "user-agent": "Mozilla/5.0" } }); // Apple Mail Privacy Protection

    const go = await call(`/c/${click}`, { headers: { "user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/130" }, redirect: "manual" });
    expect(go.status).toBe(302);
    expect(go.headers.get("location")).toBe("https://shop.example/cart?ref=email");
    const scan = await call(`/c/${click}`, { method: "HEAD", redirect: "manual" });
    expect(scan.status).toBe(302);

    const events = await until(async () => {
      const r = await env.DB.prepare("SELECT name, flag FROM events WHERE email_id = ? AND name IN ('Email Opened', 'Email Clicked') ORDER BY id").bind(m!.id).all<any>();
      return r.results.length >= 4 ? r.results : null;
    });
    expect(events.map((e: any) => `${e.name}:${e.flag}`).sort()).toEqual(["Email Clicked:bot", "Email Clicked:human", "Email Opened:human", "Email Opened:machine"]);
    const msg = await message(m!.id);
    expect(msg.opened_at).toBeGreaterThan(0);
    expect(msg.machine_opened_at).toBeGreaterThan(0);
    expect(msg.clicked_at).toBeGreaterThan(0);
    expect((await env.DB.prepare("SELECT last_clicked_at FROM contacts WHERE id = ?").bind(id).first<any>()).last_clicked_at).toBeGreaterThan(0);

    // tampering with the destination, or a token for another kind, never redirects
    const [body, sig] = click.split(".");
    const forged = btoa(JSON.stringify({ k: "c", m: m!.id, u: "https://evil.example/" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    for (const bad of [`${forged}.${sig}`, `${body}.${sig!.slice(1)}`, pixel, "nonsense"]) {
      const res = await call(`/c/${bad}`, { redirect: "manual" });
      expect(res.status).toBe(404);
      expect(res.headers.get("location")).toBeNull();
    }
    expect((await call(`/o/not-a-token`)).status).toBe(404);
  });

  it("shows the email in the browser from its link", async () => {
    const id = await contact("viewer@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    await deliver([m!.id]);
    const view = tokenFrom((await outboxRow(m!.id)).html, "v")!;
    const res = await call(`/v/${view}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Mug $12.00");
    expect(page).not.toContain("/o/"); // viewing in the browser is not an open
    expect((await call(`/v/${view}x`)).status).toBe(404);
  });
});

describe("the consumer's guarantees", () => {
  it("sends once when the same job arrives twice, in one batch or in two", async () => {
    const id = await contact("twice@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    const sent: string[] = [];
    const provider: Provider = { name: "counting", send: async (e) => (sent.push(e.messageId), { ok: true, providerMessageId: `p-${e.messageId}` }) };
    const first = await deliver([m!.id, m!.id], provider);
    expect(first.explicitAcks.length).toBe(2);
    await deliver([m!.id], provider);
    expect(sent).toEqual([m!.id]);
    expect(await message(m!.id)).toMatchObject({ status: "sent", provider_message_id: `p-${m!.id}` });
  });

  it("loses nothing and duplicates nothing when 30% of provider calls fail", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push(await contact(`flaky${i}@example.com`));
    const created = await createMessages(env.DB, ids.map((id) => marketing(id)), Date.now());
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const accepted = new Map<string, number>();
    const flaky: Provider = {
      name: "flaky",
      async send(e: OutgoingEmail): Promise<SendResult> {
        const r = rand();
        if (r < 0.15) return { ok: false, retryable: true, error: "503 try later" };
        if (r < 0.3) return { ok: false, retryable: true, error: "request failed: timeout" };
        accepted.set(e.messageId, (accepted.get(e.messageId) ?? 0) + 1);
        return { ok: true, providerMessageId: null };
      },
    };
    let pending = created.map((m) => m.id);
    for (let round = 0; round < 20 && pending.length; round++) {
      await deliver(pending, flaky, round + 1);
      const statuses = await env.DB.prepare(`SELECT id, status FROM messages WHERE id IN (${created.map(() => "?").join(",")})`).bind(...created.map((m) => m.id)).all<any>();
      pending = statuses.results.filter((r: any) => r.status === "queued").map((r: any) => r.id);
    }
    expect(pending).toEqual([]);
    expect(accepted.size).toBe(20);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
  });

  it("retries with backoff on retryable errors and fails for good on permanent ones", async () => {
    const id = await contact("perm@example.com");
    const [retryable, permanent] = await createMessages(env.DB, [marketing(id), marketing(id)], Date.now());
    const provider: Provider = {
      name: "mixed",
      send: async (e) => (e.messageId === retryable!.id ? { ok: false, retryable: true, error: "429 slow down", retryAfterSeconds: 17 } : { ok: false, retryable: false, error: "422 invalid recipient" }),
    };
    const result = await deliver([retryable!.id, permanent!.id], provider);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays).toEqual([17]);
    expect(await message(retryable!.id)).toMatchObject({ status: "queued", error: "429 slow down", attempts: 1 });
    expect(await message(permanent!.id)).toMatchObject({ status: "failed", error: "422 invalid recipient" });
  });

  it("a bulk provider's failed flush retries every send it had accepted; a good flush acks them", async () => {
    const id = await contact("flush@example.com");
    const [first, second] = await createMessages(env.DB, [marketing(id), marketing(id)], Date.now());
    let accepted: string[] = [];
    const failing: Provider = {
      name: "bulk",
      send: async (e) => (accepted.push(e.messageId), { ok: true, providerMessageId: e.messageId }),
      flush: async () => {
        throw new Error("D1 is overloaded");
      },
    };
    const result = await deliver([first!.id, second!.id], failing);
    expect(accepted).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(2);
    expect(result.explicitAcks).toHaveLength(0);
    for (const m of [first!, second!]) expect(await message(m.id)).toMatchObject({ status: "queued", error: "bulk: D1 is overloaded", sent_at: null });

    accepted = [];
    const flushed: string[][] = [];
    const working: Provider = { ...failing, flush: async () => void flushed.push(accepted) };
    const again = await deliver([first!.id, second!.id], working);
    expect(flushed).toEqual([[first!.id, second!.id]]);
    expect(again.explicitAcks).toHaveLength(2);
    for (const m of [first!, second!]) expect((await message(m.id)).status).toBe("sent");
  });

  it("paces a provider at sending.ratePerSecond; the outbox is not paced", async () => {
    const id = await contact("paced@example.com");
    await a.fetch("/api/settings", { method: "PATCH", json: { sending: { ratePerSecond: 20 } } });
    try {
      const times: number[] = [];
      const provider: Provider = { name: "paced", send: async (e) => (times.push(Date.now()), { ok: true, providerMessageId: e.messageId }) };
      const paced = await createMessages(env.DB, [0, 1, 2, 3].map(() => marketing(id)), Date.now());
      await deliver(paced.map((m) => m.id), provider);
      expect(times).toHaveLength(4);
      expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(3 * 50 - 5); // 20/s: one every 50 ms

      const unpaced = await createMessages(env.DB, [0, 1, 2, 3].map(() => marketing(id)), Date.now());
      const started = Date.now();
      await deliver(unpaced.map((m) => m.id)); // the configured provider: the outbox
      for (const m of unpaced) expect((await message(m.id)).status).toBe("sent");
      expect(Date.now() - started).toBeLessThan(3 * 50);
    } finally {
      await a.fetch("/api/settings", { method: "PATCH", json: { sending: { ratePerSecond: 1000 } } });
    }
  });

  it("answers hostile tracking URLs with 404s, never a 500 or a redirect", async () => {
    for (const path of ["/o/%E0%A4%A", "/c/%E0%A4%A", "/o/", "/c/x.y", "/o/a/b", "/c/" + "A".repeat(5000) + ".sig", "/o/%2e%2e%2fapi"]) {
      const res = await call(path, { redirect: "manual" });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get("location"), path).toBeNull();
    }
  });

  it("keeps several provider requests in flight (at most 6), so a slow API does not cap the pace", async () => {
    const id = await contact("slowapi@example.com");
    const ids = (await createMessages(env.DB, Array.from({ length: 12 }, () => marketing(id)), Date.now())).map((m) => m.id);
    let open = 0;
    let most = 0;
    const provider: Provider = {
      name: "slow",
      send: async (e) => {
        most = Math.max(most, ++open);
        await scheduler.wait(100);
        open--;
        return e.messageId === ids[3] ? { ok: false, retryable: false, error: "422 bad address" } : { ok: true, providerMessageId: `p-${e.messageId}` };
      },
    };
    const started = Date.now();
    const result = await deliver(ids, provider);
    expect(most).toBe(6);
    expect(Date.now() - started).toBeLessThan(12 * 100 / 2); // one at a time would take 1.2 s
    expect(result.explicitAcks).toHaveLength(12);
    for (const m of ids) expect((await message(m)).status).toBe(m === ids[3] ? "failed" : "sent");
  });

  it("checks suppression, contact status and frequency cap at send time", async () => {
    const suppressedId = await contact("bounced@example.com");
    const { sha256Hex } = await import("../../worker/core/crypto");
    await env.DB.prepare("INSERT INTO suppressions (email_hash, email, reason, created_at) VALUES (?, 'bounced@example.com', 'hard_bounce', 1)").bind(await sha256Hex("bounced@example.com")).run();
    const capped = await contact("capped@example.com");
    await a.fetch("/api/settings", { method: "PATCH", json: { sending: { frequencyCap: 1, frequencyDays: 7 } } });
    const [s1, c1, c2] = await createMessages(env.DB, [marketing(suppressedId), marketing(capped), marketing(capped)], Date.now());
    await deliver([s1!.id, c1!.id]);
    await deliver([c2!.id]);
    await a.fetch("/api/settings", { method: "PATCH", json: { sending: { frequencyCap: 0 } } });
    expect(await message(s1!.id)).toMatchObject({ status: "suppressed", error: "the address is suppressed (hard_bounce)" });
    expect((await message(c1!.id)).status).toBe("sent");
    expect(await message(c2!.id)).toMatchObject({ status: "suppressed", error: "frequency cap: 1 emails in 7 days" });
    // suppression applies to transactional mail too
    const [tx] = await createMessages(env.DB, [{ ...marketing(suppressedId), kind: "transactional", topicId: null }], Date.now());
    await deliver([tx!.id]);
    expect((await message(tx!.id)).status).toBe("suppressed");
  });

  it("holds marketing email during the contact's quiet hours instead of dropping it", async () => {
    const id = await contact("sleeper@example.com", { newsletter: "subscribed" }, { timezone: "Pacific/Kiritimati" });
    const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Pacific/Kiritimati", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(Date.now());
    const [h, mi] = local.split(":").map(Number) as [number, number];
    const start = `${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}`;
    const end = `${String((h + 2) % 24).padStart(2, "0")}:${String(mi).padStart(2, "0")}`;
    await a.fetch("/api/settings", { method: "PATCH", json: { sending: { quietHours: true, quietStart: start, quietEnd: end } } });
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    const result = await deliver([m!.id]);
    await a.fetch("/api/settings", { method: "PATCH", json: { sending: { quietHours: false } } });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await message(m!.id)).toMatchObject({ status: "queued" });
    expect((await message(m!.id)).error).toMatch(/quiet hours/);
    expect(await outboxRow(m!.id)).toBeNull();
  });

  it("marks a message failed when its job lands in the dead letter queue", async () => {
    const id = await contact("dead@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    await env.DB.prepare("UPDATE messages SET error = '503 down' WHERE id = ?").bind(m!.id).run();
    const { default: worker } = await import("../../worker/index");
    const batch = createMessageBatch("tern-send-dlq", [{ id: "d1", timestamp: new Date(), attempts: 9, body: { id: m!.id } }]);
    await worker.queue(batch, env);
    expect(await message(m!.id)).toMatchObject({ status: "failed", error: "retries exhausted: 503 down" });
  });
});

describe("tracking consumer", () => {
  it("ignores hits for unknown messages and junk bodies, and dedupes redelivered hits", async () => {
    const id = await contact("dedupe@example.com");
    const [m] = await createMessages(env.DB, [marketing(id)], Date.now());
    await deliver([m!.id]);
    await env.DB.prepare("UPDATE messages SET sent_at = ? WHERE id = ?").bind(Date.now() - 600_000, m!.id).run();
    const hit: TrackHit = { t: "o", h: "fixed", m: m!.id, at: Date.now(), ua: "Mozilla/5.0 (X11; Linux) Firefox/120", ip: "198.51.100.1", method: "GET" };
    const batch = createMessageBatch("tern-track", [
      { id: "1", timestamp: new Date(), attempts: 1, body: hit },
      { id: "2", timestamp: new Date(), attempts: 1, body: hit },
      { id: "3", timestamp: new Date(), attempts: 1, body: { ...hit, m: "m_unknown", h: "x" } },
      { id: "4", timestamp: new Date(), attempts: 1, body: { junk: true } },
    ]);
    await handleTrackBatch(batch as MessageBatch<unknown>, env);
    await handleTrackBatch(batch as MessageBatch<unknown>, env);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE email_id = ? AND name = 'Email Opened'").bind(m!.id).first<{ n: number }>();
    expect(n!.n).toBe(1);
  });
});

describe("message report", () => {
  it("counts people and machines apart, with rates and per-link clicks", async () => {
    const t = await json(await a.fetch("/api/templates", { method: "POST", json: { name: "Report", subject: "Report", html: '<a href="https://shop.example/a">A</a><a href="https://shop.example/b">B</a>' } }));
    const ids = [await contact("r1@example.com"), await contact("r2@example.com"), await contact("r3@example.com")];
    const created = await createMessages(env.DB, ids.map((id) => marketing(id, { templateId: t.id })), Date.now());
    await deliver(created.map((m) => m.id));
    const sentAt = Date.now() - 3600_000;
    await env.DB.prepare(`UPDATE messages SET sent_at = ? WHERE template_id = ?`).bind(sentAt, t.id).run();
    const [m1, m2, m3] = created.map((m) => m.id) as [string, string, string];
    const person = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0";
    const hit = (over: Partial<TrackHit>): TrackHit => ({ t: "o", h: Math.random().toString(36), m: m1, at: sentAt + 600_000, ua: person, ip: "203.0.113.7", method: "GET", ...over });
    const hits: TrackHit[] = [
      hit({ m: m1 }), // person opens #1
      hit({ m: m1, t: "c", u: "https://shop.example/a", l: 0 }), // and clicks A
      hit({ m: m2, ua: "Mozilla/5.0" }), // Apple proxy opens #2
      hit({ m: m3, t: "c", u: "https://shop.example/a", l: 0, method: "HEAD" }), // a scanner "clicks" #3
      hit({ m: m3, t: "c", u: "https://shop.example/b", l: 1, method: "HEAD" }),
    ];
    const batch = createMessageBatch("tern-track", hits.map((b, i) => ({ id: String(i), timestamp: new Date(), attempts: 1, body: b })));
    await handleTrackBatch(batch as MessageBatch<unknown>, env);

    const res = await a.fetch(`/api/reports/messages?templateId=${t.id}`);
    expect(res.status).toBe(200);
    const report = await json(res);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ sent: 3, opened: 1, machineOpened: 1, clicked: 1, botClicked: 1, bounced: 0 });
    expect(report.groups[0].rates).toMatchObject({ open: 33.33, machineOpen: 33.33, click: 33.33, clickToOpen: 100 });
    expect(report.links).toEqual([
      { url: "https://shop.example/a", clicks: 1, people: 1, botClicks: 1 },
      { url: "https://shop.example/b", clicks: 0, people: 0, botClicks: 1 },
    ]);
    expect((await a.fetch("/api/reports/messages?groupBy=bogus")).status).toBe(400);
    expect((await json(await a.fetch(`/api/reports/messages?templateId=${t.id}&groupBy=day`))).groups).toHaveLength(1);
  });
});

describe("orphan sweep", () => {
  it("re-enqueues sends whose job was lost, and leaves holds, retries and paused campaigns alone", async () => {
    const { sweepOrphans } = await import("../../worker/delivery/sweep");
    const id = await contact("orphan@example.com");
    const old = Date.now() - 20 * 60_000;
    const [lost, retrying, held] = await createMessages(env.DB, [marketing(id), marketing(id), marketing(id)], old);
    await env.DB.batch([
      env.DB.prepare("UPDATE messages SET attempts = 1, error = '503' WHERE id = ?").bind(retrying!.id),
      env.DB.prepare("UPDATE messages SET error = 'held for quiet hours (21:00–08:00 local time)' WHERE id = ?").bind(held!.id),
    ]);
    expect(await sweepOrphans(env, Date.now())).toBe(1);
    await until(async () => (await message(lost!.id)).status === "sent");
    expect((await message(retrying!.id)).status).toBe("queued");
    expect((await message(held!.id)).status).toBe("queued");
  });
});

describe("demo recipients (outbox only)", () => {
  it("simulates opens, clicks and orders through the real tracking path, varying by subject", async () => {
    const { simulateRecipients } = await import("../../worker/delivery/demo-recipients");
    const queued: { body: any; delay?: number }[] = [];
    const fakeEnv = { ...env, TRACK: { send: async (body: unknown, o?: { delaySeconds?: number }) => void queued.push({ body, delay: o?.delaySeconds }) } } as unknown as typeof env;
    const id = await contact("demo-recipient@example.com");
    const sent = Array.from({ length: 400 }, (_, i) => ({ id: `m_demo${i}`, contactId: id, subject: i % 2 ? "Subject B" : "Subject A", kind: "marketing", html: `<a href="https://tern.example.com/c/${btoa(JSON.stringify({ k: "c", m: `m_demo${i}`, u: "https://shop.example/x", l: 0 })).replace(/=+$/, "")}.sig">x</a>` }));
    await simulateRecipients(fakeEnv, [...sent, { ...sent[0]!, id: "m_tx", kind: "transactional" }], Date.now());
    const opens = queued.flatMap((q) => q.body.hits ?? []).filter((h: any) => h.t === "o" && h.ua !== "Mozilla/5.0");
    const clicks = queued.flatMap((q) => q.body.hits ?? []).filter((h: any) => h.t === "c");
    expect(opens.length).toBeGreaterThan(80);
    expect(opens.length).toBeLessThan(220);
    expect(clicks.every((c: any) => c.u === "https://shop.example/x")).toBe(true);
    expect(queued.every((q) => (q.delay ?? 0) >= 60)).toBe(true);
    expect(queued.some((q) => q.body.hits?.[0]?.m === "m_tx")).toBe(false);
    const rateA = opens.filter((h: any) => Number(h.m.slice(6)) % 2 === 0).length;
    expect(rateA).not.toBe(opens.length - rateA); // subjects open at different rates

    expect(queued.filter((q) => q.body.demoOrder).length).toBeGreaterThan(0);
    const batch = createMessageBatch("tern-track", [{ id: "o", timestamp: new Date(), attempts: 1, body: { demoOrder: { contactId: id, messageId: "m_demo1", value: 42 } } }]);
    await handleTrackBatch(batch as MessageBatch<unknown>, env);
    const order = await env.DB.prepare("SELECT value FROM events WHERE contact_id = ? AND name = 'Order Completed'").bind(id).first<{ value: number }>();
    expect(order!.value).toBe(42);
  });
});
