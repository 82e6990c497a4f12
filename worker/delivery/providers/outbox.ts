/**
 * The local default provider: keeps the whole message in D1 for the admin UI's Outbox instead of sending it.
 * A queue batch's messages are written together when the consumer flushes (one D1 round trip, not one each).
 */
import type { ProviderFactory } from "./index";

export const outbox: ProviderFactory = ({ env }) => {
  let pending: D1PreparedStatement[] = [];
  return {
    name: "outbox",
    paced: false,
    async send(email) {
      pending.push(
        env.DB.prepare(
          `INSERT INTO outbox (message_id, to_email, subject, raw, html, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, html = excluded.html, text = excluded.text, created_at = excluded.created_at`,
        ).bind(email.messageId, email.to.email, email.subject, email.raw, email.html, email.text, Date.now()),
      );
      return { ok: true, providerMessageId: email.messageId };
    },
    async flush() {
      const statements = pending;
      pending = [];
      if (statements.length) await env.DB.batch(statements);
    },
  };
};
