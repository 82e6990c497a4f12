import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSegment, evaluateSegment, parseSegment, type ContactFacts, type Group, type Leaf, type SegmentContext } from "../../worker/core/segment";
import { insertRows } from "../../worker/store/db";
import { countSegment, scoreRfm, segmentContext, snapshotSegments } from "../../worker/store/segments";
import { admin, json, type Admin } from "./helpers";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12);

// A small deterministic PRNG so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return { next, int: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const NAMES = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"] as const;
const COUNTRIES = ["US", "GB", "FR", "DE", null] as const;
const TIERS = ["gold", "silver", "Bronze", "", null] as const;

interface Generated {
  facts: ContactFacts[];
}

/** Random contacts with events, subscriptions, sent emails and RFM scores: stored in D1 and kept in memory. */
async function generate(count: number, seed: number): Promise<Generated> {
  const r = rng(seed);
  const facts: ContactFacts[] = [];
  const contactRows: unknown[][] = [];
  const eventRows: unknown[][] = [];
  const subRows: unknown[][] = [];
  const messageRows: unknown[][] = [];
  const runRows: unknown[][] = [];
  for (let i = 1; i <= count; i++) {
    const id = 100_000 * seed + i;
    const orders = r.int(0, 4);
    const lastOrder = orders ? NOW - r.int(1, 400) * DAY : null;
    const props: Record<string, unknown> = {};
    const tier = r.pick(TIERS);
    if (tier !== null) props.tier = tier;
    if (r.next() < 0.7) props.points = r.int(0, 300);
    if (r.next() < 0.3) props.vip = r.next() < 0.5;
    if (r.next() < 0.4) props.signed_up_at = new Date(NOW - r.int(0, 600) * DAY).toISOString();
    const birthday = r.next() < 0.6 ? `19${r.int(50, 99)}-${String(r.int(1, 12)).padStart(2, "0")}-${String(r.int(1, 28)).padStart(2, "0")}` : null;
    const contact = {
      id, email: `p${id}@example.com`, first_name: r.pick(["Ada", "Grace", "alan", "Émile", ""]), country: r.pick(COUNTRIES), birthday,
      order_count: orders, revenue: orders * r.int(10, 90), last_order_at: lastOrder, created_at: NOW - r.int(0, 500) * DAY,
      last_opened_at: r.next() < 0.5 ? NOW - r.int(0, 120) * DAY : null, last_clicked_at: r.next() < 0.3 ? NOW - r.int(0, 120) * DAY : null,
      rfm_r: null as number | null, rfm_f: null as number | null, rfm_m: null as number | null, properties: props,
    };
    const events: ContactFacts["events"] = [];
    for (let k = r.int(0, 8); k > 0; k--) {
      const e = { name: r.pick(NAMES), occurredAt: NOW - r.int(0, 60) * DAY - r.int(0, 86_000) * 1000, properties: { price: r.int(5, 120), category: r.pick(["mugs", "tea", "Towels"]) } };
      events.push(e);
      eventRows.push([id, "track", e.name, JSON.stringify(e.properties), e.occurredAt, NOW, "test", `${id}-${k}`]);
    }
    const subscriptions: Record<string, string> = {};
    if (r.next() < 0.6) subscriptions.newsletter = r.pick(["subscribed", "subscribed", "unsubscribed"]);
    for (const [topic, status] of Object.entries(subscriptions)) subRows.push([id, topic, status]);
    const messages: ContactFacts["messages"] = [];
    for (let k = r.int(0, 6); k > 0; k--) {
      const sentAt = NOW - r.int(0, 90) * DAY;
      messages.push({ sentAt });
      messageRows.push([`msg-${id}-${k}`, `key-${id}-${k}`, id, "marketing", 1, "sent", NOW, sentAt]);
    }
    const flows: NonNullable<ContactFacts["flows"]> = [];
    for (let k = r.int(0, 2); k > 0; k--) {
      const run = { flowId: r.int(1, 2), nodeId: r.pick(["a", "b", null]), status: r.pick(["active", "waiting", "completed", "exited"]) };
      flows.push(run);
      runRows.push([`run-${id}-${k}`, run.flowId, 1, id, run.nodeId, run.status, NOW]);
    }
    contactRows.push([
      id, contact.email, contact.first_name, contact.country, contact.birthday, JSON.stringify(props), "active", "test", contact.order_count, contact.revenue,
      contact.last_order_at, contact.created_at, NOW, contact.last_opened_at, contact.last_clicked_at,
    ]);
    facts.push({ contact, events, subscriptions, messages, flows });
  }
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO topics (key, name, created_at) VALUES ('newsletter', 'Newsletter', 0)"),
    ...insertRows(env.DB, "INSERT INTO contacts (id, email, first_name, country, birthday, properties, status, source, order_count, revenue, last_order_at, created_at, updated_at, last_opened_at, last_clicked_at)", 15, contactRows),
    ...insertRows(env.DB, "INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source, message_id)", 8, eventRows),
    ...insertRows(env.DB, "INSERT INTO messages (id, idempotency_key, contact_id, kind, template_id, status, queued_at, sent_at)", 8, messageRows),
    ...insertRows(env.DB, "INSERT INTO flow_runs (id, flow_id, version, contact_id, node_id, status, entered_at)", 7, runRows),
  ]);
  for (const [id, , status] of subRows) {
    await env.DB.prepare("INSERT INTO subscriptions (contact_id, topic_id, status, source, updated_at) SELECT ?, id, ?, 'test', 0 FROM topics WHERE key = 'newsletter'").bind(id, status).run();
  }
  await scoreRfm(env.DB);
  const scores = await env.DB.prepare("SELECT id, rfm_r, rfm_f, rfm_m FROM contacts WHERE rfm_r IS NOT NULL").all<{ id: number; rfm_r: number; rfm_f: number; rfm_m: number }>();
  const byId = new Map(facts.map((f) => [f.contact.id, f]));
  for (const s of scores.results) if (byId.has(s.id)) Object.assign(byId.get(s.id)!.contact, { rfm_r: s.rfm_r, rfm_f: s.rfm_f, rfm_m: s.rfm_m });
  return { facts };
}

