/**
 * Stores a batch of ingested messages in three D1 round trips at most: one read (identities and duplicate
 * message ids), one insert of the contacts the batch creates (only when it creates any), and one atomic write
 * batch (events, traits, aliases, merges, catalog, order totals).
 */
import { planIdentities, type KnownContact, type Lookups, type PlannedContact } from "../core/identity";
import { REVENUE_EVENTS, type IngestMessage, type ProductInfo } from "../core/ingest";
import { jsonObject } from "../core/json";
import { chunk, insertRows, MAX_PARAMS, runBatch } from "./db";

export interface StoredEvent {
  contactId: number;
  name: string;
  occurredAt: number;
  properties: Record<string, unknown>;
}


export interface IngestResult {
  accepted: number;
  duplicates: number;
  events: StoredEvent[];
}

const FIELD_COLUMNS = {
  firstName: "first_name",
  lastName: "last_name",
  phone: "phone",
  timezone: "timezone",
  locale: "locale",
  country: "country",
  birthday: "birthday",
} as const;
type FieldKey = keyof typeof FIELD_COLUMNS;
const STORED_COLUMNS = [...Object.values(FIELD_COLUMNS), "properties"] as const;
type StoredRow = Record<(typeof STORED_COLUMNS)[number], string | null>;
const fieldKeys = Object.keys(FIELD_COLUMNS) as FieldKey[];

export async function ingestMessages(d1: D1Database, source: string, input: IngestMessage[], receivedAt: number): Promise<IngestResult> {
  // Round trip 1: who is who, and which message ids were seen before.
  const seenInBatch = new Set<string>();
  const candidates = input.filter((m) => {
    if (!m.messageId) return true;
    if (seenInBatch.has(m.messageId)) return false;
    seenInBatch.add(m.messageId);
    return true;
  });
  const { lookups, seen, stored } = await readLookups(d1, source, candidates);
  const messages = candidates.filter((m) => !(m.messageId && m.name && seen.has(m.messageId)));

  const plan = planIdentities(messages, lookups, REVENUE_EVENTS);

  // Round trip 2: create the contacts this batch introduces, to learn their ids.
  const ids = await createContacts(d1, plan.contacts.filter((c) => c.id === null), source, receivedAt);
  const idOf = (c: PlannedContact) => c.id ?? ids.get(c)!;

  // Round trip 3: everything else, atomically.
  const writes: D1PreparedStatement[] = [];
  for (const c of plan.contacts) {
    const id = idOf(c);
    for (const from of c.absorbs) writes.push(...mergeStatements(d1, from, id, receivedAt));
    if (c.id !== null) writes.push(...updateStatements(d1, c, receivedAt, stored.get(c.id)));
  }

  const aliasRows = plan.contacts.flatMap((c) => [...c.aliases].map(([alias, kind]) => [alias, idOf(c), kind, receivedAt]));
  writes.push(
    ...insertRows(d1, "INSERT INTO contact_aliases (alias, contact_id, kind, created_at)", 4, aliasRows,
      "ON CONFLICT (alias) DO UPDATE SET contact_id = excluded.contact_id"),
  );

  const events: StoredEvent[] = [];
  const eventRows: unknown[][] = [];
  messages.forEach((m, i) => {
    if (!m.name) return;
    const contactId = idOf(plan.owners[i]!);
    events.push({ contactId, name: m.name, occurredAt: m.occurredAt, properties: m.properties });
    eventRows.push([
      contactId, m.type, m.name, JSON.stringify(m.properties), m.value, m.occurredAt, receivedAt, source, m.messageId,
      m.context ? JSON.stringify(m.context) : null,
    ]);
  });
  writes.push(
    ...insertRows(d1,
      "INSERT OR IGNORE INTO events (contact_id, type, name, properties, value, occurred_at, received_at, source, message_id, context)",
      10, eventRows),
  );

  writes.push(...productStatements(d1, messages.flatMap((m) => m.products), receivedAt));
  for (const c of plan.contacts) if (c.touchesRevenue) writes.push(orderTotalsStatement(d1, idOf(c)));

  await runBatch(d1, writes);
  return { accepted: messages.length, duplicates: input.length - messages.length, events };
}

