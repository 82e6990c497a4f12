/**
 * A shop's worth of contacts, subscriptions and events, generated in Node (seeded, so every run loads the same
 * shapes) and written straight into Tern's D1 with a few large `INSERT … SELECT … FROM json_each(?)`
 * statements: one bound JSON array per chunk of rows, one round trip each through Miniflare's D1 proxy. This is
 * setup, not a measured path: ingesting a million events through /v1/batch is the ingest figure's business.
 *
 * The rows are what Tern itself stores (the columns ingest and the contacts API write; Ecommerce v2 event names
 * and properties; engagement as "Email …" events), with a realistic spread: a few countries hold most
 * contacts, 20% are customers, a minority of contacts does most of the browsing, and recent days are busier.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { rng } from "./segment.mjs";

export const DAY = 86_400_000;

const COUNTRIES = [["US", 34], ["GB", 14], ["DE", 11], ["FR", 8], ["CA", 7], ["AU", 5], ["NL", 4], ["SE", 3], ["ES", 3], ["IT", 3], ["JP", 2], ["IE", 2], ["NZ", 2], ["BR", 2]];
const ZONES = { US: "America/New_York", GB: "Europe/London", DE: "Europe/Berlin", FR: "Europe/Paris", CA: "America/Toronto", AU: "Australia/Sydney", NL: "Europe/Amsterdam", SE: "Europe/Stockholm", ES: "Europe/Madrid", IT: "Europe/Rome", JP: "Asia/Tokyo", IE: "Europe/Dublin", NZ: "Pacific/Auckland", BR: "America/Sao_Paulo" };
const FIRST = ["Ada", "Ben", "Chloé", "Dev", "Elif", "Femi", "Greta", "Hiro", "Inès", "Jon", "Kaia", "Luis", "Mona", "Nils", "Oona", "Pia", "Ravi", "Sofía", "Tom", "Zoë"];
const LAST = ["Okafor", "Müller", "Smith", "Tanaka", "García", "Rossi", "Nguyen", "Kowalski", "Silva", "Dubois", "Jensen", "Haddad", "Brown", "Lee"];
const CATEGORIES = ["Mugs", "Tea", "Coffee", "Kettles", "Gifts", "Linen", "Candles"];
const SOURCES = ["checkout", "popup", "footer", "import", "api"];

/** Event mix by share of all events (after one order per customer). Orders are only ever by customers. */
export const EVENT_MIX = [
  ["Page Viewed", 0.2],
  ["Product Viewed", 0.33],
  ["Product Added", 0.12],
  ["Checkout Started", 0.06],
  ["Order Completed", 0.03],
  ["Email Sent", 0.15],
  ["Email Opened", 0.08],
  ["Email Clicked", 0.03],
];

const weighted = (random, list) => {
  const total = list.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of list) if ((r -= w) < 0) return v;
  return list[list.length - 1][0];
};

/** A contact is a customer when its id says so: the same 20% in every table. */
export const isCustomer = (id) => (id * 2654435761) % 4294967296 % 5 === 0;

/**
 * `count` contacts with ids 1…count (the table must be empty), each with an email, a userId, a country and its
 * time zone, a signup source and plan in `properties`, created over the last two years.
 */
export function contactRows(count, now, seed = 11) {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    const country = weighted(random, COUNTRIES);
    const first = FIRST[Math.floor(random() * FIRST.length)];
    const last = LAST[Math.floor(random() * LAST.length)];
    const createdAt = now - Math.floor(730 * DAY * random() ** 1.5) - 60_000;
    const properties = JSON.stringify({ source: SOURCES[Math.floor(random() * SOURCES.length)], plan: random() < 0.1 ? "vip" : "regular" });
    // [email, external_id, first, last, timezone, locale, country, properties, created_at]
    return [`${first.normalize("NFD").replace(/[^a-z]/gi, "").toLowerCase()}.${id}@example.com`, `cus_${100000 + id}`, first, last, ZONES[country], "en-US", country, properties, createdAt];
  });
}

/**
 * `count` events over the last `days` days for contacts 1…contacts: names by EVENT_MIX, product properties
 * (product_id, name, category, price), checkouts and orders with a value and line items. `quiet` lists instants
 * (e.g. now − 7 days) that no event falls within 15 minutes of, so a window that starts there counts the same
 * whether it is computed in this process or, seconds later, by the Worker.
 */
