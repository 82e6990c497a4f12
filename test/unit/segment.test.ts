import { describe, expect, it } from "vitest";
import { assertNoCycle, compileSegment, evaluateSegment, parseSegment, randomBucket, SegmentError, type ContactFacts, type Group, type SegmentContext } from "../../worker/core/segment";

const now = Date.UTC(2026, 10, 23, 12);
const DAY = 86_400_000;
const ctx = (segments: Record<number, Group> = {}): SegmentContext => ({ now, lapsedDays: 90, churnedDays: 180, segment: (id) => segments[id] });
const all = (...conditions: unknown[]) => parseSegment({ type: "group", match: "all", conditions });

const facts = (over: Partial<ContactFacts["contact"]> = {}, extra: Partial<ContactFacts> = {}): ContactFacts => ({
  contact: { id: 7, email: "ada@example.com", first_name: "Ada", country: "GB", order_count: 0, revenue: 0, properties: {}, ...over },
  events: [],
  subscriptions: {},
  messages: [],
  ...extra,
});

describe("parseSegment", () => {
  it("accepts a realistic definition and fills defaults", () => {
    const def = all(
      { type: "property", field: "country", op: "in", values: ["GB", "IE"] },
      { type: "event", name: "Product Viewed", window: { kind: "last_days", days: 30 } },
      { type: "group", match: "any", conditions: [{ type: "engagement", action: "opened", days: 30 }, { type: "topic", topic: "newsletter" }] },
    );
    expect(def.conditions[1]).toMatchObject({ count: { op: "at_least", value: 1 }, where: [] });
  });

  it("refuses wrong types for typed columns, bad ops, deep nesting and junk", () => {
    expect(() => all({ type: "property", field: "order_count", op: "eq", value: "5" })).toThrow(SegmentError);
    expect(() => all({ type: "property", field: "email", op: "gt", value: 5 })).toThrow(SegmentError);
    expect(() => all({ type: "property", field: "created_at", op: "contains", value: "x" })).toThrow(SegmentError);
    expect(() => all({ type: "property", field: "nope", op: "eq", value: "x" })).toThrow();
    expect(() => all({ type: "property", field: 'properties.a"b', op: "eq", value: "x" })).toThrow();
    expect(() => all({ type: "explode" })).toThrow();
    let deep: unknown = { type: "group", match: "all", conditions: [] };
    for (let i = 0; i < 6; i++) deep = { type: "group", match: "all", conditions: [deep] };
    expect(() => parseSegment(deep)).toThrow(/nested/);
  });

  it("finds reference cycles", () => {
    const a = all({ type: "segment", segmentId: 2 });
    const b = all({ type: "segment", segmentId: 1 });
    expect(() => assertNoCycle(1, a, (id) => ({ 1: a, 2: b })[id])).toThrow(/refers to itself/);
    expect(() => assertNoCycle(null, all({ type: "segment", segmentId: 3 }), () => undefined)).toThrow(/does not exist/);
    expect(() => assertNoCycle(1, all({ type: "segment", segmentId: 2 }), (id) => ({ 2: all() })[id])).not.toThrow();
  });
});

