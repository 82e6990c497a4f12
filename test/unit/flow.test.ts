import { describe, expect, it } from "vitest";
import { flowEventNames, flowProblems, flowSchema, isPublicHttpsUrl, parseFlow, usesSegments, type FlowDefinition } from "../../worker/core/flow";
import { bucket, startRun, step, triggers, type Effect, type Run, type StepContext } from "../../worker/core/flow-step";
import type { ContactFacts } from "../../worker/core/segment";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 5, 1, 12); // a Monday

const facts = (over: Partial<ContactFacts> = {}): ContactFacts => ({ contact: { id: 1, properties: {}, order_count: 0 }, events: [], subscriptions: {}, messages: [], ...over });
const ctx = (now: number, over: Partial<StepContext> = {}): StepContext => ({
  now, facts: facts(), segments: { now, lapsedDays: 90, churnedDays: 180, segment: () => undefined }, timezone: "UTC", ...over,
});

/** The prebuilt abandoned-cart shape: 1 h → email, wait 24 h for the order (same checkout) or send a reminder. */
const cart = (): FlowDefinition =>
  parseFlow({
    trigger: { type: "event", event: "Checkout Started", where: [{ property: "value", op: "gt", value: 50 }] },
    settings: { reentry: { kind: "after_days", days: 7 }, goal: { event: "Order Completed" } },
    entry: "wait1",
    nodes: {
      wait1: { type: "delay", duration: { amount: 1, unit: "hours" }, next: "email1" },
      email1: { type: "send", templateId: 11, topicId: 2, next: "waitOrder" },
      waitOrder: { type: "wait_event", event: "Paid", matchTrigger: [{ property: "checkout_id", triggerProperty: "checkout_id" }], timeout: { amount: 24, unit: "hours" }, next: "done", timeoutNext: "clicked" },
      clicked: { type: "condition", check: { kind: "email", action: "clicked", nodeId: "email1" }, yes: "email2", no: "email3" },
      email2: { type: "send", templateId: 12, next: null },
      email3: { type: "send", templateId: 13, next: null },
      done: { type: "exit" },
    },
  });

function start(flow: FlowDefinition, trigger: Record<string, unknown> = { checkout_id: "c1", value: 80 }, now = T0, id = "run1"): { run: Run; effects: Effect[] } {
  const run = startRun(flow, { id, flowId: 1, version: 1, contactId: 1, trigger, now, previousEntries: [], active: false })!;
  return step(flow, run, { type: "start" }, ctx(now));
}

describe("validation", () => {
  it("accepts the abandoned-cart graph and lists the events it listens to", () => {
    expect(flowEventNames(cart()).sort()).toEqual(["Checkout Started", "Order Completed", "Paid", "Unsubscribed"]);
  });

  it("names every problem with its step", () => {
    const def = flowSchema.parse({
      trigger: { type: "manual" },
      entry: "a",
      nodes: {
        a: { type: "send", templateId: 1, next: "ghost" },
        b: { type: "delay", duration: { amount: 1, unit: "days" }, next: null },
        s: { type: "split", branches: [{ key: "x", percent: 30, next: null }, { key: "y", percent: 30, next: null }] },
        w: { type: "webhook", url: "https://127.0.0.1/hook", next: null },
        c: { type: "condition", check: { kind: "email", action: "opened", nodeId: "b" }, yes: null, no: null },
      },
    });
    const problems = flowProblems(def);
    expect(problems).toEqual(expect.arrayContaining([
      'step "a" leads to "ghost", which does not exist',
      'the split "s" adds up to 60%, not 100%',
      'the webhook "w" must call a public https address',
      'the condition "c" asks about "b", which is not an email step',
    ]));
  });

  it("refuses unreachable steps and loops without a wait", () => {
    const loop = flowSchema.parse({
      trigger: { type: "manual" },
      entry: "a",
      nodes: { a: { type: "send", templateId: 1, next: "b" }, b: { type: "condition", check: { kind: "email", action: "opened" }, yes: "a", no: null }, z: { type: "exit" } },
    });
    expect(flowProblems(loop)).toEqual(['step "z" cannot be reached from the first step', "the loop a → b → a has no wait in it"]);
    const waited = structuredClone(loop);
    waited.nodes.b = { type: "delay", duration: { amount: 1, unit: "days" }, next: "a" };
    delete waited.nodes.z;
    expect(flowProblems(waited)).toEqual([]);
    expect(() => parseFlow({ trigger: { type: "manual" }, entry: null, nodes: {} })).toThrow(/no steps/);
  });

  it("guards webhooks against internal addresses", () => {
    for (const bad of ["http://shop.example/hook", "https://localhost/x", "https://10.1.2.3/", "https://169.254.169.254/latest", "https://[::1]/", "https://user:pw@shop.example/", "https://192.168.0.10/", "https://metadata.google.internal/", "https://2130706433/", "https://shop.example:8443/"]) {
      expect(isPublicHttpsUrl(bad), bad).toBe(false);
    }
    expect(isPublicHttpsUrl("https://hooks.example.com/tern")).toBe(true);
  });
});

