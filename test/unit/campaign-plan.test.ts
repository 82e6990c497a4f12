import { describe, expect, it } from "vitest";
import { withCampaignContent } from "../../worker/campaigns/content";
import { abTestSchema, createSchema, scheduleSchema } from "../../worker/campaigns/model";
import {
  abSeed, audienceDefinition, bucketWidth, lastLocalDue, localDueAt, pickWinner, testGroupCondition, testVariant, throttleAllowance, zoneOffset,
} from "../../worker/campaigns/plan";
import { compileSegment, evaluateSegment, randomBucket, type ContactFacts, type SegmentContext } from "../../worker/core/segment";

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe("local time", () => {
  it("finds the instant a wall-clock time arrives in each zone", () => {
    expect(iso(localDueAt("2026-12-01", "09:00", "Pacific/Auckland"))).toBe("2026-11-30T20:00:00.000Z"); // NZDT, +13
    expect(iso(localDueAt("2026-12-01", "09:00", "Europe/London"))).toBe("2026-12-01T09:00:00.000Z");
    expect(iso(localDueAt("2026-12-01", "09:00", "America/Los_Angeles"))).toBe("2026-12-01T17:00:00.000Z");
    expect(iso(localDueAt("2026-07-01", "09:00", "Europe/London"))).toBe("2026-07-01T08:00:00.000Z"); // BST
    expect(iso(localDueAt("2026-12-01", "09:00", "Asia/Kolkata"))).toBe("2026-12-01T03:30:00.000Z");
    expect(iso(localDueAt("2026-12-01", "09:00", "UTC"))).toBe("2026-12-01T09:00:00.000Z");
  });

  it("handles DST: a time that happens twice is the first, one that never happens is after the jump", () => {
    // London falls back at 02:00 BST on 25 Oct 2026: 01:30 happens at 00:30Z (BST) and 01:30Z (GMT).
    expect(iso(localDueAt("2026-10-25", "01:30", "Europe/London"))).toBe("2026-10-25T00:30:00.000Z");
    // Los Angeles springs forward 02:00 → 03:00 on 8 Mar 2026: 02:30 never happens; 03:30 PDT is 10:30Z.
    expect(iso(localDueAt("2026-03-08", "02:30", "America/Los_Angeles"))).toBe("2026-03-08T10:30:00.000Z");
  });

  it("knows the last moment a local time can arrive, and offsets", () => {
    expect(iso(lastLocalDue("2026-12-01", "09:00"))).toBe("2026-12-01T21:00:00.000Z");
    expect(zoneOffset("Pacific/Auckland", Date.UTC(2026, 11, 1))).toBe(13 * H);
    expect(() => zoneOffset("Mars/Olympus", 0)).toThrow(RangeError);
  });
});

describe("throttle", () => {
  it("grows the allowance in 5-minute steps and never exceeds the hourly maximum", () => {
    const t0 = Date.UTC(2026, 0, 1, 10, 7);
    const first = throttleAllowance(120, undefined, t0);
    expect(first).toMatchObject({ allow: 10, from: t0, count: 0 });
    const spent = throttleAllowance(120, { from: t0, count: 10 }, t0 + 60_000);
    expect(spent).toMatchObject({ allow: 0, retryAt: t0 + 5 * 60_000 });
    expect(throttleAllowance(120, { from: t0, count: 10 }, t0 + 5 * 60_000).allow).toBe(10);
    expect(throttleAllowance(120, { from: t0, count: 100 }, t0 + 59 * 60_000).allow).toBe(20);
    expect(throttleAllowance(120, { from: t0, count: 120 }, t0 + 59 * 60_000)).toMatchObject({ allow: 0, retryAt: t0 + H });
    // a new window after an hour, aligned to the first
    expect(throttleAllowance(120, { from: t0, count: 120 }, t0 + H + 30_000)).toMatchObject({ allow: 10, from: t0 + H, count: 0 });
    expect(throttleAllowance(120, { from: t0, count: 5 }, t0 + 3 * H + 6 * 60_000)).toMatchObject({ allow: 20, from: t0 + 3 * H });
    // tiny limits still send
    expect(throttleAllowance(1, undefined, t0).allow).toBe(1);
  });
});

