/** /api/suppressions — the addresses never mailed: list and search, add by hand, remove (except erasures). */
import { Hono } from "hono";
import { z } from "zod";
import { emailSchema } from "../../core/contact";
import type { AppEnv } from "../../env";
import { addSuppression, listSuppressions, removeSuppression } from "../../store/suppressions";
import { jsonBody, parseWith } from "../body";
import { HttpError, notFound } from "../errors";

export const suppressionsApi = new Hono<AppEnv>();

const reasons = ["unsubscribed", "hard_bounce", "soft_bounce", "complaint", "erased", "manual"] as const;

const listSchema = z.object({
  q: z.string().max(320).optional(),
  reason: z.enum(reasons).optional(),
  cursor: z.string().max(100).regex(/^\d{1,15}:[0-9a-f]{64}$/, "a cursor from a previous page").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// "erased" is only ever written by GDPR erasure of a contact.
const addSchema = z.object({
  email: emailSchema,
  reason: z.enum(["manual", "hard_bounce", "soft_bounce", "complaint", "unsubscribed"]).default("manual"),
  detail: z.string().trim().max(500).optional(),
});

const hashRe = /^[0-9a-f]{64}$/;

suppressionsApi.get("/", async (c) => {
  const { q, reason, cursor, limit } = parseWith(listSchema, c.req.query(), "Invalid filter");
  return c.json(await listSuppressions(c.env.DB, { q, reason }, { cursor, limit }));
});

suppressionsApi.post("/", async (c) => {
  const input = await jsonBody(c, addSchema);
  const by = c.get("principal");
  const detail = input.detail || `added by ${by.email ?? by.name}`;
  const { item, created } = await addSuppression(c.env.DB, { email: input.email, reason: input.reason, detail }, Date.now());
  return c.json(item, created ? 201 : 200);
});

suppressionsApi.delete("/:emailHash", async (c) => {
  const hash = c.req.param("emailHash").toLowerCase();
  if (!hashRe.test(hash)) throw notFound("No such suppression");
  const result = await removeSuppression(c.env.DB, hash, Date.now());
  if (result === "not_found") throw notFound("No such suppression");
  if (result === "erased") throw new HttpError(409, "erased", "This address was erased on request and stays suppressed");
  return c.json({ removed: true, contactReactivated: result.reactivated });
});
