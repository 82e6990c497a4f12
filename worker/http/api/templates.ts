/** /api/templates — CRUD with validation at save time, live preview for a contact, and test sends. */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { emailSchema } from "../../core/contact";
import { lintTemplate } from "../../core/lint";
import type { Settings } from "../../core/settings";
import { renderEmail, RenderError, sampleModel, validateTemplate, type TemplateSource } from "../../core/template";
import { enqueueSends } from "../../delivery/enqueue";
import { contactModel, publicBase, renderModel, storeModel } from "../../delivery/model";
import type { AppEnv } from "../../env";
import { getContact } from "../../store/contacts";
import { getSettings } from "../../store/settings";
import { createTemplate, deleteTemplate, getTemplate, listTemplates, templateUsers, updateTemplate, type TemplateInput } from "../../store/templates";
import { randomToken } from "../../store/random";
import { idOf, jsonBody } from "../body";
import { badRequest, HttpError, notFound } from "../errors";

export const templatesApi = new Hono<AppEnv>();

const optionalEmail = z.union([z.literal(""), emailSchema]).nullable().optional();
const fields = {
  name: z.string().trim().min(1).max(200),
  subject: z.string().max(500),
  preheader: z.string().max(500),
  fromName: z.string().trim().max(100).nullable(),
  fromEmail: optionalEmail,
  replyTo: optionalEmail,
  html: z.string().max(512 * 1024),
  text: z.string().max(256 * 1024).nullable(),
  layout: z.enum(["default", "none"]),
};
const createSchema = z.object({
  ...fields,
  preheader: fields.preheader.default(""),
  fromName: fields.fromName.optional().default(null),
  text: fields.text.optional().default(null),
  layout: fields.layout.default("default"),
});
// No defaults in a patch: it touches only the fields it names.
const patchSchema = z.object(fields).partial().strict();
const previewSchema = z.object({ template: z.object(fields).partial().optional(), contactId: z.number().int().positive().optional() });

const LIMIT = 1024 * 1024;

const normalise = <T extends { fromEmail?: string | null; replyTo?: string | null }>(t: T): T => ({
  ...t,
  ...(t.fromEmail !== undefined ? { fromEmail: t.fromEmail || null } : {}),
  ...(t.replyTo !== undefined ? { replyTo: t.replyTo || null } : {}),
});

async function check(settings: Settings, t: TemplateSource) {
  const problems = await validateTemplate(t, sampleModel(storeModel(settings), new Date().toISOString()));
  if (problems.length) throw badRequest("The template has errors", problems.map((p) => ({ path: p.field, message: p.message })));
}

templatesApi.get("/", async (c) => c.json({ items: await listTemplates(c.env.DB) }));

templatesApi.post("/", async (c) => {
  const input = normalise(await jsonBody(c, createSchema, LIMIT));
  await check(await getSettings(c.env.DB), input as TemplateSource);
  return c.json(await createTemplate(c.env.DB, input as TemplateInput, Date.now()), 201);
});

templatesApi.get("/:id", async (c) => {
  const t = await getTemplate(c.env.DB, idOf(c.req.param("id")));
  if (!t) throw notFound("Template not found");
  return c.json({ ...t, lint: lintTemplate(t as TemplateSource & { fromEmail: string | null }, await getSettings(c.env.DB)) });
});

/** Compliance findings for a draft as it is being edited (errors block scheduling a campaign with it). */
templatesApi.post("/lint", async (c) => {
  const { template } = await jsonBody(c, z.object({ template: z.object(fields).partial() }), LIMIT);
  const source = { subject: "", preheader: "", html: "", text: null, layout: "default", ...template } as TemplateSource & { fromEmail?: string | null };
  return c.json({ findings: lintTemplate(source, await getSettings(c.env.DB)) });
});

templatesApi.patch("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const patch = normalise(await jsonBody(c, patchSchema, LIMIT));
  const current = await getTemplate(c.env.DB, id);
  if (!current) throw notFound("Template not found");
  await check(await getSettings(c.env.DB), { ...current, ...patch } as TemplateSource);
  return c.json(await updateTemplate(c.env.DB, id, patch as Partial<TemplateInput>, Date.now()));
});

templatesApi.delete("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const users = await templateUsers(c.env.DB, id);
  if (users.length) throw new HttpError(409, "in_use", `Used by ${users.join(", ")}; change those first`);
  if (!(await deleteTemplate(c.env.DB, id))) throw notFound("Template not found");
  return c.json({ ok: true });
});

/**
 * Renders a saved template (POST /:id/preview) or an unsaved draft (POST /preview) for a contact, or for a
 * made-up one. Links point nowhere real: a preview must never unsubscribe anyone.
 */
async function preview(c: Context<AppEnv>, saved: Record<string, unknown> | null) {
  const input = await jsonBody(c, previewSchema, LIMIT);
  const settings = await getSettings(c.env.DB);
  const source = { subject: "", preheader: "", html: "", text: null, layout: "default", ...saved, ...input.template } as TemplateSource;
  const base = publicBase(settings);
  const links = { unsubscribe: `${base}/u/preview`, preferences: `${base}/p/preview`, viewInBrowser: `${base}/v/preview` };
  let model = sampleModel(storeModel(settings), new Date().toISOString());
  if (input.contactId) {
    const contact = await getContact(c.env.DB, input.contactId);
    if (!contact) throw notFound("Contact not found");
    model = renderModel(settings, contactModel(contact), links, { event: model.event, now: Date.now() });
  } else {
    model = { ...model, unsubscribe_url: links.unsubscribe, preferences_url: links.preferences, view_in_browser_url: links.viewInBrowser };
  }
  try {
    return c.json(await renderEmail(source, model));
  } catch (err) {
    if (err instanceof RenderError) throw badRequest("The template cannot be rendered", [{ path: err.field, message: err.message }]);
    throw err;
  }
}

templatesApi.post("/preview", (c) => preview(c, null));

templatesApi.post("/:id/preview", async (c) => {
  const t = await getTemplate(c.env.DB, idOf(c.req.param("id")));
  if (!t) throw notFound("Template not found");
  return preview(c, t);
});

/** Sends the saved template to any address, rendered for a chosen contact (or the sample one). */
templatesApi.post("/:id/test", async (c) => {
  const id = idOf(c.req.param("id"));
  const input = await jsonBody(c, z.object({ to: emailSchema, contactId: z.number().int().positive().optional() }));
  if (!(await getTemplate(c.env.DB, id))) throw notFound("Template not found");
  if (input.contactId && !(await getContact(c.env.DB, input.contactId))) throw notFound("Contact not found");
  // A test carries the same sample event as the preview, so a cart loop shows products.
  const sample = sampleModel(storeModel(await getSettings(c.env.DB)), new Date().toISOString()).event;
  const [messageId] = await enqueueSends(
    c.env,
    [{ idempotencyKey: `test:${randomToken(12)}`, contactId: input.contactId ?? null, templateId: id, kind: "transactional", toEmail: input.to, data: { ...sample, test: true } }],
    Date.now(),
  );
  return c.json({ messageId }, 202);
});
