/** Contacts: listing with search and keyset pagination, profiles, timeline, edits and GDPR erasure. */
import { and, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { sha256Hex } from "../core/crypto";
import type { ContactFields } from "../core/contact";
import { db } from "./db";
import { contactAliases, contacts, events, subscriptions, topics, type Contact } from "./schema";
import { subscriptionStatements, type Consent } from "./topics";

export interface ContactFilter {
  q?: string;
  status?: Contact["status"];
  topic?: string;
  /** identified (email or user id; the default), anonymous, or all */
  kind?: "identified" | "anonymous" | "all";
}

// drizzle leaves columns unqualified in a select list, where "id" inside a subquery would bind to the
// subquery's own table: correlated subqueries name the outer column explicitly.
const outerId = sql.raw(`"contacts"."id"`);

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

export function filterWhere(f: ContactFilter): SQL | undefined {
  const conds: (SQL | undefined)[] = [];
  if (f.q) {
    const pattern = `%${likeEscape(f.q.trim().toLowerCase())}%`;
    conds.push(
      or(
        sql`${contacts.email} LIKE ${pattern} ESCAPE '\\'`,
        sql`lower(coalesce(${contacts.firstName}, '') || ' ' || coalesce(${contacts.lastName}, '')) LIKE ${pattern} ESCAPE '\\'`,
        eq(contacts.externalId, f.q.trim()),
      ),
    );
  }
  if (f.status) conds.push(eq(contacts.status, f.status));
  if (f.topic) {
    conds.push(sql`EXISTS (SELECT 1 FROM ${subscriptions} s JOIN ${topics} t ON t.id = s.topic_id
      WHERE s.contact_id = ${outerId} AND t.key = ${f.topic} AND s.status = 'subscribed')`);
  }
  const kind = f.kind ?? "identified";
  if (kind === "identified") conds.push(or(isNotNull(contacts.email), isNotNull(contacts.externalId)));
  if (kind === "anonymous") conds.push(and(isNull(contacts.email), isNull(contacts.externalId)));
  return and(...conds);
}

export const contactSummary = {
  id: contacts.id,
  email: contacts.email,
  externalId: contacts.externalId,
  firstName: contacts.firstName,
  lastName: contacts.lastName,
  status: contacts.status,
  source: contacts.source,
  timezone: contacts.timezone,
  orderCount: contacts.orderCount,
  revenue: contacts.revenue,
  createdAt: contacts.createdAt,
  // one indexed lookup per listed row (events_contact_time)
  lastEventAt: sql<number | null>`(SELECT max(e.occurred_at) FROM ${events} e WHERE e.contact_id = ${outerId})`,
};

export async function listContacts(d1: D1Database, f: ContactFilter, page: { cursor?: number; limit: number }) {
  const where = filterWhere(f);
  const rows = await db(d1)
    .select(contactSummary)
    .from(contacts)
    .where(and(where, page.cursor ? lt(contacts.id, page.cursor) : undefined))
    .orderBy(desc(contacts.id))
    .limit(page.limit + 1)
    .all();
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  // The total is only worth its scan on the first page.
  const total = page.cursor ? undefined : ((await db(d1).select({ n: sql<number>`count(*)` }).from(contacts).where(where).get())?.n ?? 0);
  return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null, total };
}

export async function getContact(d1: D1Database, id: number) {
  const d = db(d1);
  const [contact, subs, aliases, counts] = await d.batch([
    d.select().from(contacts).where(eq(contacts.id, id)),
    d
      .select({
        topicId: topics.id, key: topics.key, name: topics.name, kind: topics.kind, status: subscriptions.status,
        source: subscriptions.source, ip: subscriptions.ip, pageUrl: subscriptions.pageUrl, consentText: subscriptions.consentText,
        consentVersion: subscriptions.consentVersion, subscribedAt: subscriptions.subscribedAt, confirmedAt: subscriptions.confirmedAt,
        unsubscribedAt: subscriptions.unsubscribedAt,
      })
      .from(subscriptions)
      .innerJoin(topics, eq(topics.id, subscriptions.topicId))
      .where(eq(subscriptions.contactId, id)),
    d.select({ alias: contactAliases.alias, kind: contactAliases.kind, createdAt: contactAliases.createdAt }).from(contactAliases).where(eq(contactAliases.contactId, id)),
    d.select({ events: sql<number>`count(*)`, lastEventAt: sql<number | null>`max(${events.occurredAt})` }).from(events).where(eq(events.contactId, id)),
  ]);
  const row = contact[0];
  if (!row) return null;
  return { ...row, subscriptions: subs, aliases, stats: counts[0] ?? { events: 0, lastEventAt: null } };
}

/** Events newest first; the cursor is `occurredAt:id` of the last item seen. */
export async function timeline(d1: D1Database, contactId: number, opts: { cursor?: string; limit: number; name?: string }) {
  const conds: (SQL | undefined)[] = [eq(events.contactId, contactId)];
  if (opts.name) conds.push(eq(events.name, opts.name));
  const cursor = /^(\d+):(\d+)$/.exec(opts.cursor ?? "");
  if (cursor) {
    const [at, id] = [Number(cursor[1]), Number(cursor[2])];
    conds.push(or(lt(events.occurredAt, at), and(eq(events.occurredAt, at), lt(events.id, id))));
  }
  const rows = await db(d1)
    .select({ id: events.id, type: events.type, name: events.name, properties: events.properties, value: events.value, occurredAt: events.occurredAt, source: events.source, context: events.context })
    .from(events)
    .where(and(...conds))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(opts.limit + 1)
    .all();
  const more = rows.length > opts.limit;
  const items = more ? rows.slice(0, opts.limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? `${last.occurredAt}:${last.id}` : null };
}

