/**
 * POST /api/send — transactional email (receipts, password resets), like listmonk's /api/tx: a template, a
 * recipient and data for the template. Skips marketing consent, caps and quiet hours (not suppression), and
 * travels on its own queue ahead of bulk sends.
 */
import { eq, or } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { emailSchema } from "../../core/contact";
import { enqueueSends } from "../../delivery/enqueue";
import type { AppEnv } from "../../env";
import { createContact, ConflictError } from "../../store/contacts";
import { db } from "../../store/db";
import { randomToken } from "../../store/random";
import { contacts } from "../../store/schema";
import { getTemplate } from "../../store/templates";
import { jsonBody } from "../body";
import { badRequest, notFound } from "../errors";

const sendSchema = z
  .object({
    templateId: z.number().int().positive(),
    to: emailSchema.optional(),
    contactId: z.number().int().positive().optional(),
    externalId: z.string().trim().min(1).max(255).optional(),
    data: z.record(z.string(), z.unknown()).refine((d) => JSON.stringify(d).length <= 32 * 1024, "data may take at most 32 KB").optional(),
    /** a retry with the same key sends nothing new */
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
    trackOpens: z.boolean().default(true),
    trackClicks: z.boolean().default(true),
  })
  .refine((b) => b.to || b.contactId || b.externalId, { message: "give `to`, `contactId` or `externalId`", path: ["to"] });

export const sendApi = new Hono<AppEnv>();

sendApi.post("/", async (c) => {
  const input = await jsonBody(c, sendSchema, 64 * 1024);
  if (!(await getTemplate(c.env.DB, input.templateId))) throw notFound("Template not found");
  const now = Date.now();
  const contactId = await findOrCreateContact(c.env.DB, input, now);
  const key = input.idempotencyKey ? `tx:${c.get("principal").apiKeyId ?? "session"}:${input.idempotencyKey}` : `tx:${randomToken(16)}`;
  const [messageId] = await enqueueSends(
    c.env,
    [{ idempotencyKey: key, contactId, templateId: input.templateId, kind: "transactional", data: input.data ?? null, trackOpens: input.trackOpens, trackClicks: input.trackClicks }],
    now,
  );
  // A repeated idempotency key whose message already went out enqueues nothing and reports that.
  return c.json({ messageId: messageId ?? null, queued: !!messageId }, 202);
});

async function findOrCreateContact(d1: D1Database, input: z.infer<typeof sendSchema>, now: number): Promise<number> {
  const conds = [
    input.contactId ? eq(contacts.id, input.contactId) : undefined,
    input.externalId ? eq(contacts.externalId, input.externalId) : undefined,
    input.to ? eq(contacts.email, input.to) : undefined,
  ].filter(Boolean);
  const found = await db(d1).select({ id: contacts.id }).from(contacts).where(or(...conds)).limit(1).get();
  if (found) return found.id;
  if (!input.to) throw notFound("Contact not found");
  try {
    return await createContact(d1, { email: input.to, externalId: input.externalId ?? null, fields: {} }, { source: "api" }, now);
  } catch (err) {
    if (err instanceof ConflictError) throw badRequest("The email and externalId belong to different contacts");
    throw err;
  }
}
