import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../../worker/core/flow-step";
import { runFlowTriggers } from "../../worker/journeys/triggers";
import { admin, json, track, writeKey, type Admin } from "./helpers";
import { fastForward, journeyStub as stub, listRuns } from "./journeys";

let a: Admin;
let key: string;
let tpl: number[] = [];

beforeAll(async () => {
  a = await admin();
  key = await writeKey(a);
  await a.fetch("/api/settings", { method: "PATCH", json: { sender: { fromEmail: "shop@example.com" }, sending: { publicUrl: "https://tern.example.com" } } });
  for (const name of ["Cart 1", "Cart 2", "Cart 3"]) {
    tpl.push((await json(await a.fetch("/api/templates", { method: "POST", json: { name, subject: name, html: "<p>{% for p in event.products %}{{ p.name }}{% endfor %}</p>" } }))).id);
  }
});

const cartFlow = () => ({
  trigger: { type: "event", event: "Checkout Started", where: [{ property: "value", op: "gt", value: 50 }] },
  settings: { reentry: { kind: "never" }, goal: { event: "Order Completed" } },
  entry: "wait1",
  nodes: {
    wait1: { type: "delay", duration: { amount: 1, unit: "hours" }, next: "email1" },
    email1: { type: "send", templateId: tpl[0], next: "wait2" },
    wait2: { type: "delay", duration: { amount: 24, unit: "hours" }, next: "email2" },
    email2: { type: "send", templateId: tpl[1], next: null },
  },
});

async function createLive(name: string, definition: unknown) {
  const res = await a.fetch("/api/flows", { method: "POST", json: { name, definition } });
  expect(res.status).toBe(201);
  const flow = await json(res);
  const pub = await a.fetch(`/api/flows/${flow.id}/publish`, { method: "POST" });
  expect(pub.status, JSON.stringify(await pub.clone().json())).toBe(200);
  return flow.id as number;
}

const contactId = async (userId: string) => (await env.DB.prepare("SELECT id FROM contacts WHERE external_id = ?").bind(userId).first<{ id: number }>())!.id;

async function runsOf(id: number, expected = 1): Promise<Run[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const runs = await listRuns(id);
    if (runs.length >= expected || Date.now() > end) return runs;
    await scheduler.wait(50);
  }
}

const flowMessages = (flowId: number, contact: number) =>
  env.DB.prepare("SELECT flow_node_id AS node, template_id AS template, idempotency_key AS key FROM messages WHERE flow_id = ? AND contact_id = ? ORDER BY queued_at").bind(flowId, contact).all<any>().then((r) => r.results);

