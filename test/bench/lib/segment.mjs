/**
 * Realistic, deterministic Segment traffic from a small shop: a few hundred known customers (userId + email),
 * mostly Ecommerce v2 track calls with an identify now and then, as a server-side batching uploader sends it.
 */
import { randomUUID } from "node:crypto";

/** mulberry32: a tiny seeded PRNG, so every run sends the same shapes. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Ben", "Chloé", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jon", "Kaia", "Luis", "Mona", "Nils", "Oona", "Pia"];
const LAST = ["Okafor", "Müller", "Smith", "Tanaka", "García", "Rossi", "Nguyen", "Kowalski", "Silva", "Dubois", "Jensen", "Haddad"];
const CATEGORIES = ["Mugs", "Tea", "Coffee", "Kettles", "Gifts"];
const TIMEZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
];

/** Event mix of one batch, by share of messages. */
export const MIX = [
  ["identify", 0.1],
  ["Product Viewed", 0.45],
  ["Product Added", 0.25],
  ["Checkout Started", 0.1],
  ["Order Completed", 0.1],
];

export function makeCatalog(random, size = 120) {
  return Array.from({ length: size }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length];
    return {
      product_id: `p-${1000 + i}`,
      sku: `SKU-${category.slice(0, 3).toUpperCase()}-${1000 + i}`,
      name: `${category.slice(0, -1)} no. ${i + 1}`,
      category,
      brand: "Tern Goods",
      price: Math.round(500 + random() * 9500) / 100,
      url: `https://shop.example.com/products/p-${1000 + i}`,
      image_url: `https://cdn.example.com/img/p-${1000 + i}.jpg`,
    };
  });
}

export function makeUsers(random, count) {
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(random() * LAST.length)];
    return {
      index: i,
      userId: `cus_${String(100000 + i)}`,
      email: `${first.normalize("NFD").replace(/[^a-z]/gi, "").toLowerCase()}.${last.normalize("NFD").replace(/[^a-z]/gi, "").toLowerCase()}.${i}@example.com`,
      firstName: first,
      lastName: last,
      timezone: TIMEZONES[i % TIMEZONES.length],
      userAgent: AGENTS[i % AGENTS.length],
      ip: `203.0.113.${i % 250}`,
    };
  });
}

/**
 * A generator of Segment batches. Each message has a fresh UUID messageId (never a duplicate), a timestamp a
 * few seconds before `sentAt`, and a context with the parts Tern keeps.
 */
export function segmentTraffic({ seed = 1, users = 300 } = {}) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const catalog = makeCatalog(random);
  const people = makeUsers(random, users);
  let orders = 0;

  const lineItems = () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
      const p = pick(catalog);
      return { product_id: p.product_id, sku: p.sku, name: p.name, price: p.price, quantity: 1 + Math.floor(random() * 3), category: p.category, url: p.url, image_url: p.image_url };
    });
  const total = (products) => Math.round(products.reduce((s, p) => s + p.price * p.quantity, 0) * 100) / 100;

  function kindOf() {
    let r = random();
    for (const [kind, share] of MIX) if ((r -= share) < 0) return kind;
    return MIX[MIX.length - 1][0];
  }

  function message(now) {
    const user = pick(people);
    const kind = kindOf();
    const timestamp = new Date(now - Math.floor(random() * 5000)).toISOString();
    const context = {
      ip: user.ip,
      userAgent: user.userAgent,
      locale: "en-US",
      timezone: user.timezone,
      library: { name: "analytics-node", version: "6.2.0" },
    };
    const common = { userId: user.userId, messageId: randomUUID(), timestamp, context };
    if (kind === "identify") {
      return {
        type: "identify",
        ...common,
        traits: { email: user.email, firstName: user.firstName, lastName: user.lastName, plan: random() < 0.2 ? "vip" : "regular", accepts_marketing: true },
        user,
      };
    }
    const page = { url: `https://shop.example.com/${kind === "Product Viewed" ? "products" : "cart"}`, path: "/", referrer: "https://www.google.com/", title: "Tern Goods" };
    let properties;
    if (kind === "Product Viewed" || kind === "Product Added") {
      const { product_id, sku, name, category, brand, price, url, image_url } = pick(catalog);
      properties = { product_id, sku, name, category, brand, price, url, image_url, currency: "EUR" };
      if (kind === "Product Added") Object.assign(properties, { quantity: 1 + Math.floor(random() * 2), cart_id: `cart_${user.index}` });
    } else {
      const products = lineItems();
      const sum = total(products);
      properties =
        kind === "Checkout Started"
          ? { order_id: `o_${user.index}_${orders}`, value: sum, revenue: sum, currency: "EUR", products }
          : { checkout_id: `co_${orders}`, order_id: `o_${user.index}_${orders++}`, total: sum + 4.9, revenue: sum, shipping: 4.9, tax: Math.round(sum * 19) / 100, currency: "EUR", products };
    }
    return { type: "track", ...common, event: kind, properties, context: { ...context, page }, user };
  }

  return {
    users: people,
    /** One batch of `size` messages; `user` is kept beside each message for baselines and dropped from the body. */
    batch(size = 100, now = Date.now()) {
      return Array.from({ length: size }, () => message(now));
    },
  };
}

/** The JSON body a Segment library posts to /v1/batch. */
export function batchBody(messages, sentAt = new Date().toISOString()) {
  return JSON.stringify({ batch: messages.map(({ user: _user, ...m }) => m), sentAt });
}

/** Money value the way Tern computes it for these events (revenue, else total, else price × quantity). */
export function eventValue(m) {
  const p = m.properties ?? {};
  return p.revenue ?? p.total ?? p.value ?? (p.price !== undefined ? p.price * (p.quantity ?? 1) : null);
}