describe("A/B buckets", () => {
  const ab = { testShare: 20, variants: [{ key: "A" }, { key: "B" }, { key: "C" }] };
  it("splits the test share into equal bucket ranges", () => {
    expect(bucketWidth(ab)).toBe(6); // 18% tested, 6% each; the 2% left over get the winner
    expect(bucketWidth({ testShare: 100, variants: [{ key: "A" }, { key: "B" }] })).toBe(50);
  });

  it("assigns the same variant in JS as the SQL test-group condition selects", () => {
    const seed = abSeed(42);
    const width = 6;
    const keys = ["A", "B", "C"];
    const ctx: SegmentContext = { now: 0, lapsedDays: 90, churnedDays: 180, segment: () => undefined };
    const inTest = { type: "group" as const, match: "all" as const, conditions: [testGroupCondition(seed, width, 3, true)] };
    const outside = { type: "group" as const, match: "all" as const, conditions: [testGroupCondition(seed, width, 3, false)] };
    expect(compileSegment(inTest, ctx).sql).toContain("BETWEEN 0 AND 17");
    const counts: Record<string, number> = {};
    for (let id = 1; id <= 2000; id++) {
      const facts: ContactFacts = { contact: { id, properties: {} }, events: [], subscriptions: {}, messages: [] };
      const v = testVariant(id, seed, width, keys);
      expect(v !== null).toBe(evaluateSegment(inTest, facts, ctx));
      expect(v === null).toBe(evaluateSegment(outside, facts, ctx));
      if (v) counts[v] = (counts[v] ?? 0) + 1;
      expect(v).toBe(randomBucket(id, seed) < 18 ? keys[Math.floor(randomBucket(id, seed) / 6)] : null);
    }
    for (const k of keys) expect(counts[k]).toBeGreaterThan(90); // ~120 each of 2000
  });

  it("scatters seeds so consecutive campaigns test on different people", () => {
    const group = (campaign: number) => new Set(Array.from({ length: 2000 }, (_, i) => i + 1).filter((id) => randomBucket(id, abSeed(campaign)) < 20));
    const a = group(7);
    const b = group(8);
    const overlap = [...a].filter((id) => b.has(id)).length / a.size;
    expect(overlap).toBeLessThan(0.5);
  });
});

describe("winner", () => {
  const f = (variant: string, recipients: number, opens: number, clicks: number, revenue: number) => ({ variant, recipients, opens, clicks, conversions: revenue ? 1 : 0, revenue });
  const figures = [f("A", 100, 30, 2, 50), f("B", 80, 30, 4, 0), f("C", 100, 20, 3, 400)];
  it("picks by open rate, click rate or revenue per recipient", () => {
    expect(pickWinner("opens", ["A", "B", "C"], figures).variant).toBe("B"); // 37.5% vs 30%
    expect(pickWinner("clicks", ["A", "B", "C"], figures).variant).toBe("B"); // 5% vs 2%, 3%
    expect(pickWinner("revenue", ["A", "B", "C"], figures).variant).toBe("C");
    expect(pickWinner("revenue", ["A", "B", "C"], figures).figures.map((x) => x.value)).toEqual([0.5, 0, 4]);
  });
  it("gives a tie (or no data) to the first variant", () => {
    expect(pickWinner("opens", ["A", "B"], [f("A", 10, 5, 0, 0), f("B", 20, 10, 0, 0)]).variant).toBe("A");
    expect(pickWinner("clicks", ["A", "B"], []).variant).toBe("A");
    expect(pickWinner("opens", ["B", "A"], [f("A", 10, 5, 0, 0), f("B", 20, 10, 0, 0)]).variant).toBe("B");
  });
});

describe("audience definition", () => {
  it("is ANY of segments and topics, minus exclusions, with consent to the campaign topic", () => {
    expect(audienceDefinition({ segments: [3], topics: ["news"], excludeSegments: [9] }, "news")).toEqual({
      type: "group",
      match: "all",
      conditions: [
        { type: "group", match: "any", conditions: [{ type: "segment", segmentId: 3, member: true }, { type: "topic", topic: "news", subscribed: true }] },
        { type: "segment", segmentId: 9, member: false },
        { type: "topic", topic: "news", subscribed: true },
      ],
    });
    // nothing chosen: nobody (an empty "any" group compiles to false)
    const ctx: SegmentContext = { now: 0, lapsedDays: 90, churnedDays: 180, segment: () => undefined };
    expect(compileSegment(audienceDefinition({ segments: [], topics: [], excludeSegments: [] }, null), ctx).sql).toBe("(0)");
    // a resend: only the consent condition (its recipients come from the parent's messages)
    expect(audienceDefinition({ segments: [], topics: [], excludeSegments: [], nonOpenersOf: 4 }, "news").conditions).toEqual([{ type: "topic", topic: "news", subscribed: true }]);
  });
});

