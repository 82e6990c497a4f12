/** /api/segments — saved segments, live counts and previews of unsaved definitions, size history. */
import { Hono } from "hono";
import { z, ZodError } from "zod";
import { SegmentError, type Group } from "../../core/segment";
import type { AppEnv } from "../../env";
import {
  checkDefinition, countSegment, createSegment, deleteSegment, getSegment, installPrebuilt, listSegments, previewSegment, recordSize, segmentContext,
  segmentUsers, sizeHistory, suggestions, updateSegment,
} from "../../store/segments";
import { idOf, jsonBody } from "../body";
import { badRequest, HttpError, notFound, zodIssues } from "../errors";

export const segmentsApi = new Hono<AppEnv>();

const LIMIT = 128 * 1024;
const meta = { name: z.string().trim().min(1).max(200), description: z.string().trim().max(1000) };
const createSchema = z.object({ ...meta, description: meta.description.default(""), definition: z.unknown() });
const patchSchema = z.object({ ...meta, definition: z.unknown() }).partial().strict();

/** Turns definition problems into a 400 with paths under `definition`. */
function definitionOrThrow(input: unknown, id: number | null, ctx: Awaited<ReturnType<typeof segmentContext>>): Group {
  try {
    return checkDefinition(input, id, ctx);
  } catch (err) {
    if (err instanceof ZodError) throw badRequest("The segment definition is not valid", zodIssues(err, "definition"));
    if (err instanceof SegmentError) throw badRequest(err.message, [{ path: "definition", message: err.message }]);
    throw err;
  }
}

segmentsApi.get("/", async (c) => {
  const now = Date.now();
  await installPrebuilt(c.env.DB, now);
  return c.json({ items: await listSegments(c.env.DB, now) });
});

segmentsApi.get("/suggestions", async (c) => c.json(await suggestions(c.env.DB)));

/** The live count (and a preview) of a definition being edited; nothing is saved. */
segmentsApi.post("/count", async (c) => {
  const body = await jsonBody(c, z.object({ definition: z.unknown(), segmentId: z.number().int().positive().optional(), preview: z.boolean().default(false) }), LIMIT);
  const ctx = await segmentContext(c.env.DB, Date.now());
  const def = definitionOrThrow(body.definition, body.segmentId ?? null, ctx);
  const [count, preview] = await Promise.all([countSegment(c.env.DB, def, ctx), body.preview ? previewSegment(c.env.DB, def, ctx) : null]);
  return c.json({ count, ...(preview ? { preview } : {}) });
});

segmentsApi.post("/", async (c) => {
  const input = await jsonBody(c, createSchema, LIMIT);
  const now = Date.now();
  const ctx = await segmentContext(c.env.DB, now);
  const definition = definitionOrThrow(input.definition, null, ctx);
  const row = await createSegment(c.env.DB, { name: input.name, description: input.description, definition }, now);
  const size = await countSegment(c.env.DB, definition, ctx);
  await recordSize(c.env.DB, row.id, size, now);
  return c.json({ ...row, size, countedAt: now }, 201);
});

segmentsApi.get("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const row = await getSegment(c.env.DB, id);
  if (!row) throw notFound("Segment not found");
  const now = Date.now();
  const ctx = await segmentContext(c.env.DB, now);
  const def = row.definition as unknown as Group;
  const [size, preview, history] = await Promise.all([countSegment(c.env.DB, def, ctx), previewSegment(c.env.DB, def, ctx), sizeHistory(c.env.DB, id)]);
  return c.json({ ...row, size, preview, history });
});

segmentsApi.patch("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const patch = await jsonBody(c, patchSchema, LIMIT);
  if (!(await getSegment(c.env.DB, id))) throw notFound("Segment not found");
  const now = Date.now();
  const ctx = await segmentContext(c.env.DB, now);
  const definition = patch.definition === undefined ? undefined : definitionOrThrow(patch.definition, id, ctx);
  const row = (await updateSegment(c.env.DB, id, { name: patch.name, description: patch.description, definition }, now))!;
  if (!definition) return c.json(row);
  const size = await countSegment(c.env.DB, definition, ctx);
  await recordSize(c.env.DB, id, size, now);
  return c.json({ ...row, size, countedAt: now });
});

segmentsApi.delete("/:id", async (c) => {
  const id = idOf(c.req.param("id"));
  const users = await segmentUsers(c.env.DB, id);
  if (users.length) throw new HttpError(409, "in_use", `Used by ${users.join(", ")}; change those first`);
  if (!(await deleteSegment(c.env.DB, id))) throw notFound("Segment not found");
  return c.json({ ok: true });
});
