/**
 * The prebuilt abandoned-cart flow, installed (its own copies of the three emails), published as version 1 and
 * live for the last seven weeks. Every Checkout Started since then went through the real interpreter
 * (worker/core/flow-step.ts) with alarms at each wait's end: runs that ended with an order, runs that went the
 * whole way, a few still waiting today; the emails it sent, their readers, and the carts they recovered.
 */
import * as C from "./demo-catalog.mjs";
import { TEMPLATES } from "./demo-templates.mjs";

const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;
const FLOW_DAYS = 52; // the flow went live this many days ago

/** @param {object} mail the sending machinery of demo-email.mjs */
export function runAbandonedCart(mail) {
  const { r, now, core, db, x, tz, token, storeLocal, draft, commit } = mail;
  const entry = core.prebuiltFlow("abandoned_cart");
  const flowId = db.maxFlowId + 1;
  const publishedAt = storeLocal(now - FLOW_DAYS * DAY, 14, 5) + r.int(0, 59_999);
  const installedAt = publishedAt - r.int(12 * 60, 40 * 60) * SEC;
  const firstTemplate = db.maxTemplateId + TEMPLATES.length + 1;
  const templates = entry.emails.map(({ template: t }, i) => ({
    id: firstTemplate + i, key: t.key, name: `${db.flowName} · ${t.name}`, subject: t.subject, preheader: t.preheader, html: t.html, createdAt: installedAt,
  }));
  const draftDef = core.instantiate(entry, {
    template: (key) => templates.find((t) => t.key === key).id,
    topic: (key) => db.topicIds[key],
    segment: () => {
      throw new Error("the abandoned cart uses no segment");
    },
    marketingTopics: C.TOPICS.filter((t) => t.kind === "marketing").map((t) => t.key),
  });
  const def = core.parseFlow(draftDef); // what publishFlow stores as version 1
  const subjectOf = new Map(templates.map((t) => [t.id, t.subject]));
  const rates = {
    reminder: { open: 0.5, click: 0.2, order: 0.4, coupon: null },
    incentive: { open: 0.46, click: 0.22, order: 0.45, coupon: ["CART10", 0.1] },
    last_call: { open: 0.4, click: 0.18, order: 0.35, coupon: ["CART10", 0.1] },
  };

  // What each contact's ContactJourney would have seen since the flow went live: its trigger and goal events.
  const listens = new Set(core.flowEventNames(def));
  const inputs = new Map();
  // Checkouts of the last four days are left out: their runs would still be waiting, and waiting runs live in
  // the contacts' Durable Objects, which a seed cannot fill. Every seeded run has finished (the flow takes 72 h).
  for (const e of x.events) {
    if (e.source !== "storefront" || !listens.has(e.name) || e.at < publishedAt || (e.name === "Checkout Started" && e.at > now - 4 * DAY)) continue;
    (inputs.get(e.contactId) ?? inputs.set(e.contactId, []).get(e.contactId)).push(e);
  }
  const byId = new Map(x.contacts.map((c) => [c.id, c]));
  const runs = [];
  for (const [contactId, list] of [...inputs].sort((a, b) => a[0] - b[0])) {
    const c = byId.get(contactId);
    if (!c) continue;
    const queue = list.map((e) => ({ at: e.at + r.int(300, 2500), event: { name: e.name, properties: e.props, occurredAt: e.at } })).sort((a, b) => a.at - b.at);
    const entries = [];
    let run = null;
    const live = () => run && (run.status === "active" || run.status === "waiting");
    const ctx = (t) => ({ now: t, facts: { contact: { id: c.id, properties: {} }, events: [], subscriptions: {}, messages: [] }, segments: null, timezone: c.timezone ?? tz, engagement: {} });
    const apply = (result, t) => {
      run = result.run;
      runs[runs.length - 1] = run;
      for (const e of result.effects) if (e.type === "send") sendFlowEmail(c, run, e, t, queue);
    };
    // Inputs in time order: the contact's events, and the alarm at the end of each wait (a moment after it).
    let alarm = null;
    for (;;) {
      if (live() && run.status === "waiting" && run.wakeAt !== null && alarm?.wakeAt !== run.wakeAt) alarm = { wakeAt: run.wakeAt, at: run.wakeAt + r.int(5, 900) };
      const alarmAt = live() && run.status === "waiting" && alarm ? alarm.at : Infinity;
      const eventAt = queue.length ? queue[0].at : Infinity;
      if (Math.min(alarmAt, eventAt) > now) break;
      if (alarmAt <= eventAt) {
        apply(core.step(def, run, { type: "alarm" }, ctx(alarmAt)), alarmAt);
        continue;
      }
      const { at, event } = queue.shift();
      if (live()) apply(core.step(def, run, { type: "event", event }, ctx(at)), at);
      if (!core.triggers(def, event)) continue;
      const started = core.startRun(def, {
        id: `r_${token(16)}`, flowId, version: 1, contactId: c.id, trigger: event.properties, triggerEvent: event.name, triggerAt: event.occurredAt,
        now: at, previousEntries: entries, active: !!live(),
      });
      if (!started) continue;
      entries.push(at);
      run = started;
      runs.push(run);
      apply(core.step(def, run, { type: "start" }, ctx(at)), at);
    }
  }

  function sendFlowEmail(c, run, e, t, queue) {
    const products = e.data.products ?? [];
    const links = [...products.map((p) => ({ url: p.url, weight: 1 })), { url: C.STORE.website, weight: 1.5 * Math.max(1, products.length) }];
    const p = rates[e.nodeId];
    const spec = { key: e.key, templateId: e.templateId, flowId, nodeId: e.nodeId, topicId: e.topicId, subject: subjectOf.get(e.templateId), data: e.data };
    const convert = (c2, clickAt) => {
      const order = x.shop.completeCheckout(c2, clickAt + r.int(40, 1500) * SEC, run.trigger, { coupon: p.coupon, rng: r });
      if (order) {
        queue.push({ at: order.at + r.int(300, 2500), event: { name: order.name, properties: order.props, occurredAt: order.at } });
        queue.sort((a, b) => a.at - b.at);
      }
    };
    commit(draft(c, spec, t, t + r.int(400, 2500), { ...p, links, convert }));
  }

  const nodeStats = new Map();
  for (const run of runs) for (const step of run.path) if (!step.note) nodeStats.set(step.nodeId, (nodeStats.get(step.nodeId) ?? 0) + 1);
  return {
    id: flowId, name: db.flowName, templates, draft: draftDef, definition: def, eventNames: core.flowEventNames(def), installedAt, publishedAt, runs, nodeStats,
  };
}
