/**
 * The demo store's email history: what Tern would have recorded had the shop sent two newsletters (an A/B
 * subject test, then a sale) and run the prebuilt abandoned-cart flow for the last seven weeks. Rows are shaped
 * like the Worker's own: the fan-out's campaign state, the send consumer's checks and outcomes, the tracking
 * queue's events (people, Apple's privacy proxy and link scanners told apart), provider deliveries and bounces,
 * one-click unsubscribes, the flow interpreter's runs (the real one, from worker/core), and attribution by its
 * rule. This file is the sending machinery; what was sent is in demo-campaigns.mjs and demo-flow.mjs.
 */
import { createHash } from "node:crypto";
import { sendCampaigns } from "./demo-campaigns.mjs";
import * as C from "./demo-catalog.mjs";
import { runAbandonedCart } from "./demo-flow.mjs";
import { TEMPLATES } from "./demo-templates.mjs";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const PROVIDER = "postmark";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * @param {object} x
 * @param {object} x.rng        the email history's own random stream
 * @param {object} x.core       worker-core.mjs
 * @param {object} x.db         ids already taken, topic ids, flow name
 * @param {object[]} x.contacts, x.subscriptions, x.suppressions, x.events   the store so far (changed in place)
 * @param {object} x.shop       { visitAndBuy, completeCheckout, pickProduct }: storefront sessions that end in an order
 * @param {Function} x.pushEmail records an email event
 */