export function eventRows(count, { contacts, now, days = 180, quiet = [], seed = 23 }) {
  const random = rng(seed);
  const catalog = Array.from({ length: 140 }, (_, i) => ({ product_id: `p-${1000 + i}`, name: `${CATEGORIES[i % CATEGORIES.length]} no. ${i + 1}`, category: CATEGORIES[i % CATEGORIES.length], price: Math.round(400 + random() * 11600) / 100 }));
  const customers = Array.from({ length: contacts }, (_, i) => i + 1).filter(isCustomer);
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    // Every customer has ordered once; beyond that, a minority of contacts does most of the browsing and buying:
    // skewed ranks, scattered over ids (7919 is coprime to the count).
    const first = i < customers.length;
    let name = first ? "Order Completed" : weighted(random, EVENT_MIX);
    const rank = Math.floor(contacts * random() ** 1.6);
    let contactId = first ? customers[i] : ((rank * 7919) % contacts) + 1;
    if (name === "Order Completed" && !first) contactId = customers[Math.floor(customers.length * random() ** 1.6)];
    let at = now - Math.floor(days * DAY * random() ** 1.3) - 1000;
    for (const q of quiet) if (Math.abs(at - q) < 15 * 60_000) at = q - 15 * 60_000 - Math.floor(random() * 60_000);
    const product = catalog[Math.floor(random() * catalog.length)];
    let properties;
    let value = null;
    switch (name) {
      case "Product Viewed":
      case "Product Added":
        properties = { product_id: product.product_id, name: product.name, category: product.category, price: product.price, currency: "USD", ...(name === "Product Added" ? { quantity: 1 + Math.floor(random() * 2) } : {}) };
        value = product.price * (properties.quantity ?? 1);
        break;
      case "Checkout Started":
      case "Order Completed": {
        const products = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
          const p = catalog[Math.floor(random() * catalog.length)];
          return { product_id: p.product_id, name: p.name, category: p.category, price: p.price, quantity: 1 + Math.floor(random() * 2) };
        });
        value = Math.round(products.reduce((s, p) => s + p.price * p.quantity, 0) * 100) / 100;
        properties = { checkout_id: `co_${i}`, ...(name === "Order Completed" ? { order_id: `o_${i}`, revenue: value } : { value }), currency: "USD", products };
        break;
      }
      case "Page Viewed":
        properties = { path: `/collections/${product.category.toLowerCase()}`, title: product.category };
        break;
      default:
        properties = { message_id: `m_${i.toString(36)}`, subject: "Autumn at the shop" };
    }
    const type = name === "Page Viewed" ? "page" : name.startsWith("Email ") ? "email" : "track";
    // [contact_id, type, name, properties, value, occurred_at, message_id]
    rows[i] = [contactId, type, name, JSON.stringify(properties), value, at, `ev_${i.toString(36)}`];
  }
  return rows.sort((a, b) => a[5] - b[5]); // arrival order, as ingest writes them
}

/**
 * A Worker bound to Tern's D1 (served from the same workerd under /__bench/sql/*) that runs one statement per
 * request: bulk loads (a JSON array in the body, bound as the statement's one parameter) and timed queries.
 * Miniflare's D1 proxy from Node (harness `d1()`) costs several times more per bulk statement than the Worker
 * does running it; and a query timed inside a Worker is what a Worker pays for it (Date.now() advances across
 * the D1 call, which is I/O), without Node's HTTP client in the number.
 */
export const sqlWorker = {
  name: "bench-sql",
  modules: true,
  compatibilityDate: "2026-04-01",
  routes: ["*/__bench/sql/*"],
  script: `export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      try {
        if (url.pathname === "/__bench/sql/load") {
          const t0 = Date.now();
          const r = await env.DB.prepare(url.searchParams.get("sql")).bind(await request.text()).run();
          return Response.json({ ms: Date.now() - t0, changes: r.meta.changes });
        }
        if (url.pathname === "/__bench/sql/query") {
          const { sql, params = [] } = await request.json();
          const statement = env.DB.prepare(sql).bind(...params);
          const t0 = Date.now();
          const { results } = await statement.all();
          return Response.json({ ms: Date.now() - t0, results });
        }
        return new Response("not found", { status: 404 });
      } catch (err) {
        return Response.json({ error: String(err?.message ?? err) }, { status: 500 });
      }
    },
  };`,
};

