/** /api/contacts — list, search, profile, timeline, create/update, GDPR erasure and CSV export. */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { csvRow } from "../../core/csv";
import { emailSchema, isTimezone, normalizeBirthday } from "../../core/contact";
import type { AppEnv } from "../../env";
import {
  ConflictError, createContact, eraseContact, exportPage, getContact, listContacts, timeline, updateContact, type ContactWrite,
} from "../../store/contacts";
import { forwardToJourneys, journey } from "../../journeys/forward";
import { recordEvents, subscriptionChanges } from "../../store/events";
import { topicsByKey } from "../../store/topics";
import { jsonBody, parseWith } from "../body";
import { badRequest, HttpError, notFound } from "../errors";

export const contactsApi = new Hono<AppEnv>();

const statusEnum = z.enum(["active", "unsubscribed", "bounced", "complained"]);
const filterSchema = z.object({
  q: z.string().max(200).optional(),
  status: statusEnum.optional(),
  topic: z.string().max(100).optional(),
  kind: z.enum(["identified", "anonymous", "all"]).optional(),
});
const pageSchema = z.object({
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const text = (max: number) => z.string().trim().max(max).nullable().optional();
const writeSchema = z.object({
  email: emailSchema.optional(),
  externalId: z.string().trim().min(1).max(255).nullable().optional(),
  firstName: text(100),
  lastName: text(100),
  phone: text(50),
  timezone: z.string().refine(isTimezone, "not an IANA time zone such as Europe/Paris").nullable().optional(),
  locale: text(35),
  country: text(100),
  birthday: z
    .string()
    .transform((v, ctx) => normalizeBirthday(v) ?? (ctx.addIssue({ code: "custom", message: "use YYYY-MM-DD or MM-DD" }), z.NEVER))
    .nullable()
    .optional(),
  properties: z
    .record(z.string().min(1).max(100), z.unknown())
    .refine((p) => JSON.stringify(p).length <= 16 * 1024, "properties may take at most 16 KB")
    .optional(),
  status: statusEnum.optional(),
  topics: z.record(z.string().max(100), z.enum(["subscribed", "unsubscribed"])).optional(),
});
type WriteInput = z.infer<typeof writeSchema>;

const idParam = (raw: string) => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound("Contact not found");
  return id;
};

contactsApi.get("/", async (c) => {
  const filter = parseWith(filterSchema, c.req.query(), "Invalid filter");
  const page = parseWith(pageSchema, c.req.query(), "Invalid page");
  return c.json(await listContacts(c.env.DB, filter, page));
});

contactsApi.post("/", async (c) => {
  const input = await jsonBody(c, writeSchema);
  if (!input.email && !input.externalId) throw badRequest("A contact needs an email or an externalId", [{ path: "email", message: "required" }]);
  const write = await toWrite(c.env.DB, input);
  try {
    const now = Date.now();
    const id = await createContact(c.env.DB, write, consentOf(c), now);
    const contact = (await getContact(c.env.DB, id))!;
    await announce(c, id, [], contact.subscriptions, now);
    return c.json(contact, 201);
  } catch (err) {
    if (err instanceof ConflictError) throw new HttpError(409, "conflict", err.message);
    throw err;
  }
});

// Registered before /:id so that "export.csv" is not taken for an id.
contactsApi.get("/export.csv", (c) => {
  const filter = parseWith(filterSchema, c.req.query(), "Invalid filter");
  const d1 = c.env.DB;
  const columns = ["id", "email", "external_id", "first_name", "last_name", "phone", "timezone", "locale", "country", "birthday", "status", "source", "topics", "order_count", "revenue", "created_at", "properties"];
  let before: number | null = null;
  let headerSent = false;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRow(columns)));
        return;
      }
      const rows = await exportPage(d1, filter, before, 1000);
      if (!rows.length) return controller.close();
      before = rows[rows.length - 1]!.id;
      const lines = rows.map((r) =>
        csvRow([r.id, r.email, r.externalId, r.firstName, r.lastName, r.phone, r.timezone, r.locale, r.country, r.birthday, r.status, r.source, r.topics, r.orderCount, r.revenue, new Date(r.createdAt).toISOString(), r.properties]),
      );
      controller.enqueue(encoder.encode(lines.join("")));
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="contacts-${day}.csv"`, "Cache-Control": "no-store" },
  });
});

contactsApi.get("/:id", async (c) => {
  const contact = await getContact(c.env.DB, idParam(c.req.param("id")));
  if (!contact) throw notFound("Contact not found");
  return c.json(contact);
});

contactsApi.get("/:id/events", async (c) => {
  const q = parseWith(z.object({ cursor: z.string().max(50).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), name: z.string().max(200).optional() }), c.req.query());
  const id = idParam(c.req.param("id"));
  return c.json(await timeline(c.env.DB, id, q));
});

contactsApi.patch("/:id", async (c) => {
  const id = idParam(c.req.param("id"));
  const write = await toWrite(c.env.DB, await jsonBody(c, writeSchema));
  const before = write.topics ? ((await getContact(c.env.DB, id))?.subscriptions ?? []) : [];
  const now = Date.now();
  try {
    if (!(await updateContact(c.env.DB, id, write, consentOf(c), now))) throw notFound("Contact not found");
  } catch (err) {
    if (err instanceof ConflictError) throw new HttpError(409, "conflict", err.message);
    throw err;
  }
  const contact = (await getContact(c.env.DB, id))!;
  if (write.topics) await announce(c, id, before, contact.subscriptions, now);
  return c.json(contact);
});

contactsApi.delete("/:id", async (c) => {
  const id = idParam(c.req.param("id"));
  if (!(await eraseContact(c.env.DB, id, Date.now()))) throw notFound("Contact not found");
  // The contact's journey forgets its runs too.
  c.executionCtx.waitUntil(journey(c.env, id).erase());
  return c.json({ ok: true, erased: true });
});

/** Records Subscribed/Unsubscribed events for topic changes and hands them to flows (welcome series…). */
async function announce(c: Context<AppEnv>, id: number, before: { key: string; status: string }[], after: { key: string; status: string }[], now: number) {
  const events = subscriptionChanges(id, before, after, c.get("principal").kind === "api_key" ? "api" : "admin", now);
  await recordEvents(c.env.DB, events, now);
  c.executionCtx.waitUntil(forwardToJourneys(c.env, events, now));
}

async function toWrite(d1: D1Database, input: WriteInput): Promise<ContactWrite> {
  const { email, externalId, properties, status, topics: topicChanges, ...fields } = input;
  let topicList: ContactWrite["topics"];
  if (topicChanges) {
    const keys = Object.keys(topicChanges);
    const known = await topicsByKey(d1, keys);
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length) throw badRequest("Unknown topic", unknown.map((k) => ({ path: `topics.${k}`, message: "no such topic" })));
    topicList = keys.map((k) => ({ topicId: known.get(k)!.id, status: topicChanges[k]! }));
  }
  return { email, externalId, fields, properties, status, topics: topicList };
}

function consentOf(c: { req: { header(name: string): string | undefined }; get(key: "principal"): AppEnv["Variables"]["principal"] }) {
  const p = c.get("principal");
  return {
    source: p.kind === "api_key" ? "api" : "admin",
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: c.req.header("user-agent") ?? null,
    consentText: p.kind === "api_key" ? `via ${p.name}` : `added by ${p.email}`,
  };
}

