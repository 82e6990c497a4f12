/** Signup forms in D1: definitions, figures per form, and the consent records a submission writes. */
import { desc, eq } from "drizzle-orm";
import type { ContactFields } from "../core/contact";
import { formDefinitionSchema, type FormDefinition } from "../core/forms";
import { db, insertRows } from "../store/db";
import { forms } from "../store/schema";
import type { ContactEvent } from "../store/events";
import type { Consent } from "../store/topics";

export interface FormRow {
  id: number;
  name: string;
  status: "active" | "disabled";
  /** null when the stored definition no longer parses (the form then refuses submissions) */
  definition: FormDefinition | null;
  createdAt: number;
  updatedAt: number;
}

export interface FormStats {
  /** accepted submissions (bots dropped by the honeypot or the fill time are not counted) */
  submissions: number;
  /** contacts with a confirmed subscription from the form */
  confirmed: number;
  /** contacts with a subscription from the form still waiting for confirmation */
  pending: number;
}

function toRow(r: typeof forms.$inferSelect): FormRow {
  const parsed = formDefinitionSchema.safeParse(r.definition);
  return { id: r.id, name: r.name, status: r.status, definition: parsed.success ? parsed.data : null, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

export async function getForm(d1: D1Database, id: number): Promise<FormRow | null> {
  const r = await db(d1).select().from(forms).where(eq(forms.id, id)).get();
  return r ? toRow(r) : null;
}

export async function listForms(d1: D1Database): Promise<(FormRow & FormStats)[]> {
  const rows = await db(d1).select().from(forms).orderBy(desc(forms.id)).all();
  const stats = await statsByForm(d1);
  return rows.map((r) => ({ ...toRow(r), ...(stats.get(r.id) ?? { submissions: 0, confirmed: 0, pending: 0 }) }));
}

/** Figures for all forms in one round trip (two scans grouped by form, whatever the number of forms). */
export async function statsByForm(d1: D1Database, only?: number): Promise<Map<number, FormStats>> {
  const where = only === undefined ? "" : " AND form_id = ?";
  const bind = only === undefined ? [] : [only];
  const [submitted, subs] = await d1.batch<{ formId: number; n: number; confirmed: number; pending: number }>([
    d1
      .prepare(
        `SELECT form_id AS formId, n FROM (SELECT json_extract(properties, '$.form_id') AS form_id, count(*) AS n FROM events
         WHERE name = 'Form Submitted' GROUP BY 1) WHERE form_id IS NOT NULL${where}`,
      )
      .bind(...bind),
    d1
      .prepare(
        `SELECT form_id AS formId, count(DISTINCT CASE WHEN confirmed_at IS NOT NULL THEN contact_id END) AS confirmed,
                count(DISTINCT CASE WHEN status = 'pending' THEN contact_id END) AS pending
         FROM subscriptions WHERE form_id IS NOT NULL${where} GROUP BY form_id`,
      )
      .bind(...bind),
  ]);
  const out = new Map<number, FormStats>();
  const entry = (id: number) => out.get(id) ?? (out.set(id, { submissions: 0, confirmed: 0, pending: 0 }), out.get(id)!);
  for (const r of submitted!.results) entry(Number(r.formId)).submissions = r.n;
  for (const r of subs!.results) Object.assign(entry(Number(r.formId)), { confirmed: r.confirmed, pending: r.pending });
  return out;
}

export async function createForm(d1: D1Database, input: { name: string; definition: FormDefinition; status?: FormRow["status"] }, now: number): Promise<FormRow> {
  const r = await db(d1)
    .insert(forms)
    .values({ name: input.name, definition: input.definition, status: input.status ?? "active", createdAt: now, updatedAt: now })
    .returning()
    .get();
  return toRow(r);
}

export async function updateForm(
  d1: D1Database,
  id: number,
  patch: { name?: string; definition?: FormDefinition; status?: FormRow["status"] },
  now: number,
): Promise<FormRow | null> {
  const r = await db(d1).update(forms).set({ ...patch, updatedAt: now }).where(eq(forms.id, id)).returning().get();
  return r ? toRow(r) : null;
}

/** Deletes a form. Its consent records stay: each subscription keeps the form id and the text shown. */
export async function deleteForm(d1: D1Database, id: number): Promise<boolean> {
  return (await db(d1).delete(forms).where(eq(forms.id, id)).returning({ id: forms.id })).length > 0;
}

/** Remembers the confirmation template created for a form, unless an admin chose another one meanwhile. */
export async function setConfirmationTemplate(d1: D1Database, id: number, templateId: number, replacing: number | null): Promise<void> {
  await d1
    .prepare(
      `UPDATE forms SET definition = json_set(definition, '$.confirmation.templateId', ?)
       WHERE id = ? AND coalesce(json_extract(definition, '$.confirmation.templateId'), 0) = ?`,
    )
    .bind(templateId, id, replacing ?? 0)
    .run();
}

// ---------------------------------------------------------------------------------------------------------------
// Submissions

const COLUMNS: Record<keyof ContactFields, string> = {
  email: "email", firstName: "first_name", lastName: "last_name", phone: "phone", timezone: "timezone", locale: "locale", country: "country", birthday: "birthday",
};

/**
 * Creates the contact, or fills in what an existing one lacks: a form post is not proof of who is typing, so it
 * never overwrites a name or property the contact already has. Returns the id and current status.
 */
export async function upsertFormContact(
  d1: D1Database,
  email: string,
  fields: Omit<ContactFields, "email">,
  properties: Record<string, unknown>,
  now: number,
): Promise<{ id: number; status: string }> {
  const set = (Object.entries(fields) as [keyof ContactFields, string | null | undefined][]).filter(([k, v]) => v !== undefined && v !== null && COLUMNS[k]);
  const cols = set.map(([k]) => COLUMNS[k]);
  const sql = `INSERT INTO contacts (email, ${cols.map((c) => `${c}, `).join("")}properties, source, created_at, updated_at)
    VALUES (?, ${cols.map(() => "?, ").join("")}?, 'form', ?, ?)
    ON CONFLICT (email) DO UPDATE SET ${cols.map((c) => `${c} = coalesce(contacts.${c}, excluded.${c}), `).join("")}
      properties = json_patch(excluded.properties, contacts.properties), updated_at = excluded.updated_at
    RETURNING id, status`;
  const row = await d1
    .prepare(sql)
    .bind(email, ...set.map(([, v]) => v), JSON.stringify(properties), now, now)
    .first<{ id: number; status: string }>();
  return row!;
}

export async function subscriptionStatuses(d1: D1Database, contactId: number, topicIds: number[]): Promise<Map<number, string>> {
  if (!topicIds.length) return new Map();
  const { results } = await d1
    .prepare(`SELECT topic_id AS topicId, status FROM subscriptions WHERE contact_id = ? AND topic_id IN (${topicIds.map(() => "?").join(",")})`)
    .bind(contactId, ...topicIds)
    .all<{ topicId: number; status: string }>();
  return new Map(results.map((r) => [r.topicId, r.status]));
}

/**
 * A pending subscription carries the consent record of the latest request (so its form, page and text are what
 * the person will confirm); a subscription already confirmed is left exactly as it is.
 */
export function pendingStatement(d1: D1Database, contactId: number, topicId: number, consent: Consent, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO subscriptions (contact_id, topic_id, status, source, form_id, ip, user_agent, page_url, consent_text, consent_version, subscribed_at, updated_at)
       VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (contact_id, topic_id) DO UPDATE SET status = 'pending', source = excluded.source, form_id = excluded.form_id, ip = excluded.ip,
         user_agent = excluded.user_agent, page_url = excluded.page_url, consent_text = excluded.consent_text,
         consent_version = excluded.consent_version, subscribed_at = excluded.subscribed_at, confirmed_at = NULL, updated_at = excluded.updated_at
       WHERE subscriptions.status != 'subscribed'`,
    )
    .bind(
      contactId, topicId, consent.source, consent.formId ?? null, consent.ip ?? null, consent.userAgent?.slice(0, 500) ?? null,
      consent.pageUrl?.slice(0, 2000) ?? null, consent.consentText ?? null, consent.consentVersion ?? null, now, now,
    );
}

/** The same rows recordEvents writes, as statements to run in a caller's batch. */
export function eventStatements(d1: D1Database, events: ContactEvent[], now: number): D1PreparedStatement[] {
  return insertRows(
    d1,
    "INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source)",
    7,
    events.map((e) => [e.contactId, "system", e.name, JSON.stringify(e.properties), e.occurredAt, now, "tern"]),
  );
}

export interface PendingTopic {
  topicId: number;
  key: string;
  name: string;
  status: "pending" | "subscribed";
  formId: number | null;
}

/** What a confirmation link would confirm (pending) and what is already confirmed, for the contact. */
export async function formSubscriptions(d1: D1Database, contactId: number): Promise<{ email: string | null; firstName: string | null; topics: PendingTopic[] } | null> {
  const [contact, subs] = await d1.batch([
    d1.prepare("SELECT email, first_name AS firstName FROM contacts WHERE id = ?").bind(contactId),
    d1
      .prepare(
        `SELECT s.topic_id AS topicId, t.key, t.name, s.status, s.form_id AS formId FROM subscriptions s JOIN topics t ON t.id = s.topic_id
         WHERE s.contact_id = ? AND s.status IN ('pending', 'subscribed') ORDER BY t.name`,
      )
      .bind(contactId),
  ]);
  const row = contact!.results[0] as { email: string | null; firstName: string | null } | undefined;
  if (!row) return null;
  return { ...row, topics: subs!.results as unknown as PendingTopic[] };
}

/**
 * Confirms every pending subscription of the contact in one transaction: stamps confirmed_at, records a
 * "Subscribed" event per topic (returned, to hand to flows), and makes a contact that had unsubscribed from
 * everything active again (a confirmed opt-in is the clearest consent there is). Running it twice confirms nothing
 * the second time, so a double click never starts a welcome flow twice.
 */
export async function confirmPending(d1: D1Database, contactId: number, now: number): Promise<ContactEvent[]> {
  const [, inserted] = await d1.batch<{ properties: string }>([
    d1
      .prepare(
        `UPDATE contacts SET status = 'active', updated_at = ? WHERE id = ? AND status = 'unsubscribed'
         AND EXISTS (SELECT 1 FROM subscriptions WHERE contact_id = ? AND status = 'pending')`,
      )
      .bind(now, contactId, contactId),
    d1
      .prepare(
        `INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source)
         SELECT s.contact_id, 'system', 'Subscribed', json_object('topic', t.key, 'source', 'form', 'form_id', s.form_id), ?, ?, 'tern'
         FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.contact_id = ? AND s.status = 'pending'
         RETURNING properties`,
      )
      .bind(now, now, contactId),
    d1
      .prepare("UPDATE subscriptions SET status = 'subscribed', confirmed_at = ?, unsubscribed_at = NULL, updated_at = ? WHERE contact_id = ? AND status = 'pending'")
      .bind(now, now, contactId),
  ]);
  return inserted!.results.map((r) => ({ contactId, name: "Subscribed", properties: JSON.parse(r.properties) as Record<string, unknown>, occurredAt: now }));
}

/** Whether a confirmation email went to the contact within `sinceMs` (any form). */
export async function recentConfirmation(d1: D1Database, contactId: number, now: number, sinceMs: number): Promise<boolean> {
  const prefix = `form-confirm:${contactId}:`;
  // a range on the unique idempotency index, instead of a LIKE that could not use it
  const row = await d1
    .prepare("SELECT 1 AS x FROM messages WHERE idempotency_key >= ? AND idempotency_key < ? AND queued_at > ? LIMIT 1")
    .bind(prefix, `form-confirm:${contactId};`, now - sinceMs)
    .first();
  return row !== null;
}
