/** /api/outbox — what the outbox provider "sent", shown as the recipient would see it, headers included. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { parseWith } from "../body";
import { notFound } from "../errors";

export const outboxApi = new Hono<AppEnv>();

const listSchema = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

outboxApi.get("/", async (c) => {
  const { q, cursor, limit } = parseWith(listSchema, c.req.query());
  const [at, id] = (cursor ?? "").split(":");
  const pattern = q ? `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
  const rows = await c.env.DB.prepare(
    `SELECT o.message_id AS id, o.to_email AS toEmail, o.subject, o.created_at AS createdAt, m.kind, m.status, m.campaign_id AS campaignId,
            m.flow_id AS flowId, m.template_id AS templateId, m.contact_id AS contactId, m.opened_at AS openedAt, m.clicked_at AS clickedAt
     FROM outbox o LEFT JOIN messages m ON m.id = o.message_id
     WHERE (?1 IS NULL OR lower(o.to_email) LIKE ?1 ESCAPE '\\' OR lower(o.subject) LIKE ?1 ESCAPE '\\')
       AND (?2 IS NULL OR o.created_at < ?2 OR (o.created_at = ?2 AND o.message_id < ?3))
     ORDER BY o.created_at DESC, o.message_id DESC LIMIT ?4`,
  )
    .bind(pattern, at ? Number(at) : null, id ?? "", limit + 1)
    .all<{ id: string; createdAt: number }>();
  const items = rows.results.slice(0, limit);
  const last = items[items.length - 1];
  return c.json({ items, nextCursor: rows.results.length > limit && last ? `${last.createdAt}:${last.id}` : null });
});

outboxApi.get("/:id", async (c) => {
  const [row, message] = await Promise.all([
    c.env.DB.prepare("SELECT message_id AS id, to_email AS toEmail, subject, raw, text, created_at AS createdAt FROM outbox WHERE message_id = ?")
      .bind(c.req.param("id"))
      .first<{ raw: string }>(),
    messageRow(c.env.DB, c.req.param("id")),
  ]);
  if (!row) throw notFound("Message not found in the outbox");
  return c.json({ ...row, headers: headerList(row.raw), message });
});

/** One send's record, whatever happened to it (failed and suppressed sends never reach the outbox). */
export function messageRow(d1: D1Database, id: string) {
  return d1
    .prepare(
      `SELECT id, kind, status, error, attempts, provider, provider_message_id AS providerMessageId, contact_id AS contactId, to_email AS toEmail,
              template_id AS templateId, campaign_id AS campaignId, flow_id AS flowId, flow_node_id AS flowNodeId, variant, subject,
              queued_at AS queuedAt, sent_at AS sentAt, delivered_at AS deliveredAt, opened_at AS openedAt, machine_opened_at AS machineOpenedAt,
              clicked_at AS clickedAt, bounced_at AS bouncedAt, complained_at AS complainedAt, unsubscribed_at AS unsubscribedAt
       FROM messages WHERE id = ?`,
    )
    .bind(id)
    .first();
}

export const messagesApi = new Hono<AppEnv>();

messagesApi.get("/:id", async (c) => {
  const message = await messageRow(c.env.DB, c.req.param("id"));
  if (!message) throw notFound("Message not found");
  return c.json(message);
});

/** The HTML part, for an iframe: sandboxed, no scripts, no way to act on the admin's session. */
outboxApi.get("/:id/html", async (c) => {
  const row = await c.env.DB.prepare("SELECT html FROM outbox WHERE message_id = ?").bind(c.req.param("id")).first<{ html: string | null }>();
  if (!row) throw notFound("Message not found in the outbox");
  return new Response(row.html ?? "", {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
      "X-Frame-Options": "SAMEORIGIN",
      "Cache-Control": "no-store",
    },
  });
});

/** The message's header block, unfolded, as [name, value] pairs in order. */
export function headerList(raw: string): [string, string][] {
  const end = raw.indexOf("\r\n\r\n");
  const block = (end === -1 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, " ");
  return block.split("\r\n").flatMap((line) => {
    const i = line.indexOf(":");
    return i > 0 ? [[line.slice(0, i), line.slice(i + 1).trim()] as [string, string]] : [];
  });
}
