/** /api/flows — drafts, publishing, pause/resume, manual starts, per-step figures and the simulator. */
import { Hono } from "hono";
import { z, ZodError } from "zod";
import { flowProblems, flowSchema, FlowError, parseFlow } from "../../core/flow";
import { simulate } from "../../core/flow-simulate";
import { jsonObject } from "../../core/json";
import { prebuiltCatalog, prebuiltFlow } from "../../core/prebuilt-flows";
import type { AppEnv } from "../../env";
import { loadFacts } from "../../journeys/facts";
import { forgetLiveEvents, journey } from "../../journeys/forward";
import { createFlow, flowVersionsOf, getFlow, listFlows, nodeFigures, publishFlow, updateFlow } from "../../store/flows";
import { installPrebuiltFlow } from "../../store/prebuilt";
import { segmentContext } from "../../store/segments";
import { getSettings } from "../../store/settings";
import { idOf, jsonBody, optionalJsonBody } from "../body";
import { badRequest, HttpError, notFound, zodIssues } from "../errors";

export const flowsApi = new Hono<AppEnv>();

const LIMIT = 256 * 1024;
const name = z.string().trim().min(1).max(200);
const BLANK = { trigger: { type: "manual" }, settings: {}, entry: null, nodes: {} };

/** A draft must have the right shape to be saved; graph problems are reported, and only block publishing. */
function draftOrThrow(input: unknown) {
  const parsed = flowSchema.safeParse(input);
  if (!parsed.success) throw badRequest("The flow is not valid", zodIssues(parsed.error, "definition"));
  return parsed.data;
}

async function found(d1: D1Database, raw: string) {
  const row = await getFlow(d1, idOf(raw));
  if (!row) throw notFound("Flow not found");
  return row;
}

flowsApi.get("/", async (c) => c.json({ items: await listFlows(c.env.DB) }));

flowsApi.post("/", async (c) => {
  const input = await jsonBody(c, z.object({ name, definition: z.unknown().optional() }), LIMIT);
  const draft = draftOrThrow(input.definition ?? BLANK);
  const row = await createFlow(c.env.DB, input.name, draft, Date.now());
  return c.json({ ...row, problems: flowProblems(draft) }, 201);
});

/** The prebuilt flows (before the /:id routes, which would take "prebuilt" for an id). */
flowsApi.get("/prebuilt", (c) => c.json({ items: prebuiltCatalog() }));

/** Creates a prebuilt flow as an editable draft, with its own templates (and its topics/segment when missing). */
flowsApi.post("/prebuilt/:key", async (c) => {
  const entry = prebuiltFlow(c.req.param("key"));
  if (!entry) throw notFound("No prebuilt flow with this key");
  const { flow, templates, segmentId, warnings } = await installPrebuiltFlow(c.env.DB, entry, Date.now());
  return c.json({ ...flow, problems: flowProblems(flowSchema.parse(flow.draft)), templates, segmentId, warnings }, 201);
});

flowsApi.get("/:id", async (c) => {
  const row = await found(c.env.DB, c.req.param("id"));
  const draft = flowSchema.safeParse(row.draft);
  const [versions, figures] = await Promise.all([flowVersionsOf(c.env.DB, row.id), nodeFigures(c.env.DB, row.id)]);
  return c.json({ ...row, problems: draft.success ? flowProblems(draft.data) : ["the draft no longer matches the flow format"], versions, figures });
});

flowsApi.patch("/:id", async (c) => {
  const row = await found(c.env.DB, c.req.param("id"));
  const input = await jsonBody(c, z.object({ name: name.optional(), definition: z.unknown().optional() }).strict(), LIMIT);
  const draft = input.definition === undefined ? undefined : draftOrThrow(input.definition);
  const updated = await updateFlow(c.env.DB, row.id, { name: input.name, draft }, Date.now());
  return c.json({ ...updated, problems: flowProblems(draft ?? flowSchema.parse(row.draft)) });
});

flowsApi.post("/:id/publish", async (c) => {
  const row = await found(c.env.DB, c.req.param("id"));
  if (row.status === "archived") throw new HttpError(409, "conflict", "An archived flow cannot be published");
  const { includeCurrentMembers } = await optionalJsonBody(c, z.object({ includeCurrentMembers: z.boolean().default(false) }));
  try {
    const published = await publishFlow(c.env.DB, row, Date.now(), includeCurrentMembers);
    forgetLiveEvents();
    return c.json(published);
  } catch (err) {
    if (err instanceof FlowError) throw badRequest("The flow cannot be published yet", err.message.split("; ").map((message) => ({ path: "definition", message })));
    if (err instanceof ZodError) throw badRequest("The flow is not valid", zodIssues(err, "definition"));
    throw err;
  }
});

