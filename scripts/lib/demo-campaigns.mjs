/**
 * The demo's two sent newsletters, as the campaign fan-out (worker/campaigns/fanout.ts) would have left them:
 * "Spring picks", an A/B subject test on 20% of the audience (winner by opens after 4 hours, then the rest), and
 * "Summer sale". Each sends a page of recipients per step at the provider's rate, and leaves the campaign row,
 * its state and its messages as the real steps write them.
 */
import * as C from "./demo-catalog.mjs";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PAGE = 1000; // recipients per fan-out step (worker/campaigns/fanout.ts)
const SEND_GAP = 1000 / 10; // sending.ratePerSecond defaults to 10

/** @param {object} mail the sending machinery of demo-email.mjs */
export function sendCampaigns(mail) {
  const { r, now, core, db, x, token, storeLocal, audience, draft, commit, template, templateId } = mail;
  const newsletter = db.topicIds.newsletter;

  const campaigns = [];
  const templateCreatedAt = {};

  function campaign(spec) {
    const tpl = template(spec.template);
    const ab = spec.abTest;
    const createdAt = spec.at - 2 * DAY - r.int(0, 6 * HOUR);
    templateCreatedAt[spec.template] = createdAt - r.int(20, 90) * MIN;
    const startedAt = spec.at + r.int(300, 1800);
    const topicId = newsletter;
    let v = 3; // scheduled, the queue chain claimed it, started
    let clock = startedAt;
    let cursor = 0;
    let enqueued = 0;
    const total = audience(startedAt).length;
    if (!total) return null; // scheduling refuses an empty audience (a tiny --contacts store)
    const params = (variant) => ({
      open: spec.open[variant ?? ""] ?? spec.open[""], click: spec.click, order: spec.order, unsub: spec.unsub, links: tpl.links,
      convert: (c, at, link) => buy(c, at, link, spec),
    });
    /** One pass over recipients: a page per step, sent by the consumer at its rate. */
    function pass(recipients, variantOf, commitNow) {
      const drafts = [];
      let sendAt = clock;
      for (let i = 0; i < recipients.length; i += PAGE) {
        clock += r.int(250, 700);
        const page = recipients.slice(i, i + PAGE);
        for (const c of page) {
          const variant = variantOf(c);
          const subject = (variant && ab.variants.find((x) => x.key === variant).subject) || tpl.subject;
          sendAt = Math.max(clock + 300, sendAt + SEND_GAP + r.int(0, 30));
          const spec2 = { key: `campaign:${spec.id}:${c.id}`, templateId: templateId(spec.template), campaignId: spec.id, variant, topicId, subject };
          drafts.push(draft(c, spec2, clock, sendAt, params(variant)));
        }
        cursor = page[page.length - 1].id;
        enqueued += page.length;
        v++;
      }
      if (commitNow) drafts.forEach(commit);
      return drafts;
    }

    const state = { v: 0, phase: "done", wakeAt: null, job: token(12) };
    let row;
    if (ab) {
      const seed = core.abSeed(spec.id);
      const width = core.bucketWidth(ab);
      const keys = ab.variants.map((x) => x.key);
      const inTest = (c) => core.testVariant(c.id, seed, width, keys);
      const group = audience(startedAt).filter((c) => inTest(c) !== null);
      const mark = { clock, cursor, enqueued, v };
      let drafts;
      let testEndsAt;
      let decidedAt;
      // The demo is meant to show the personal subject winning; its figures stay true to the rows below.
      for (let attempt = 0; ; attempt++) {
        ({ clock, cursor, enqueued, v } = mark);
        drafts = pass(group, inTest, false);
        clock += r.int(200, 600);
        v++; // the empty page ends the test send: wait for the winner
        testEndsAt = clock + Math.round(ab.waitHours * HOUR);
        decidedAt = testEndsAt + r.int(1, 40) * SEC;
        const pick = core.pickWinner(ab.metric, keys, figuresAt(drafts.map((d) => d.m), decidedAt));
        // ...and stays ahead once everyone has read it (a test can pick a winner that later falls behind)
        const final = figuresAt(drafts.map((d) => d.m), now);
        const rate = (key) => final.find((f) => f.variant === key)?.opens / Math.max(1, final.find((f) => f.variant === key)?.recipients ?? 0) || 0;
        if ((pick.variant === spec.wants && keys.every((k) => k === spec.wants || rate(k) + 0.03 < rate(spec.wants))) || attempt >= 30) break;
      }
      drafts.forEach(commit);
      const testMessages = drafts.map((d) => d.m);
      const winner = core.pickWinner(ab.metric, keys, figuresAt(testMessages, decidedAt));
      clock = decidedAt;
      v++; // decided
      const rest = audience(decidedAt).filter((c) => inTest(c) === null);
      cursor = 0;
      pass(rest, () => winner.variant, true);
      clock += r.int(200, 600);
      v++; // done
      Object.assign(state, {
        v, phase: "done", wakeAt: null, ab: { seed, width }, testEndsAt,
        winner: { variant: winner.variant, metric: ab.metric, decidedAt, how: "auto", figures: winner.figures },
      });
      row = { testMessages, decidedAt, keys };
    } else {
      pass(audience(startedAt), () => null, true);
      clock += r.int(200, 600);
      v++;
      state.v = v;
    }
    const c = {
      id: spec.id, name: spec.name, status: "sent", templateId: templateId(spec.template), topicId,
      audience: { segments: [], topics: ["newsletter"], excludeSegments: [] }, sender: null, schedule: { kind: "at", at: spec.at },
      // key order as the fan-out leaves it: v, phase, wakeAt, then job (claimChain), then the A/B fields
      state: ab ? { v: state.v, phase: state.phase, wakeAt: null, job: state.job, ab: state.ab, testEndsAt: state.testEndsAt, winner: state.winner } : { v: state.v, phase: "done", wakeAt: null, job: state.job },
      abTest: ab, scheduleAt: spec.at, cursor, total, enqueued, startedAt, finishedAt: clock, createdAt, updatedAt: clock, test: row,
    };
    campaigns.push(c);
    return c;
  }

  /** Per variant at time `t`, as variantFigures reads them then (conversions and revenue are filled in later). */
  function figuresAt(list, t) {
    const by = new Map();
    for (const m of list) {
      const f = by.get(m.variant ?? "") ?? by.set(m.variant ?? "", { variant: m.variant ?? "", recipients: 0, opens: 0, clicks: 0, conversions: 0, revenue: 0 }).get(m.variant ?? "");
      if (m.sentAt !== null && m.sentAt <= t) f.recipients++;
      if (m.bouncedAt !== null && m.bouncedAt <= t) f.recipients--;
      if (m.openedAt !== null && m.openedAt <= t) f.opens++;
      if (m.clickedAt !== null && m.clickedAt <= t) f.clicks++;
    }
    return [...by.values()];
  }

  /** After a click on a newsletter: a visit to the linked page, and an order from it (the same visit or days later). */
  function buy(c, clickAt, link, spec) {
    const product = link.product && C.PRODUCTS.find((p) => p.id === link.product);
    const cats = link.category ?? (product ? [product.category] : C.CATEGORIES);
    const items = [];
    if (product) items.push({ p: product, quantity: 1 });
    for (let n = product ? r.weighted([[0, 60], [1, 40]]) : r.weighted([[1, 65], [2, 35]]); n > 0; n--) {
      const p = x.shop.pickProduct(r.pick(cats), r);
      if (!items.some((i) => i.p === p)) items.push({ p, quantity: r.weighted([[1, 85], [2, 15]]) });
    }
    const at = r.chance(0.75) ? clickAt + r.int(5, 60) * SEC : clickAt + r.int(3 * HOUR, 4 * DAY);
    return x.shop.visitAndBuy(c, at, { landing: link.url, items, coupon: spec.coupon ?? null, rng: r });
  }

  const spring = template("spring");
  campaign({
    id: db.maxCampaignId + 1, name: "Spring picks", template: "spring", at: storeLocal(now - 60 * DAY, 10, 0),
    abTest: {
      variants: [
        { key: "A", subject: spring.subject },
        { key: "B", subject: "{{ contact.first_name | default: 'Hi' }}, new pieces for your spring table" },
      ],
      testShare: 20, metric: "opens", waitHours: 4,
    },
    wants: "B", open: { A: 0.43, B: 0.54, "": 0.52 }, click: 0.11, order: 0.16, unsub: 0.006,
  });
  campaign({
    id: db.maxCampaignId + 2, name: "Summer sale", template: "summer", at: storeLocal(now - 25 * DAY, 9, 30), abTest: null,
    open: { "": 0.46 }, click: 0.12, order: 0.24, unsub: 0.005, coupon: template("summer").coupon,
  });

  return {
    campaigns,
    templateCreatedAt,
    /** Puts the winner's conversions and revenue as they stood when it was chosen into its recorded figures. */
    finish(credited) {
      for (const c of campaigns) {
        if (!c.test) continue;
        const figures = figuresAt(c.test.testMessages, c.test.decidedAt);
        for (const a of credited) {
          if (a.campaignId !== c.id || a.occurredAt > c.test.decidedAt) continue;
          const f = figures.find((x) => x.variant === a.variant);
          if (f) (f.conversions++, (f.revenue = Math.round((f.revenue + a.value) * 100) / 100));
        }
        const pick = core.pickWinner(c.abTest.metric, c.test.keys, figures);
        if (pick.variant !== c.state.winner.variant) throw new Error("the A/B winner changed between the test and its report");
        c.state.winner.figures = pick.figures;
      }
    },
  };
}