/**
 * Node's side of sqlWorker: `load(sql, json)` and `query(sql, params)` → { ms, results }. A fresh connection per
 * call (node:http, no keep-alive): fetch() reuses idle sockets that workerd may have closed meanwhile (a
 * million rows take a while to generate) and does not retry a POST, which failed a load once.
 */
export function sqlClient(base) {
  const { hostname, port } = new URL(base);
  const call = (path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request({ hostname, port, method: "POST", path: `/__bench/sql/${path}`, agent: false, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString());
            if (res.statusCode === 200) resolve(parsed);
            else reject(new Error(`bench SQL worker: ${parsed.error ?? res.statusCode}`));
          } catch (err) {
            reject(new Error(`bench SQL worker: ${res.statusCode} ${err.message}`));
          }
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  return {
    load: (sql, json) => call(`load?sql=${encodeURIComponent(sql)}`, json),
    query: (sql, params = []) => call("query", JSON.stringify({ sql, params }), { "content-type": "application/json" }),
  };
}

/**
 * Inserts rows in chunks, each one statement with one bound JSON parameter of at most ~1.5 MB (D1's SQLite
 * refuses strings over 2 MB: SQLITE_TOOBIG). Returns the milliseconds taken.
 */
async function loadJson(sql, insert, rows, onRows) {
  const t0 = performance.now();
  const MAX = 1_500_000;
  let part = [];
  let bytes = 2;
  let done = 0;
  const flush = async () => {
    await sql.load(insert, `[${part.join(",")}]`);
    done += part.length;
    onRows?.(done);
    part = [];
    bytes = 2;
  };
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (bytes + json.length + 1 > MAX) await flush();
    part.push(json);
    bytes += json.length + 1;
  }
  if (part.length) await flush();
  return performance.now() - t0;
}

const col = (i) => `j.value ->> ${i}`;

export async function loadContacts(sql, rows, now) {
  return loadJson(
    sql,
    `INSERT INTO contacts (email, external_id, first_name, last_name, timezone, locale, country, properties, status, source, created_at, updated_at)
     SELECT ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)}, ${col(4)}, ${col(5)}, ${col(6)}, ${col(7)}, 'active', 'import', ${col(8)}, ${Number(now)} FROM json_each(?) j`,
    rows,
  );
}

/**
 * Events go in without their secondary indexes, which are then built again from the very statements the
 * migrations created them with (sqlite_master): sorting a million keys once is several times faster than
 * inserting them one by one into five B-trees, and the database ends up the same.
 */
export async function loadEvents(sql, rows, onRows) {
  const t0 = performance.now();
  const { results: indexes } = await sql.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL");
  for (const ix of indexes) await sql.query(`DROP INDEX "${ix.name}"`);
  const inserted = await loadJson(
    sql,
    `INSERT INTO events (contact_id, type, name, properties, value, occurred_at, received_at, source, message_id)
     SELECT ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)}, ${col(4)}, ${col(5)}, ${col(5)}, 'bench', ${col(6)} FROM json_each(?) j`,
    rows,
    onRows,
  );
  const t1 = performance.now();
  for (const ix of indexes) await sql.query(ix.sql);
  return { ms: performance.now() - t0, insertMs: inserted, indexMs: performance.now() - t1, indexes: indexes.map((ix) => ix.name) };
}

/** Contacts' order figures from their Order Completed events, as ingest keeps them. */
export async function rollUpOrders(sql) {
  const t0 = performance.now();
  await sql.query(
    `UPDATE contacts SET order_count = o.n, revenue = o.revenue, first_order_at = o.first, last_order_at = o.last
     FROM (SELECT contact_id, count(*) AS n, round(sum(value), 2) AS revenue, min(occurred_at) AS first, max(occurred_at) AS last
           FROM events WHERE name = 'Order Completed' GROUP BY contact_id) AS o
     WHERE contacts.id = o.contact_id`,
  );
  return performance.now() - t0;
}

/** Subscribes contacts 1…count to a topic, confirmed, from a signup form, as the consent flow records it. */
export async function subscribeAll(sql, topicId, count, now) {
  const t0 = performance.now();
  await sql.query(
    `INSERT INTO subscriptions (contact_id, topic_id, status, source, consent_text, subscribed_at, confirmed_at, updated_at)
     SELECT id, ?1, 'subscribed', 'form', 'Yes, send me news and offers', created_at, created_at, ?2 FROM contacts WHERE id <= ?3`,
    [topicId, now, count],
  );
  return performance.now() - t0;
}
