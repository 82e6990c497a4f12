import { describe, expect, it } from "vitest";
import { flowEventNames, flowProblems, type FlowDefinition } from "../../worker/core/flow";
import { simulate, type SimulationInput } from "../../worker/core/flow-simulate";
import { instantiate, prebuiltCatalog, PREBUILT_FLOWS, prebuiltFlow, treeLayout, type Refs } from "../../worker/core/prebuilt-flows";
import { parseSegment, type ContactFacts } from "../../worker/core/segment";
import { renderEmail, sampleModel, validateTemplate, type TemplateSource } from "../../worker/core/template";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 5, 1, 12);

// Placeholder ids: template keys numbered in catalog order, topics and segments by key.
const allTemplates = PREBUILT_FLOWS.flatMap((f) => f.emails.map((e) => e.template.key));
const refs: Refs = {
  template: (key) => {
    const i = allTemplates.indexOf(key);
    if (i < 0) throw new Error(`no template ${key}`);
    return 100 + i;
  },
  topic: (key) => ({ newsletter: 1, guides: 2 })[key] ?? 9,
  segment: (key) => ({ no_order_90: 31, unengaged_120: 32 })[key] ?? 39,
  marketingTopics: ["guides", "newsletter", "offers"],
};
const flow = (key: string) => instantiate(prebuiltFlow(key)!, refs);
const tpl = (key: string) => refs.template(key);

const store = { name: "Juniper & Pine", address: "18 Harbour Street, Portland, ME", website: "https://juniper.example.com", logo_url: "", brand_color: "#2f6f4f", currency: "USD" };

describe("catalog", () => {
  it("has the eight flows, each with unique keys and emails", () => {
    expect(PREBUILT_FLOWS.map((f) => f.key)).toEqual(["welcome_series", "abandoned_cart", "browse_abandonment", "post_purchase", "win_back", "birthday", "lead_nurture", "sunset"]);
    expect(new Set(allTemplates).size).toBe(allTemplates.length);
    const items = prebuiltCatalog();
    expect(items[1]).toMatchObject({ key: "abandoned_cart", name: "Abandoned cart", trigger: expect.stringContaining("Checkout Started") });
    expect(items[1]!.emails.map((e) => e.when)).toEqual(["1 hour after checkout started", "24 hours after checkout started", "72 hours after checkout started"]);
    expect(items.find((i) => i.key === "win_back")!.creates.segment).toBe("No order in 90 days");
    expect(items.find((i) => i.key === "welcome_series")!.creates.topics).toEqual(["newsletter"]);
  });

  for (const entry of PREBUILT_FLOWS) {
    it(`${entry.key}: passes parseFlow, sends every email it lists, and has a tidy layout`, () => {
      const def = instantiate(entry, refs);
      expect(flowProblems(def)).toEqual([]);
      const sends = Object.values(def.nodes).flatMap((n) => (n.type === "send" ? [n.templateId] : []));
      expect(sends.sort()).toEqual(entry.emails.map((e) => tpl(e.template.key)).sort());
      // one position per step, no two steps on one spot, every step below the one leading to it
      const layout = def.layout!;
      expect(Object.keys(layout).sort()).toEqual(Object.keys(def.nodes).sort());
      expect(new Set(Object.values(layout).map((p) => `${p.x},${p.y}`)).size).toBe(Object.keys(def.nodes).length);
      expect(layout[def.entry!]!.y).toBe(0);
      for (const [id, node] of Object.entries(def.nodes)) {
        for (const to of "next" in node ? [node.next] : node.type === "condition" ? [node.yes, node.no] : []) {
          if (to) expect(layout[to]!.y).toBeGreaterThan(layout[id]!.y);
        }
      }
      if (entry.segment) expect(() => parseSegment(entry.segment!.definition)).not.toThrow();
    });
  }

  it("lays branches side by side under a centred parent", () => {
    const layout = treeLayout(flow("lead_nurture"));
    expect(layout.clicked).toEqual({ x: 130, y: 4 * 140 });
    expect(layout.offer).toEqual({ x: 0, y: 5 * 140 });
    expect(layout.check_in).toEqual({ x: 260, y: 5 * 140 });
    expect(treeLayout({ entry: null, nodes: {} })).toEqual({});
  });

  it("welcome and lead nurture send on their topic; the sunset unsubscribes from every marketing topic", () => {
    const welcome = flow("welcome_series");
    expect(Object.values(welcome.nodes).every((n) => n.type !== "send" || n.topicId === 1)).toBe(true);
    expect(welcome.trigger).toEqual({ type: "topic", topic: "newsletter" });
    expect(Object.values(flow("lead_nurture").nodes).every((n) => n.type !== "send" || n.topicId === 2)).toBe(true);
    expect(flow("sunset").nodes.unsubscribe).toMatchObject({ type: "update", topics: { newsletter: "unsubscribed", guides: "unsubscribed", offers: "unsubscribed" } });
    expect(flow("win_back").trigger).toEqual({ type: "segment", segmentId: 31 });
    expect(flow("birthday").trigger).toEqual({ type: "date", field: "birthday", hour: 9, offsetDays: 0 });
    expect(flowEventNames(flow("abandoned_cart")).sort()).toEqual(["Checkout Started", "Order Completed", "Unsubscribed"]);
  });

  it("fails loudly when a template id is missing", () => {
    expect(() => instantiate(prebuiltFlow("birthday")!, { ...refs, template: () => 0 })).toThrow();
  });
});