/** A random condition of any type, with values that sometimes match and sometimes not. */
function randomLeaf(r: ReturnType<typeof rng>): Leaf {
  const pick = r.pick;
  const kind = r.int(0, 14);
  const dateOps = [
    { op: "within_last_days", days: r.int(1, 200) },
    { op: "more_than_days_ago", days: r.int(1, 200) },
    { op: "before", value: new Date(NOW - r.int(0, 400) * DAY).toISOString().slice(0, 10) },
    { op: "after", value: new Date(NOW - r.int(0, 400) * DAY).toISOString().slice(0, 10) },
  ];
  const raw: unknown[] = [
    { type: "property", field: "country", ...pick([{ op: "eq", value: pick(["US", "GB"]) }, { op: "neq", value: "FR" }, { op: "in", values: ["DE", "FR"] }, { op: "not_in", values: ["US"] }, { op: "exists" }, { op: "not_exists" }]) },
    { type: "property", field: "first_name", ...pick([{ op: "contains", value: pick(["a", "A", "ra", "é"]) }, { op: "starts_with", value: pick(["Ad", "al", "É"]) }, { op: "not_contains", value: "e" }, { op: "exists" }]) },
    { type: "property", field: "order_count", ...pick([{ op: "gte", value: r.int(0, 4) }, { op: "lt", value: r.int(0, 4) }, { op: "between", from: 1, to: r.int(1, 4) }, { op: "eq", value: r.int(0, 3) }]) },
    { type: "property", field: "last_order_at", ...pick(dateOps) },
    { type: "property", field: "properties.tier", ...pick([{ op: "eq", value: pick(["gold", "bronze", "Bronze"]) }, { op: "contains", value: "o" }, { op: "exists" }, { op: "not_exists" }, { op: "in", values: ["gold", "silver"] }, { op: "gt", value: 1 }]) },
    { type: "property", field: "properties.points", ...pick([{ op: "gt", value: r.int(0, 300) }, { op: "lte", value: r.int(0, 300) }, { op: "eq", value: r.int(0, 300) }, { op: "exists" }, { op: "neq", value: 5 }]) },
    { type: "property", field: "properties.vip", ...pick([{ op: "eq", value: true }, { op: "eq", value: false }, { op: "neq", value: true }]) },
    { type: "property", field: "properties.signed_up_at", ...pick(dateOps) },
    { type: "property", field: "birthday", ...pick([{ op: "month_is", month: r.int(0, 12) }, { op: "exists" }]) },
    {
      type: "event", name: pick(NAMES),
      count: pick([{ op: "at_least", value: r.int(1, 3) }, { op: "at_most", value: r.int(0, 2) }, { op: "exactly", value: r.int(0, 2) }]),
      window: pick([{ kind: "ever" }, { kind: "last_days", days: r.int(1, 60) }, { kind: "between", from: new Date(NOW - 50 * DAY).toISOString().slice(0, 10), to: new Date(NOW - 10 * DAY).toISOString().slice(0, 10) }]),
      where: r.next() < 0.5 ? [pick([{ property: "price", op: "gt", value: r.int(5, 120) }, { property: "category", op: "eq", value: pick(["mugs", "tea"]) }, { property: "category", op: "contains", value: "t" }])] : [],
    },
    { type: "event_time", name: pick(NAMES), which: pick(["first", "last"]), ...pick([{ op: "within_last_days", days: r.int(1, 60) }, { op: "more_than_days_ago", days: r.int(1, 60) }]) },
    pick([{ type: "engagement", action: pick(["opened", "clicked"]), days: r.int(1, 120), negate: r.next() < 0.5 }, { type: "unengaged", received: r.int(1, 5) }]),
    pick([{ type: "topic", topic: "newsletter", subscribed: r.next() < 0.5 }, { type: "topic", topic: "*" }, { type: "lifecycle", stage: pick(["subscriber", "first_time", "repeat", "lapsed", "churned"]) }]),
    pick([{ type: "rfm", cell: pick(["champions", "loyal", "new", "at_risk", "cant_lose", "hibernating"]) }, { type: "rfm", m: [r.int(1, 5), 5] }, { type: "random", from: r.int(0, 49), to: r.int(50, 99), seed: r.int(0, 9) }]),
    { type: "flow", flowId: r.int(1, 2), state: pick(["in", "at_node", "completed", "entered"]), nodeId: pick(["a", "b"]), negate: r.next() < 0.3 },
  ];
  return raw[kind] as Leaf;
}