/** Pausing stops new entries and holds the runs inside (their steps resume when the flow goes live again). */
for (const [action, from, to] of [["pause", ["live"], "paused"], ["resume", ["paused"], "live"], ["archive", ["draft", "live", "paused"], "archived"]] as const) {
  flowsApi.post(`/:id/${action}`, async (c) => {
    const row = await found(c.env.DB, c.req.param("id"));
    if (!(from as readonly string[]).includes(row.status)) throw new HttpError(409, "conflict", `A ${row.status} flow cannot be ${action}d`);
    if (to === "live" && !row.liveVersion) throw new HttpError(409, "conflict", "Publish the flow first");
    const updated = await updateFlow(c.env.DB, row.id, { status: to }, Date.now());
    forgetLiveEvents();
    return c.json(updated);
  });
}

flowsApi.delete("/:id", async (c) => {
  const row = await found(c.env.DB, c.req.param("id"));
  if (row.liveVersion) throw new HttpError(409, "conflict", "A published flow keeps its history: archive it instead");
  await c.env.DB.prepare("DELETE FROM flows WHERE id = ?").bind(row.id).run();
  return c.json({ ok: true });
});

/** Starts a live flow for one contact now (manual and API triggers). */
flowsApi.post("/:id/start", async (c) => {
  const row = await found(c.env.DB, c.req.param("id"));
  if (row.status !== "live") throw new HttpError(409, "conflict", "Only a live flow can be started");
  const input = await jsonBody(c, z.object({ contactId: z.number().int().positive(), data: z.record(z.string(), z.unknown()).default({}) }));
  const exists = await c.env.DB.prepare("SELECT 1 FROM contacts WHERE id = ?").bind(input.contactId).first();
  if (!exists) throw notFound("Contact not found");
  const runId = await journey(c.env, input.contactId).startFlow(input.contactId, row.id, input.data);
  return c.json({ runId, started: runId !== null }, runId ? 201 : 200);
});

const simulateSchema = z.object({
  definition: z.unknown(),
  contactId: z.number().int().positive().optional(),
  /** a made-up contact when there is no contactId */
  profile: z.record(z.string(), z.unknown()).default({}),
  trigger: z.record(z.string(), z.unknown()).default({}),
  events: z.array(z.object({ afterMinutes: z.number().min(0).max(60 * 24 * 365), name: z.string().min(1).max(200), properties: z.record(z.string(), z.unknown()).default({}) })).max(50).default([]),
  /** fast-forward this far */
  days: z.number().min(0).max(400).default(30),
  engagement: z.record(z.string(), z.enum(["none", "opened", "clicked"])).default({}),
});

/** Runs the flow on a fake clock for a contact or a profile. Nothing is sent or stored. */
flowsApi.post("/simulate", async (c) => {
  const input = await jsonBody(c, simulateSchema, LIMIT);
  let flow;
  try {
    flow = parseFlow(input.definition);
  } catch (err) {
    if (err instanceof FlowError) throw badRequest("The flow has problems", err.message.split("; ").map((message) => ({ path: "definition", message })));
    if (err instanceof ZodError) throw badRequest("The flow is not valid", zodIssues(err, "definition"));
    throw err;
  }
  const now = Date.now();
  const [settings, segments] = await Promise.all([getSettings(c.env.DB), segmentContext(c.env.DB, now)]);
  let facts;
  let timezone = settings.store.timezone;
  if (input.contactId) {
    const loaded = await loadFacts(c.env.DB, input.contactId, now, []);
    if (!loaded.exists) throw notFound("Contact not found");
    facts = loaded.facts;
    timezone = loaded.timezone;
  } else {
    const { properties, ...fields } = input.profile;
    facts = { contact: { id: 0, ...fields, properties: typeof properties === "object" && properties ? (properties as Record<string, unknown>) : jsonObject(null) }, events: [], subscriptions: {}, messages: [] };
    if (typeof fields.timezone === "string") timezone = fields.timezone;
  }
  const result = simulate({
    flow, facts, segments, timezone, start: now, trigger: input.trigger, until: now + input.days * 86_400_000, engagement: input.engagement,
    events: input.events.map((e) => ({ name: e.name, properties: e.properties, occurredAt: now + e.afterMinutes * 60_000 })),
  });
  return c.json({ ...result, start: now });
});