describe("abandoned cart through the Durable Object", () => {
  let flowId: number;
  beforeAll(async () => {
    flowId = await createLive("Abandoned cart", cartFlow());
  });

  it("an ingested Checkout Started starts a run that waits, then sends at the due time", async () => {
    await track(key, "identify", { userId: "cart-1", traits: { email: "cart1@example.com" } });
    await track(key, "track", { userId: "cart-1", event: "Checkout Started", properties: { value: 80, products: [{ name: "Mug", price: 80 }] } });
    const id = await contactId("cart-1");
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ flowId, status: "waiting", nodeId: "wait1" });
    expect(run!.wakeAt! - run!.enteredAt).toBe(3_600_000);
    expect(await runInDurableObject(stub(id), (_i, s) => s.storage.getAlarm())).toBe(run!.wakeAt);

    // an alarm before the due time does nothing
    await runDurableObjectAlarm(stub(id));
    expect(await flowMessages(flowId, id)).toEqual([]);

    await fastForward(id);
    expect(await flowMessages(flowId, id)).toEqual([{ node: "email1", template: tpl[0], key: `flow:${run!.id}:email1:1` }]);
    const [after] = await listRuns(id);
    expect(after).toMatchObject({ status: "waiting", nodeId: "wait2" });
    const mirrored = await env.DB.prepare("SELECT node_id, status FROM flow_runs WHERE id = ?").bind(run!.id).first();
    expect(mirrored).toEqual({ node_id: "wait2", status: "waiting" });
  });

  it("a retried alarm never sends twice", async () => {
    await track(key, "track", { userId: "cart-2", event: "Checkout Started", properties: { value: 99 }, context: { traits: { email: "cart2@example.com" } } });
    const id = await contactId("cart-2");
    const [run] = await runsOf(id);
    // the platform retries an alarm whose handler failed after the sends were queued: replay the old state
    const before = await runInDurableObject(stub(id), (_i, s) => s.storage.sql.exec<{ state: string }>("SELECT state FROM runs").one().state);
    await fastForward(id);
    await runInDurableObject(stub(id), async (_i, s) => {
      s.storage.sql.exec("UPDATE runs SET status = 'waiting', wake_at = ?, state = json_set(?, '$.wakeAt', ?)", Date.now() - 1, before, Date.now() - 1);
      await s.storage.setAlarm(Date.now() - 1);
    });
    await runDurableObjectAlarm(stub(id));
    const sent = await flowMessages(flowId, id);
    expect(sent).toHaveLength(1);
    expect(sent[0].key).toBe(`flow:${run!.id}:email1:1`);
  });

  it("Order Completed exits the run at any step (the goal), and the canvas counts show it", async () => {
    await track(key, "track", { userId: "cart-3", event: "Checkout Started", properties: { value: 60 }, context: { traits: { email: "cart3@example.com" } } });
    const id = await contactId("cart-3");
    await runsOf(id);
    await track(key, "track", { userId: "cart-3", event: "Order Completed", properties: { revenue: 60 } });
    let run: Run | undefined;
    for (let i = 0; i < 50 && run?.status !== "exited"; i++) {
      [run] = await listRuns(id);
      await scheduler.wait(50);
    }
    expect(run).toMatchObject({ status: "exited", exitReason: "goal: Order Completed" });
    expect(await runInDurableObject(stub(id), (_i, s) => s.storage.getAlarm())).toBeNull();
    await fastForward(id);
    expect(await flowMessages(flowId, id)).toEqual([]);
    const detail = await json(await a.fetch(`/api/flows/${flowId}`));
    expect(detail.figures.wait1.entered).toBeGreaterThanOrEqual(3);
    expect(detail.figures.email1.entered).toBeGreaterThanOrEqual(2);
    expect(detail.figures.wait1.exited).toBeGreaterThanOrEqual(1);
  });

  it("does not start for a small cart, nor twice for the same contact (re-entry: never)", async () => {
    await track(key, "track", { userId: "cart-4", event: "Checkout Started", properties: { value: 10 }, context: { traits: { email: "cart4@example.com" } } });
    const small = await contactId("cart-4");
    await scheduler.wait(200);
    expect(await listRuns(small)).toEqual([]);
    const id = await contactId("cart-1");
    await track(key, "track", { userId: "cart-1", event: "Checkout Started", properties: { value: 90 } });
    await scheduler.wait(300);
    expect(await listRuns(id)).toHaveLength(1);
  });

  it("runs survive eviction and fire afterwards", async () => {
    await track(key, "track", { userId: "cart-5", event: "Checkout Started", properties: { value: 70 }, context: { traits: { email: "cart5@example.com" } } });
    const id = await contactId("cart-5");
    await runsOf(id);
    await evictDurableObject(stub(id));
    await fastForward(id);
    expect((await flowMessages(flowId, id)).map((m: any) => m.node)).toEqual(["email1"]);
  });

  it("runs keep their version when the flow is edited and published again", async () => {
    await track(key, "track", { userId: "cart-6", event: "Checkout Started", properties: { value: 70 }, context: { traits: { email: "cart6@example.com" } } });
    const id = await contactId("cart-6");
    await runsOf(id);
    const v2 = cartFlow();
    (v2.nodes.email1 as { templateId: number }).templateId = tpl[2]!;
    await a.fetch(`/api/flows/${flowId}`, { method: "PATCH", json: { definition: v2 } });
    await a.fetch(`/api/flows/${flowId}/publish`, { method: "POST" });
    await fastForward(id);
    expect((await flowMessages(flowId, id))[0].template).toBe(tpl[0]); // the run started on version 1
    const [run] = await listRuns(id);
    expect(run!.version).toBe(1);
  });

  it("a paused flow holds its runs until resumed", async () => {
    await track(key, "track", { userId: "cart-7", event: "Checkout Started", properties: { value: 70 }, context: { traits: { email: "cart7@example.com" } } });
    const id = await contactId("cart-7");
    await runsOf(id);
    expect((await a.fetch(`/api/flows/${flowId}/pause`, { method: "POST" })).status).toBe(200);
    await fastForward(id);
    expect(await flowMessages(flowId, id)).toEqual([]);
    expect((await a.fetch(`/api/flows/${flowId}/resume`, { method: "POST" })).status).toBe(200);
    await fastForward(id);
    expect((await flowMessages(flowId, id)).map((m: any) => m.node)).toEqual(["email1"]);
  });
});