function randomGroup(r: ReturnType<typeof rng>, depth: number): Group {
  const conditions: (Group | Leaf)[] = [];
  for (let i = r.int(1, 3); i > 0; i--) conditions.push(depth > 0 && r.next() < 0.3 ? randomGroup(r, depth - 1) : randomLeaf(r));
  return { type: "group", match: r.next() < 0.5 ? "all" : "any", conditions };
}

let a: Admin;
beforeAll(async () => {
  a = await admin();
});

describe("SQL and in-memory evaluation agree (property test)", () => {
  it("on 300 random definitions over 200 generated contacts", async () => {
    const { facts } = await generate(200, 1);
    const ctx: SegmentContext = { now: NOW, lapsedDays: 90, churnedDays: 180, segment: () => undefined };
    const r = rng(99);
    const ids = facts.map((f) => f.contact.id);
    let nonTrivial = 0;
    for (let i = 0; i < 300; i++) {
      const def = parseSegment(randomGroup(r, 2));
      const { sql, params } = compileSegment(def, ctx);
      const range = `c.id BETWEEN ${Math.min(...ids)} AND ${Math.max(...ids)}`;
      const rows = await env.DB.prepare(`SELECT c.id FROM contacts c WHERE ${range} AND ${sql}`).bind(...params).all<{ id: number }>();
      const fromSql = rows.results.map((x) => x.id).sort((x, y) => x - y);
      const inMemory = facts.filter((f) => evaluateSegment(def, f, ctx)).map((f) => f.contact.id).sort((x, y) => x - y);
      expect(fromSql, JSON.stringify(def)).toEqual(inMemory);
      if (fromSql.length > 0 && fromSql.length < facts.length) nonTrivial++;
    }
    // the generator must exercise real splits, not only "everyone" and "no one"
    expect(nonTrivial).toBeGreaterThan(150);
  });

  it("also for references to other segments and their negation", async () => {
    const { facts } = await generate(100, 2);
    const inner = parseSegment({ type: "group", match: "any", conditions: [{ type: "property", field: "order_count", op: "gte", value: 2 }, { type: "topic", topic: "newsletter" }] });
    const ctx: SegmentContext = { now: NOW, lapsedDays: 90, churnedDays: 180, segment: (id) => (id === 42 ? inner : undefined) };
    for (const member of [true, false]) {
      const def = parseSegment({ type: "group", match: "all", conditions: [{ type: "segment", segmentId: 42, member }, { type: "property", field: "country", op: "exists" }] });
      const { sql, params } = compileSegment(def, ctx);
      const rows = await env.DB.prepare(`SELECT c.id FROM contacts c WHERE c.id > 200000 AND c.id < 300000 AND ${sql}`).bind(...params).all<{ id: number }>();
      expect(rows.results.map((x) => x.id).sort((x, y) => x - y)).toEqual(facts.filter((f) => evaluateSegment(def, f, ctx)).map((f) => f.contact.id).sort((x, y) => x - y));
    }
  });
});