describe("running the abandoned cart", () => {
  it("waits an hour, sends, then waits for the matching order event", () => {
    const flow = cart();
    const first = start(flow);
    expect(first.run).toMatchObject({ status: "waiting", nodeId: "wait1", wakeAt: T0 + H });
    expect(first.effects).toEqual([{ type: "schedule", at: T0 + H }]);

    const early = step(flow, first.run, { type: "alarm" }, ctx(T0 + 30 * 60_000));
    expect(early.effects).toEqual([]);
    const fired = step(flow, first.run, { type: "alarm" }, ctx(T0 + H));
    expect(fired.effects).toEqual([
      { type: "send", nodeId: "email1", key: "flow:run1:email1:1", templateId: 11, topicId: 2, trackOpens: true, trackClicks: true, data: { checkout_id: "c1", value: 80 } },
      { type: "schedule", at: T0 + 25 * H },
    ]);
    // an event for another checkout does not count
    const other = step(flow, fired.run, { type: "event", event: { name: "Paid", properties: { checkout_id: "c2" }, occurredAt: T0 + 2 * H } }, ctx(T0 + 2 * H));
    expect(other.run.nodeId).toBe("waitOrder");
    const paid = step(flow, fired.run, { type: "event", event: { name: "Paid", properties: { checkout_id: "c1" }, occurredAt: T0 + 2 * H } }, ctx(T0 + 2 * H));
    expect(paid.run).toMatchObject({ status: "completed", exitReason: "exit step" });
  });

  it("on timeout, branches on whether the first email was clicked", () => {
    const flow = cart();
    const atEmail = step(flow, start(flow).run, { type: "alarm" }, ctx(T0 + H)).run;
    const clicked = step(flow, atEmail, { type: "alarm" }, ctx(T0 + 25 * H, { engagement: { "flow:run1:email1:1": { opened: true, clicked: true } } }));
    expect(clicked.effects[0]).toMatchObject({ type: "send", templateId: 12 });
    const ignored = step(flow, atEmail, { type: "alarm" }, ctx(T0 + 25 * H, { engagement: {} }));
    expect(ignored.effects[0]).toMatchObject({ type: "send", templateId: 13 });
    expect(ignored.run.status).toBe("completed");
  });

  it("exits at any step when the goal happens", () => {
    const flow = cart();
    const waiting = start(flow).run;
    const goal = step(flow, waiting, { type: "event", event: { name: "Order Completed", properties: {}, occurredAt: T0 } }, ctx(T0 + 10 * 60_000));
    expect(goal.run).toMatchObject({ status: "exited", exitReason: "goal: Order Completed" });
    expect(goal.effects).toEqual([{ type: "exit", reason: "goal: Order Completed" }]);
    expect(step(flow, goal.run, { type: "alarm" }, ctx(T0 + H)).effects).toEqual([]);
  });

  it("exits when the contact unsubscribes from everything", () => {
    const flow = cart();
    const out = step(flow, start(flow).run, { type: "event", event: { name: "Unsubscribed", properties: { scope: "all" }, occurredAt: T0 } }, ctx(T0));
    expect(out.run.exitReason).toBe("unsubscribed");
    const topicOnly = step(flow, start(flow).run, { type: "event", event: { name: "Unsubscribed", properties: { scope: "topic" }, occurredAt: T0 } }, ctx(T0));
    expect(topicOnly.run.status).toBe("waiting");
  });

  it("replaying the same step gives the same send keys (an alarm retried by the platform sends once)", () => {
    const flow = cart();
    const s = start(flow).run;
    const a = step(flow, s, { type: "alarm" }, ctx(T0 + H));
    const b = step(flow, s, { type: "alarm" }, ctx(T0 + H + 5000));
    expect(a.effects[0]).toEqual(b.effects[0]);
  });

  it("starts only on matching trigger events", () => {
    const flow = cart();
    expect(triggers(flow, { name: "Checkout Started", properties: { value: 80 }, occurredAt: T0 })).toBe(true);
    expect(triggers(flow, { name: "Checkout Started", properties: { value: 20 }, occurredAt: T0 })).toBe(false);
    expect(triggers(flow, { name: "Product Viewed", properties: { value: 80 }, occurredAt: T0 })).toBe(false);
  });
});