export function emailHistory(x) {
  const { rng: r, now, core, db } = x;
  const tz = C.STORE.timezone;
  const messages = [];
  const newsletterOf = new Map(x.subscriptions.filter((s) => s.topic === "newsletter").map((s) => [s.contactId, s]));
  const suppressionOf = new Map(x.suppressions.map((s) => [s.contactId, s]));
  const profiles = new Map();
  const templateId = (key) => db.maxTemplateId + TEMPLATES.findIndex((t) => t.key === key) + 1;
  const template = (key) => TEMPLATES.find((t) => t.key === key);

  const token = (n) => Array.from({ length: n }, () => B64[Math.floor(r.float() * 64)]).join("");
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float());
  const expo = (mean) => -Math.log(1 - r.float()) * mean;
  /** A wall-clock time in the store's time zone on the day of `around`. */
  const storeLocal = (around, hh, mm) => {
    const off = core.zoneOffset(tz, around);
    return Math.floor((around + off) / DAY) * DAY + hh * HOUR + mm * MIN - off;
  };

  // ---- who may be emailed when ------------------------------------------------------------------------------

  function statusAt(c, t) {
    const s = suppressionOf.get(c.id);
    if ((c.status === "bounced" || c.status === "complained") && s && s.at <= t) return c.status;
    const n = newsletterOf.get(c.id);
    if (c.status === "unsubscribed" && n?.unsubscribedAt != null && n.unsubscribedAt <= t) return "unsubscribed";
    return "active";
  }
  function subscribedAt(c, t) {
    const n = newsletterOf.get(c.id);
    return !!n && n.confirmedAt <= t && (n.unsubscribedAt == null || n.unsubscribedAt > t);
  }
  /** A campaign's audience at `t`, in contact id order: identified, active, subscribed to the newsletter. */
  const audience = (t) => x.contacts.filter((c) => c.email && c.createdAt <= t && subscribedAt(c, t) && statusAt(c, t) === "active");

  // Two subscribers the owner asked us by phone not to email: a manual suppression, consent left as it was.
  for (const c of r.sample(x.contacts.filter((c) => c.status === "active" && !suppressionOf.has(c.id) && subscribedAt(c, now - 120 * DAY) && subscribedAt(c, now)), 2)) {
    const s = {
      contactId: c.id, hash: createHash("sha256").update(c.email).digest("hex"), email: c.email, reason: "manual",
      detail: "Asked by phone not to be emailed any more", at: now - r.int(70, 95) * DAY - r.int(0, DAY),
    };
    x.suppressions.push(s);
    suppressionOf.set(c.id, s);
  }

  /** How a person reads email: how engaged, and whether Apple Mail's privacy proxy fetches their pixels. */
  function profile(c) {
    let p = profiles.get(c.id);
    if (!p) {
      const apple = /iPhone|iPad|Macintosh/.test(c.ua);
      const kind = { loyal: 1.45, pastOnce: 1.1, prospect: 0.95, lapsed: 0.6 }[c.kind] ?? 1;
      p = { mpp: r.chance(apple ? 0.26 : 0.02), eng: kind * (c.source === "import" ? 0.8 : 1) * Math.exp(0.45 * gauss() - 0.1) };
      profiles.set(c.id, p);
    }
    return p;
  }

  /** When a person gets to an email: usually within hours, rarely days later, and seldom in the middle of the night. */
  function readDelay(c, sentAt) {
    let d = Math.min(6 * DAY, Math.max(45 * SEC, Math.exp(Math.log(2.5 * HOUR) + 1.3 * gauss())));
    const hour = ((((sentAt + d + c.offset * HOUR) % DAY) + DAY) % DAY) / HOUR;
    if (hour < 6.5 && r.chance(0.8)) d += (7 - hour + r.float() * 2) * HOUR;
    return Math.round(d);
  }

  function renderSubject(source, c) {
    const out = source
      .replace(/\{\{\s*contact\.first_name\s*\|\s*default:\s*(['"])(.*?)\1\s*\}\}/g, (_, _q, fallback) => c.firstName || fallback)
      .replace(/\{\{\s*store\.name\s*\}\}/g, C.STORE.name);
    if (/\{\{|\{%/.test(out)) throw new Error(`the demo seed cannot render the subject ${JSON.stringify(source)}; extend renderSubject`);
    return out.replace(/\s{2,}/g, " ").trim();
  }

  // ---- one send -------------------------------------------------------------------------------------------

  /**
   * A message and everything that followed it, not yet recorded: the send consumer's checks at `sendAt`, the
   * outcome, then opens, clicks, a scanner's burst, an unsubscribe, and (via `p.convert`) an order.
   */
  function draft(c, spec, queuedAt, sendAt, p) {
    const m = {
      id: `m_${queuedAt.toString(36)}${token(12)}`, key: spec.key, contactId: c.id, toEmail: null, kind: "marketing", templateId: spec.templateId,
      campaignId: spec.campaignId ?? null, flowId: spec.flowId ?? null, flowNodeId: spec.nodeId ?? null, variant: spec.variant ?? null, topicId: spec.topicId ?? null,
      subject: null, status: "queued", data: spec.data ?? null, claimedAt: null, provider: null, providerMessageId: null, error: null, attempts: 0,
      queuedAt, sentAt: null, deliveredAt: null, openedAt: null, clickedAt: null, machineOpenedAt: null, bouncedAt: null, unsubscribedAt: null,
    };
    const d = { m, c, events: [], effects: [] };
    sendAt = Math.min(sendAt, now);
    const s = suppressionOf.get(c.id);
    const status = statusAt(c, sendAt);
    const block =
      s && s.at <= sendAt ? `the address is suppressed (${s.reason})`
      : status !== "active" ? `the contact is ${status}`
      : m.topicId !== null && !subscribedAt(c, sendAt) ? "the contact is not subscribed to this topic"
      : null;
    if (block) return Object.assign(d, { m: Object.assign(m, { status: "suppressed", error: block }) });

    Object.assign(m, { status: "sent", claimedAt: sendAt, attempts: 1, provider: PROVIDER, providerMessageId: r.uuid(), subject: renderSubject(spec.subject, c), toEmail: c.email });
    m.sentAt = Math.min(now, sendAt + r.int(120, 900));
    d.events.push(email(c, "Email Sent", { message_id: m.id, subject: m.subject }, m.sentAt, m.id, m.id, null, r.int(5, 400)));

    // The address died since the last email that reached it: this one bounces, and the bounce suppresses it.
    if (spec.campaignId && c.status === "bounced" && s && !s.moved && s.at > sendAt && s.at - sendAt < 30 * DAY && m.sentAt + 90 * SEC < now) {
      m.status = "bounced";
      m.bouncedAt = m.sentAt + r.int(2, 90) * SEC;
      const props = { provider: PROVIDER, type: "hard", detail: s.detail, providerMessageId: m.providerMessageId };
      d.events.push(email(c, "Email Bounced", props, m.bouncedAt, `hook:postmark:Bounce:${r.int(1e9, 9e9)}`, m.id, null, r.int(300, 4000)));
      d.effects.push(() => Object.assign(s, { at: m.bouncedAt, moved: true }));
      return d;
    }
    // Postmark reports the delivery a few seconds later (its Delivery webhook).
    const deliveredAt = m.sentAt + r.int(900, 8000);
    if (deliveredAt <= now) {
      Object.assign(m, { status: "delivered", deliveredAt });
      const props = { provider: PROVIDER, detail: "smtp;250 2.0.0 OK", providerMessageId: m.providerMessageId };
      d.events.push(email(c, "Email Delivered", props, deliveredAt, `hook:postmark:Delivery:${m.providerMessageId}:${c.email}`, m.id, null, r.int(300, 4000)));
    }
    engage(d, p);
    return d;
  }

  function engage(d, p) {
    const { m, c } = d;
    const prof = profile(c);
    const ctx = { message_id: m.id, campaign_id: m.campaignId, flow_id: m.flowId, node_id: m.flowNodeId, variant: m.variant };
    const hit = (name, at, props, flag) => {
      if (at > now) return false;
      d.events.push(email(c, name, { ...ctx, ...props }, at, `${name === "Email Opened" ? "o" : "c"}:${token(12)}`, m.id, flag, r.int(800, 9000)));
      return true;
    };
    const firstMachine = (at) => (m.machineOpenedAt = Math.min(m.machineOpenedAt ?? at, at));
    // Apple's proxy fetches the pixel soon after delivery; a few security gateways fetch it within seconds.
    if (prof.mpp) {
      const at = m.sentAt + 5 * SEC + Math.round(expo(8 * MIN));
      if (hit("Email Opened", at, { machine: true }, "machine")) firstMachine(at);
    } else if (r.chance(0.015)) {
      const at = m.sentAt + r.int(800, 4500);
      if (hit("Email Opened", at, { machine: true }, "machine")) firstMachine(at);
    }
    // A link scanner opens every link at once.
    if (r.chance(0.01)) {
      let at = m.sentAt + r.int(3, 40) * SEC;
      p.links.forEach((l, i) => hit("Email Clicked", (at += r.int(80, 400)), { url: l.url, link: i, bot: true }, "bot"));
    }

    if (!r.chance(Math.min(0.92, p.open * prof.eng))) return;
    const readAt = m.sentAt + readDelay(c, m.sentAt);
    if (readAt > now) return;
    // Behind Apple's proxy a person's open looks like the proxy's: only a click shows they read it.
    if (!prof.mpp) {
      hit("Email Opened", readAt, { machine: false }, "human");
      m.openedAt = readAt;
      if (r.chance(0.25)) hit("Email Opened", readAt + r.int(10 * MIN, 2 * DAY), { machine: false }, "human");
    }
    if (r.chance(Math.min(0.6, p.click * Math.sqrt(prof.eng)))) {
      const at = readAt + r.int(8, 240) * SEC;
      const link = r.weighted(p.links.map((l, i) => [i, l.weight ?? 1]));
      if (hit("Email Clicked", at, { url: p.links[link].url, link, bot: false }, "human")) {
        m.clickedAt = at;
        m.openedAt = Math.min(m.openedAt ?? at, at); // a click proves the open
        if (r.chance(0.18)) {
          const again = r.int(0, p.links.length - 1);
          hit("Email Clicked", at + r.int(30, 300) * SEC, { url: p.links[again].url, link: again, bot: false }, "human");
        }
        if (p.convert && r.chance(p.order * (c.kind === "loyal" ? 1.3 : 1))) d.effects.push(() => p.convert(c, at, p.links[link], m));
      }
    }
    // One-click unsubscribe (List-Unsubscribe) from the campaign's topic, after reading it.
    if (p.unsub && c.status === "active" && r.chance(p.unsub)) {
      const at = (m.clickedAt ?? readAt) + r.int(20, 300) * SEC;
      const sub = newsletterOf.get(c.id);
      if (at <= now && sub) {
        m.unsubscribedAt = at;
        const via = r.chance(0.65) ? "one-click" : "page";
        d.events.push(email(c, "Unsubscribed", { scope: "topic", topic_id: m.topicId, via, message_id: m.id }, at, null, m.id, null, 0));
        d.effects.push(() => Object.assign(sub, { status: "unsubscribed", unsubscribedAt: at, updatedAt: at }));
      }
    }
  }

  function email(c, name, props, at, messageId, emailId, flag, lag) {
    return { contactId: c.id, name, props, at, receivedAt: at + lag, messageId, emailId, flag };
  }

  function commit(d) {
    messages.push(d.m);
    for (const e of d.events) x.pushEmail(e);
    for (const f of d.effects) f();
    return d.m;
  }

  // ---- what was sent -------------------------------------------------------------------------------------

  const mail = { r, now, core, db, x, tz, token, storeLocal, audience, draft, commit, template, templateId };
  const sent = sendCampaigns(mail);
  const flow = runAbandonedCart(mail);
  const byMessage = new Map(messages.map((m) => [m.id, m]));
  let attributions = [];
  let engagement = null;

  return {
    campaigns: sent.campaigns,
    flow,
    messages,
    templateCreatedAt: sent.templateCreatedAt,
    /** the attribution watermark to store (demo-data.mjs sets it once event ids are known), or null to leave it */
    watermark: null,
    message: (id) => byMessage.get(id),
    get attributions() {
      return attributions;
    },
    /** Takes the orders credited to these emails (see `attribute`). */
    finish(credited) {
      attributions = credited;
      sent.finish(credited);
    },
    /** The contact's last human open (a click counts) and click, as the tracking queue keeps them. */
    engagementOf(contactId) {
      if (!engagement) {
        engagement = new Map();
        for (const e of x.events) {
          if (e.source !== "email" || e.flag !== "human") continue;
          const g = engagement.get(e.contactId) ?? engagement.set(e.contactId, { opened: null, clicked: null }).get(e.contactId);
          g.opened = Math.max(g.opened ?? 0, e.at);
          if (e.name === "Email Clicked") g.clicked = Math.max(g.clicked ?? 0, e.at);
        }
      }
      return engagement.get(contactId);
    },
  };
}

/**
 * worker/store/attribution.ts, over the seeded events: each order after the watermark goes to the contact's last
 * human click within `clickDays`, else their last human open within `openDays`.
 */
export function attribute(events, history, { clickDays, openDays, since }) {
  const touches = new Map();
  for (const e of events) {
    if (e.source !== "email" || e.flag !== "human" || !e.emailId || (e.name !== "Email Opened" && e.name !== "Email Clicked")) continue;
    (touches.get(e.contactId) ?? touches.set(e.contactId, []).get(e.contactId)).push(e);
  }
  const out = [];
  for (const o of events) {
    if (o.name !== "Order Completed" || o.id <= since) continue;
    let best = null;
    for (const t of touches.get(o.contactId) ?? []) {
      const click = t.name === "Email Clicked";
      if (t.at > o.at || t.at < o.at - (click ? clickDays : openDays) * DAY) continue;
      const bestClick = best?.name === "Email Clicked";
      if (!best || (click && !bestClick) || (click === bestClick && t.at > best.at)) best = t;
    }
    if (!best) continue;
    const m = history.message(best.emailId);
    out.push({
      eventId: o.id, contactId: o.contactId, emailId: best.emailId, campaignId: m?.campaignId ?? null, flowId: m?.flowId ?? null, flowNodeId: m?.flowNodeId ?? null,
      variant: m?.variant ?? null, touch: best.name === "Email Clicked" ? "click" : "open", value: o.value ?? 0, occurredAt: o.at,
    });
  }
  return out;
}

/** The statements for what emailHistory made that demo-data.mjs does not write itself. */
export function renderEmailHistory(h, { now, inserts, q }) {
  const out = [];
  const json = (v) => (v === null || v === undefined ? null : JSON.stringify(v));
  const f = h.flow;
  out.push(
    ...inserts(
      "INSERT INTO templates (id, name, subject, preheader, html, text, layout, created_at, updated_at)",
      f.templates.map((t) => [t.id, t.name, t.subject, t.preheader, t.html, null, "default", t.createdAt, t.createdAt]),
    ),
  );
  out.push(
    ...inserts(
      "INSERT INTO campaigns (id, name, status, template_id, topic_id, audience, sender, schedule, state, parent_id, ab_test, schedule_at, local_time, max_per_hour, cursor, total, enqueued, started_at, finished_at, created_at, updated_at)",
      h.campaigns.map((c) => [
        c.id, c.name, c.status, c.templateId, c.topicId, json(c.audience), json(c.sender), json(c.schedule), json(c.state), null, json(c.abTest), c.scheduleAt, 0, null,
        c.cursor, c.total, c.enqueued, c.startedAt, c.finishedAt, c.createdAt, c.updatedAt,
      ]),
    ),
  );
  out.push(
    ...inserts(
      `INSERT INTO messages (id, idempotency_key, contact_id, to_email, kind, template_id, campaign_id, flow_id, flow_node_id, variant, topic_id, subject, status, data,
         track_opens, track_clicks, claimed_at, provider, provider_message_id, error, attempts, queued_at, sent_at, delivered_at, opened_at, clicked_at, machine_opened_at, bounced_at, unsubscribed_at)`,
      h.messages.map((m) => [
        m.id, m.key, m.contactId, m.toEmail, m.kind, m.templateId, m.campaignId, m.flowId, m.flowNodeId, m.variant, m.topicId, m.subject, m.status, json(m.data),
        1, 1, m.claimedAt, m.provider, m.providerMessageId, m.error, m.attempts, m.queuedAt, m.sentAt, m.deliveredAt, m.openedAt, m.clickedAt, m.machineOpenedAt, m.bouncedAt, m.unsubscribedAt,
      ]),
    ),
  );
  out.push(
    `INSERT INTO flows (id, name, status, live_version, draft, event_names, created_at, updated_at) VALUES (${[f.id, f.name, "live", 1, json(f.draft), json(f.eventNames), f.installedAt, f.publishedAt].map(q).join(", ")})`,
    `INSERT INTO flow_versions (flow_id, version, definition, published_at) VALUES (${[f.id, 1, json(f.definition), f.publishedAt].map(q).join(", ")})`,
  );
  out.push(
    ...inserts(
      "INSERT INTO flow_runs (id, flow_id, version, contact_id, node_id, status, exit_reason, holdout, entered_at, next_at, exited_at)",
      f.runs.map((r) => [r.id, r.flowId, r.version, r.contactId, r.nodeId, r.status, r.exitReason, r.holdout ? 1 : 0, r.enteredAt, r.wakeAt, r.status === "completed" || r.status === "exited" ? r.updatedAt : null]),
    ),
    ...inserts("INSERT INTO flow_node_stats (flow_id, node_id, entered)", [...f.nodeStats].map(([node, n]) => [f.id, node, n])),
  );
  out.push(
    ...inserts(
      "INSERT OR IGNORE INTO attributions (event_id, contact_id, email_id, campaign_id, flow_id, flow_node_id, variant, touch, value, occurred_at)",
      h.attributions.map((a) => [a.eventId, a.contactId, a.emailId, a.campaignId, a.flowId, a.flowNodeId, a.variant, a.touch, a.value, a.occurredAt]),
    ),
  );
  if (h.watermark !== null) {
    // The attribution cron starts after the seeded orders: they are credited above, by the same rule.
    out.push(
      `INSERT INTO settings (key, value, updated_at) VALUES ('attribution_watermark', ${q(JSON.stringify(h.watermark))}, ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }
  return out;
}

/** Figures for the seed's summary line. */
export function summarizeEmail(h) {
  const sum = (list, pick) => list.reduce((s, x) => s + pick(x), 0);
  const revenue = (pred) => Math.round(sum(h.attributions.filter(pred), (a) => a.value) * 100) / 100;
  const stats = (list) => ({
    sent: list.filter((m) => m.sentAt !== null).length,
    opened: list.filter((m) => m.openedAt !== null).length,
    clicked: list.filter((m) => m.clickedAt !== null).length,
  });
  return {
    campaigns: h.campaigns.map((c) => ({ name: c.name, ...stats(h.messages.filter((m) => m.campaignId === c.id)), winner: c.state.winner?.variant ?? null, revenue: revenue((a) => a.campaignId === c.id) })),
    flow: { name: h.flow.name, runs: h.flow.runs.length, ...stats(h.messages.filter((m) => m.flowId === h.flow.id)), revenue: revenue((a) => a.flowId === h.flow.id) },
    attributed: { orders: h.attributions.length, revenue: revenue(() => true) },
  };
}
