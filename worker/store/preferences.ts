/** The preference center's reads and writes for one contact. Every change is recorded as an event. */
import { eq } from "drizzle-orm";
import { db } from "./db";
import { recordEvents, subscriptionChanges, type ContactEvent } from "./events";
import { contacts } from "./schema";
import { subscriptionStatements, type Consent } from "./topics";

export interface PreferenceView {
  contact: { id: number; email: string | null; firstName: string | null; lastName: string | null; birthday: string | null; status: string; emailFrequency: string; pausedUntil: number | null; timezone: string | null };
  topics: { id: number; key: string; name: string; description: string; kind: string; status: string | null }[];
}

export async function loadPreferences(d1: D1Database, contactId: number): Promise<PreferenceView | null> {
  const contact = await db(d1)
    .select({
      id: contacts.id, email: contacts.email, firstName: contacts.firstName, lastName: contacts.lastName, birthday: contacts.birthday, status: contacts.status,
      emailFrequency: contacts.emailFrequency, pausedUntil: contacts.pausedUntil, timezone: contacts.timezone,
    })
    .from(contacts)
    .where(eq(contacts.id, contactId))
    .get();
  if (!contact) return null;
  const topics = await d1
    .prepare(
      `SELECT t.id, t.key, t.name, t.description, t.kind, s.status FROM topics t
       LEFT JOIN subscriptions s ON s.topic_id = t.id AND s.contact_id = ? ORDER BY t.kind = 'transactional', t.name`,
    )
    .bind(contactId)
    .all<PreferenceView["topics"][number]>();
  return { contact, topics: topics.results };
}

export interface PreferenceChanges {
  /** marketing topic keys the person wants; other marketing topics are unsubscribed */
  topics: string[];
  frequency: "all" | "weekly" | "monthly";
  /** 0 to resume now, else pause this many days from now; null leaves the pause as it is */
  pauseDays: number | null;
  firstName: string | null;
  lastName: string | null;
  birthday: string | null;
}

/** Applies the form as a whole; returns the events recorded (for flows). */
export async function savePreferences(d1: D1Database, view: PreferenceView, changes: PreferenceChanges, consent: Consent, now: number): Promise<ContactEvent[]> {
  const id = view.contact.id;
  const marketing = view.topics.filter((t) => t.kind === "marketing");
  const wanted = new Set(changes.topics);
  const topicChanges = marketing
    .filter((t) => wanted.has(t.key) !== (t.status === "subscribed"))
    .map((t) => ({ topicId: t.id, status: wanted.has(t.key) ? ("subscribed" as const) : ("unsubscribed" as const) }));
  const pausedUntil = changes.pauseDays === null ? view.contact.pausedUntil : changes.pauseDays > 0 ? now + changes.pauseDays * 86_400_000 : null;
  const statements: D1PreparedStatement[] = [
    d1
      .prepare(
        `UPDATE contacts SET first_name = ?, last_name = ?, birthday = ?, email_frequency = ?, paused_until = ?, updated_at = ?,
           status = CASE WHEN status = 'unsubscribed' AND ? THEN 'active' ELSE status END WHERE id = ?`,
      )
      // choosing a topic again is an explicit opt-in: it lifts a global unsubscribe
      .bind(changes.firstName, changes.lastName, changes.birthday, changes.frequency, pausedUntil, now, topicChanges.some((t) => t.status === "subscribed") ? 1 : 0, id),
    ...subscriptionStatements(d1, id, topicChanges, consent, now),
  ];
  await d1.batch(statements);

  const after = marketing.map((t) => ({ key: t.key, status: wanted.has(t.key) ? "subscribed" : t.status === null ? "" : "unsubscribed" }));
  const events = subscriptionChanges(id, marketing.map((t) => ({ key: t.key, status: t.status ?? "" })), after, "preference_center", now);
  const changed: Record<string, unknown> = {};
  if (changes.frequency !== view.contact.emailFrequency) changed.frequency = changes.frequency;
  if (pausedUntil !== view.contact.pausedUntil) changed.paused_until = pausedUntil ? new Date(pausedUntil).toISOString() : null;
  for (const [k, before, after2] of [["first_name", view.contact.firstName, changes.firstName], ["last_name", view.contact.lastName, changes.lastName], ["birthday", view.contact.birthday, changes.birthday]] as const) {
    if (before !== after2) changed[k] = after2;
  }
  if (Object.keys(changed).length) events.push({ contactId: id, name: "Preferences Updated", properties: changed, occurredAt: now });
  await recordEvents(d1, events, now);
  return events;
}

/** Everything Tern holds about the contact, for the "download my data" link (GDPR art. 15/20). */
export async function exportContactData(d1: D1Database, contactId: number) {
  const [contact, subscriptions, events, messages] = await d1.batch([
    d1.prepare("SELECT * FROM contacts WHERE id = ?").bind(contactId),
    d1.prepare(
      `SELECT t.key AS topic, t.name, s.status, s.source, s.ip, s.user_agent AS userAgent, s.page_url AS pageUrl, s.consent_text AS consentText,
              s.consent_version AS consentVersion, s.subscribed_at AS subscribedAt, s.confirmed_at AS confirmedAt, s.unsubscribed_at AS unsubscribedAt
       FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.contact_id = ?`,
    ).bind(contactId),
    d1.prepare("SELECT name, properties, occurred_at AS occurredAt FROM events WHERE contact_id = ? ORDER BY occurred_at DESC LIMIT 10000").bind(contactId),
    d1.prepare("SELECT id, subject, status, sent_at AS sentAt, opened_at AS openedAt, clicked_at AS clickedAt FROM messages WHERE contact_id = ? ORDER BY queued_at DESC LIMIT 5000").bind(contactId),
  ]);
  const row = contact!.results[0] as Record<string, unknown> | undefined;
  if (!row) return null;
  const iso = (v: unknown) => (typeof v === "number" ? new Date(v).toISOString() : v);
  return {
    exportedAt: new Date().toISOString(),
    contact: { ...row, properties: JSON.parse(String(row.properties ?? "{}")) },
    subscriptions: subscriptions!.results,
    events: (events!.results as { name: string; properties: string; occurredAt: number }[]).map((e) => ({ name: e.name, properties: JSON.parse(e.properties), at: iso(e.occurredAt) })),
    emails: messages!.results,
  };
}