async function readLookups(d1: D1Database, source: string, messages: IngestMessage[]) {
  const externals = new Set<string>();
  const emails = new Set<string>();
  const aliases = new Set<string>();
  const messageIds: string[] = [];
  for (const m of messages) {
    if (m.userId) externals.add(m.userId);
    if (m.email) emails.add(m.email);
    if (m.anonymousId) aliases.add(m.anonymousId);
    if (m.previousId) {
      externals.add(m.previousId);
      aliases.add(m.previousId);
    }
    if (m.messageId && m.name) messageIds.push(m.messageId);
  }
  const size = MAX_PARAMS - 1;
  const statements: { kind: "external" | "email" | "alias" | "seen"; stmt: D1PreparedStatement }[] = [];
  const inList = (n: number) => Array(n).fill("?").join(",");
  const cols = `c.id, c.email, c.external_id AS externalId, ${STORED_COLUMNS.map((col) => `c.${col}`).join(", ")}`;
  for (const part of chunk([...externals], size)) {
    statements.push({ kind: "external", stmt: d1.prepare(`SELECT ${cols}, c.external_id AS k FROM contacts c WHERE c.external_id IN (${inList(part.length)})`).bind(...part) });
  }
  for (const part of chunk([...emails], size)) {
    statements.push({ kind: "email", stmt: d1.prepare(`SELECT ${cols}, c.email AS k FROM contacts c WHERE c.email IN (${inList(part.length)})`).bind(...part) });
  }
  for (const part of chunk([...aliases], size)) {
    statements.push({
      kind: "alias",
      stmt: d1.prepare(`SELECT ${cols}, a.alias AS k FROM contact_aliases a JOIN contacts c ON c.id = a.contact_id WHERE a.alias IN (${inList(part.length)})`).bind(...part),
    });
  }
  for (const part of chunk(messageIds, size - 1)) {
    statements.push({ kind: "seen", stmt: d1.prepare(`SELECT message_id AS k FROM events WHERE source = ? AND message_id IN (${inList(part.length)})`).bind(source, ...part) });
  }
  const lookups: Lookups = { byExternal: new Map(), byEmail: new Map(), byAlias: new Map() };
  const seen = new Set<string>();
  const results = await runBatch(d1, statements.map((s) => s.stmt));
  const known = new Map<number, KnownContact>(); // one object per contact, so identity checks by reference hold
  const stored = new Map<number, StoredRow>();
  results.forEach((result, i) => {
    const kind = statements[i]!.kind;
    for (const row of result.results as (KnownContact & StoredRow & { k: string })[]) {
      if (kind === "seen") {
        seen.add(row.k);
        continue;
      }
      const contact = known.get(row.id) ?? { id: row.id, email: row.email, externalId: row.externalId };
      known.set(row.id, contact);
      stored.set(row.id, row);
      const map = kind === "external" ? lookups.byExternal : kind === "email" ? lookups.byEmail : lookups.byAlias;
      map.set(row.k, contact);
    }
  });
  return { lookups, seen, stored };
}

async function createContacts(d1: D1Database, created: PlannedContact[], source: string, now: number) {
  const ids = new Map<PlannedContact, number>();
  if (!created.length) return ids;
  // One statement per contact: RETURNING order is not guaranteed for multi-row inserts.
  const statements = created.map((c) => {
    const cols = ["email", "external_id", "properties", "source", "created_at", "updated_at"];
    const values: unknown[] = [c.email, c.externalId, JSON.stringify(c.properties), source, now, now];
    for (const key of fieldKeys) {
      if (c.fields[key] !== undefined) {
        cols.push(FIELD_COLUMNS[key]);
        values.push(c.fields[key]);
      }
    }
    return d1
      .prepare(`INSERT INTO contacts (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING RETURNING id`)
      .bind(...values);
  });
  const results = await d1.batch<{ id: number }>(statements);
  const raced: PlannedContact[] = [];
  results.forEach((r, i) => {
    const row = r.results[0];
    if (row) ids.set(created[i]!, row.id);
    else raced.push(created[i]!);
  });
  // A concurrent request created the same email or user id between our read and insert: use that contact.
  if (raced.length) {
    const found = await d1.batch<{ id: number }>(
      raced.map((c) => d1.prepare("SELECT id FROM contacts WHERE email = ? OR external_id = ? LIMIT 1").bind(c.email, c.externalId)),
    );
    raced.forEach((c, i) => {
      const id = found[i]!.results[0]?.id;
      if (id === undefined) throw new Error("contact insert conflicted but no contact was found");
      ids.set(c, id);
      c.id = id;
    });
  }
  return ids;
}