export interface ContactWrite {
  email?: string;
  externalId?: string | null;
  fields: Omit<ContactFields, "email">;
  properties?: Record<string, unknown>;
  status?: Contact["status"];
  topics?: { topicId: number; status: "subscribed" | "unsubscribed" }[];
}

export class ConflictError extends Error {}

const columnsOf = (w: ContactWrite) => ({
  ...(w.email !== undefined ? { email: w.email } : {}),
  ...(w.externalId !== undefined ? { externalId: w.externalId } : {}),
  ...w.fields,
  ...(w.status ? { status: w.status } : {}),
});

export async function createContact(d1: D1Database, w: ContactWrite, consent: Consent, now: number): Promise<number> {
  const row = await db(d1)
    .insert(contacts)
    .values({ ...columnsOf(w), properties: w.properties ?? {}, source: consent.source, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning({ id: contacts.id })
    .get();
  if (!row) throw new ConflictError("A contact with this email or external id already exists");
  if (w.topics?.length) await d1.batch(subscriptionStatements(d1, row.id, w.topics, consent, now) as [D1PreparedStatement]);
  return row.id;
}

/** Applies a partial update; properties merge (a null value removes a property). Returns false if missing. */
export async function updateContact(d1: D1Database, id: number, w: ContactWrite, consent: Consent, now: number): Promise<boolean> {
  const statements: D1PreparedStatement[] = [];
  const sets: string[] = ["updated_at = ?"];
  const values: unknown[] = [now];
  const columns: Record<string, string> = {
    email: "email", externalId: "external_id", firstName: "first_name", lastName: "last_name", phone: "phone", timezone: "timezone",
    locale: "locale", country: "country", birthday: "birthday", status: "status",
  };
  for (const [key, value] of Object.entries(columnsOf(w))) {
    if (value === undefined || !columns[key]) continue;
    sets.push(`${columns[key]} = ?`);
    values.push(value);
  }
  if (w.properties && Object.keys(w.properties).length) {
    sets.push("properties = json_patch(properties, ?)");
    values.push(JSON.stringify(w.properties));
  }
  statements.push(d1.prepare(`UPDATE contacts SET ${sets.join(", ")} WHERE id = ? RETURNING id`).bind(...values, id));
  statements.push(...subscriptionStatements(d1, id, w.topics ?? [], consent, now));
  try {
    const [updated] = await d1.batch<{ id: number }>(statements);
    return (updated?.results.length ?? 0) > 0;
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new ConflictError("Another contact already has this email or external id");
    throw err;
  }
}

export async function emailHash(email: string): Promise<string> {
  return sha256Hex(email.trim().toLowerCase());
}

/**
 * GDPR erasure: the contact, its events, aliases and subscriptions are deleted, sent messages lose the
 * address, and the address survives only as a hash in suppressions so it is never mailed again.
 */
export async function eraseContact(d1: D1Database, id: number, now: number): Promise<boolean> {
  const row = await db(d1).select({ email: contacts.email }).from(contacts).where(eq(contacts.id, id)).get();
  if (!row) return false;
  const statements = [
    d1.prepare("DELETE FROM events WHERE contact_id = ?").bind(id),
    d1.prepare("DELETE FROM contact_aliases WHERE contact_id = ?").bind(id),
    d1.prepare("DELETE FROM subscriptions WHERE contact_id = ?").bind(id),
    d1.prepare("DELETE FROM flow_runs WHERE contact_id = ?").bind(id),
    d1.prepare("UPDATE messages SET to_email = NULL, contact_id = NULL WHERE contact_id = ?").bind(id),
    d1.prepare("DELETE FROM contacts WHERE id = ?").bind(id),
  ];
  if (row.email) {
    statements.push(
      d1.prepare("DELETE FROM outbox WHERE to_email = ?").bind(row.email),
      d1
        .prepare(`INSERT INTO suppressions (email_hash, email, reason, detail, created_at) VALUES (?, NULL, 'erased', 'erased on request', ?)
                  ON CONFLICT (email_hash) DO UPDATE SET email = NULL, reason = 'erased', detail = excluded.detail`)
        .bind(await emailHash(row.email), now),
    );
  }
  await d1.batch(statements);
  return true;
}

/** Pages through contacts by id for exports, newest first. */
export async function exportPage(d1: D1Database, f: ContactFilter, before: number | null, limit: number) {
  return db(d1)
    .select({
      ...contactSummary,
      phone: contacts.phone,
      locale: contacts.locale,
      country: contacts.country,
      birthday: contacts.birthday,
      properties: contacts.properties,
      topics: sql<string | null>`(SELECT group_concat(t.key, ';') FROM ${subscriptions} s JOIN ${topics} t ON t.id = s.topic_id
        WHERE s.contact_id = ${outerId} AND s.status = 'subscribed')`,
    })
    .from(contacts)
    .where(and(filterWhere(f), before ? lt(contacts.id, before) : undefined))
    .orderBy(desc(contacts.id))
    .limit(limit)
    .all();
}
