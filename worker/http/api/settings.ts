/** /api/settings and /api/topics. */
import { Hono } from "hono";
import { z } from "zod";
import { settingsPatchSchema } from "../../core/settings";
import type { AppEnv } from "../../env";
import { PROVIDER_SECRETS, providerName } from "../../delivery/providers/index";
import { publicBase } from "../../delivery/model";
import { getSettings, updateSettings } from "../../store/settings";
import { createTopic, deleteTopic, listTopics, updateTopic } from "../../store/topics";
import { idOf, jsonBody } from "../body";
import { badRequest, HttpError, notFound, zodIssues } from "../errors";

export const settingsApi = new Hono<AppEnv>();

settingsApi.get("/", async (c) => c.json(await getSettings(c.env.DB)));

settingsApi.patch("/", async (c) => {
  const result = await updateSettings(c.env.DB, await jsonBody(c, settingsPatchSchema), Date.now());
  if (!result.success) throw badRequest("Invalid settings", zodIssues(result.error));
  return c.json(result.data);
});

/** Which provider is in use and which of its secrets are set (never their values). */
settingsApi.get("/sending/status", async (c) => {
  const settings = await getSettings(c.env.DB);
  const provider = providerName(settings.sending, c.env);
  const secrets = Object.fromEntries(PROVIDER_SECRETS[provider].map((name) => [name, !!c.env[name]]));
  return c.json({ provider, secrets, tokenSecret: (c.env.TERN_SECRET?.length ?? 0) >= 16, publicUrl: publicBase(settings) });
});

export const topicsApi = new Hono<AppEnv>();

const topicFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500),
  kind: z.enum(["marketing", "transactional"]),
  doubleOptIn: z.boolean(),
};
const createSchema = z.object({
  key: z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, dash, underscore"),
  ...topicFields,
  description: topicFields.description.default(""),
  kind: topicFields.kind.default("marketing"),
  doubleOptIn: topicFields.doubleOptIn.default(true),
});
// No defaults here: a patch must only touch the fields it names.
const patchSchema = z.object(topicFields).partial().strict();

topicsApi.get("/", async (c) => c.json({ items: await listTopics(c.env.DB) }));

topicsApi.post("/", async (c) => {
  const topic = await createTopic(c.env.DB, await jsonBody(c, createSchema), Date.now());
  if (!topic) throw new HttpError(409, "conflict", "A topic with this key already exists");
  return c.json(topic, 201);
});

topicsApi.patch("/:id", async (c) => {
  const topic = await updateTopic(c.env.DB, idOf(c.req.param("id")), await jsonBody(c, patchSchema));
  if (!topic) throw notFound("Topic not found");
  return c.json(topic);
});

topicsApi.delete("/:id", async (c) => {
  if (!(await deleteTopic(c.env.DB, idOf(c.req.param("id"))))) throw notFound("Topic not found");
  return c.json({ ok: true });
});
