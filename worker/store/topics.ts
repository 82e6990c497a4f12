/** Topics (lists a contact can subscribe to) and subscriptions with their consent records. */
import { asc, eq, inArray, sql } from "drizzle-orm";
import { db } from "./db";
import { subscriptions, topics, type Topic } from "./schema";

export type TopicInput = Pick<Topic, "key" | "name" | "description" | "kind" | "doubleOptIn">;

export async function listTopics(d1: D1Database) {
  return db(d1)
    .select({
      id: topics.id, key: topics.key, name: topics.name, description: topics.description, kind: topics.kind,
      doubleOptIn: topics.doubleOptIn, createdAt: topics.createdAt,
      subscribers: sql<number>`(SELECT count(*) FROM subscriptions s WHERE s.topic_id = ${sql.raw(`"topics"."id"`)} AND s.status = 'subscribed')`,
    })
    .from(topics)
    .orderBy(asc(topics.name))
    .all();
}

export async function createTopic(d1: D1Database, input: TopicInput, now: number): Promise<Topic | null> {
  const rows = await db(d1).insert(topics).values({ ...input, createdAt: now }).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export async function updateTopic(d1: D1Database, id: number, patch: Partial<Omit<TopicInput, "key">>): Promise<Topic | null> {
  if (!Object.keys(patch).length) return (await db(d1).select().from(topics).where(eq(topics.id, id)).get()) ?? null;
  return (await db(d1).update(topics).set(patch).where(eq(topics.id, id)).returning().get()) ?? null;
}

/** Deletes a topic and its subscriptions (consent records go with it). */
export async function deleteTopic(d1: D1Database, id: number): Promise<boolean> {
  const [, deleted] = await db(d1).batch([
    db(d1).delete(subscriptions).where(eq(subscriptions.topicId, id)),
    db(d1).delete(topics).where(eq(topics.id, id)).returning({ id: topics.id }),
  ]);
  return deleted.length > 0;
}

export async function topicsByKey(d1: D1Database, keys: string[]): Promise<Map<string, Topic>> {
  if (!keys.length) return new Map();
  const rows = await db(d1).select().from(topics).where(inArray(topics.key, keys)).all();
  return new Map(rows.map((t) => [t.key, t]));
}

export interface Consent {
  source: string;
  ip?: string | null;
  userAgent?: string | null;
  pageUrl?: string | null;
  formId?: number | null;
  consentText?: string | null;
  consentVersion?: string | null;
}

/**
 * Statements that set a contact's subscription to topics. Subscribing keeps the original consent record if
 * the contact was already subscribed; unsubscribing keeps it and stamps the time.
 */
export function subscriptionStatements(
  d1: D1Database,
  contactId: number,
  changes: { topicId: number; status: "subscribed" | "unsubscribed" | "pending" }[],
  consent: Consent,
  now: number,
): D1PreparedStatement[] {
  return changes.map(({ topicId, status }) =>
    status === "unsubscribed"
      ? // An opt-out is recorded even without an earlier subscription, so nothing later re-subscribes silently.
        d1
          .prepare(
            `INSERT INTO subscriptions (contact_id, topic_id, status, source, unsubscribed_at, updated_at) VALUES (?, ?, 'unsubscribed', ?, ?, ?)
             ON CONFLICT (contact_id, topic_id) DO UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.unsubscribed_at, updated_at = excluded.updated_at
             WHERE subscriptions.status != 'unsubscribed'`,
          )
          .bind(contactId, topicId, consent.source, now, now)
      : d1
          .prepare(
            `INSERT INTO subscriptions (contact_id, topic_id, status, source, form_id, ip, user_agent, page_url, consent_text, consent_version, subscribed_at, confirmed_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (contact_id, topic_id) DO UPDATE SET status = excluded.status, source = excluded.source, form_id = excluded.form_id,
               ip = excluded.ip, user_agent = excluded.user_agent, page_url = excluded.page_url, consent_text = excluded.consent_text,
               consent_version = excluded.consent_version, subscribed_at = excluded.subscribed_at, confirmed_at = excluded.confirmed_at,
               unsubscribed_at = NULL, updated_at = excluded.updated_at
             WHERE subscriptions.status != excluded.status`,
          )
          .bind(
            contactId, topicId, status, consent.source, consent.formId ?? null, consent.ip ?? null, consent.userAgent?.slice(0, 500) ?? null,
            consent.pageUrl?.slice(0, 2000) ?? null, consent.consentText ?? null, consent.consentVersion ?? null, now,
            status === "subscribed" ? now : null, now,
          ),
  );
}