describe("templates", () => {
  for (const entry of PREBUILT_FLOWS) {
    for (const { template } of entry.emails) {
      it(`${entry.key} / ${template.key} is valid and renders for the sample model and for the flow's own event`, async () => {
        const source: TemplateSource = { subject: template.subject, preheader: template.preheader, html: template.html, text: null, layout: "default" };
        const sample = sampleModel(store, "2026-06-01T12:00:00Z");
        expect(await validateTemplate(source, sample)).toEqual([]);
        for (const model of [sample, { ...sample, event: entry.sample }, { ...sample, contact: { email: "x@example.com" }, event: {} }, { ...sample, store: { ...store, website: "" } }]) {
          const out = await renderEmail(source, model);
          for (const part of [out.subject, out.preheader, out.html, out.text]) {
            expect(part).not.toMatch(/NaN|undefined|\[object|\{\{|\{%/);
          }
          expect(out.subject.length).toBeGreaterThan(10);
          expect(out.html).toContain(model.store.name.replace("&", "&amp;"));
        }
      });
    }
  }

  const render = async (key: string, event: Record<string, unknown>, over: Partial<typeof store> = {}) => {
    const t = PREBUILT_FLOWS.flatMap((f) => f.emails.map((e) => e.template)).find((x) => x.key === key)!;
    return renderEmail({ ...t, text: null, layout: "default" }, { ...sampleModel({ ...store, ...over }, "2026-06-01T12:00:00Z"), event });
  };

  it("the cart emails list the products with pictures, quantities, line prices and the total, and link back to the checkout", async () => {
    const cart = prebuiltFlow("abandoned_cart")!.sample;
    const out = await render("cart_1", cart);
    expect(out.html).toContain('<img src="https://shop.example.com/img/mug.jpg" alt=""');
    expect(out.html).toContain("Qty 2");
    expect(out.html).toContain("$56.00");
    expect(out.html).toContain("Total $70.00");
    expect(out.html).toContain('href="https://shop.example.com/checkouts/chk_1001"');
    // no checkout link: the shop; no total: the sum of the lines
    const plain = await render("cart_2", { products: [{ name: "Teapot", price: 40, quantity: 2 }] });
    expect(plain.html).toContain('href="https://juniper.example.com"');
    expect(plain.html).toContain("Total $80.00");
    expect(plain.html).toContain("CART10");
    expect((await render("cart_3", cart)).html).toContain("CART10");
  });

  it("the browse email features the viewed product", async () => {
    const out = await render("browse_1", prebuiltFlow("browse_abandonment")!.sample);
    expect(out.html).toContain("Brass desk lamp");
    expect(out.html).toContain("$120.00");
    expect(out.html).toContain('href="https://shop.example.com/products/brass-lamp"');
    expect(out.preheader).toBe("The Brass desk lamp you were looking at is still here.");
  });

  it("the thank-you shows the order number and total; the review request links to each product", async () => {
    const order = prebuiltFlow("post_purchase")!.sample;
    const thanks = await render("post_1", order);
    expect(thanks.html).toContain("Order no. 1042");
    expect(thanks.html).toContain("Total $70.00");
    expect((await render("post_3", order)).html).toContain('href="https://shop.example.com/products/linen-towel#reviews"');
    expect((await render("post_4", order)).subject).toBe("Picked to go with your Stoneware mug");
  });

  it("the sunset email links to the preference page and keeps people with a tracked link to the shop", async () => {
    const out = await render("sunset_1", {});
    expect(out.subject).toBe("Still want to hear from us?");
    expect(out.html).toContain('href="https://example.com/p/sample">Choose what you get');
    expect(out.html).toContain('href="https://juniper.example.com" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600">Yes, keep me on the list');
  });
});

// ---- the flows on the simulator's fake clock ------------------------------------------------------------

const facts = (over: Partial<ContactFacts> = {}): ContactFacts => ({ contact: { id: 1, properties: {}, order_count: 0 }, events: [], subscriptions: {}, messages: [], ...over });
const run = (def: FlowDefinition, over: Partial<SimulationInput> = {}) =>
  simulate({
    flow: def, facts: facts(), segments: { now: T0, lapsedDays: 90, churnedDays: 180, segment: () => undefined }, timezone: "UTC",
    start: T0, trigger: {}, events: [], until: T0 + 60 * DAY, engagement: {}, ...over,
  });
const at = (sends: { at: number; nodeId: string }[]) => sends.map((s) => [s.nodeId, (s.at - T0) / H]);

describe("simulated", () => {
  it("abandoned cart: three emails at 1 h, 24 h and 72 h without an order", () => {
    const sim = run(flow("abandoned_cart"), { trigger: prebuiltFlow("abandoned_cart")!.sample });
    expect(at(sim.sends)).toEqual([["reminder", 1], ["incentive", 24], ["last_call", 72]]);
    expect(sim.sends.map((s) => s.templateId)).toEqual([tpl("cart_1"), tpl("cart_2"), tpl("cart_3")]);
    expect(sim.run).toMatchObject({ status: "completed" });
  });

  it("abandoned cart: an order 2 h in stops it after the first email", () => {
    const sim = run(flow("abandoned_cart"), { events: [{ name: "Order Completed", properties: { order_id: "1" }, occurredAt: T0 + 2 * H }] });
    expect(at(sim.sends)).toEqual([["reminder", 1]]);
    expect(sim.run).toMatchObject({ status: "exited", exitReason: "goal: Order Completed" });
  });

  it("welcome series: three emails over 7 days, or fewer once they order", () => {
    expect(at(run(flow("welcome_series")).sends)).toEqual([["welcome", 0], ["bestsellers", 72], ["offer", 168]]);
    const ordered = run(flow("welcome_series"), { events: [{ name: "Order Completed", properties: {}, occurredAt: T0 + 4 * DAY }] });
    expect(at(ordered.sends)).toEqual([["welcome", 0], ["bestsellers", 72]]);
    expect(ordered.run.exitReason).toBe("goal: Order Completed");
  });

  it("browse abandonment: no email when something is added to the cart within 4 h", () => {
    const added = run(flow("browse_abandonment"), { events: [{ name: "Product Added", properties: { product_id: "lamp-07" }, occurredAt: T0 + 3 * H }] });
    expect(added.sends).toEqual([]);
    expect(added.run).toMatchObject({ status: "completed", nodeId: "added" });
    expect(at(run(flow("browse_abandonment")).sends)).toEqual([["viewed", 4]]);
    // an order in the last day (before the view) means no nudge
    const bought = run(flow("browse_abandonment"), { facts: facts({ events: [{ name: "Order Completed", properties: {}, occurredAt: T0 - 6 * H }] }) });
    expect(bought.sends).toEqual([]);
    expect(bought.run.nodeId).toBe("ordered");
  });

  it("post-purchase: thank you, tips, review, then a cross-sell only without a second order", () => {
    expect(at(run(flow("post_purchase")).sends)).toEqual([["thanks", 0], ["tips", 120], ["review", 336], ["cross_sell", 720]]);
    const again = run(flow("post_purchase"), { events: [{ name: "Order Completed", properties: {}, occurredAt: T0 + 20 * DAY }] });
    expect(at(again.sends)).toEqual([["thanks", 0], ["tips", 120], ["review", 336]]);
    expect(again.run.nodeId).toBe("repeat_buyer");
  });

  it("win-back: the incentive goes only to those who opened the first email", () => {
    expect(at(run(flow("win_back"), { engagement: { miss_you: "opened" } }).sends)).toEqual([["miss_you", 0], ["incentive", 168]]);
    expect(at(run(flow("win_back")).sends)).toEqual([["miss_you", 0]]);
  });

  it("lead nurture: clickers get the offer, the others a check-in", () => {
    expect(at(run(flow("lead_nurture"), { engagement: { case_study: "clicked" } }).sends)).toEqual([["guide", 0], ["case_study", 72], ["offer", 168]]);
    expect(at(run(flow("lead_nurture"), { engagement: { guide: "opened" } }).sends)).toEqual([["guide", 0], ["case_study", 72], ["check_in", 168]]);
  });

  it("sunset: no open or click in 14 days unsubscribes; an open keeps them", () => {
    const gone = run(flow("sunset"));
    expect(at(gone.sends)).toEqual([["ask", 0]]);
    expect(gone.timeline).toContainEqual({ at: T0 + 14 * DAY, kind: "update", nodeId: "unsubscribe", detail: "updates the contact" });
    expect(gone.run).toMatchObject({ status: "completed", nodeId: "done" });
    const kept = run(flow("sunset"), { engagement: { ask: "opened" } });
    expect(kept.timeline.some((t) => t.kind === "update")).toBe(false);
    expect(kept.run.nodeId).toBe("kept");
  });

  it("birthday: one email at once (the cron starts it at 9:00 local time)", () => {
    expect(at(run(flow("birthday")).sends)).toEqual([["gift", 0]]);
  });
});
