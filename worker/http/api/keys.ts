/** /api/write-keys (ingest sources) and /api/api-keys (admin automation). Secrets are shown once, at creation. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { createApiKey, createWriteKey, deleteApiKey, deleteWriteKey, listApiKeys, listWriteKeys, updateWriteKey } from "../../store/auth";
import { idOf, jsonBody } from "../body";
import { notFound } from "../errors";
import { requireSession } from "./session";

const name = z.string().trim().min(1).max(100);
const source = z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9_.-]*$/i, "letters, digits, dot, dash and underscore");

export const writeKeysApi = new Hono<AppEnv>();

writeKeysApi.get("/", async (c) => c.json({ items: await listWriteKeys(c.env.DB) }));

writeKeysApi.post("/", async (c) => {
  const input = await jsonBody(c, z.object({ name, source: source.optional() }));
  const slug = input.source ?? (input.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "source");
  return c.json(await createWriteKey(c.env.DB, { name: input.name, source: slug }, Date.now()), 201);
});

writeKeysApi.patch("/:id", async (c) => {
  const patch = await jsonBody(c, z.object({ name: name.optional(), source: source.optional() }));
  const row = await updateWriteKey(c.env.DB, idOf(c.req.param("id")), patch);
  if (!row) throw notFound("Write key not found");
  return c.json(row);
});

writeKeysApi.delete("/:id", async (c) => {
  if (!(await deleteWriteKey(c.env.DB, idOf(c.req.param("id"))))) throw notFound("Write key not found");
  return c.json({ ok: true });
});

export const apiKeysApi = new Hono<AppEnv>();

apiKeysApi.get("/", async (c) => c.json({ items: await listApiKeys(c.env.DB) }));

// An API key cannot mint or revoke API keys: only a person signed in to the admin UI can.
apiKeysApi.post("/", requireSession, async (c) => {
  const input = await jsonBody(c, z.object({ name }));
  return c.json(await createApiKey(c.env.DB, input.name, c.get("principal").userId, Date.now()), 201);
});

apiKeysApi.delete("/:id", requireSession, async (c) => {
  if (!(await deleteApiKey(c.env.DB, idOf(c.req.param("id"))))) throw notFound("API key not found");
  return c.json({ ok: true });
});