describe("segments API", () => {
  it("installs the prebuilt segments once and counts them", async () => {
    const list = await json(await a.fetch("/api/segments"));
    const keys = list.items.map((s: any) => s.prebuilt).filter(Boolean).sort();
    expect(keys).toEqual(["at_risk", "birthday_this_month", "cart_abandoners_7", "customers", "engaged_30", "high_value", "new_subscribers", "repeat_customers", "unengaged_90"]);
    const customers = list.items.find((s: any) => s.prebuilt === "customers");
    await a.fetch(`/api/segments/${customers.id}`, { method: "DELETE" });
    const again = await json(await a.fetch("/api/segments"));
    expect(again.items.some((s: any) => s.prebuilt === "customers")).toBe(false); // a deleted prebuilt stays deleted
    const detail = await json(await a.fetch(`/api/segments/${again.items.find((s: any) => s.prebuilt === "repeat_customers").id}`));
    expect(detail.size).toBeGreaterThan(0);
    expect(detail.preview.length).toBeGreaterThan(0);
  });

  it("gives a live count and preview for an unsaved definition, and refuses bad ones with paths", async () => {
    const def = { type: "group", match: "all", conditions: [{ type: "property", field: "order_count", op: "gte", value: 2 }] };
    const res = await json(await a.fetch("/api/segments/count", { method: "POST", json: { definition: def, preview: true } }));
    const expected = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE order_count >= 2 AND email IS NOT NULL").first<{ n: number }>();
    expect(res.count).toBe(expected!.n);
    expect(res.preview.length).toBeLessThanOrEqual(20);
    const bad = await a.fetch("/api/segments/count", { method: "POST", json: { definition: { type: "group", match: "all", conditions: [{ type: "property", field: "order_count", op: "gte", value: "2" }] } } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.issues[0].path).toMatch(/^definition/);
    const injection = await a.fetch("/api/segments/count", { method: "POST", json: { definition: { type: "group", match: "all", conditions: [{ type: "property", field: "email", op: "eq", value: "' OR 1=1 --" }] } } });
    expect((await json(injection)).count).toBe(0);
  });

  it("creates, edits and deletes; refuses cycles and deleting a segment in use", async () => {
    const mk = async (name: string, conditions: unknown[]) =>
      a.fetch("/api/segments", { method: "POST", json: { name, definition: { type: "group", match: "all", conditions } } });
    const base = await json(await mk("Big spenders", [{ type: "property", field: "revenue", op: "gt", value: 100 }]));
    expect(base.size).toBeGreaterThanOrEqual(0);
    const derived = await json(await mk("Big spenders in GB", [{ type: "segment", segmentId: base.id }, { type: "property", field: "country", op: "eq", value: "GB" }]));
    const cycle = await a.fetch(`/api/segments/${base.id}`, { method: "PATCH", json: { definition: { type: "group", match: "all", conditions: [{ type: "segment", segmentId: derived.id }] } } });
    expect(cycle.status).toBe(400);
    expect((await json(cycle)).error.message).toMatch(/refers to itself/);
    expect((await a.fetch(`/api/segments/${base.id}`, { method: "DELETE" })).status).toBe(409);
    expect((await a.fetch(`/api/segments/${derived.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await a.fetch(`/api/segments/${base.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await mk("Ghost ref", [{ type: "segment", segmentId: 999999 }])).status).toBe(400);
  });

  it("stores the size when saved, lists sizes with history, and suggests names", async () => {
    const res = await json(await a.fetch("/api/segments", { method: "POST", json: { name: "Counted", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "order_count", op: "gte", value: 1 }] } } }));
    const listed = (await json(await a.fetch("/api/segments"))).items.find((s: any) => s.id === res.id);
    expect(listed).toMatchObject({ size: res.size, history: [] });
    expect(listed.countedAt).toBeGreaterThan(0);
    const sug = await json(await a.fetch("/api/segments/suggestions"));
    expect(sug.events.map((e: any) => e.name)).toEqual(expect.arrayContaining(["Order Completed", "Product Viewed"]));
    expect(sug.eventProperties["Product Viewed"]).toEqual(expect.arrayContaining(["price", "category"]));
    expect(sug.contactProperties).toEqual(expect.arrayContaining(["tier", "points"]));
  });

  it("records daily size snapshots", async () => {
    await snapshotSegments(env.DB, NOW);
    const list = await json(await a.fetch("/api/segments"));
    const seg = list.items[0];
    const detail = await json(await a.fetch(`/api/segments/${seg.id}`));
    expect(detail.history).toEqual([{ day: "2026-11-23", size: expect.any(Number) }]);
    const ctx = await segmentContext(env.DB, NOW);
    expect(detail.history[0].size).toBe(await countSegment(env.DB, seg.definition, ctx));
  });
});
