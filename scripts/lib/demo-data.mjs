/**
 * Generates the demo store as SQL for `wrangler d1 execute --file`: catalog, contacts with consent records, and
 * storefront sessions that walk a real funnel (views -> cart -> checkout -> order), so segments, abandoned-cart,
 * win-back and RFM have something true to find; then the email history of the last two months (demo-email.mjs:
 * two newsletters, one of them an A/B test, and a live abandoned-cart flow), with the orders it earned credited
 * by the attribution rule. Deterministic for a given seed and `now`.
 */
import { TEMPLATES } from "./demo-templates.mjs";
import { createHash } from "node:crypto";
import * as C from "./demo-catalog.mjs";
import { attribute, emailHistory, renderEmailHistory, summarizeEmail } from "./demo-email.mjs";
import { createRng } from "./prng.mjs";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const DEFAULTS = { seed: 20260412, contacts: 2000, events: 20000 };

/** Days of storefront history in full detail; older history holds orders only. */
const WINDOW_DAYS = 90;
const HISTORY_DAYS = 400;
const LIBRARY = { name: "analytics.js", version: "next-1.72.0" };

// Per kind of shopper: mean sessions in the 90-day window (times a per-contact activity factor, exponentially
// distributed, so a few are very active), then P(add to cart | session), P(checkout | cart), P(order | checkout).
const RATES = {
  prospect: { sessions: 3.1, add: 0.08, checkout: 0.5, complete: 0.55 },
  pastOnce: { sessions: 3.3, add: 0.12, checkout: 0.55, complete: 0.6 },
  loyal: { sessions: 7.5, add: 0.22, checkout: 0.6, complete: 0.7 },
  lapsed: { sessions: 0.3, add: 0.03, checkout: 0, complete: 0 },
  anonymous: { sessions: 2.2, add: 0.05, checkout: 0, complete: 0 },
};

/**
 * @param {object} o
 * @param {number} o.now        epoch ms that "today" is
 * @param {number} o.seed
 * @param {number} o.contacts   identified contacts to create
 * @param {number} o.events     approximate events in the last 90 days
 * @param {number} o.idBase     contact ids start after this (the largest id already in the database)
 * @param {{email:string,name:string,passwordHash:string}} o.owner
 * @param {{name:string,source:string,keyHash:string,prefix:string}} o.writeKey
 * @param {boolean} o.lastEventAt whether contacts has a last_event_at column to fill
 * @param {object} o.core       the Worker's pure modules (worker-core.mjs)
 * @param {object} o.db         what the database holds already: largest ids, topic ids, attribution settings
 * @returns {{ statements: string[], summary: object }}
 */
