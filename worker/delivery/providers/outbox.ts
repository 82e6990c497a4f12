/** The local default provider: keeps the whole message in D1 for the admin UI's Outbox instead of sending it. */
import type { ProviderFactory } from "./index";

export const outbox: ProviderFactory = ({ env }) => ({
  name: "outbox",
  async send(email) {
    await env.DB.prepare(
      `INSERT INTO outbox (message_id, to_email, subject, raw, html, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, html = excluded.html, text = excluded.text, created_at = excluded.created_at`,
    )
      .bind(email.messageId, email.to.email, email.subject, email.raw, email.html, email.text, Date.now())
      .run();
    return { ok: true, providerMessageId: email.messageId };
  },
});
