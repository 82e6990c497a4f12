/** /api/campaigns through the real Worker: CRUD, validation and hostile input, state conflicts, and a send end to end through the real queues. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { admin, call, json, type Admin, until } from "./helpers";

vi.setConfig({ testTimeout: 30_000 });

// a month ahead, on the hour: always in the future, always schedulable
const LATER = Math.floor((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000;
const laterIso = new Date(LATER).toISOString();
const laterDate = laterIso.slice(0, 10);

let a: Admin;
let topicId: number;
let txTopicId: number;
let templateId: number;
let segmentId: number;

const post = (path: string, body?: unknown) => a.fetch(path, { method: "POST", ...(body === undefined ? {} : { json: body }) });

async function create(body: Record<string, unknown> = {}) {
  const res = await post("/api/campaigns", { name: "Spring sale", templateId, topicId, audience: { segments: [segmentId] }, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", { method: "PATCH", json: { store: { name: "Juniper", address: "1 Harbour St" }, sender: { fromEmail: "hello@juniper.example", fromName: "Juniper" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } } });
  topicId = (await json(await post("/api/topics", { key: "news", name: "News" }))).id;
  txTopicId = (await json(await post("/api/topics", { key: "orders", name: "Orders", kind: "transactional" }))).id;
  templateId = (await json(await post("/api/templates", { name: "Sale", subject: "Spring is here", html: "<p>Hello {{ contact.first_name }}</p>" }))).id;
  for (let i = 0; i < 6; i++) {
    const res = await post("/api/contacts", { email: `api-${i}@example.com`, firstName: `P${i}`, properties: { cohort: "api" }, topics: { news: i < 5 ? "subscribed" : "unsubscribed" } });
    expect(res.status).toBe(201);
  }
  const seg = await post("/api/segments", { name: "API cohort", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "properties.cohort", op: "eq", value: "api" }] } });
  segmentId = (await json(seg)).id;
});

describe("campaigns API", () => {
  it("refuses anonymous requests on every route", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/campaigns"], ["POST", "/api/campaigns"], ["GET", "/api/campaigns/1"], ["PATCH", "/api/campaigns/1"], ["DELETE", "/api/campaigns/1"],
      ["POST", "/api/campaigns/1/schedule"], ["POST", "/api/campaigns/1/pause"], ["POST", "/api/campaigns/1/resume"], ["POST", "/api/campaigns/1/cancel"],
      ["POST", "/api/campaigns/1/duplicate"], ["POST", "/api/campaigns/1/resend-non-openers"], ["POST", "/api/campaigns/1/winner"], ["GET", "/api/campaigns/1/report"],
    ];
    for (const [method, path] of routes) {
      const res = await call(path, { method, body: method === "GET" ? undefined : "{}" });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((await json(res)).error.code).toBeTruthy();
    }
    // a session without the CSRF header cannot change anything
    const res = await call("/api/campaigns", { method: "POST", headers: { cookie: a.cookie }, body: JSON.stringify({ name: "x" }) });
    expect(res.status).toBe(403);
  });

  it("creates, reads with an estimate, edits, lists, duplicates and deletes drafts", async () => {
    const c = await create({ sender: { fromName: "Spring team", replyTo: "care@juniper.example" }, subject: "Hi {{ contact.first_name }}", maxPerHour: 500 });
    expect(c).toMatchObject({ status: "draft", name: "Spring sale", templateId, topicId, sender: { fromName: "Spring team", replyTo: "care@juniper.example", fromEmail: "" }, subject: "Hi {{ contact.first_name }}", maxPerHour: 500 });
    const got = await json(await a.fetch(`/api/campaigns/${c.id}`));
    expect(got.estimate).toEqual({ recipients: 5, withoutConsent: 1 });
    expect(got.progress).toMatchObject({ total: null, enqueued: 0, queued: 0, sent: 0 });

    const patched = await json(await a.fetch(`/api/campaigns/${c.id}`, { method: "PATCH", json: { name: "Spring sale (final)", subject: null, schedule: { kind: "at", at: laterIso } } }));
    expect(patched).toMatchObject({ name: "Spring sale (final)", subject: null, sender: { fromName: "Spring team" }, schedule: { kind: "at", at: LATER } });

    const list = await json(await a.fetch("/api/campaigns?status=draft"));
    expect(list.items.map((x: any) => x.id)).toContain(c.id);
    expect(list.items[0].progress).toBeTruthy();

    const copy = await post(`/api/campaigns/${c.id}/duplicate`);
    expect(copy.status).toBe(201);
    const dup = await json(copy);
    expect(dup).toMatchObject({ status: "draft", name: "Spring sale (final) (copy)", templateId, audience: { segments: [segmentId] } });
    expect(dup.id).not.toBe(c.id);

    expect((await a.fetch(`/api/campaigns/${dup.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await a.fetch(`/api/campaigns/${dup.id}`)).status).toBe(404);
  });

  it("refuses hostile and malformed input with 4xx JSON", async () => {
    const c = await create();
    const bad: [string, string, unknown, number][] = [
      ["POST", "/api/campaigns", { templateId }, 400], // no name
      ["POST", "/api/campaigns", { name: "" }, 400],
      ["POST", "/api/campaigns", { name: "x", templateId: "1" }, 400],
      ["POST", "/api/campaigns", { name: "x", templateId: 99999 }, 400], // unknown template
      ["POST", "/api/campaigns", { name: "x", topicId: 99999 }, 400],
      ["POST", "/api/campaigns", { name: "x", topicId: txTopicId }, 400], // not a marketing topic
      ["POST", "/api/campaigns", { name: "x", audience: { segments: [424242] } }, 400],
      ["POST", "/api/campaigns", { name: "x", audience: { excludeSegments: [0] } }, 400],
      ["POST", "/api/campaigns", { name: "x", audience: { topics: ["nope"] } }, 400],
      ["POST", "/api/campaigns", { name: "x", audience: { topics: ["news'); DROP TABLE contacts;--"] } }, 400],
      ["POST", "/api/campaigns", { name: "x", audience: { segments: "1 OR 1=1" } }, 400],
      ["POST", "/api/campaigns", { name: "x", audience: { segments: [1], where: "1=1" } }, 400],
      ["POST", "/api/campaigns", { name: "x", status: "sent" }, 400],
      ["POST", "/api/campaigns", { name: "x", schedule: { kind: "whenever" } }, 400],
      ["POST", "/api/campaigns", { name: "x", schedule: { kind: "at", at: "next tuesday" } }, 400],
      ["POST", "/api/campaigns", { name: "x", schedule: { kind: "local", date: "2026-13-01", time: "09:00" } }, 400],
      ["POST", "/api/campaigns", { name: "x", schedule: { kind: "local", date: "2026-12-01", time: "9am" } }, 400],
      ["POST", "/api/campaigns", { name: "x", maxPerHour: 0 }, 400],
      ["POST", "/api/campaigns", { name: "x", maxPerHour: 1e12 }, 400],
      ["POST", "/api/campaigns", { name: "x", sender: { fromEmail: "a@b.example\r\nBcc: victim@example.com" } }, 400],
      ["POST", "/api/campaigns", { name: "x", subject: "{% if %}" }, 400], // Liquid that does not parse
      ["POST", "/api/campaigns", { name: "x", abTest: { variants: [{ key: "A" }], testShare: 20, metric: "opens", waitHours: 4 } }, 400],
      ["POST", "/api/campaigns", { name: "x", abTest: { variants: [{ key: "A" }, { key: "B", templateId: 99999 }], testShare: 20, metric: "opens", waitHours: 4 } }, 400],
      ["POST", "/api/campaigns", { name: "x", abTest: { variants: [{ key: "A" }, { key: "B" }], testShare: 20, metric: "opens", waitHours: 1000 } }, 400],
      ["PATCH", `/api/campaigns/${c.id}`, { id: 5 }, 400],
      ["PATCH", `/api/campaigns/${c.id}`, [1, 2], 400],
      ["POST", `/api/campaigns/${c.id}/schedule`, { schedule: { kind: "at", at: -1 } }, 400],
      ["POST", `/api/campaigns/${c.id}/resend-non-openers`, { afterHours: -3 }, 400],
      ["GET", "/api/campaigns?limit=100000", undefined, 400],
      ["GET", "/api/campaigns?status=everything", undefined, 400],
    ];
    for (const [method, path, body, status] of bad) {
      const res = await a.fetch(path, { method, ...(body === undefined ? {} : { json: body }) });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect((await json(res)).error.code).toMatch(/^[a-z_]+$/);
    }
    // unknown references name the field
    const res = await post("/api/campaigns", { name: "x", templateId: 99999, audience: { segments: [424242], topics: ["nope"] } });
    expect((await json(res)).error.issues.map((i: any) => i.path).sort()).toEqual(["audience.segments", "audience.topics", "templateId"]);
    // not JSON, and too big
    expect((await a.fetch("/api/campaigns", { method: "POST", body: "{nope", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await a.fetch("/api/campaigns", { method: "POST", json: { name: "x", padding: "x".repeat(70_000) } })).status).toBe(413);
    // path ids that are not ids
    for (const id of ["1%20OR%201=1", "-1", "abc", "99999999999999"]) expect((await a.fetch(`/api/campaigns/${id}`)).status).toBe(404);
    // injection strings are stored as data
    const name = `Robert'); DROP TABLE campaigns;-- <script>alert(1)</script>`;
    const weird = await create({ name });
    expect((await json(await a.fetch(`/api/campaigns/${weird.id}`))).name).toBe(name);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM campaigns").first<{ n: number }>())!.n).toBeGreaterThan(1);
  });

  it("schedule lists what is missing (422), and state changes a campaign's status forbids are 409", async () => {
    const empty = await json(await post("/api/campaigns", { name: "Empty" }));
    const res = await post(`/api/campaigns/${empty.id}/schedule`);
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe("not_ready");
    expect(body.error.issues.map((i: any) => i.path).sort()).toEqual(["audience", "templateId", "topicId"]);

    // nobody reachable: the only member of this segment is not subscribed
    const seg = await json(await post("/api/segments", { name: "Unsubscribed one", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "email", op: "eq", value: "api-5@example.com" }] } }));
    const nobody = await create({ audience: { segments: [seg.id] } });
    expect((await json(await post(`/api/campaigns/${nobody.id}/schedule`))).error.issues).toEqual([{ path: "audience", message: expect.stringContaining("nobody") }]);
    // the compliance lint: a template without the layout must carry its own unsubscribe link and address
    const bare = (await json(await post("/api/templates", { name: "Bare", subject: "Hi", layout: "none", html: "<p>No footer here</p>" }))).id;
    const noFooter = await create({ templateId: bare });
    const lint = await json(await post(`/api/campaigns/${noFooter.id}/schedule`));
    expect(lint.error.issues.map((i: any) => i.message)).toEqual([
      expect.stringContaining("must link to {{ unsubscribe_url }}"),
      expect.stringContaining("must show {{ store.address }}"),
    ]);
    // the past, local time with an A/B test, identical variants
    const c = await create();
    expect((await post(`/api/campaigns/${c.id}/schedule`, { schedule: { kind: "at", at: "2020-01-01T00:00:00Z" } })).status).toBe(422);
    expect((await post(`/api/campaigns/${c.id}/schedule`, { schedule: { kind: "local", date: "2020-01-01", time: "09:00" } })).status).toBe(422);
    const ab = await create({ abTest: { variants: [{ key: "A", subject: "Same" }, { key: "B", subject: "Same" }], testShare: 20, metric: "opens", waitHours: 2 } });
    const abRes = await json(await post(`/api/campaigns/${ab.id}/schedule`, { schedule: { kind: "local", date: laterDate, time: "09:00" } }));
    expect(abRes.error.issues.map((i: any) => i.path).sort()).toEqual(["abTest.variants", "schedule"]);

    // scheduled far ahead: not editable, not deletable, cannot be paused; unschedule makes it a draft again
    const s = await post(`/api/campaigns/${c.id}/schedule`, { schedule: { kind: "at", at: laterIso } });
    expect(s.status).toBe(200);
    expect(await json(s)).toMatchObject({ status: "scheduled", scheduleAt: LATER, schedule: { kind: "at" } });
    expect((await a.fetch(`/api/campaigns/${c.id}`, { method: "PATCH", json: { name: "x" } })).status).toBe(409);
    expect((await a.fetch(`/api/campaigns/${c.id}`, { method: "DELETE" })).status).toBe(409);
    expect((await post(`/api/campaigns/${c.id}/pause`)).status).toBe(409);
    expect((await post(`/api/campaigns/${c.id}/resume`)).status).toBe(409);
    expect((await post(`/api/campaigns/${c.id}/schedule`)).status).toBe(409);
    expect((await post(`/api/campaigns/${c.id}/winner`)).status).toBe(409);
    expect((await post(`/api/campaigns/${c.id}/resend-non-openers`)).status).toBe(409);
    expect(await json(await post(`/api/campaigns/${c.id}/unschedule`))).toMatchObject({ status: "draft", scheduleAt: null });
    expect(await json(await post(`/api/campaigns/${c.id}/cancel`))).toMatchObject({ error: { code: "conflict" } });
    expect((await post("/api/campaigns/424242/cancel")).status).toBe(404);
  });

  it("sends end to end through the real queues, with live progress, overrides and a resend", async () => {
    const c = await create({ name: "Live", subject: "Spring for {{ contact.first_name }}", sender: { fromName: "Spring team", fromEmail: "spring@juniper.example" } });
    const res = await post(`/api/campaigns/${c.id}/schedule`, { schedule: { kind: "now" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: "scheduled", total: 5 });
    const done = await until(async () => {
      const g = await json(await a.fetch(`/api/campaigns/${c.id}`));
      return g.status === "sent" && g.progress.sent === 5 ? g : null;
    });
    expect(done.progress).toMatchObject({ total: 5, enqueued: 5, queued: 0, sent: 5, failed: 0 });
    const out = await env.DB.prepare("SELECT o.subject, o.raw FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.campaign_id = ? ORDER BY o.subject").bind(c.id).all<{ subject: string; raw: string }>();
    expect(out.results.map((r) => r.subject)).toEqual(["Spring for P0", "Spring for P1", "Spring for P2", "Spring for P3", "Spring for P4"]);
    expect(out.results[0]!.raw).toMatch(/^From: "?Spring team"? <spring@juniper\.example>/m);
    expect(out.results[0]!.raw).toMatch(/^List-Unsubscribe: /m);

    const report = await json(await a.fetch(`/api/campaigns/${c.id}/report`));
    expect(report.variants).toHaveLength(1);
    expect(report.variants[0]).toMatchObject({ variant: null, sent: 5, conversions: 0, revenue: 0 });

    const resend = await post(`/api/campaigns/${c.id}/resend-non-openers`, { afterHours: 24, subject: "In case you missed it" });
    expect(resend.status).toBe(201);
    const child = await json(resend);
    expect(child).toMatchObject({ status: "scheduled", parentId: c.id, subject: "In case you missed it", audience: { nonOpenersOf: c.id }, schedule: { kind: "after_parent", hours: 24 } });
    expect(child.scheduleAt).toBe(done.finishedAt + 24 * 3_600_000);
    expect((await json(await a.fetch(`/api/campaigns/${child.id}`))).estimate).toEqual({ recipients: 5, withoutConsent: 0 });
    expect((await post(`/api/campaigns/${c.id}/resend-non-openers`)).status).toBe(409); // one is on its way
    expect((await post(`/api/campaigns/${c.id}/pause`)).status).toBe(409); // already sent
    expect(await json(await post(`/api/campaigns/${child.id}/cancel`))).toMatchObject({ status: "cancelled" });
  });
});