describe("re-entry and holdout", () => {
  const args = (previousEntries: number[], active = false, now = T0) => ({ id: "r", flowId: 1, version: 1, contactId: 1, trigger: {}, now, previousEntries, active });
  it("applies never, always, after N days, and one run at a time", () => {
    const flow = cart(); // after 7 days
    expect(startRun(flow, args([T0 - 3 * DAY]))).toBeNull();
    expect(startRun(flow, args([T0 - 8 * DAY]))).not.toBeNull();
    expect(startRun(flow, args([], true))).toBeNull();
    const never = parseFlow({ ...cart(), settings: { reentry: { kind: "never" } } });
    expect(startRun(never, args([T0 - 400 * DAY]))).toBeNull();
    const always = parseFlow({ ...cart(), settings: { reentry: { kind: "always" } } });
    expect(startRun(always, args([T0 - 1000]))).not.toBeNull();
  });

  it("holds out the configured share: they walk the path but get no email", () => {
    const flow = parseFlow({ ...cart(), settings: { holdoutPercent: 20 } });
    let held = 0;
    for (let i = 0; i < 2000; i++) {
      const run = startRun(flow, { ...args([]), id: `run-${i}` })!;
      if (run.holdout) {
        held++;
        const r = step(flow, step(flow, run, { type: "start" }, ctx(T0)).run, { type: "alarm" }, ctx(T0 + H));
        expect(r.effects.some((e) => e.type === "send")).toBe(false);
        expect(r.run.sent).toHaveLength(1);
      }
    }
    expect(held).toBeGreaterThan(320);
    expect(held).toBeLessThan(480);
  });
});