describe("compileSegment", () => {
  it("binds every user-supplied string as a parameter", () => {
    const evil = "x'); DROP TABLE contacts; --";
    const { sql, params } = compileSegment(
      all(
        { type: "property", field: "first_name", op: "eq", value: evil },
        { type: "property", field: `properties.${evil}`, op: "contains", value: evil },
        { type: "event", name: evil, where: [{ property: evil, op: "eq", value: evil }] },
        { type: "topic", topic: evil },
      ),
      ctx(),
    );
    expect(sql).not.toContain("DROP");
    expect(params.filter((p) => String(p).includes("DROP"))).toHaveLength(7);
  });

  it("keeps long value lists to one parameter", () => {
    const values = Array.from({ length: 500 }, (_, i) => `v${i}`);
    const { params } = compileSegment(all({ type: "property", field: "country", op: "in", values }), ctx());
    expect(params).toHaveLength(1);
  });

  it("refuses definitions over the parameter limit", () => {
    const conditions = Array.from({ length: 50 }, (_, i) => ({ type: "property", field: `properties.p${i}`, op: "eq", value: "x" }));
    expect(() => compileSegment(all(...conditions), ctx())).toThrow(/at most 99/);
  });

  it("inlines referenced segments and refuses cycles at compile time too", () => {
    const inner = all({ type: "property", field: "country", op: "eq", value: "GB" });
    const { sql } = compileSegment(all({ type: "segment", segmentId: 5, member: false }), ctx({ 5: inner }));
    expect(sql).toContain("NOT (coalesce(c.country = ?1, 0))");
    const loop = all({ type: "segment", segmentId: 1 });
    expect(() => compileSegment(loop, ctx({ 1: loop }))).toThrow(/refers to itself/);
  });
});

describe("evaluateSegment", () => {
  it("answers property, behaviour and engagement questions", () => {
    const f = facts(
      { country: "GB", last_opened_at: now - 3 * DAY, properties: { tier: "gold", points: 120, vip: true } },
      {
        events: [
          { name: "Product Viewed", occurredAt: now - 2 * DAY, properties: { price: 30 } },
          { name: "Product Viewed", occurredAt: now - 40 * DAY, properties: { price: 10 } },
        ],
        subscriptions: { newsletter: "subscribed" },
      },
    );
    const yes = (c: unknown) => expect(evaluateSegment(all(c), f, ctx()), JSON.stringify(c)).toBe(true);
    const no = (c: unknown) => expect(evaluateSegment(all(c), f, ctx()), JSON.stringify(c)).toBe(false);
    yes({ type: "property", field: "properties.tier", op: "eq", value: "gold" });
    yes({ type: "property", field: "properties.points", op: "between", from: 100, to: 200 });
    yes({ type: "property", field: "properties.vip", op: "eq", value: true });
    no({ type: "property", field: "properties.tier", op: "gt", value: 1 });
    yes({ type: "event", name: "Product Viewed", count: { op: "exactly", value: 2 } });
    yes({ type: "event", name: "Product Viewed", window: { kind: "last_days", days: 30 }, count: { op: "exactly", value: 1 } });
    yes({ type: "event", name: "Product Viewed", where: [{ property: "price", op: "gte", value: 25 }] });
    no({ type: "event", name: "Order Completed" });
    yes({ type: "event", name: "Order Completed", count: { op: "at_most", value: 0 } });
    yes({ type: "event_time", name: "Product Viewed", which: "first", op: "more_than_days_ago", days: 30 });
    yes({ type: "engagement", action: "opened", days: 7 });
    yes({ type: "engagement", action: "clicked", days: 7, negate: true });
    yes({ type: "topic", topic: "newsletter" });
    no({ type: "topic", topic: "vip" });
  });

  it("derives lifecycle stages from orders and thresholds", () => {
    const stage = (orders: number, lastDaysAgo: number | null, s: string) =>
      evaluateSegment(all({ type: "lifecycle", stage: s }), facts({ order_count: orders, last_order_at: lastDaysAgo === null ? null : now - lastDaysAgo * DAY }), ctx());
    expect(stage(0, null, "subscriber")).toBe(true);
    expect(stage(1, 10, "first_time")).toBe(true);
    expect(stage(3, 10, "repeat")).toBe(true);
    expect(stage(3, 100, "lapsed")).toBe(true);
    expect(stage(3, 200, "churned")).toBe(true);
    expect(stage(3, 200, "lapsed")).toBe(false);
  });

  it("puts a contact in a stable random bucket", () => {
    expect(randomBucket(7, 0)).toBe(randomBucket(7, 0));
    const buckets = Array.from({ length: 10_000 }, (_, i) => randomBucket(i + 1, 3));
    const low = buckets.filter((b) => b < 10).length;
    expect(low).toBeGreaterThan(800);
    expect(low).toBeLessThan(1200);
  });
});
