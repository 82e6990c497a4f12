/** Unsubscribing: from one topic, or from all marketing email. Takes effect for messages already queued. */

export interface UnsubscribeRequest {
  contactId: number;
  messageId?: string | null;
  topicId?: number | null;
  /** "topic" needs a topicId; "all" stops every marketing email */
  scope: "topic" | "all";
  /** how it happened: one-click (RFC 8058 POST), page, preference_center, admin */
  via: string;
}

export async function unsubscribe(d1: D1Database, r: UnsubscribeRequest, now: number): Promise<boolean> {
  const contact = await d1.prepare("SELECT id FROM contacts WHERE id = ?").bind(r.contactId).first();
  if (!contact) return false;
  const all = r.scope === "all" || !r.topicId;
  const statements: D1PreparedStatement[] = [];
  if (all) {
    statements.push(
      d1.prepare("UPDATE contacts SET status = 'unsubscribed', updated_at = ? WHERE id = ? AND status = 'active'").bind(now, r.contactId),
      // Transactional topics (order updates) keep working: they are not marketing.
      d1
        .prepare(
          `UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ?
           WHERE contact_id = ? AND status != 'unsubscribed' AND topic_id IN (SELECT id FROM topics WHERE kind = 'marketing')`,
        )
        .bind(now, now, r.contactId),
    );
  } else {
    statements.push(
      d1
        .prepare(
          `INSERT INTO subscriptions (contact_id, topic_id, status, source, unsubscribed_at, updated_at) VALUES (?, ?, 'unsubscribed', ?, ?, ?)
           ON CONFLICT (contact_id, topic_id) DO UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.unsubscribed_at, updated_at = excluded.updated_at
           WHERE subscriptions.status != 'unsubscribed'`,
        )
        .bind(r.contactId, r.topicId, r.via, now, now),
    );
  }
  if (r.messageId) statements.push(d1.prepare("UPDATE messages SET unsubscribed_at = coalesce(unsubscribed_at, ?) WHERE id = ?").bind(now, r.messageId));
  const topic = all ? null : r.topicId;
  statements.push(
    d1
      .prepare(
        `INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source, email_id)
         VALUES (?, 'email', 'Unsubscribed', json_object('scope', ?, 'topic_id', ?, 'via', ?, 'message_id', ?), ?, ?, 'email', ?)`,
      )
      .bind(r.contactId, all ? "all" : "topic", topic, r.via, r.messageId ?? null, now, now, r.messageId ?? null),
  );
  await d1.batch(statements);
  return true;
}