describe("other steps", () => {
  const flowOf = (nodes: Record<string, unknown>, entry = "a", trigger: unknown = { type: "manual" }) => parseFlow({ trigger, entry, nodes });

  it("waits until a local time on chosen weekdays, in the contact's zone, across DST", () => {
    const flow = flowOf({ a: { type: "wait_until", time: "09:00", days: [0], next: "b" }, b: { type: "send", templateId: 1, next: null } });
    const now = Date.UTC(2026, 2, 5, 15); // Thursday before the US DST switch
    const r = step(flow, startRun(flow, { id: "x", flowId: 1, version: 1, contactId: 1, trigger: {}, now, previousEntries: [], active: false })!, { type: "start" }, ctx(now, { timezone: "America/New_York" }));
    expect(r.run.wakeAt).toBe(Date.UTC(2026, 2, 8, 13)); // Sunday 09:00 EDT
  });

  it("splits by percentages reproducibly", () => {
    const flow = flowOf({
      a: { type: "split", branches: [{ key: "A", percent: 70, next: "x" }, { key: "B", percent: 30, next: "y" }] },
      x: { type: "send", templateId: 1, next: null },
      y: { type: "send", templateId: 2, next: null },
    });
    let a = 0;
    for (let i = 0; i < 1000; i++) {
      const r = start(flow, {}, T0, `s${i}`);
      if ((r.effects[0] as { templateId: number }).templateId === 1) a++;
      expect(start(flow, {}, T0, `s${i}`).effects).toEqual(r.effects);
    }
    expect(a).toBeGreaterThan(650);
    expect(a).toBeLessThan(750);
  });

  it("updates the contact and calls webhooks with an idempotency key", () => {
    const flow = flowOf({
      a: { type: "update", properties: { vip: true, nps: null }, topics: { vip: "subscribed" }, next: "b" },
      b: { type: "webhook", url: "https://hooks.example.com/x", headers: { "X-Token": "t" }, next: null },
    });
    const r = start(flow, { order_id: "o1" });
    expect(r.effects).toEqual([
      { type: "update", nodeId: "a", properties: { vip: true, nps: null }, topics: { vip: "subscribed" } },
      { type: "webhook", nodeId: "b", key: "flow:run1:b:1", url: "https://hooks.example.com/x", headers: { "X-Token": "t" }, payload: expect.objectContaining({ run_id: "run1", contact_id: 1, trigger: { order_id: "o1" } }) },
      { type: "exit", reason: "end of flow" },
    ]);
  });

  it("branches on contact properties, segment logic and events since entry", () => {
    const flow = flowOf({
      a: { type: "condition", check: { kind: "segment", definition: { type: "group", match: "all", conditions: [{ type: "property", field: "order_count", op: "gte", value: 1 }] } }, yes: "b", no: "c" },
      b: { type: "condition", check: { kind: "event_since_entry", event: "Product Viewed" }, yes: "y", no: "n" },
      c: { type: "exit" },
      y: { type: "send", templateId: 1, next: null },
      n: { type: "send", templateId: 2, next: null },
    });
    const run = startRun(flow, { id: "c", flowId: 1, version: 1, contactId: 1, trigger: {}, now: T0, previousEntries: [], active: false })!;
    const buyer = facts({ contact: { id: 1, properties: {}, order_count: 2 }, events: [{ name: "Product Viewed", occurredAt: T0 + 1, properties: {} }] });
    expect(step(flow, run, { type: "start" }, ctx(T0 + 5, { facts: buyer })).effects[0]).toMatchObject({ templateId: 1 });
    const before = facts({ contact: { id: 1, properties: {}, order_count: 2 }, events: [{ name: "Product Viewed", occurredAt: T0 - 1, properties: {} }] });
    expect(step(flow, run, { type: "start" }, ctx(T0 + 5, { facts: before })).effects[0]).toMatchObject({ templateId: 2 });
    expect(step(flow, run, { type: "start" }, ctx(T0)).run.exitReason).toBe("exit step");
  });

  it("says which flows need segment definitions (journeys load them only then)", () => {
    const segmentCheck = { kind: "segment", definition: { type: "group", match: "all", conditions: [] } };
    expect(usesSegments(flowOf({ a: { type: "condition", check: segmentCheck, yes: null, no: null } }))).toBe(true);
    expect(usesSegments(flowOf({ a: { type: "condition", check: { kind: "event_since_entry", event: "Order Completed" }, yes: null, no: null } }))).toBe(false);
    expect(usesSegments(flowOf({ a: { type: "send", templateId: 1, next: null } }))).toBe(false);
  });

  it("stops a malformed loop that skipped validation instead of spinning", () => {
    const raw = flowSchema.parse({ trigger: { type: "manual" }, entry: "a", nodes: { a: { type: "update", next: "a" } } });
    const r = step(raw, startRun(raw, { id: "l", flowId: 1, version: 1, contactId: 1, trigger: {}, now: T0, previousEntries: [], active: false })!, { type: "start" }, ctx(T0));
    expect(r.run).toMatchObject({ status: "exited", exitReason: "loop: more than 100 steps without a wait" });
  });

  it("a send visited again in a loop gets a new key", () => {
    const flow = flowOf({ a: { type: "send", templateId: 1, next: "w" }, w: { type: "delay", duration: { amount: 1, unit: "days" }, next: "a" } });
    const r1 = start(flow);
    const r2 = step(flow, r1.run, { type: "alarm" }, ctx(T0 + DAY));
    expect([r1.effects[0], r2.effects[0]].map((e) => (e as { key: string }).key)).toEqual(["flow:run1:a:1", "flow:run1:a:2"]);
  });

  it("buckets spread evenly", () => {
    const counts = Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[Math.floor(bucket(`k${i}`) / 10)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});