function updateStatements(d1: D1Database, c: PlannedContact, now: number, row: StoredRow | undefined): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  if (c.identityChanged) {
    // OR IGNORE: if another request took this email or user id meanwhile, keep the stored identity.
    out.push(d1.prepare("UPDATE OR IGNORE contacts SET email = ?, external_id = ?, updated_at = ? WHERE id = ?").bind(c.email, c.externalId, now, c.id));
  }
  // Most events repeat what is stored (context.timezone/locale on every track call): write only what changes.
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const key of fieldKeys) {
    const value = c.fields[key];
    if (value !== undefined && (!row || row[FIELD_COLUMNS[key]] !== value)) {
      sets.push(`${FIELD_COLUMNS[key]} = ?`);
      values.push(value);
    }
  }
  const storedProps = row ? jsonObject(row.properties) : {};
  const changed = Object.entries(c.properties).filter(([k, v]) => !row || JSON.stringify(storedProps[k]) !== JSON.stringify(v));
  if (changed.length) {
    sets.push("properties = json_patch(properties, ?)");
    values.push(JSON.stringify(Object.fromEntries(changed)));
  }
  if (sets.length) out.push(d1.prepare(`UPDATE contacts SET ${sets.join(", ")}, updated_at = ? WHERE id = ?`).bind(...values, now, c.id));
  return out;
}

/** Moves an anonymous contact's history into `to` and deletes it; `to`'s own values win over `from`'s. */
function mergeStatements(d1: D1Database, from: number, to: number, now: number): D1PreparedStatement[] {
  const carried = ["first_name", "last_name", "phone", "timezone", "locale", "country", "birthday"]
    .map((col) => `${col} = coalesce(c.${col}, a.${col})`)
    .join(", ");
  return [
    d1.prepare(`UPDATE contacts AS c SET properties = json_patch(a.properties, c.properties), ${carried},
      created_at = min(c.created_at, a.created_at), updated_at = ? FROM contacts AS a WHERE c.id = ? AND a.id = ?`).bind(now, to, from),
    d1.prepare("UPDATE events SET contact_id = ? WHERE contact_id = ?").bind(to, from),
    d1.prepare("UPDATE contact_aliases SET contact_id = ? WHERE contact_id = ?").bind(to, from),
    d1.prepare("INSERT OR IGNORE INTO subscriptions SELECT ?, topic_id, status, source, form_id, ip, user_agent, page_url, consent_text, consent_version, subscribed_at, confirmed_at, unsubscribed_at, updated_at FROM subscriptions WHERE contact_id = ?").bind(to, from),
    d1.prepare("DELETE FROM subscriptions WHERE contact_id = ?").bind(from),
    d1.prepare("UPDATE messages SET contact_id = ? WHERE contact_id = ?").bind(to, from),
    d1.prepare("UPDATE flow_runs SET contact_id = ? WHERE contact_id = ?").bind(to, from),
    d1.prepare("DELETE FROM contacts WHERE id = ?").bind(from),
  ];
}

function productStatements(d1: D1Database, products: ProductInfo[], now: number): D1PreparedStatement[] {
  const latest = new Map<string, ProductInfo>();
  for (const p of products) latest.set(p.id, { ...latest.get(p.id), ...stripUndefined(p), id: p.id });
  const rows = [...latest.values()].map((p) => [
    p.id, p.sku ?? null, p.name ?? null, p.price ?? null, p.currency ?? null, p.url ?? null, p.imageUrl ?? null,
    p.category ?? null, p.brand ?? null, now,
  ]);
  const keep = ["sku", "name", "price", "currency", "url", "image_url", "category", "brand"]
    .map((col) => `${col} = coalesce(excluded.${col}, ${col})`)
    .join(", ");
  return insertRows(d1, "INSERT INTO products (id, sku, name, price, currency, url, image_url, category, brand, updated_at)", 10, rows,
    `ON CONFLICT (id) DO UPDATE SET ${keep}, updated_at = excluded.updated_at`);
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Recomputes a contact's order totals from its events: idempotent, so retries and races cannot double count. */
export function orderTotalsStatement(d1: D1Database, contactId: number): D1PreparedStatement {
  return d1
    .prepare(
      `UPDATE contacts SET order_count = o.n, revenue = o.r, first_order_at = o.f, last_order_at = o.l
       FROM (SELECT count(*) FILTER (WHERE name = 'Order Completed') AS n,
                    coalesce(sum(CASE name WHEN 'Order Completed' THEN value WHEN 'Order Refunded' THEN -value END), 0) AS r,
                    min(occurred_at) FILTER (WHERE name = 'Order Completed') AS f,
                    max(occurred_at) FILTER (WHERE name = 'Order Completed') AS l
             FROM events WHERE contact_id = ? AND name IN ('Order Completed', 'Order Refunded')) AS o
       WHERE contacts.id = ?`,
    )
    .bind(contactId, contactId);
}