describe("other triggers and steps", () => {
  it("starts a manual flow through the API, updates the contact and branches on it", async () => {
    const flowId = await createLive("VIP", {
      trigger: { type: "manual" },
      entry: "tag",
      nodes: {
        tag: { type: "update", properties: { vip: true }, next: "check" },
        check: { type: "condition", check: { kind: "segment", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "properties.vip", op: "eq", value: true }] } }, yes: "send", no: null },
        send: { type: "send", templateId: tpl[0], next: null },
      },
    });
    const c = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "vip@example.com" } }));
    const res = await a.fetch(`/api/flows/${flowId}/start`, { method: "POST", json: { contactId: c.id, data: { reason: "test" } } });
    expect(res.status).toBe(201);
    // the update is applied before the condition reads it? No: the condition sees the contact as loaded.
    const props = await env.DB.prepare("SELECT properties FROM contacts WHERE id = ?").bind(c.id).first<{ properties: string }>();
    expect(JSON.parse(props!.properties)).toEqual({ vip: true });
    const [run] = await listRuns(c.id);
    expect(run!.status).toBe("completed");
    expect((await a.fetch(`/api/flows/${flowId}/start`, { method: "POST", json: { contactId: 999999 } })).status).toBe(404);
  });

  it("a template or segment a flow or campaign uses cannot be deleted", async () => {
    const t = (await json(await a.fetch("/api/templates", { method: "POST", json: { name: "In use", subject: "S", html: "<p>x</p>" } }))).id;
    await a.fetch("/api/flows", { method: "POST", json: { name: "Uses it", definition: { trigger: { type: "manual" }, entry: "s", nodes: { s: { type: "send", templateId: t, next: null } } } } });
    const res = await a.fetch(`/api/templates/${t}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toBe('Used by flow "Uses it"; change those first');
    const seg = await json(await a.fetch("/api/segments", { method: "POST", json: { name: "Audience", definition: { type: "group", match: "all", conditions: [] } } }));
    const topic = await json(await a.fetch("/api/topics", { method: "POST", json: { key: "promo", name: "Promo" } }));
    await a.fetch("/api/campaigns", { method: "POST", json: { name: "Promo", templateId: t, topicId: topic.id, audience: { segments: [], excludeSegments: [seg.id] } } });
    const del = await a.fetch(`/api/segments/${seg.id}`, { method: "DELETE" });
    expect(del.status).toBe(409);
    expect((await json(del)).error.message).toContain('campaign "Promo"');
  });

  it("refuses to publish malformed flows, naming the problem", async () => {
    const res = await a.fetch("/api/flows", { method: "POST", json: { name: "Broken", definition: { trigger: { type: "manual" }, entry: "a", nodes: { a: { type: "send", templateId: 1, next: "nowhere" } } } } });
    const flow = await json(res);
    expect(flow.problems).toEqual(['step "a" leads to "nowhere", which does not exist']);
    const pub = await a.fetch(`/api/flows/${flow.id}/publish`, { method: "POST" });
    expect(pub.status).toBe(400);
    expect((await json(pub)).error.issues[0].message).toContain("nowhere");
    expect((await a.fetch("/api/flows", { method: "POST", json: { name: "Junk", definition: { nodes: "x" } } })).status).toBe(400);
  });

  it("simulates a flow for a made-up profile without sending anything", async () => {
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM messages").first<{ n: number }>())!.n;
    const res = await a.fetch("/api/flows/simulate", {
      method: "POST",
      json: { definition: cartFlow(), profile: { first_name: "Sim" }, trigger: { value: 80 }, events: [{ afterMinutes: 120, name: "Order Completed" }], days: 3 },
    });
    expect(res.status).toBe(200);
    const sim = await json(res);
    expect(sim.sends.map((s: any) => s.nodeId)).toEqual(["email1"]);
    expect(sim.run.exitReason).toBe("goal: Order Completed");
    expect(sim.timeline.map((t: any) => t.kind)).toEqual(expect.arrayContaining(["enter", "wait", "send", "event", "exit"]));
    expect((await env.DB.prepare("SELECT count(*) AS n FROM messages").first<{ n: number }>())!.n).toBe(before);
  });
});

describe("cron triggers", () => {
  it("a segment-triggered flow starts for people who join the segment after it goes live", async () => {
    const existing = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "already-vip@example.com", properties: { tier: "vip" } } }));
    const seg = await json(await a.fetch("/api/segments", { method: "POST", json: { name: "VIP tier", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "properties.tier", op: "eq", value: "vip" }] } } }));
    const flowId = await createLive("VIP welcome", { trigger: { type: "segment", segmentId: seg.id }, entry: "hi", nodes: { hi: { type: "send", templateId: tpl[0], next: null } } });
    const joiner = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "new-vip@example.com", properties: { tier: "vip" } } }));
    await runFlowTriggers(env, Date.now());
    expect((await listRuns(joiner.id)).map((r) => r.flowId)).toEqual([flowId]);
    expect(await listRuns(existing.id)).toEqual([]);
    await runFlowTriggers(env, Date.now()); // no second start
    expect(await listRuns(joiner.id)).toHaveLength(1);

    // published with includeCurrentMembers, everyone already in the segment enters too
    const all = await json(await a.fetch("/api/flows", { method: "POST", json: { name: "VIP all", definition: { trigger: { type: "segment", segmentId: seg.id }, entry: "hi", nodes: { hi: { type: "send", templateId: tpl[0], next: null } } } } }));
    expect((await a.fetch(`/api/flows/${all.id}/publish`, { method: "POST", json: { includeCurrentMembers: true } })).status).toBe(200);
    await runFlowTriggers(env, Date.now());
    expect((await listRuns(existing.id)).map((r) => r.flowId)).toEqual([all.id]);
  });

  it("a birthday flow starts at the flow's hour in the contact's time zone, once a year", async () => {
    const now = Date.now();
    const tz = "Asia/Tokyo";
    const local = new Intl.DateTimeFormat("en-CA", { timeZone: tz, month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" }).formatToParts(now);
    const part = (t: string) => local.find((p) => p.type === t)!.value;
    const hour = Number(part("hour"));
    const flowId = await createLive("Birthday", { trigger: { type: "date", field: "birthday", hour }, settings: { reentry: { kind: "always" } }, entry: "gift", nodes: { gift: { type: "send", templateId: tpl[0], next: null } } });
    const today = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "bday@example.com", timezone: tz, birthday: `1990-${part("month")}-${part("day")}` } }));
    const other = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "not-today@example.com", timezone: "Pacific/Pago_Pago", birthday: `1990-${part("month")}-${part("day")}` } }));
    await runFlowTriggers(env, now);
    expect((await listRuns(today.id)).map((r) => r.flowId)).toEqual([flowId]);
    expect(await listRuns(other.id)).toEqual([]); // 20 hours behind: not their hour
    await runFlowTriggers(env, now + 60_000);
    expect(await listRuns(today.id)).toHaveLength(1);
  });

  it("a date trigger on a custom property reads it by a bound JSON path, whatever its name", async () => {
    const now = Date.now();
    const tz = "Europe/Lisbon";
    const local = new Intl.DateTimeFormat("en-CA", { timeZone: tz, month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" }).formatToParts(now);
    const part = (t: string) => local.find((p) => p.type === t)!.value;
    const field = "properties.owner's first day";
    const flowId = await createLive("Anniversary", { trigger: { type: "date", field, hour: Number(part("hour")) }, settings: { reentry: { kind: "always" } }, entry: "gift", nodes: { gift: { type: "send", templateId: tpl[0], next: null } } });
    const due = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "anniversary@example.com", timezone: tz, properties: { "owner's first day": `2019-${part("month")}-${part("day")}` } } }));
    const notDue = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "other-day@example.com", timezone: tz, properties: { "owner's first day": "2019-01-01" === `2019-${part("month")}-${part("day")}` ? "2019-01-02" : "2019-01-01" } } }));
    await runFlowTriggers(env, now);
    expect((await listRuns(due.id)).map((r) => [r.flowId, r.trigger])).toEqual([[flowId, { date_field: field, date: `${part("month")}-${part("day")}` }]]);
    expect(await listRuns(notDue.id)).toEqual([]);
  });
});

describe("topic trigger and erasure", () => {
  it("joining a topic starts the welcome flow; erasing the contact clears its journey", async () => {
    await a.fetch("/api/topics", { method: "POST", json: { key: "news", name: "News" } });
    const flowId = await createLive("Welcome", { trigger: { type: "topic", topic: "news" }, entry: "w", nodes: { w: { type: "delay", duration: { amount: 1, unit: "days" }, next: "hi" }, hi: { type: "send", templateId: tpl[0], next: null } } });
    const c = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "joiner@example.com", topics: { news: "subscribed" } } }));
    const runs = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await listRuns(c.id);
        if (r.length) return r;
        await scheduler.wait(50);
      }
      return [];
    })();
    expect(runs.map((r) => r.flowId)).toEqual([flowId]);
    const ev = await env.DB.prepare("SELECT name, properties FROM events WHERE contact_id = ? AND name = 'Subscribed'").bind(c.id).first<any>();
    expect(JSON.parse(ev.properties)).toMatchObject({ topic: "news", source: "admin" });
    expect((await a.fetch(`/api/contacts/${c.id}`, { method: "DELETE" })).status).toBe(200);
    for (let i = 0; i < 100 && (await listRuns(c.id)).length; i++) await scheduler.wait(50);
    expect(await listRuns(c.id)).toEqual([]);
  });
});

describe("webhook step", () => {
  it("POSTs the run as JSON with an idempotency key, does not follow redirects, and retries 5xx", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const real = globalThis.fetch;
    let fail = 1;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith("https://hooks.example.com/")) return real(input as RequestInfo, init);
      calls.push({ url, init: init ?? {} });
      return new Response("", { status: fail-- > 0 ? 503 : 200 });
    }) as typeof fetch;
    try {
      const flowId = await createLive("Hook", { trigger: { type: "manual" }, entry: "h", nodes: { h: { type: "webhook", url: "https://hooks.example.com/tern", headers: { "X-Token": "abc" }, next: null } } });
      const c = await json(await a.fetch("/api/contacts", { method: "POST", json: { email: "hook@example.com" } }));
      expect((await a.fetch(`/api/flows/${flowId}/start`, { method: "POST", json: { contactId: c.id, data: { order_id: "o-9" } } })).status).toBe(201);
    } finally {
      globalThis.fetch = real;
    }
    expect(calls).toHaveLength(2); // a 503, then success
    const { init } = calls[1]!;
    const headers = new Headers(init.headers);
    expect(init.method).toBe("POST");
    expect(init.redirect).toBe("manual");
    expect(headers.get("x-token")).toBe("abc");
    expect(headers.get("idempotency-key")).toMatch(/^flow:r_[A-Za-z0-9_-]+:h:1$/);
    expect(JSON.parse(String(init.body))).toMatchObject({ node_id: "h", trigger: { order_id: "o-9" } });
  });
});
