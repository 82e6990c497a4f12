/** /api/forms — signup forms: list with figures, create, read with embed snippets, update, disable, delete. */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { formDefinitionSchema, publicForm, type FormDefinition } from "../../core/forms";
import type { AppEnv } from "../../env";
import { plainForm, scriptTag } from "../../forms/snippet";
import { createForm, deleteForm, getForm, listForms, statsByForm, updateForm, type FormRow } from "../../forms/store";
import { getSettings } from "../../store/settings";
import { getTemplate } from "../../store/templates";
import { topicsByKey } from "../../store/topics";
import { idOf, jsonBody, parseWith } from "../body";
import { badRequest, notFound, zodIssues, type Issue } from "../errors";

export const formsApi = new Hono<AppEnv>();

const meta = {
  name: z.string().trim().min(1).max(200),
  status: z.enum(["active", "disabled"]),
};
const createMeta = z.object({ name: meta.name, status: meta.status.default("active") });
const patchMeta = z.object(meta).partial();
const NESTED = ["confirmation", "style", "display", "turnstile"] as const;

/** A definition from a request body (name and status are not part of it), checked against topics and secrets. */
async function definitionOf(c: Context<AppEnv>, body: Record<string, unknown>): Promise<FormDefinition> {
  const { name: _n, status: _s, ...rest } = body;
  const parsed = formDefinitionSchema.safeParse(rest);
  if (!parsed.success) throw badRequest("The form is not valid", zodIssues(parsed.error));
  const def = parsed.data;
  const issues: Issue[] = [];
  const topics = await topicsByKey(c.env.DB, def.topics.map((t) => t.key));
  def.topics.forEach((t, i) => topics.has(t.key) || issues.push({ path: `topics.${i}.key`, message: "no such topic" }));
  if (def.turnstile.enabled && !c.env.TURNSTILE_SECRET) {
    issues.push({ path: "turnstile.enabled", message: "set the TURNSTILE_SECRET Worker secret first (wrangler secret put TURNSTILE_SECRET)" });
  }
  if (def.confirmation.templateId && !(await getTemplate(c.env.DB, def.confirmation.templateId))) {
    issues.push({ path: "confirmation.templateId", message: "no such template" });
  }
  if (issues.length) throw badRequest("The form is not valid", issues);
  return def;
}

const bodyOf = (c: Context<AppEnv>) => jsonBody(c, z.record(z.string(), z.unknown()));

/** The public origin snippets point to: Settings → Sending → public URL, else the origin of this request. */
async function baseOf(c: Context<AppEnv>): Promise<string> {
  const settings = await getSettings(c.env.DB);
  return (settings.sending.publicUrl || new URL(c.req.url).origin).replace(/\/+$/, "");
}

async function detail(c: Context<AppEnv>, form: FormRow) {
  const [base, stats, settings] = await Promise.all([baseOf(c), statsByForm(c.env.DB, form.id), getSettings(c.env.DB)]);
  const def = form.definition;
  const warnings: string[] = [];
  if (!def) warnings.push("The stored definition is no longer valid: save the form again");
  if (def && !def.allowedOrigins.length) warnings.push("No allowed origins: the embedded form cannot submit from any website until you add the site's origin (https://shop.example)");
  if (!settings.sender.fromEmail) warnings.push("No sender address in Settings: confirmation emails cannot be sent");
  if (!/^https:\/\//.test(base)) warnings.push("The public URL is not https: set Settings → Sending → public URL for production embeds");
  const names = def ? await topicsByKey(c.env.DB, def.topics.map((t) => t.key)) : new Map();
  const pub = def ? publicForm(form.id, def, new Map([...names].map(([k, t]) => [k, t.name]))) : null;
  return {
    ...form,
    stats: stats.get(form.id) ?? { submissions: 0, confirmed: 0, pending: 0 },
    embed: pub
      ? { script: scriptTag(base, form.id, pub.mode), html: plainForm(pub, base), scriptUrl: `${base}/forms/${form.id}.js`, hostedUrl: `${base}/forms/${form.id}` }
      : null,
    warnings,
  };
}

formsApi.get("/", async (c) => {
  const items = (await listForms(c.env.DB)).map(({ definition, ...f }) => ({
    ...f,
    mode: definition?.display.mode ?? null,
    topics: definition?.topics.map((t) => t.key) ?? [],
  }));
  return c.json({ items });
});

formsApi.post("/", async (c) => {
  const body = await bodyOf(c);
  const { name, status } = parseWith(createMeta, body, "The form is not valid");
  const definition = await definitionOf(c, body);
  const form = await createForm(c.env.DB, { name, status, definition }, Date.now());
  return c.json(await detail(c, form), 201);
});

formsApi.get("/:id", async (c) => {
  const form = await getForm(c.env.DB, idOf(c.req.param("id")));
  if (!form) throw notFound("Form not found");
  return c.json(await detail(c, form));
});

/** A patch names top-level keys; style, display, confirmation and turnstile merge one level deeper. */
formsApi.patch("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const form = await getForm(c.env.DB, id);
  if (!form) throw notFound("Form not found");
  const body = await bodyOf(c);
  const { name, status } = parseWith(patchMeta, body, "The form is not valid");
  const { name: _n, status: _s, ...rest } = body;
  let definition: FormDefinition | undefined;
  if (Object.keys(rest).length) {
    const merged: Record<string, unknown> = { ...(form.definition ?? {}), ...rest };
    for (const key of NESTED) {
      const patch = rest[key];
      if (patch && typeof patch === "object" && !Array.isArray(patch)) merged[key] = { ...(form.definition?.[key] ?? {}), ...patch };
    }
    definition = await definitionOf(c, merged);
  }
  const updated = await updateForm(c.env.DB, id, { name, status, definition }, Date.now());
  if (!updated) throw notFound("Form not found");
  return c.json(await detail(c, updated));
});

for (const [action, status] of [["disable", "disabled"], ["enable", "active"]] as const) {
  formsApi.post(`/:id/${action}`, async (c) => {
    const updated = await updateForm(c.env.DB, idOf(c.req.param("id")), { status }, Date.now());
    if (!updated) throw notFound("Form not found");
    return c.json(await detail(c, updated));
  });
}

/** Deletes the form; the consent records of the people who signed up with it stay on their subscriptions. */
formsApi.delete("/:id", async (c) => {
  if (!(await deleteForm(c.env.DB, idOf(c.req.param("id"))))) throw notFound("Form not found");
  return c.json({ ok: true });
});
