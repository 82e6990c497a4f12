/**
 * Campaign fan-out, scheduling, throttle, A/B tests, resends and reports against real D1. Time is driven: the
 * fan-out runs with the `now` each test passes, its queues are recorders, and the real send consumer is
 * called directly on the recorded jobs (as the queue would deliver them).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { scheduleSchema } from "../../worker/campaigns/model";
import { abSeed, bucketWidth } from "../../worker/campaigns/plan";
import { checkCampaigns, handleCampaignBatch, Interrupted, runCampaign, stepCampaign, type CampaignJob } from "../../worker/campaigns/fanout";
import { cancelCampaign, chooseWinner, pauseCampaign, resendToNonOpeners, resumeCampaign, scheduleCampaign } from "../../worker/campaigns/service";
import { randomBucket } from "../../worker/core/segment";
import { handleSendBatch } from "../../worker/delivery/send";
import type { Env } from "../../worker/env";
import { insertRows } from "../../worker/store/db";
import { unsubscribe } from "../../worker/store/unsubscribe";
import { admin, json, type Admin } from "./helpers";

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 30, 0, 0);

let a: Admin;
let topicId: number;
let templateId: number;
let altTemplateId: number;

/** A queue that records what is sent to it. */
function recorder() {
  const jobs: { body: any; delaySeconds?: number }[] = [];
  const batches: number[] = [];
  return {
    jobs,
    batches,
    async send(body: unknown, opts?: QueueSendOptions) {
      jobs.push({ body, delaySeconds: opts?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest>) {
      const list = [...messages];
      batches.push(list.length);
      for (const m of list) jobs.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
    take() {
      return jobs.splice(0);
    },
  };
}

const sendQ = recorder();
const campaignQ = recorder();
const tenv = Object.assign(Object.create(env), { SEND: sendQ, CAMPAIGNS: campaignQ }) as Env;

/** Delivers recorded send jobs to the real consumer, its clock starting at `now`; returns the message ids. */
async function deliverAll(now = NOW) {
  const ids = [...new Set(sendQ.take().map((j) => j.body.id as string))];
  const t0 = Date.now();
  const clock = () => now + (Date.now() - t0); // the consumer paces sends by its clock: it must move
  for (let i = 0; i < ids.length; i += 100) {
    const batch = createMessageBatch("tern-send", ids.slice(i, i + 100).map((id, k) => ({ id: `q${i + k}`, timestamp: new Date(now), attempts: 1, body: { id } })));
    await handleSendBatch(batch as MessageBatch<{ id: string }>, env, { now: clock, random: () => 0.5 });
    await getQueueResult(batch, createExecutionContext());
  }
  return ids;
}

const all = async <T = any>(sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).all<T>()).results;
const one = async <T = any>(sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<T>())!;
const campaign = (id: number) => one("SELECT * FROM campaigns WHERE id = ?", id);
const messagesOf = (id: number) => all<{ id: string; contact_id: number; variant: string | null; status: string; idempotency_key: string; template_id: number; queued_at: number }>("SELECT * FROM messages WHERE campaign_id = ? ORDER BY contact_id", id);

let nextId = 1000;
/** Inserts contacts tagged with `batch` (subscribed to the news topic unless said otherwise); returns their ids. */
async function people(batch: string, n: number, over: (i: number) => Partial<{ timezone: string | null; status: string; email: string | null; subscribed: boolean; externalId: string }> = () => ({})): Promise<number[]> {
  const rows: unknown[][] = [];
  const subs: unknown[][] = [];
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = nextId++;
    const o = over(i);
    ids.push(id);
    rows.push([id, o.email === undefined ? `${batch}-${id}@example.com` : o.email, o.externalId ?? null, "Ada", o.timezone ?? null, JSON.stringify({ batch }), o.status ?? "active", "test", NOW - 86_400_000, NOW]);
    if (o.subscribed !== false) subs.push([id, topicId, "subscribed", "test", NOW]);
  }
  await env.DB.batch([
    ...insertRows(env.DB, "INSERT INTO contacts (id, email, external_id, first_name, timezone, properties, status, source, created_at, updated_at)", 10, rows),
    ...insertRows(env.DB, "INSERT INTO subscriptions (contact_id, topic_id, status, source, updated_at)", 5, subs),
  ]);
  return ids;
}

async function segment(batch: string): Promise<number> {
  const res = await a.fetch("/api/segments", { method: "POST", json: { name: `Batch ${batch}`, definition: { type: "group", match: "all", conditions: [{ type: "property", field: "properties.batch", op: "eq", value: batch }] } } });
  expect(res.status).toBe(201);
  return (await json(res)).id;
}

/** A draft through the API (no queue involved), returning its id. */
async function draft(body: Record<string, unknown>): Promise<number> {
  const res = await a.fetch("/api/campaigns", { method: "POST", json: { name: "Test", templateId, topicId, ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).id;
}

/** Runs the fan-out until it waits or stops. */
const run = (id: number, now: number, pageSize?: number) => runCampaign(tenv, id, () => now, { maxSteps: 1000, pageSize });

vi.setConfig({ testTimeout: 30_000 });

beforeEach(() => {
  sendQ.take();
  campaignQ.take();
});

// Each test's campaigns end here, so the cron checks of the next test see only its own.
afterEach(async () => {
  await env.DB.prepare("UPDATE campaigns SET status = 'cancelled' WHERE status IN ('scheduled', 'testing', 'sending', 'paused')").run();
});

beforeAll(async () => {
  a = await admin();
  const settings = await a.fetch("/api/settings", {
    method: "PATCH",
    json: { store: { name: "Juniper", address: "1 Harbour St", timezone: "America/New_York" }, sender: { fromEmail: "hello@juniper.example", fromName: "Juniper" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } },
  });
  expect(settings.status).toBe(200);
  topicId = (await json(await a.fetch("/api/topics", { method: "POST", json: { key: "news", name: "News" } }))).id;
  templateId = (await json(await a.fetch("/api/templates", { method: "POST", json: { name: "Sale", subject: "The sale is on", html: "<p>Hi {{ contact.first_name }}</p><a href='https://shop.example/sale'>Shop</a>" } }))).id;
  altTemplateId = (await json(await a.fetch("/api/templates", { method: "POST", json: { name: "Sale (photo)", subject: "Photo sale", html: "<p>Big picture</p>" } }))).id;
});

describe("fan-out", () => {
  it("creates exactly one message per recipient, in keyset pages of sendBatch ≤ 100", async () => {
    const ids = await people("fan", 300);
    // not recipients: not subscribed, unsubscribed, bounced, no email, excluded by a segment
    await people("fan", 4, () => ({ subscribed: false }));
    await people("fan", 3, () => ({ status: "unsubscribed" }));
    await people("fan", 2, (i) => ({ status: "bounced", email: `b${i}@example.com` }));
    await people("fan", 2, (i) => ({ email: null, externalId: `no-email-${i}` }));
    const excluded = await people("fan-vip", 5);
    await env.DB.prepare(`UPDATE contacts SET properties = json_set(properties, '$.vip', 1) WHERE id IN (${excluded.join(",")})`).run();
    await env.DB.prepare(`UPDATE contacts SET properties = json_set(properties, '$.batch', 'fan') WHERE id IN (${excluded.join(",")})`).run();
    const vip = (await json(await a.fetch("/api/segments", { method: "POST", json: { name: "VIP", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "properties.vip", op: "eq", value: 1 }] } } }))).id;

    const id = await draft({ audience: { segments: [await segment("fan")], excludeSegments: [vip] } });
    const scheduled = await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    expect(scheduled).toMatchObject({ status: "scheduled", total: 300 });
    expect(campaignQ.take()).toEqual([{ body: { campaignId: id, token: expect.any(String) }, delaySeconds: undefined }]);

    expect(await run(id, NOW, 120)).toEqual({ next: "idle" });
    const rows = await messagesOf(id);
    expect(rows.map((m) => m.contact_id)).toEqual(ids);
    expect(new Set(rows.map((m) => m.idempotency_key)).size).toBe(300);
    expect(rows.every((m) => m.idempotency_key === `campaign:${id}:${m.contact_id}` && m.status === "queued" && m.variant === null)).toBe(true);
    expect(await campaign(id)).toMatchObject({ status: "sent", total: 300, enqueued: 300, cursor: ids[299], started_at: NOW, finished_at: NOW });
    expect(Math.max(...sendQ.batches)).toBeLessThanOrEqual(100);
    const sent = await deliverAll();
    expect(sent).toHaveLength(300);
    expect((await one("SELECT count(*) AS n FROM messages WHERE campaign_id = ? AND status = 'sent'", id)).n).toBe(300);
  });

  it("resumes an interrupted fan-out: no duplicates, nothing missing; the cron restarts a stale one", async () => {
    const ids = await people("resume", 250);
    const id = await draft({ audience: { segments: [await segment("resume")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    campaignQ.take();
    for (let i = 0; i < 3; i++) await stepCampaign(tenv, id, NOW, { pageSize: 50 }); // start + 2 pages
    expect(await campaign(id)).toMatchObject({ status: "sending", cursor: ids[99], enqueued: 100 });

    // The worker dies after page 3's messages were created and enqueued, before its cursor was saved.
    await expect(stepCampaign(tenv, id, NOW, { pageSize: 50, interrupt: true })).rejects.toThrow(Interrupted);
    expect(await campaign(id)).toMatchObject({ cursor: ids[99], enqueued: 100 });
    expect(await messagesOf(id)).toHaveLength(150);

    // Nothing happens for two minutes: the cron notices and starts a new chain, which the queue runs.
    expect(await checkCampaigns(tenv, NOW + 60_000)).toEqual([]);
    expect(await checkCampaigns(tenv, NOW + 3 * 60_000)).toEqual([id]);
    let jobs = campaignQ.take();
    expect(jobs).toHaveLength(1);
    for (let round = 0; jobs.length && round < 20; round++) {
      const batch = createMessageBatch("tern-campaigns", jobs.map((j, i) => ({ id: `c${round}-${i}`, timestamp: new Date(), attempts: 1, body: j.body })));
      await handleCampaignBatch(batch, tenv, () => NOW + 3 * 60_000);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(jobs.length);
      jobs = campaignQ.take();
    }
    const rows = await messagesOf(id);
    expect(rows.map((m) => m.contact_id)).toEqual(ids);
    expect(await campaign(id)).toMatchObject({ status: "sent", enqueued: 250 });
    // page 3 was enqueued twice (before and after the interruption): the consumer sends it once
    const jobIds = sendQ.jobs.map((j) => j.body.id);
    expect(new Set(jobIds).size).toBe(250);
    await deliverAll();
    expect((await one("SELECT count(*) AS n FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.campaign_id = ?", id)).n).toBe(250);
  });

  it("stays at most a few pages ahead of the send consumer, then waits for it to catch up", async () => {
    await people("backlog", 120);
    const id = await draft({ audience: { segments: [await segment("backlog")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    campaignQ.take();
    const opts = { pageSize: 50, maxBacklog: 100 };
    for (let i = 0; i < 3; i++) expect(await stepCampaign(tenv, id, NOW, opts)).toEqual({ next: "continue" }); // start + 2 pages
    expect(await stepCampaign(tenv, id, NOW, opts)).toEqual({ next: "wait", until: NOW + 2000 });
    expect(await campaign(id)).toMatchObject({ status: "sending", enqueued: 100 });
    expect(await deliverAll()).toHaveLength(100);
    expect(await stepCampaign(tenv, id, NOW + 2000, opts)).toEqual({ next: "continue" });
    expect(await campaign(id)).toMatchObject({ enqueued: 120 });
  });

  it("a job of a superseded chain does nothing", async () => {
    await people("chain", 10);
    const id = await draft({ audience: { segments: [await segment("chain")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    const [old] = campaignQ.take();
    await checkCampaigns(tenv, NOW + 10 * 60_000); // a second chain takes over
    const [fresh] = campaignQ.take();
    expect(fresh!.body.token).not.toBe(old!.body.token);
    expect(await runCampaign(tenv, id, () => NOW + 10 * 60_000, { token: (old!.body as CampaignJob).token })).toEqual({ next: "idle" });
    expect(await messagesOf(id)).toHaveLength(0);
    expect(await runCampaign(tenv, id, () => NOW + 10 * 60_000, { token: (fresh!.body as CampaignJob).token })).toEqual({ next: "idle" });
    expect(await messagesOf(id)).toHaveLength(10);
    sendQ.take();
  });
});

describe("failures", () => {
  it("a campaign whose segment or template was deleted pauses with the reason instead of retrying forever", async () => {
    await people("gone", 5);
    const seg = await segment("gone");
    const tpl = (await json(await a.fetch("/api/templates", { method: "POST", json: { name: "Doomed", subject: "Soon gone", html: "<p>x</p>" } }))).id;
    const first = await draft({ audience: { segments: [seg] } });
    const second = await draft({ audience: { segments: [seg] }, templateId: tpl });
    await scheduleCampaign(tenv, first, { kind: "now" }, NOW);
    await scheduleCampaign(tenv, second, { kind: "now" }, NOW);
    await env.DB.prepare("DELETE FROM templates WHERE id = ?").bind(tpl).run();
    const jobs = campaignQ.take();
    expect(jobs).toHaveLength(2);

    const runJobs = async () => {
      const batch = createMessageBatch("tern-campaigns", jobs.map((j, i) => ({ id: `g${i}`, timestamp: new Date(), attempts: 1, body: j.body })));
      await handleCampaignBatch(batch, tenv, () => NOW);
      return getQueueResult(batch, createExecutionContext());
    };
    await env.DB.prepare("DELETE FROM segments WHERE id = ?").bind(seg).run();
    expect((await runJobs()).explicitAcks.sort()).toEqual(["g0", "g1"]);
    const [c1, c2] = [await campaign(first), await campaign(second)];
    expect(c1.status).toBe("paused");
    expect(JSON.parse(c1.state).error).toMatchObject({ message: `segment ${seg} does not exist`, count: 1, at: NOW });
    expect(c2.status).toBe("paused");
    expect(JSON.parse(c2.state).error.message).toMatch(/template \d+ no longer exists/);
    expect(await messagesOf(first)).toHaveLength(0);
    const shown = await json(await a.fetch(`/api/campaigns/${first}`));
    expect(shown.error).toMatchObject({ message: `segment ${seg} does not exist` });
  });
});

describe("pause, cancel, unsubscribe", () => {
  it("pause: nothing is sent until resume, which re-enqueues the held messages and continues", async () => {
    const ids = await people("pause", 200);
    const id = await draft({ audience: { segments: [await segment("pause")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    for (let i = 0; i < 3; i++) await stepCampaign(tenv, id, NOW, { pageSize: 50 });
    expect((await messagesOf(id)).length).toBe(100);
    await pauseCampaign(tenv, id, NOW + 1000);
    expect(await deliverAll(NOW + 2000)).toHaveLength(100);
    expect((await one("SELECT count(*) AS n FROM messages WHERE campaign_id = ? AND status = 'queued'", id)).n).toBe(100); // held
    expect(await run(id, NOW + 3000, 50)).toEqual({ next: "idle" });
    expect((await messagesOf(id)).length).toBe(100); // the fan-out stopped too

    campaignQ.take();
    await resumeCampaign(tenv, id, NOW + 4000);
    expect(campaignQ.take()).toHaveLength(1);
    expect((await campaign(id)).status).toBe("sending");
    expect(await run(id, NOW + 4000, 50)).toEqual({ next: "idle" });
    expect((await messagesOf(id)).map((m) => m.contact_id)).toEqual(ids);
    const delivered = await deliverAll(NOW + 5000);
    expect(delivered).toHaveLength(200); // 100 held + 100 new
    expect((await one("SELECT count(*) AS n FROM messages WHERE campaign_id = ? AND status = 'sent'", id)).n).toBe(200);
    expect(await campaign(id)).toMatchObject({ status: "sent", enqueued: 200 });
  });

  it("cancel mid-send: the rest is cancelled and never sent", async () => {
    await people("cancel", 200);
    const id = await draft({ audience: { segments: [await segment("cancel")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    for (let i = 0; i < 2; i++) await stepCampaign(tenv, id, NOW, { pageSize: 50 });
    const firstPage = sendQ.take();
    await stepCampaign(tenv, id, NOW, { pageSize: 50 });
    const secondPage = sendQ.take();
    sendQ.jobs.push(...firstPage);
    await deliverAll(); // the first 50 go out
    await cancelCampaign(tenv, id, NOW + 1000);
    expect((await campaign(id)).status).toBe("cancelled");
    expect(await run(id, NOW + 2000, 50)).toEqual({ next: "idle" });
    sendQ.jobs.push(...secondPage);
    await deliverAll(NOW + 3000); // jobs still in the queue after the cancel
    const byStatus = await all("SELECT status, count(*) AS n FROM messages WHERE campaign_id = ? GROUP BY 1 ORDER BY 1", id);
    expect(byStatus).toEqual([{ status: "cancelled", n: 50 }, { status: "sent", n: 50 }]);
    expect((await one("SELECT count(*) AS n FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.campaign_id = ?", id)).n).toBe(50);
    await expect(resumeCampaign(tenv, id, NOW + 4000)).rejects.toThrow(/cancelled campaign cannot be resumed/);
  });

  it("a contact who unsubscribes during the send is not mailed", async () => {
    const ids = await people("unsub", 20);
    const id = await draft({ audience: { segments: [await segment("unsub")] } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    await run(id, NOW);
    expect(await messagesOf(id)).toHaveLength(20);
    await unsubscribe(env.DB, { contactId: ids[3]!, topicId, scope: "topic", via: "one-click" }, NOW + 1000);
    await unsubscribe(env.DB, { contactId: ids[7]!, scope: "all", via: "page" }, NOW + 1000);
    await deliverAll(NOW + 2000);
    const rows = await all<{ contact_id: number; status: string; error: string }>("SELECT contact_id, status, error FROM messages WHERE campaign_id = ? AND status != 'sent'", id);
    expect(rows.map((r) => [r.contact_id, r.status])).toEqual([[ids[3], "suppressed"], [ids[7], "suppressed"]]);
  });
});

describe("scheduling", () => {
  it("at a UTC time: nothing before, everything after; the cron starts it when no queue delay can", async () => {
    await people("at", 15);
    const id = await draft({ audience: { segments: [await segment("at")] } });
    await scheduleCampaign(tenv, id, { kind: "at", at: NOW + 2 * H }, NOW);
    expect(campaignQ.take().map((j) => j.delaySeconds)).toEqual([7200]);
    expect(await campaign(id)).toMatchObject({ status: "scheduled", schedule_at: NOW + 2 * H });
    expect(await stepCampaign(tenv, id, NOW + H)).toEqual({ next: "wait", until: NOW + 2 * H });
    expect(await checkCampaigns(tenv, NOW + H)).toEqual([]);
    expect(await messagesOf(id)).toHaveLength(0);
    expect(await run(id, NOW + 2 * H)).toEqual({ next: "idle" });
    expect(await messagesOf(id)).toHaveLength(15);

    // Two days ahead: beyond a queue delay, so no job now; the cron starts it when due.
    const later = await draft({ audience: { segments: [await segment("at")] } });
    await scheduleCampaign(tenv, later, scheduleSchema.parse({ kind: "at", at: new Date(NOW + 48 * H).toISOString() }), NOW);
    expect(campaignQ.take()).toEqual([]);
    expect(await checkCampaigns(tenv, NOW + 47 * H)).toEqual([]);
    expect(await checkCampaigns(tenv, NOW + 48 * H)).toEqual([later]);
    expect(campaignQ.take()).toHaveLength(1);
    await cancelCampaign(tenv, later, NOW + 48 * H);
    sendQ.take();
  });

  it("at local time: Auckland, London, New York (store zone) and Los Angeles each at their own 09:00", async () => {
    const zones: (string | null)[] = ["Pacific/Auckland", "Europe/London", "America/Los_Angeles", null, "Mars/Olympus"];
    const ids = await people("local", 15, (i) => ({ timezone: zones[i % 5]! }));
    const zoneOf = new Map(ids.map((id, i) => [id, zones[i % 5]]));
    const id = await draft({ audience: { segments: [await segment("local")] }, schedule: { kind: "local", date: "2026-12-01", time: "09:00" } });
    await scheduleCampaign(tenv, id, undefined, NOW);
    const auckland = Date.UTC(2026, 10, 30, 20); // 09:00 NZDT
    expect(await campaign(id)).toMatchObject({ status: "scheduled", schedule_at: auckland, local_time: 1 });
    expect(campaignQ.take()).toEqual([]); // 20 hours away: longer than a queue delay, so the cron starts it

    const zonesSent = async () => [...new Set((await messagesOf(id)).map((m) => zoneOf.get(m.contact_id)))].sort();
    expect(await run(id, auckland - 60_000)).toEqual({ next: "wait", until: auckland });
    expect(await zonesSent()).toEqual([]);
    expect(await run(id, auckland)).toEqual({ next: "wait", until: Date.UTC(2026, 11, 1, 9) });
    expect(await zonesSent()).toEqual(["Pacific/Auckland"]);
    expect((await campaign(id)).status).toBe("sending");
    expect(await run(id, Date.UTC(2026, 11, 1, 8, 59))).toEqual({ next: "wait", until: Date.UTC(2026, 11, 1, 9) });
    expect(await run(id, Date.UTC(2026, 11, 1, 9))).toEqual({ next: "wait", until: Date.UTC(2026, 11, 1, 14) });
    expect(await zonesSent()).toEqual(["Europe/London", "Pacific/Auckland"]);
    // no zone, and a zone the runtime does not know: the store's (New York, 09:00 EST = 14:00Z)
    expect(await run(id, Date.UTC(2026, 11, 1, 14))).toEqual({ next: "wait", until: Date.UTC(2026, 11, 1, 17) });
    expect((await zonesSent()).length).toBe(4);
    expect(await run(id, Date.UTC(2026, 11, 1, 17))).toEqual({ next: "idle" });
    expect(await zonesSent()).toEqual([...zones].sort());
    expect(await campaign(id)).toMatchObject({ status: "sent", enqueued: 15, total: 15 });
    // each message was created when its zone's time had come
    for (const m of await messagesOf(id)) {
      const z = zoneOf.get(m.contact_id);
      const due = { "Pacific/Auckland": auckland, "Europe/London": Date.UTC(2026, 11, 1, 9), "America/Los_Angeles": Date.UTC(2026, 11, 1, 17) }[z ?? ""] ?? Date.UTC(2026, 11, 1, 14);
      expect(m.queued_at).toBe(due);
    }
    sendQ.take();
  });

  it("throttle: at most maxPerHour per hour, released in 5-minute steps", async () => {
    await people("throttle", 130);
    const id = await draft({ audience: { segments: [await segment("throttle")] }, maxPerHour: 60 });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    let now = NOW;
    let steps = 0;
    for (let r = await run(id, now); r.next === "wait"; r = await run(id, now)) {
      expect(r.until).toBeGreaterThan(now);
      now = r.until!;
      if (++steps > 100) throw new Error("throttle never finished");
    }
    const times = (await messagesOf(id)).map((m) => m.queued_at).sort((x, y) => x - y);
    expect(times).toHaveLength(130);
    expect(times.filter((t) => t === NOW)).toHaveLength(5); // 60/12 in the first five minutes
    for (const t of times) expect(times.filter((u) => u >= t && u < t + H).length).toBeLessThanOrEqual(60);
    expect(times[129]! - NOW).toBeGreaterThanOrEqual(2 * H);
    expect(times[129]! - NOW).toBeLessThan(3 * H);
    sendQ.take();
  });
});

describe("A/B tests", () => {
  let abPeople: number[];
  let abSegment: number;
  beforeAll(async () => {
    abPeople = await people("ab", 400);
    abSegment = await segment("ab");
  });

  const variants = [
    { key: "A", subject: "Subject A" },
    { key: "B", subject: "Subject B" },
    { key: "C", templateId: 0 }, // content test: filled in below
  ];

  /** Starts an A/B campaign and runs its test send; returns the id and the test group by variant. */
  async function testSend(metric: string, share = 30) {
    const id = await draft({ audience: { segments: [abSegment] }, abTest: { variants: variants.map((v) => (v.key === "C" ? { key: "C", templateId: altTemplateId } : v)), testShare: share, metric, waitHours: 4 } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    expect(await run(id, NOW)).toEqual({ next: "wait", until: NOW + 4 * H });
    const groups: Record<string, number[]> = {};
    for (const m of await messagesOf(id)) (groups[m.variant!] ??= []).push(m.contact_id);
    return { id, groups };
  }

  /** Marks `n` of a variant's test messages with a human open, click or attributed order. */
  async function engage(id: number, variant: string, what: "opened" | "clicked" | "revenue", n: number, value = 0) {
    const rows = await all<{ id: string; contact_id: number }>("SELECT id, contact_id FROM messages WHERE campaign_id = ? AND variant = ? ORDER BY contact_id LIMIT ?", id, variant, n);
    for (const r of rows) {
      if (what === "revenue") {
        await env.DB.prepare("INSERT INTO attributions (event_id, contact_id, email_id, campaign_id, variant, touch, value, occurred_at) VALUES ((SELECT coalesce(max(event_id), 0) + 1 FROM attributions), ?, ?, ?, ?, 'click', ?, ?)")
          .bind(r.contact_id, r.id, id, variant, value, NOW + H)
          .run();
      } else {
        await env.DB.prepare(`UPDATE messages SET ${what}_at = ? WHERE id = ?`).bind(NOW + H, r.id).run();
      }
    }
  }

  it("sends the test share first, split evenly across variants by bucket", async () => {
    const { id, groups } = await testSend("opens");
    const seed = abSeed(id);
    const width = bucketWidth({ testShare: 30, variants });
    expect(width).toBe(10);
    const expected: Record<string, number[]> = {};
    for (const c of abPeople) {
      const b = randomBucket(c, seed);
      if (b < 30) (expected[["A", "B", "C"][Math.floor(b / 10)]!] ??= []).push(c);
    }
    expect(groups).toEqual(expected);
    const sizes = Object.values(groups).map((g) => g.length);
    const tested = sizes.reduce((x, y) => x + y, 0);
    expect(tested).toBeGreaterThan(400 * 0.2);
    expect(tested).toBeLessThan(400 * 0.4);
    for (const s of sizes) expect(s).toBeGreaterThan(tested / 3 - 20);
    expect(await campaign(id)).toMatchObject({ status: "testing", enqueued: tested, total: 400 });
    // the variant's template and subject reach the email
    const rows = await messagesOf(id);
    expect(rows.filter((m) => m.variant === "C").every((m) => m.template_id === altTemplateId)).toBe(true);
    expect(rows.filter((m) => m.variant !== "C").every((m) => m.template_id === templateId)).toBe(true);
    await deliverAll();
    const subjects = await all<{ variant: string; subject: string }>("SELECT DISTINCT m.variant, o.subject FROM messages m JOIN outbox o ON o.message_id = m.id WHERE m.campaign_id = ? ORDER BY 1", id);
    expect(subjects).toEqual([{ variant: "A", subject: "Subject A" }, { variant: "B", subject: "Subject B" }, { variant: "C", subject: "Photo sale" }]);
    await cancelCampaign(tenv, id, NOW + 1);
  });

  for (const [metric, setup, winner] of [
    ["opens", async (id: number) => (await engage(id, "A", "opened", 5), await engage(id, "B", "opened", 25), await engage(id, "C", "opened", 8)), "B"],
    ["clicks", async (id: number) => (await engage(id, "A", "opened", 30), await engage(id, "B", "clicked", 2), await engage(id, "C", "clicked", 15)), "C"],
    ["revenue", async (id: number) => (await engage(id, "A", "revenue", 2, 90), await engage(id, "B", "revenue", 1, 60), await engage(id, "C", "revenue", 5, 10)), "A"],
    ["opens", async () => {}, "A"], // a tie: the first variant
  ] as const) {
    it(`picks the winner by ${metric} after the wait (${winner}) and sends the rest with it`, async () => {
      const { id, groups } = await testSend(metric);
      await deliverAll();
      await setup(id);
      expect(await run(id, NOW + 4 * H - 1)).toEqual({ next: "wait", until: NOW + 4 * H });
      expect(await checkCampaigns(tenv, NOW + 4 * H)).toEqual([id]); // the cron kicks it when the wait is over
      campaignQ.take();
      expect(await run(id, NOW + 4 * H)).toEqual({ next: "idle" });
      const c = await campaign(id);
      const state = JSON.parse(c.state);
      expect(state.winner).toMatchObject({ variant: winner, metric, how: "auto", decidedAt: NOW + 4 * H });
      expect(state.winner.figures.map((f: any) => f.variant)).toEqual(["A", "B", "C"]);
      expect(state.winner.figures.find((f: any) => f.variant === "A").recipients).toBe(groups.A!.length);
      const rows = await messagesOf(id);
      expect(rows).toHaveLength(400);
      const tested = new Set(Object.values(groups).flat());
      for (const m of rows) if (!tested.has(m.contact_id)) expect(m.variant).toBe(winner);
      expect(c).toMatchObject({ status: "sent", enqueued: 400 });
      sendQ.take();
    });
  }

  it("waits for test emails still in the queue before judging them", async () => {
    const { id } = await testSend("opens");
    const held = await one<{ n: number }>("SELECT count(*) AS n FROM messages WHERE campaign_id = ? AND status = 'queued'", id);
    expect(held.n).toBeGreaterThan(0);
    expect(await run(id, NOW + 4 * H)).toEqual({ next: "wait", until: NOW + 4 * H + 5 * 60_000 });
    expect(JSON.parse((await campaign(id)).state).winner).toBeUndefined();
    await deliverAll(NOW + 4 * H);
    await engage(id, "B", "opened", 3);
    expect(await run(id, NOW + 4 * H + 5 * 60_000)).toEqual({ next: "idle" });
    expect(JSON.parse((await campaign(id)).state).winner).toMatchObject({ variant: "B", decidedAt: NOW + 4 * H + 5 * 60_000 });
  });

  it("an admin can end the wait early and choose the winner", async () => {
    const { id } = await testSend("opens", 100);
    await engage(id, "A", "opened", 20);
    campaignQ.take();
    await chooseWinner(tenv, id, "C", NOW + H);
    expect(campaignQ.take()).toHaveLength(1);
    await run(id, NOW + H);
    const c = await campaign(id);
    expect(JSON.parse(c.state).winner).toMatchObject({ variant: "C", how: "manual" });
    // a 100% test (99 of 100 buckets for three variants): one bucket is left for the winner
    expect((await messagesOf(id)).length).toBe(400);
    expect(c.status).toBe("sent");
    sendQ.take();
  });
});

describe("resend to non-openers", () => {
  it("targets exactly the recipients who did not open (people, not machines) nor click, N hours after the parent", async () => {
    const ids = await people("resend", 30);
    const parent = await draft({ audience: { segments: [await segment("resend")] } });
    await scheduleCampaign(tenv, parent, { kind: "now" }, NOW);
    await stepCampaign(tenv, parent, NOW, { pageSize: 10 });
    await stepCampaign(tenv, parent, NOW, { pageSize: 10 });
    // created while the parent is still sending: waits for it to finish
    const child = await resendToNonOpeners(tenv, parent, { afterHours: 24, subject: "Did you miss this, {{ contact.first_name }}?" }, NOW);
    expect(child).toMatchObject({ status: "scheduled", parentId: parent, scheduleAt: null });
    expect(JSON.parse(JSON.stringify(child.audience))).toMatchObject({ nonOpenersOf: parent });
    await run(parent, NOW + H, 10);
    expect(await campaign(child.id)).toMatchObject({ schedule_at: NOW + 25 * H });
    await deliverAll(NOW + H);
    const msg = new Map((await messagesOf(parent)).map((m) => [m.contact_id, m.id]));
    const set = (col: string, cs: number[]) => env.DB.prepare(`UPDATE messages SET ${col} = ? WHERE id IN (SELECT value FROM json_each(?))`).bind(NOW + 2 * H, JSON.stringify(cs.map((c) => msg.get(c)))).run();
    await set("opened_at", ids.slice(0, 10)); // opened
    await set("machine_opened_at", ids.slice(10, 13)); // only a privacy proxy opened: still non-openers
    await set("clicked_at", ids.slice(13, 15)); // clicked (images off): they engaged
    await unsubscribe(env.DB, { contactId: ids[29]!, topicId, scope: "topic", via: "page" }, NOW + 3 * H);

    expect(await checkCampaigns(tenv, NOW + 25 * H - 60_000)).toEqual([]);
    expect(await run(child.id, NOW + 25 * H)).toEqual({ next: "idle" });
    const targeted = (await messagesOf(child.id)).map((m) => m.contact_id);
    expect(targeted).toEqual([...ids.slice(10, 13), ...ids.slice(15, 29)]);
    await deliverAll(NOW + 25 * H);
    const subjects = await all("SELECT DISTINCT o.subject FROM messages m JOIN outbox o ON o.message_id = m.id WHERE m.campaign_id = ?", child.id);
    expect(subjects).toEqual([{ subject: "Did you miss this, Ada?" }]);
  });

  it("is refused for a draft, and cancelled with its parent", async () => {
    await people("resend2", 5);
    const id = await draft({ audience: { segments: [await segment("resend2")] } });
    await expect(resendToNonOpeners(tenv, id, { afterHours: 24 }, NOW)).rejects.toThrow(/draft campaign has no recipients/);
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    await stepCampaign(tenv, id, NOW);
    const child = await resendToNonOpeners(tenv, id, { afterHours: 24 }, NOW);
    await cancelCampaign(tenv, id, NOW + 1);
    expect((await campaign(child.id)).status).toBe("cancelled");
    sendQ.take();
  });
});

describe("report", () => {
  it("gives message figures, conversions and revenue per variant, and a time series", async () => {
    const id = await draft({ audience: { segments: [await segment("ab")] }, abTest: { variants: [{ key: "A", subject: "One" }, { key: "B", subject: "Two" }], testShare: 100, metric: "revenue", waitHours: 1 } });
    await scheduleCampaign(tenv, id, { kind: "now" }, NOW);
    await run(id, NOW);
    await deliverAll(NOW);
    const rows = await messagesOf(id);
    const a1 = rows.filter((m) => m.variant === "A").slice(0, 4);
    const b1 = rows.filter((m) => m.variant === "B").slice(0, 2);
    const mark = (ms: typeof rows, col: string, at: number) => env.DB.prepare(`UPDATE messages SET ${col} = ? WHERE id IN (SELECT value FROM json_each(?))`).bind(at, JSON.stringify(ms.map((m) => m.id))).run();
    await mark(a1, "opened_at", NOW + 30 * 60_000);
    await mark(a1.slice(0, 2), "clicked_at", NOW + 90 * 60_000);
    await mark(b1, "opened_at", NOW + 3 * 24 * H);
    await env.DB.batch([
      env.DB.prepare("INSERT INTO attributions (event_id, contact_id, email_id, campaign_id, variant, touch, value, occurred_at) VALUES (9001, ?, ?, ?, 'A', 'click', 120.5, ?)").bind(a1[0]!.contact_id, a1[0]!.id, id, NOW + 2 * H),
      env.DB.prepare("INSERT INTO attributions (event_id, contact_id, email_id, campaign_id, variant, touch, value, occurred_at) VALUES (9002, ?, ?, ?, 'A', 'open', 30, ?)").bind(a1[1]!.contact_id, a1[1]!.id, id, NOW + 2 * H + 5),
      env.DB.prepare("INSERT INTO attributions (event_id, contact_id, email_id, campaign_id, variant, touch, value, occurred_at) VALUES (9003, ?, ?, ?, 'B', 'open', 10, ?)").bind(b1[0]!.contact_id, b1[0]!.id, id, NOW + 3 * 24 * H + H),
    ]);
    const res = await a.fetch(`/api/campaigns/${id}/report`);
    expect(res.status).toBe(200);
    const report = await json(res);
    const count = (v: string) => rows.filter((m) => m.variant === v).length;
    const [A, B] = report.variants;
    expect(A).toMatchObject({ variant: "A", sent: count("A"), opened: 4, clicked: 2, conversions: 2, revenue: 150.5, revenuePerRecipient: Math.round((150.5 / count("A")) * 100) / 100 });
    expect(B).toMatchObject({ variant: "B", sent: count("B"), opened: 2, clicked: 0, conversions: 1, revenue: 10 });
    expect(A.rates.open).toBeCloseTo((4 / count("A")) * 100, 1);
    expect(report.totals).toMatchObject({ conversions: 3, revenue: 160.5 });
    expect(report.attribution).toEqual({ clickDays: 5, openDays: 1 });
    // hourly for 48 hours, then daily
    const started = (await campaign(id)).started_at;
    expect(report.series).toEqual([
      { at: started, span: "hour", opens: 4, clicks: 0, conversions: 0, revenue: 0, variants: { A: { opens: 4, clicks: 0, conversions: 0, revenue: 0 } } },
      { at: started + H, span: "hour", opens: 0, clicks: 2, conversions: 0, revenue: 0, variants: { A: { opens: 0, clicks: 2, conversions: 0, revenue: 0 } } },
      { at: started + 2 * H, span: "hour", opens: 0, clicks: 0, conversions: 2, revenue: 150.5, variants: { A: { opens: 0, clicks: 0, conversions: 2, revenue: 150.5 } } },
      { at: started + 72 * H, span: "day", opens: 2, clicks: 0, conversions: 1, revenue: 10, variants: { B: { opens: 2, clicks: 0, conversions: 1, revenue: 10 } } },
    ]);
  });
});