describe("schemas", () => {
  it("accepts the three schedules and normalises times to UTC ms", () => {
    expect(scheduleSchema.parse({ kind: "at", at: "2026-12-01T09:00:00+01:00" })).toEqual({ kind: "at", at: Date.UTC(2026, 11, 1, 8) });
    expect(scheduleSchema.parse({ kind: "at", at: "2026-12-01T09:00" })).toEqual({ kind: "at", at: Date.UTC(2026, 11, 1, 9) });
    expect(scheduleSchema.parse({ kind: "local", date: "2026-12-01", time: "09:30" })).toMatchObject({ kind: "local" });
    for (const bad of [{ kind: "later" }, { kind: "at", at: "tomorrow" }, { kind: "at", at: -5 }, { kind: "local", date: "2026-02-30", time: "09:00" }, { kind: "local", date: "2026-13-01", time: "09:00" }, { kind: "local", date: "2026-02-01", time: "24:00" }, { kind: "now", extra: 1 }]) {
      expect(scheduleSchema.safeParse(bad).success).toBe(false);
    }
  });
  it("refuses malformed A/B tests and unknown fields", () => {
    const ok = { variants: [{ key: "A", subject: "One" }, { key: "B", subject: "Two" }], testShare: 20, metric: "opens", waitHours: 4 };
    expect(abTestSchema.safeParse(ok).success).toBe(true);
    expect(abTestSchema.safeParse({ ...ok, variants: [{ key: "A" }] }).success).toBe(false);
    expect(abTestSchema.safeParse({ ...ok, variants: [{ key: "A" }, { key: "A" }] }).success).toBe(false);
    expect(abTestSchema.safeParse({ ...ok, variants: "AB".repeat(3).split("").map((k, i) => ({ key: k + i })) }).success).toBe(false);
    expect(abTestSchema.safeParse({ ...ok, testShare: 1 }).success).toBe(false);
    expect(abTestSchema.safeParse({ ...ok, metric: "vibes" }).success).toBe(false);
    expect(abTestSchema.safeParse({ ...ok, variants: [{ key: "A'; DROP TABLE x;--" }, { key: "B" }] }).success).toBe(false);
    expect(createSchema.safeParse({ name: "x", status: "sent" }).success).toBe(false);
    expect(createSchema.safeParse({ name: "x", audience: { topics: ["News; DROP"] } }).success).toBe(false);
  });
});

describe("campaign content at send time", () => {
  const template = { subject: "Template subject", preheader: "pre", fromName: "Shop", fromEmail: "shop@example.com", replyTo: null, html: "<p>x</p>" };
  it("applies the variant's subject, then the campaign's, and the sender overrides", () => {
    const ab = JSON.stringify({ variants: [{ key: "A" }, { key: "B", subject: "B subject", preheader: "B pre" }] });
    const sender = JSON.stringify({ fromName: "Sale team", replyTo: "reply@example.com", subject: "Campaign subject" });
    expect(withCampaignContent(template, { variant: "B", campaignAbTest: ab, campaignSender: sender })).toMatchObject({ subject: "B subject", preheader: "B pre", fromName: "Sale team", fromEmail: "shop@example.com", replyTo: "reply@example.com" });
    expect(withCampaignContent(template, { variant: "A", campaignAbTest: ab, campaignSender: sender })).toMatchObject({ subject: "Campaign subject", preheader: "pre" });
    expect(withCampaignContent(template, { variant: null })).toBe(template);
    expect(withCampaignContent(template, { variant: "A", campaignAbTest: "not json", campaignSender: "[]" })).toMatchObject({ subject: "Template subject" });
    expect(withCampaignContent(undefined, { variant: "A", campaignAbTest: ab })).toBeUndefined();
  });
});