export function generateDemo(o) {
  const r = createRng(o.seed);
  const now = o.now;
  const windowStart = now - WINDOW_DAYS * DAY;
  // Sessions per contact scale with the requested events per contact (the defaults give ~10 per contact).
  const activity = o.events / o.contacts / (DEFAULTS.events / DEFAULTS.contacts);

  const products = C.PRODUCTS;
  // Some products sell far better than others: zipf-like popularity over a seeded ranking.
  const popularity = new Map(r.sample(products, products.length).map((p, rank) => [p.id, 1 / Math.pow(rank + 1, 0.75)]));
  const byCategory = Object.fromEntries(
    C.CATEGORIES.map((cat) => [cat, products.filter((p) => p.category === cat).map((p) => [p, popularity.get(p.id)])]),
  );
  const allWeighted = products.map((p) => [p, popularity.get(p.id)]);
  const hourPairs = C.HOUR_WEIGHTS.map((w, h) => [h, w]);

  // ---- contacts ------------------------------------------------------------------------------------------
  const contacts = [];
  const emails = new Set();
  const importAt = localMoment(now - 383 * DAY, -5, 10);
  let imported = 0;
  let nextCustomerNo = 10480;

  for (let i = 0; i < o.contacts; i++) {
    const region = r.weighted(C.REGIONS.map((g) => [g, g.weight]));
    const [timezone, offset] = r.weighted(region.zones.map((z) => [z, z[2]]));
    const firstName = r.pick(region.names.first);
    const lastName = r.pick(region.names.last);
    const source = r.weighted([["form", 45], ["storefront", 38], ["import", 17]]);
    const createdAt =
      source === "import"
        ? importAt + imported++ * 37
        : // signups grow over the shop's life: the density rises gently towards today
          Math.round(now - Math.max(HOUR, HISTORY_DAYS * DAY * (1 - Math.pow(r.float(), 0.6))));
    const hasAccount = r.chance(source === "storefront" ? 0.95 : source === "form" ? 0.45 : 0.4);
    nextCustomerNo += r.int(1, 4);
    const ageDays = (now - createdAt) / DAY;
    const u = r.float();
    const kind = ageDays > 170 && u < 0.08 ? "lapsed" : ageDays > 120 && u < 0.18 ? "loyal" : ageDays > 95 && u < 0.27 ? "pastOnce" : "prospect";
    const noZone = r.chance(0.05);
    contacts.push({
      id: o.idBase + i + 1,
      email: uniqueEmail(firstName, lastName),
      externalId: hasAccount ? `cus_${nextCustomerNo}` : null,
      firstName,
      lastName,
      timezone: noZone ? null : timezone,
      offset,
      locale: noZone && r.chance(0.5) ? null : r.weighted(region.locales),
      country: region.country,
      birthday: r.chance(0.7) ? birthday() : null,
      favorite: r.chance(0.6) ? r.pick(C.CATEGORIES) : null,
      status: r.weighted([["active", 96.2], ["unsubscribed", 2.5], ["bounced", 1], ["complained", 0.3]]),
      source,
      createdAt,
      kind,
      identified: true,
      ua: r.weighted(C.USER_AGENTS),
      orders: [],
      lastEventAt: null,
    });
  }
  const anonymous = [];
  for (let i = 0; i < Math.round(o.contacts * 0.02); i++) {
    const region = r.weighted(C.REGIONS.map((g) => [g, g.weight]));
    const [timezone, offset] = r.weighted(region.zones.map((z) => [z, z[2]]));
    anonymous.push({
      id: o.idBase + o.contacts + i + 1,
      alias: r.uuid(),
      // ingest takes an anonymous visitor's time zone and locale from the analytics.js context
      timezone,
      offset,
      locale: r.weighted(region.locales),
      favorite: r.chance(0.5) ? r.pick(C.CATEGORIES) : null,
      createdAt: null,
      kind: "anonymous",
      identified: false,
      ua: r.weighted(C.USER_AGENTS),
      orders: [],
      lastEventAt: null,
    });
  }

  // ---- events --------------------------------------------------------------------------------------------
  const events = [];
  const orders = []; // { props, refund? } in creation order; numbered by time below

  for (const c of contacts) {
    historicalOrders(c);
    const from = Math.max(c.createdAt, windowStart);
    const presence = (now - from) / (WINDOW_DAYS * DAY);
    const rates = RATES[c.kind];
    const mean = rates.sessions * activity * presence * -Math.log(1 - r.float() * 0.999);
    let count = r.poisson(mean);
    const starts = [];
    // Someone who signed up inside the window did so during a visit to the shop.
    if (c.createdAt >= windowStart && c.source !== "import") {
      starts.push(c.createdAt);
      count = Math.max(0, count - 1);
    }
    for (let k = 0; k < count; k++) starts.push(localTime(from, now - 10 * MIN, c.offset));
    for (const start of starts.sort((a, b) => a - b)) session(c, Math.max(start, c.createdAt), rates);
  }
  for (const c of anonymous) {
    const count = Math.max(1, r.poisson(RATES.anonymous.sessions * activity));
    const first = localTime(now - 60 * DAY, now - HOUR, c.offset);
    c.createdAt = first;
    const starts = [first];
    for (let k = 1; k < count; k++) starts.push(localTime(first, now - 10 * MIN, c.offset));
    for (const start of starts.sort((a, b) => a - b)) session(c, start, RATES.anonymous);
  }

  // ---- consent -------------------------------------------------------------------------------------------
  const subscriptions = [];
  const suppressions = [];
  for (const c of contacts) {
    const wantsNews = c.status === "unsubscribed" || r.chance(0.75);
    if (wantsNews) {
      const subscribedAt = c.source === "storefront" && r.chance(0.3) ? Math.min(now - HOUR, c.createdAt + r.int(1, 60) * DAY) : c.createdAt;
      const confirmedAt = c.source === "import" ? subscribedAt : subscribedAt + r.int(40, 1800) * SEC;
      const leaves = c.status === "unsubscribed" || c.status === "complained" || r.chance(0.035);
      const unsubscribedAt = leaves ? Math.round(r.between(Math.min(now - HOUR, confirmedAt + 3 * DAY), now - HOUR)) : null;
      subscriptions.push(consentRow(c, "newsletter", subscribedAt, confirmedAt, unsubscribedAt, "form"));
      if (r.chance(0.38)) {
        const at = Math.min(now - HOUR, subscribedAt + r.int(0, 45) * DAY + r.int(0, 86_399) * SEC);
        const out = leaves || r.chance(0.04) ? Math.max(at + HOUR, unsubscribedAt ?? Math.round(r.between(at, now))) : null;
        subscriptions.push(consentRow(c, "product-updates", at, at + r.int(40, 1800) * SEC, out, r.chance(0.6) ? "form" : "preference_center"));
      }
    }
    if (c.status === "bounced" || c.status === "complained") {
      suppressions.push({
        contactId: c.id,
        hash: createHash("sha256").update(c.email).digest("hex"),
        email: c.email,
        reason: c.status === "bounced" ? "hard_bounce" : "complaint",
        detail: c.status === "bounced" ? "550 5.1.1 The email account that you tried to reach does not exist" : "Marked as spam (feedback loop)",
        at: Math.round(r.between(Math.min(now - HOUR, c.createdAt + DAY), now - HOUR)),
      });
    }
  }

  // ---- email history -------------------------------------------------------------------------------------
  // Its own random stream: the store above comes out the same as before the email history existed.
  const email = emailHistory({
    rng: createRng(o.seed ^ 0x5eed),
    now,
    core: o.core,
    db: o.db,
    contacts,
    subscriptions,
    suppressions,
    events,
    shop: { visitAndBuy, completeCheckout, pickProduct },
    pushEmail,
  });

  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  events.filter((e) => e.source === "storefront").forEach((e, i) => (e.messageId = `seed-${i + 1}`));
  // Explicit ids, in time order as ingestion would give them: attributions name their order events by id.
  events.forEach((e, i) => (e.id = o.db.maxEventId + i + 1));
  orders.sort((a, b) => a.at - b.at);
  orders.forEach((order, i) => {
    order.props.order_id = `JP-${1001 + i}`;
    if (order.refund) order.refund.order_id = order.props.order_id;
  });

  // ---- properties that depend on behaviour ---------------------------------------------------------------
  for (const c of contacts) {
    const props = {};
    if (c.favorite) props.favorite_category = c.favorite;
    if (c.externalId) props.loyalty_tier = tier(c.orders.length);
    if (c.source === "import") props.imported_from = "previous newsletter tool";
    c.properties = props;
  }

  const credited = attribute(events, email, o.db.attribution);
  email.finish(credited);
  // Unless orders from before the seed still wait for the cron, it starts after the seeded ones.
  if (o.db.attribution.free) email.watermark = events.reduce((max, e) => (e.name === "Order Completed" ? Math.max(max, e.id) : max), o.db.attribution.since);
  for (const c of contacts) {
    const engagement = email.engagementOf(c.id);
    c.lastOpenedAt = engagement?.opened ?? null;
    c.lastClickedAt = engagement?.clicked ?? null;
  }

  const summary = summarize();
  return { statements: render(), summary };

  // ---- helpers (closures over r, now and the lists above) -------------------------------------------------

  function uniqueEmail(first, last) {
    const f = ascii(first);
    const l = ascii(last);
    const local = r.weighted([
      [`${f}.${l}`, 35], [`${f}${l}`, 14], [`${f[0]}${l}`, 14], [`${f}_${l}`, 5], [`${f}.${l}${r.int(1, 99)}`, 10],
      [`${f}${r.int(1960, 2006)}`, 8], [`${l}.${f}`, 6], [`${f}${l[0]}`, 4], [`${f}.${l[0]}`, 4],
    ]);
    const domain = r.weighted(C.EMAIL_DOMAINS);
    let email = `${local}@${domain}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${domain}`;
    emails.add(email);
    return email;
  }

  function birthday() {
    const year = r.int(1952, 2005);
    const month = r.int(1, 12);
    const day = r.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
    return `${year}-${pad(month)}-${pad(day)}`;
  }

  /** A random moment in [lo, hi] whose local hour follows the shop's daily traffic curve. */
  function localTime(lo, hi, offset) {
    for (let tries = 0; tries < 5; tries++) {
      const t = r.between(lo, hi);
      const dayStart = Math.floor((t + offset * HOUR) / DAY) * DAY - offset * HOUR;
      const at = dayStart + r.weighted(hourPairs) * HOUR + r.int(0, HOUR - 1);
      if (at >= lo && at <= hi) return Math.round(at);
    }
    return Math.round(r.between(lo, hi));
  }

  function localMoment(around, offset, hour) {
    return Math.floor((around + offset * HOUR) / DAY) * DAY - offset * HOUR + hour * HOUR + 17 * MIN;
  }

  function pickProduct(category, rng = r) {
    return rng.weighted(category ? byCategory[category] : allWeighted);
  }

  function contextFor(c, extra = {}, rng = r) {
    const ctx = { ip: ip(rng), userAgent: c.ua };
    if (c.locale) ctx.locale = c.locale;
    if (c.timezone) ctx.timezone = c.timezone;
    return { ...ctx, ...extra, library: LIBRARY };
  }

  function ip(rng = r) {
    return `${rng.pick(C.IP_PREFIXES)}${rng.int(1, 254)}`;
  }

  function push(c, type, name, props, at, ctx) {
    const e = { contactId: c.id, type, name, props, value: eventValue(name, props), at, ctx, source: "storefront", seq: events.length };
    events.push(e);
    if (!c.lastEventAt || at > c.lastEventAt) c.lastEventAt = at;
    return e;
  }

  /** An event Tern records itself about an email (sent, opened, clicked, bounced, unsubscribed). */
  function pushEmail(e) {
    events.push({ type: "email", value: null, ctx: null, source: "email", flag: null, messageId: null, ...e, seq: events.length });
  }

  /** A shopper who came from an email: lands on `landing`, looks at `items`, and orders them (returns the order event). */
  function visitAndBuy(c, at, { landing, items, coupon, rng }) {
    let t = at;
    const step = (lo, hi) => (t += rng.int(lo, hi) * SEC + rng.int(0, 999));
    const ctx = contextFor(c, {}, rng);
    page(c, t, landingPage(landing), ctx, null);
    for (const { p } of items) push(c, "track", "Product Viewed", productProps(p), step(15, 120), ctx);
    const cartId = rng.hex(32);
    for (const { p, quantity } of items) push(c, "track", "Product Added", { cart_id: cartId, ...productProps(p), quantity }, step(10, 60), ctx);
    return order(c, step(20, 90), items, ctx, { coupon, rng, checkoutAfter: [90, 600] });
  }

  /** The page a link in an email leads to, as the storefront's analytics would name it. */
  function landingPage(url) {
    const path = new URL(url).pathname;
    const p = products.find((x) => x.url === url);
    if (p) return { name: "Product", path, title: `${p.name} | Juniper & Pine` };
    const cat = C.CATEGORIES.find((x) => path === `/collections/${C.slugify(x)}`);
    if (cat) return collection(cat);
    const story = C.JOURNAL.find(([, slug]) => path === `/journal/${slug}`);
    if (story) return { name: "Journal", path, title: `${story[0]} | Juniper & Pine` };
    const name = path.split("/").pop().replace(/^./, (ch) => ch.toUpperCase());
    return { name: `Collection: ${name}`, path, title: `${name} | Juniper & Pine` };
  }

  /** A shopper back from a cart email completes the checkout they left (same id and lines). */
  function completeCheckout(c, at, checkout, { coupon, rng }) {
    const ctx = contextFor(c, {}, rng);
    page(c, at, C.PAGES.cart, ctx, null);
    const items = checkout.products.map((l) => ({ p: products.find((p) => p.id === l.product_id), quantity: l.quantity }));
    return order(c, at + rng.int(60, 400) * SEC, items, ctx, { coupon, rng, checkoutId: checkout.checkout_id });
  }

  /** Checkout Started (unless an existing checkout is completed) and Order Completed, at `at` and a little later. */
  function order(c, at, items, ctx, { coupon, rng, checkoutId = null, checkoutAfter = [0, 0] }) {
    const lines = items.map(({ p, quantity }) => ({
      product_id: p.id, sku: p.sku, name: p.name, price: p.price, quantity, category: p.category, url: p.url, image_url: p.imageUrl,
    }));
    const subtotal = round2(lines.reduce((s, l) => s + l.price * l.quantity, 0));
    const id = checkoutId ?? rng.hex(32);
    if (!checkoutId) push(c, "track", "Checkout Started", { checkout_id: id, value: subtotal, currency: "USD", products: lines }, at, ctx);
    const discount = coupon ? round2(subtotal * coupon[1]) : 0;
    const revenue = round2(subtotal - discount);
    const shipping = revenue >= 75 ? 0 : 6.95;
    const props = {
      order_id: "", checkout_id: id, total: round2(revenue + shipping), revenue, subtotal, shipping, discount,
      ...(coupon ? { coupon: coupon[0] } : {}), currency: "USD", products: lines,
    };
    const orderAt = at + rng.int(...checkoutAfter) * SEC + rng.int(0, 999);
    if (orderAt > now) return null;
    const e = push(c, "track", "Order Completed", props, orderAt, ctx);
    const record = { at: orderAt, props, refund: null };
    c.orders.push(record);
    orders.push(record);
    return e;
  }

  function page(c, at, p, ctx, referrer, search = "") {
    const props = { name: p.name, path: p.path, referrer: referrer ?? "", search, title: p.title, url: `${C.SITE}${p.path}${search}` };
    push(c, "page", "Page Viewed", props, at, ctx);
  }

  function collection(cat) {
    return { name: `Collection: ${cat}`, path: `/collections/${C.slugify(cat)}`, title: `${cat} | Juniper & Pine` };
  }

  function session(c, start, rates) {
    let t = start;
    const step = (lo = 12, hi = 150) => (t += r.int(lo, hi) * SEC + r.int(0, 999));
    const source = r.weighted(C.REFERRERS);
    const campaign = source === "email" ? r.pick(["newsletter", "new-arrivals", "weekend-edit", "welcome"]) : null;
    const ctx = contextFor(c, campaign ? { campaign: { source: "tern", medium: "email", name: campaign } } : {});
    const referrer = source === "email" ? null : source;
    const utm = campaign ? `?utm_source=tern&utm_medium=email&utm_campaign=${campaign}` : "";
    let cat = c.favorite && r.chance(0.5) ? c.favorite : r.pick(C.CATEGORIES);

    const landing = r.weighted([["home", 34], ["collection", 24], ["product", 22], ["journal", 10], ["search", 5], ["about", 5]]);
    if (landing === "home") page(c, t, C.PAGES.home, ctx, referrer, utm);
    else if (landing === "collection") page(c, t, collection(cat), ctx, referrer, utm);
    else if (landing === "journal") {
      const [title, slug] = r.pick(C.JOURNAL);
      page(c, t, { name: "Journal", path: `/journal/${slug}`, title: `${title} | Juniper & Pine` }, ctx, referrer, utm);
    } else if (landing === "search") page(c, t, C.PAGES.search, ctx, referrer, `?q=${encodeURIComponent(r.pick(C.SEARCHES))}`);
    else if (landing === "about") page(c, t, C.PAGES.about, ctx, referrer, utm);
    else t -= 20 * SEC; // landed straight on a product page

    const viewed = [];
    const views = r.runLength(0.52, 7);
    for (let k = 0; k < views; k++) {
      if (k > 0 && r.chance(0.3)) {
        cat = r.chance(0.5) && c.favorite ? c.favorite : r.pick(C.CATEGORIES);
        page(c, step(), collection(cat), ctx, null);
      }
      const p = pickProduct(r.chance(0.75) ? cat : null);
      push(c, "track", "Product Viewed", productProps(p), step(20, 180), ctx);
      viewed.push(p);
    }
    if (!r.chance(rates.add)) return;

    const distinct = [...new Set(viewed)];
    const n = Math.min(distinct.length, r.weighted([[1, 70], [2, 24], [3, 6]]));
    const items = r.sample(distinct, n).map((p) => ({ p, quantity: r.weighted([[1, 85], [2, 12], [3, 3]]) }));
    const cartId = r.hex(32);
    for (const { p, quantity } of items) push(c, "track", "Product Added", { cart_id: cartId, ...productProps(p), quantity }, step(10, 90), ctx);
    if (r.chance(0.6)) page(c, step(5, 40), C.PAGES.cart, ctx, null);
    if (!c.identified || !r.chance(rates.checkout)) return;
    checkout(c, step(15, 90), items, ctx, rates.complete);
  }

  function checkout(c, at, items, ctx, completeP) {
    const checkoutId = r.hex(32);
    const lines = items.map(({ p, quantity }) => ({
      product_id: p.id, sku: p.sku, name: p.name, price: p.price, quantity, category: p.category, url: p.url, image_url: p.imageUrl,
    }));
    const subtotal = round2(lines.reduce((s, l) => s + l.price * l.quantity, 0));
    push(c, "track", "Checkout Started", { checkout_id: checkoutId, value: subtotal, currency: "USD", products: lines }, at, ctx);
    if (!r.chance(completeP)) return;

    const coupon = c.orders.length === 0 && r.chance(0.35) ? C.COUPONS[0] : r.chance(0.12) ? r.weighted(C.COUPONS.map((x) => [x, x[2]])) : null;
    const discount = coupon ? round2(subtotal * coupon[1]) : 0;
    const revenue = round2(subtotal - discount);
    const shipping = coupon?.[0] === "FREESHIP" || revenue >= 75 ? 0 : 6.95;
    const props = {
      order_id: "", checkout_id: checkoutId, total: round2(revenue + shipping), revenue, subtotal, shipping, discount,
      ...(coupon ? { coupon: coupon[0] } : {}), currency: "USD", products: lines,
    };
    const orderAt = at + r.int(90, 600) * SEC;
    if (orderAt > now) return;
    push(c, "track", "Order Completed", props, orderAt, ctx);
    const order = { at: orderAt, props, refund: null };
    c.orders.push(order);
    orders.push(order);
    const refundAt = orderAt + r.int(3, 20) * DAY;
    if (r.chance(0.02) && refundAt < now) {
      order.refund = { order_id: "", revenue, total: props.total, currency: "USD", products: lines };
      push(c, "track", "Order Refunded", order.refund, refundAt, contextFor(c));
    }
  }

  /** Orders from before the detailed window: what makes loyal, lapsed and once-only customers. */
  function historicalOrders(c) {
    let times = [];
    const earliest = c.createdAt + r.int(0, 3) * DAY;
    if (c.kind === "lapsed") times = spread(r.weighted([[1, 65], [2, 28], [3, 7]]), earliest, now - 150 * DAY);
    else if (c.kind === "loyal") times = spread(r.weighted([[2, 45], [3, 35], [4, 15], [5, 5]]), earliest, now - (WINDOW_DAYS + 1) * DAY);
    else if (c.kind === "pastOnce") times = spread(1, earliest, now - (WINDOW_DAYS + 1) * DAY);
    for (const at of times) {
      const ctx = contextFor(c);
      const n = r.weighted([[1, 60], [2, 30], [3, 10]]);
      const items = [];
      for (let k = 0; k < n; k++) {
        const p = pickProduct(c.favorite && r.chance(0.5) ? c.favorite : null);
        if (!items.some((x) => x.p === p)) items.push({ p, quantity: r.weighted([[1, 85], [2, 12], [3, 3]]) });
      }
      let t = at;
      if (r.chance(0.5)) {
        push(c, "track", "Product Viewed", productProps(items[0].p), t, ctx);
        t += r.int(30, 240) * SEC;
        for (const { p, quantity } of items) push(c, "track", "Product Added", { cart_id: r.hex(32), ...productProps(p), quantity }, (t += r.int(10, 60) * SEC), ctx);
      }
      checkout(c, t + r.int(30, 180) * SEC, items, ctx, 1);
    }
  }

  function spread(n, lo, hi) {
    if (hi <= lo) return [];
    return Array.from({ length: n }, () => Math.round(r.between(lo, hi))).sort((a, b) => a - b);
  }

  function consentRow(c, topic, subscribedAt, confirmedAt, unsubscribedAt, source) {
    // Imported subscribers consented on the old platform: the import keeps the wording, not the browser.
    const imported = c.source === "import" && topic === "newsletter";
    return {
      contactId: c.id,
      topic,
      status: unsubscribedAt ? "unsubscribed" : "subscribed",
      source: imported ? "import" : source,
      ip: imported ? null : ip(),
      userAgent: imported ? null : c.ua,
      pageUrl: imported ? null : r.weighted(C.CONSENT_PAGES),
      consentText: C.CONSENT[topic],
      consentVersion: "v1",
      subscribedAt,
      confirmedAt,
      unsubscribedAt,
      updatedAt: unsubscribedAt ?? confirmedAt,
    };
  }

  function summarize() {
    const completed = events.filter((e) => e.name === "Order Completed");
    const customers = contacts.filter((c) => c.orders.length > 0);
    const recent = (e) => e.at >= windowStart;
    return {
      contacts: contacts.length,
      anonymous: anonymous.length,
      events: events.length,
      eventsLast90Days: events.filter(recent).length,
      orders: completed.length,
      ordersLast90Days: completed.filter(recent).length,
      revenue: round2(completed.reduce((s, e) => s + e.value, 0) - events.filter((e) => e.name === "Order Refunded").reduce((s, e) => s + e.value, 0)),
      customers: customers.length,
      repeatCustomers: customers.filter((c) => c.orders.length >= 2).length,
      lapsedCustomers: customers.filter((c) => c.orders.at(-1).at < now - 150 * DAY).length,
      abandonedCheckouts: events.filter((e) => e.name === "Checkout Started").length - completed.length,
      subscribed: subscriptions.filter((s) => s.topic === "newsletter" && s.status === "subscribed").length,
      email: summarizeEmail(email),
      funnel: Object.fromEntries(["Page Viewed", "Product Viewed", "Product Added", "Checkout Started", "Order Completed"].map((n) => [n, events.filter((e) => e.name === n && recent(e)).length])),
    };
  }

  // ---- SQL -----------------------------------------------------------------------------------------------

  function render() {
    const out = [];
    const topicAt = now - (HISTORY_DAYS + 5) * DAY;
    // Links in demo emails point at the local dev server.
    for (const [key, value] of [["store", C.STORE], ["sender", C.SENDER], ["sending", { publicUrl: "http://localhost:8787", simulateRecipients: true }]]) {
      out.push(`INSERT INTO settings (key, value, updated_at) VALUES (${q(key)}, ${q(JSON.stringify(value))}, ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    }
    out.push(
      ...inserts(
        "INSERT INTO topics (id, key, name, description, kind, double_opt_in, created_at)",
        C.TOPICS.map((t) => [o.db.topicIds[t.key], t.key, t.name, t.description, t.kind, t.doubleOptIn, topicAt]),
        "ON CONFLICT (key) DO NOTHING",
      ),
    );
    out.push(
      `INSERT INTO users (email, name, password_hash, role, created_at, password_changed_at) VALUES (${q(o.owner.email)}, ${q(o.owner.name)}, ${q(o.owner.passwordHash)}, 'owner', ${now}, ${now})
       ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at`,
    );
    out.push(`INSERT INTO write_keys (name, source, key_hash, prefix, created_at) VALUES (${q(o.writeKey.name)}, ${q(o.writeKey.source)}, ${q(o.writeKey.keyHash)}, ${q(o.writeKey.prefix)}, ${now})`);
    out.push(
      ...TEMPLATES.map(
        (t, i) => {
          const at = email.templateCreatedAt[t.key] ?? topicAt;
          return `INSERT INTO templates (id, name, subject, preheader, html, layout, created_at, updated_at) VALUES (${o.db.maxTemplateId + i + 1}, ${q(t.name)}, ${q(t.subject)}, ${q(t.preheader)}, ${q(t.html)}, 'default', ${at}, ${at})`;
        },
      ),
    );
    out.push(
      ...inserts(
        "INSERT INTO products (id, sku, name, price, currency, url, image_url, category, brand, properties, updated_at)",
        products.map((p) => [p.id, p.sku, p.name, p.price, p.currency, p.url, p.imageUrl, p.category, p.brand, JSON.stringify({ slug: p.slug }), topicAt]),
        "ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, price = excluded.price, currency = excluded.currency, url = excluded.url, image_url = excluded.image_url, category = excluded.category, brand = excluded.brand, updated_at = excluded.updated_at",
      ),
    );
    const contactRows = [...contacts, ...anonymous].map((c) => [
      c.id, c.email ?? null, c.externalId ?? null, c.firstName ?? null, c.lastName ?? null, c.timezone, c.locale, c.country ?? null,
      c.birthday ?? null, JSON.stringify(c.properties ?? {}), c.status ?? "active", c.source ?? "storefront", c.lastOpenedAt ?? null, c.lastClickedAt ?? null,
      c.createdAt, Math.max(c.createdAt, c.lastEventAt ?? 0),
    ]);
    out.push(
      ...inserts(
        "INSERT INTO contacts (id, email, external_id, first_name, last_name, timezone, locale, country, birthday, properties, status, source, last_opened_at, last_clicked_at, created_at, updated_at)",
        contactRows,
      ),
    );

    // analytics.js gives every browser an anonymousId; signed-in shoppers keep theirs as an alias.
    const aliasRows = anonymous.map((c) => [c.alias, c.id, "anonymous", c.createdAt]);
    for (const c of contacts) if (c.source === "storefront" || (c.externalId && r.chance(0.5))) aliasRows.push([r.uuid(), c.id, "anonymous", c.createdAt - r.int(60, 900) * SEC]);
    out.push(...inserts("INSERT INTO contact_aliases (alias, contact_id, kind, created_at)", aliasRows));

    // Topic ids are looked up by key, so topics that already existed keep theirs.
    const subRows = subscriptions.map((s) => [s.contactId, s.topic, s.status, s.source, s.ip, s.userAgent, s.pageUrl, s.consentText, s.consentVersion, s.subscribedAt, s.confirmedAt, s.unsubscribedAt, s.updatedAt]);
    const cols = Array.from({ length: 13 }, (_, i) => `v.column${i + 1}`);
    for (const values of valueChunks(subRows)) {
      out.push(
        `INSERT INTO subscriptions (contact_id, topic_id, status, source, ip, user_agent, page_url, consent_text, consent_version, subscribed_at, confirmed_at, unsubscribed_at, updated_at)
         SELECT v.column1, t.id, ${cols.slice(2).join(", ")} FROM (VALUES ${values}) AS v JOIN topics AS t ON t.key = v.column2`,
      );
    }
    out.push(
      ...inserts(
        "INSERT INTO suppressions (email_hash, email, reason, detail, created_at)",
        suppressions.map((s) => [s.hash, s.email, s.reason, s.detail, s.at]),
        "ON CONFLICT (email_hash) DO NOTHING",
      ),
    );

    const eventRows = events.map((e) => [
      e.id, e.contactId, e.type, e.name, JSON.stringify(e.props), e.value, e.at, e.receivedAt ?? e.at + r.int(40, 1500), e.source, e.messageId,
      e.ctx ? JSON.stringify(e.ctx) : null, e.emailId ?? null, e.flag ?? null,
    ]);
    out.push(...inserts("INSERT INTO events (id, contact_id, type, name, properties, value, occurred_at, received_at, source, message_id, context, email_id, flag)", eventRows));
    out.push(...renderEmailHistory(email, { now, inserts, q }));

    // Order totals come from the events, exactly as the worker's orderTotalsStatement computes them.
    out.push(`UPDATE contacts SET order_count = o.n, revenue = o.r, first_order_at = o.f, last_order_at = o.l
      FROM (SELECT contact_id,
                   count(*) FILTER (WHERE name = 'Order Completed') AS n,
                   coalesce(sum(value) FILTER (WHERE name = 'Order Completed'), 0) - coalesce(sum(value) FILTER (WHERE name = 'Order Refunded'), 0) AS r,
                   min(occurred_at) FILTER (WHERE name = 'Order Completed') AS f,
                   max(occurred_at) FILTER (WHERE name = 'Order Completed') AS l
            FROM events WHERE contact_id > ${o.idBase} AND name IN ('Order Completed', 'Order Refunded') GROUP BY contact_id) AS o
      WHERE contacts.id = o.contact_id`);
    if (o.lastEventAt) {
      out.push(`UPDATE contacts SET last_event_at = (SELECT max(occurred_at) FROM events WHERE events.contact_id = contacts.id) WHERE id > ${o.idBase}`);
    }
    // Written last, in the same transaction: present only when everything above is.
    const marker = { version: 2, seededAt: now, seed: o.seed, contacts: summary.contacts, anonymous: summary.anonymous, events: summary.events, ownerEmail: o.owner.email };
    out.push(`INSERT INTO settings (key, value, updated_at) VALUES ('demo_seeded', ${q(JSON.stringify(marker))}, ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    return out;
  }
}

// ---- pure helpers ----------------------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, "0");
const round2 = (n) => Math.round(n * 100) / 100;

function tier(orders) {
  return orders >= 4 ? "gold" : orders >= 2 ? "silver" : orders === 1 ? "bronze" : "member";
}

function ascii(name) {
  return name
    .toLowerCase()
    .replace(/ł/g, "l").replace(/ø/g, "o").replace(/æ/g, "ae").replace(/ß/g, "ss").replace(/đ/g, "d").replace(/ı/g, "i")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]/g, "");
}

function productProps(p) {
  return { product_id: p.id, sku: p.sku, name: p.name, price: p.price, currency: p.currency, category: p.category, brand: p.brand, url: p.url, image_url: p.imageUrl };
}

const ORDER_EVENTS = new Set(["Order Completed", "Order Refunded", "Order Updated", "Checkout Started", "Cart Viewed", "Order Cancelled"]);
const PRODUCT_EVENTS = new Set(["Product Viewed", "Product Clicked", "Product Added", "Product Removed", "Product Added to Wishlist", "Product Reviewed", "Product Shared"]);

/** Same rule as worker/core/ingest.ts eventValue: revenue, else total, else value, else the products' sum. */
export function eventValue(name, props) {
  if (!ORDER_EVENTS.has(name) && !PRODUCT_EVENTS.has(name)) return null;
  const direct = num(props.revenue) ?? num(props.total) ?? num(props.value);
  if (direct !== null) return direct;
  if (PRODUCT_EVENTS.has(name)) {
    const price = num(props.price);
    return price === null ? null : price * (num(props.quantity) ?? 1);
  }
  if (!Array.isArray(props.products)) return null;
  let sum = 0;
  for (const p of props.products) if (p && typeof p === "object") sum += (num(p.price) ?? 0) * (num(p.quantity) ?? 1);
  return sum;
}

function num(v) {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/** A SQL literal. Strings are single-quoted with quotes doubled; the file is UTF-8. */
export function q(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replace(/'/g, "''")}'`;
}

// D1 caps a statement at 100 KB, but size matters well before that: wrangler splits a --file into statements
// with a regex run on the growing statement at each character outside quotes, which is quadratic per statement
// (a 76 KB INSERT took 3.5 s to split, 16 KB ones take ~2 ms).
const MAX_STATEMENT_BYTES = 16_000;
const MAX_ROWS = 400;

/** Groups rows into `(..),(..)` lists that keep each statement within D1's limits. */
function valueChunks(rows, budget = MAX_STATEMENT_BYTES - 500) {
  const chunks = [];
  let current = [];
  let bytes = 0;
  for (const row of rows) {
    const text = `(${row.map(q).join(",")})`;
    const size = Buffer.byteLength(text) + 1;
    if (current.length && (bytes + size > budget || current.length >= MAX_ROWS)) {
      chunks.push(current.join(","));
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += size;
  }
  if (current.length) chunks.push(current.join(","));
  return chunks;
}

function inserts(head, rows, tail = "") {
  return valueChunks(rows).map((values) => `${head} VALUES ${values}${tail ? ` ${tail}` : ""}`);
}
